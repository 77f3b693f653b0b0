/*
 * packed.c - the recurrence's per-step products on pre-packed weights.
 *
 * A training step multiplies the same U by 2T small matrices (B rows each).
 * OpenBLAS re-packs U into its panel format on every call; here U is packed
 * once per step (rnn_pack_recurrent) and each product streams the packed
 * panels through a register tile (packed_tile.h): per panel of 16 output
 * columns and per block of rows of op(B) (16 KiB, kept in L1), every
 * row block of A runs one tile. Three versions of the tile: AVX-512, AVX2 +
 * FMA and plain C, picked per call by what the CPU has (rnn_kernels.h).
 *
 * Batch-1 steps (sampling) multiply by a vector instead: rnn_gemv_rows
 * streams the row-major U once, which is all a GEMV can do.
 */
#include "rnn_hot.h" /* first: it sets how the functions below are optimized */
#include "rnn_kernels.h"

#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(RNN_REAL_DOUBLE)
#define RNN_HAVE_X86_TILES 1
#include <immintrin.h>
#endif

/* Below this many FLOPs a product runs on one thread: waking the other
 * costs a few microseconds. */
#define PARALLEL_MIN_FLOPS 1e5

/* Rows of op(B) per pass over a panel (two panels: half as many), so the
 * slice every row block of A streams is 16 KiB and stays in L1. */
enum { K_BLOCK_ELEMS = 4096 };

/* ---------------------------------------------------------------------- */
/* Packing                                                                 */
/* ---------------------------------------------------------------------- */

/* Contract: see rnn.h. b is B [n][ldb] when trans_b (op(B) = B^T), else
 * [k][ldb]; packed [RNN_PACKED_SIZE(k, n)] is overwritten, padding zeros. */
void rnn_pack(int trans_b, int k, int n, const rnn_real *b, int ldb, rnn_real *packed) {
  for (int p = 0; p < RNN_PANELS(n); p++) {
    int j0 = p * RNN_PANEL, w = n - j0 < RNN_PANEL ? n - j0 : RNN_PANEL;
    rnn_real *panel = packed + (size_t)p * k * RNN_PANEL; /* [k][RNN_PANEL] */
    for (int kk = 0; kk < k; kk++) {
      rnn_real *row = panel + (size_t)kk * RNN_PANEL; /* [RNN_PANEL] */
      if (trans_b)
        for (int j = 0; j < w; j++) row[j] = b[(size_t)(j0 + j) * ldb + kk];
      else
        memcpy(row, b + (size_t)kk * ldb + j0, (size_t)w * sizeof *row);
      for (int j = w; j < RNN_PANEL; j++) row[j] = 0;
    }
  }
}

/* Contract: see rnn.h. u [G*H][H]; fwd [RNN_PACKED_FWD_SIZE(G, H)] and bwd
 * [RNN_PACKED_BWD_SIZE(G, H)], each may be NULL (not packed). */
void rnn_pack_recurrent(int G, int H, const rnn_real *u, rnn_real *fwd, rnn_real *bwd) {
  for (int g = 0; g < G && fwd != NULL; g++) /* U_g^T [H][H] */
    rnn_pack(1, H, H, u + (size_t)g * H * H, H, fwd + (size_t)g * RNN_PACKED_SIZE(H, H));
  if (bwd != NULL) rnn_pack(0, G * H, H, u, H, bwd); /* U [GH][H] */
}

/* ---------------------------------------------------------------------- */
/* The tiles                                                               */
/* ---------------------------------------------------------------------- */

/* Plain C, any CPU and precision: GCC/clang 16-byte vectors (4 floats or
 * 2 doubles), which become SSE2 on x86-64 and NEON on ARM; 2 rows x 16
 * columns = 8 accumulators in float. */
typedef rnn_real Vec16B __attribute__((vector_size(16)));
static inline Vec16B vec_load(const rnn_real *p) {
  Vec16B v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void vec_store(rnn_real *p, Vec16B v) { memcpy(p, &v, sizeof v); }

#define TILE_TARGET
#define TILE_REAL rnn_real
#define TILE_VEC Vec16B
#define TILE_NV ((int)sizeof(rnn_real)) /* 16 / (16 / sizeof) vectors per panel row */
#define TILE_LOAD(p) vec_load(p)
#define TILE_STORE(p, v) vec_store((p), (v))
#define TILE_BCAST(x) ((Vec16B){0} + (x))
#define TILE_FMA(a, b, c) ((a) * (b) + (c))
#define TILE_ZERO() ((Vec16B){0})
#define TILE_NAME tile_generic
#define TILE_NP 1
#define TILE_MR 2
#include "packed_tile.h"
#undef TILE_TARGET
#undef TILE_REAL
#undef TILE_VEC
#undef TILE_NV
#undef TILE_LOAD
#undef TILE_STORE
#undef TILE_BCAST
#undef TILE_FMA
#undef TILE_ZERO

#ifdef RNN_HAVE_X86_TILES
/* AVX2 + FMA: two ymm per panel row, one panel, 6 rows: 12 accumulators,
 * 2 panel loads and 6 broadcasts per 12 FMAs, 15 of the 16 registers. A
 * two-panel tile needs 3 rows x 4 accumulators + 4 panel vectors + a
 * broadcast = 17 registers: it spilled and ran at 64 GFLOP/s where this
 * one runs at 76-89 (bench/kernels.c, C2's products, docs/PERFORMANCE.md). */
#define TILE_TARGET __attribute__((target("avx2,fma")))
#define TILE_REAL float
#define TILE_VEC __m256
#define TILE_NV 2
#define TILE_LOAD(p) _mm256_loadu_ps(p)
#define TILE_STORE(p, v) _mm256_storeu_ps((p), (v))
#define TILE_BCAST(x) _mm256_set1_ps(x)
#define TILE_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define TILE_ZERO() _mm256_setzero_ps()
#define TILE_NAME tile_avx2
#define TILE_NP 1
#define TILE_MR 6
#include "packed_tile.h"
#undef TILE_TARGET
#undef TILE_REAL
#undef TILE_VEC
#undef TILE_NV
#undef TILE_LOAD
#undef TILE_STORE
#undef TILE_BCAST
#undef TILE_FMA
#undef TILE_ZERO

/* AVX-512F: one zmm per panel row; wide: two panels x 12 rows (24
 * accumulators of 32 registers), narrow: one panel x 12 rows. The same
 * template as AVX2, so the tests on an AVX2-only machine run its logic;
 * only the intrinsics differ. */
#define TILE_TARGET __attribute__((target("avx512f")))
#define TILE_REAL float
#define TILE_VEC __m512
#define TILE_NV 1
#define TILE_LOAD(p) _mm512_loadu_ps(p)
#define TILE_STORE(p, v) _mm512_storeu_ps((p), (v))
#define TILE_BCAST(x) _mm512_set1_ps(x)
#define TILE_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define TILE_ZERO() _mm512_setzero_ps()
#define TILE_NAME tile_avx512_wide
#define TILE_NP 2
#define TILE_MR 12
#include "packed_tile.h"
#define TILE_NAME tile_avx512
#define TILE_NP 1
#define TILE_MR 12
#include "packed_tile.h"
#undef TILE_TARGET
#undef TILE_REAL
#undef TILE_VEC
#undef TILE_NV
#undef TILE_LOAD
#undef TILE_STORE
#undef TILE_BCAST
#undef TILE_FMA
#undef TILE_ZERO
#endif

/* ---------------------------------------------------------------------- */
/* The product                                                             */
/* ---------------------------------------------------------------------- */

typedef void TileFn(int m, int k, const rnn_real *a, int lda, const rnn_real *p,
                    size_t pstride, int accumulate, rnn_real *c, int ldc);

/* One instruction set's tiles: wide (two panels; NULL if none) and narrow. */
typedef struct Tiles {
  TileFn *wide, *narrow;
  int mr_wide, mr_narrow;
} Tiles;

RnnIsa rnn_isa_best(void) {
#ifdef RNN_HAVE_X86_TILES
  if (rnn_isa_supported(RNN_ISA_AVX512)) return RNN_ISA_AVX512;
  if (rnn_isa_supported(RNN_ISA_AVX2)) return RNN_ISA_AVX2;
#endif
  return RNN_ISA_GENERIC;
}

int rnn_isa_supported(RnnIsa isa) {
  switch (isa) {
  case RNN_ISA_GENERIC: return 1;
#ifdef RNN_HAVE_X86_TILES
  case RNN_ISA_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  case RNN_ISA_AVX512: return __builtin_cpu_supports("avx512f");
#endif
  default: return 0;
  }
}

const char *rnn_isa_name(RnnIsa isa) {
  static const char *const names[RNN_ISA_COUNT] = {"generic", "avx2", "avx512"};
  return isa >= 0 && isa < RNN_ISA_COUNT ? names[isa] : "?";
}

static Tiles tiles_of(RnnIsa isa) {
  switch (isa) {
#ifdef RNN_HAVE_X86_TILES
  case RNN_ISA_AVX2: return (Tiles){NULL, tile_avx2, 0, 6};
  case RNN_ISA_AVX512: return (Tiles){tile_avx512_wide, tile_avx512, 12, 12};
#endif
  default: return (Tiles){NULL, tile_generic, 0, 2};
  }
}

/* The last panel of a product whose n is not a multiple of RNN_PANEL: the
 * tile runs on a full-width copy of C's rows (tmp [m][RNN_PANEL], m <= 12)
 * and only the w real columns go back. */
static void edge_tile(TileFn *tile, int m, int w, int k, const rnn_real *a, int lda,
                      const rnn_real *p, int accumulate, rnn_real *c, int ldc) {
  rnn_real tmp[12 * RNN_PANEL];
  for (int i = 0; i < m; i++) {
    for (int j = 0; j < RNN_PANEL; j++)
      tmp[i * RNN_PANEL + j] = accumulate && j < w ? c[(size_t)i * ldc + j] : 0;
  }
  tile(m, k, a, lda, p, 0, accumulate, tmp, RNN_PANEL);
  for (int i = 0; i < m; i++)
    memcpy(c + (size_t)i * ldc, tmp + i * RNN_PANEL, (size_t)w * sizeof *c);
}

/* Columns [j0, j0 + w) of C from the panel(s) at p, rows of op(B) [k0,
 * k0 + kb): every row block of A through one tile. */
static void panel_pass(TileFn *tile, int mr, int m, int w, int kb, const rnn_real *a, int lda,
                       const rnn_real *p, size_t pstride, int accumulate, rnn_real *c,
                       int ldc) {
  for (int i0 = 0; i0 < m; i0 += mr) {
    int mb = m - i0 < mr ? m - i0 : mr;
    if (w % RNN_PANEL == 0)
      tile(mb, kb, a + (size_t)i0 * lda, lda, p, pstride, accumulate, c + (size_t)i0 * ldc, ldc);
    else
      edge_tile(tile, mb, w, kb, a + (size_t)i0 * lda, lda, p, accumulate,
                c + (size_t)i0 * ldc, ldc);
  }
}

/* Contract: see rnn_kernels.h and rnn.h. Two full panels at a time
 * through the wide tile where there is one, the rest one by one. */
void rnn_gemm_packed_isa(RnnIsa isa, int m, int n, int k, const rnn_real *a, int lda,
                         const rnn_real *packed, int k_total, int accumulate, rnn_real *c,
                         int ldc) {
  Tiles t = tiles_of(isa);
  size_t pstride = (size_t)k_total * RNN_PANEL; /* elements between panels */
  if (k == 0) { /* the empty product: C = 0 or unchanged */
    for (int i = 0; i < m && !accumulate; i++) memset(c + (size_t)i * ldc, 0, (size_t)n * sizeof *c);
    return;
  }
  for (int j0 = 0; j0 < n;) {
    int left = n - j0;
    int two = t.wide != NULL && left >= 2 * RNN_PANEL;
    int w = two ? 2 * RNN_PANEL : left < RNN_PANEL ? left : RNN_PANEL;
    const rnn_real *panel = packed + (size_t)(j0 / RNN_PANEL) * pstride; /* [k_total][16] */
    int k_block = K_BLOCK_ELEMS / (two ? 2 * RNN_PANEL : RNN_PANEL);
    for (int k0 = 0; k0 < k; k0 += k_block) {
      int kb = k - k0 < k_block ? k - k0 : k_block;
      panel_pass(two ? t.wide : t.narrow, two ? t.mr_wide : t.mr_narrow, m, w, kb, a + k0, lda,
                 panel + (size_t)k0 * RNN_PANEL, pstride, accumulate || k0 > 0, c + j0, ldc);
    }
    j0 += w;
  }
}

/* Contract: see rnn.h. With OpenMP and more than one thread, the panels
 * are split among the threads in contiguous runs, so each core streams
 * (and keeps in its own cache) its own slice of the weights: the split of
 * DeepCPU (USENIX ATC'18), not a split of the rows of A. */
void rnn_gemm_packed(int m, int n, int k, const rnn_real *a, int lda, const rnn_real *packed,
                     int k_total, int accumulate, rnn_real *c, int ldc) {
  RnnIsa isa = rnn_isa_best();
#ifdef _OPENMP
  int panels = RNN_PANELS(n), threads = omp_get_max_threads();
  if (threads > 1 && panels > 1 && 2.0 * m * n * k >= PARALLEL_MIN_FLOPS && !omp_in_parallel()) {
    if (threads > panels) threads = panels;
#pragma omp parallel num_threads(threads)
    {
      int t = omp_get_thread_num(), nt = omp_get_num_threads();
      int p0 = panels * t / nt, p1 = panels * (t + 1) / nt;
      int j0 = p0 * RNN_PANEL, j1 = p1 * RNN_PANEL < n ? p1 * RNN_PANEL : n;
      if (j1 > j0)
        rnn_gemm_packed_isa(isa, m, j1 - j0, k, a, lda,
                            packed + (size_t)p0 * k_total * RNN_PANEL, k_total, accumulate,
                            c + j0, ldc);
    }
    return;
  }
#endif
  rnn_gemm_packed_isa(isa, m, n, k, a, lda, packed, k_total, accumulate, c, ldc);
}

/* ---------------------------------------------------------------------- */
/* Batch 1: y = W x on the row-major weights                               */
/* ---------------------------------------------------------------------- */

/* y[n] (+)= the sum over parts p of W_p[n][k_p] x_p: one pass over the rows,
 * each row of every part's W streamed in turn (a batch-1 step's input and
 * recurrent weights together). Rows are split among threads by the public
 * functions below. */
static void gemv_parts_generic(int n, int nparts, const RnnGemvPart *parts, int accumulate,
                               rnn_real *y) {
  for (int j = 0; j < n; j++) {
    rnn_real dot = 0;
    for (int p = 0; p < nparts; p++) {
      const rnn_real *row = parts[p].w + (size_t)j * parts[p].ldw; /* [k] */
      for (int kk = 0; kk < parts[p].k; kk++) dot += row[kk] * parts[p].x[kk];
    }
    y[j] = accumulate ? y[j] + dot : dot;
  }
}

#ifdef RNN_HAVE_X86_TILES
/* Sum of the 8 lanes of v. */
__attribute__((target("avx2,fma"))) static inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/* Four rows at a time, two accumulators each (8 independent FMA chains
 * hide the FMA latency); the weights stream once, x stays in L1. Four
 * streams are more than the hardware prefetcher keeps ahead of, so each
 * pass also prefetches the same line of the next four rows: 3 x 2048 x 512
 * on one Zen 3 core went from 223-257 us to 186-203 us (docs/PERFORMANCE.md). */
__attribute__((target("avx2,fma"))) static void gemv_parts_avx2(int n, int nparts,
                                                                const RnnGemvPart *parts,
                                                                int accumulate, float *y) {
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    float tail[4] = {0, 0, 0, 0};
    for (int p = 0; p < nparts; p++) {
      const float *x = parts[p].x;
      int k = parts[p].k, ldw = parts[p].ldw, k16 = k & ~15;
      const float *r0 = parts[p].w + (size_t)j * ldw, *r1 = r0 + ldw, *r2 = r1 + ldw,
                  *r3 = r2 + ldw;
      /* the next four rows, or these again at the end (no pointer past w) */
      size_t ahead = j + 8 <= n ? 4 * (size_t)ldw : 0;
      for (int kk = 0; kk < k16; kk += 16) {
        _mm_prefetch((const char *)(r0 + ahead + kk), _MM_HINT_T0);
        _mm_prefetch((const char *)(r1 + ahead + kk), _MM_HINT_T0);
        _mm_prefetch((const char *)(r2 + ahead + kk), _MM_HINT_T0);
        _mm_prefetch((const char *)(r3 + ahead + kk), _MM_HINT_T0);
        __m256 x0 = _mm256_loadu_ps(x + kk), x1 = _mm256_loadu_ps(x + kk + 8);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + kk), x0, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + kk), x0, a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + kk), x0, a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(r3 + kk), x0, a3);
        b0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + kk + 8), x1, b0);
        b1 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + kk + 8), x1, b1);
        b2 = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + kk + 8), x1, b2);
        b3 = _mm256_fmadd_ps(_mm256_loadu_ps(r3 + kk + 8), x1, b3);
      }
      for (int kk = k16; kk < k; kk++) {
        tail[0] += r0[kk] * x[kk];
        tail[1] += r1[kk] * x[kk];
        tail[2] += r2[kk] * x[kk];
        tail[3] += r3[kk] * x[kk];
      }
    }
    float d[4] = {hsum8(_mm256_add_ps(a0, b0)) + tail[0], hsum8(_mm256_add_ps(a1, b1)) + tail[1],
                  hsum8(_mm256_add_ps(a2, b2)) + tail[2], hsum8(_mm256_add_ps(a3, b3)) + tail[3]};
    for (int q = 0; q < 4; q++) y[j + q] = accumulate ? y[j + q] + d[q] : d[q];
  }
  if (j < n) {
    RnnGemvPart rest[RNN_GEMV_MAX_PARTS];
    for (int p = 0; p < nparts; p++) {
      rest[p] = parts[p];
      rest[p].w += (size_t)j * parts[p].ldw;
    }
    gemv_parts_generic(n - j, nparts, rest, accumulate, y + j);
  }
}
#endif

/* Contract: see rnn_kernels.h. */
void rnn_gemv_parts_isa(RnnIsa isa, int n, int nparts, const RnnGemvPart *parts, int accumulate,
                        rnn_real *y) {
#ifdef RNN_HAVE_X86_TILES
  /* AVX-512 has no version of its own: the product is bound by reading W. */
  if (isa != RNN_ISA_GENERIC) {
    gemv_parts_avx2(n, nparts, parts, accumulate, y);
    return;
  }
#endif
  (void)isa;
  gemv_parts_generic(n, nparts, parts, accumulate, y);
}

/* Contract: see rnn_kernels.h and rnn.h. */
void rnn_gemv_rows_isa(RnnIsa isa, int n, int k, const rnn_real *w, int ldw,
                       const rnn_real *x, int accumulate, rnn_real *y) {
  const RnnGemvPart part = {k, ldw, w, x};
  rnn_gemv_parts_isa(isa, n, 1, &part, accumulate, y);
}

/* With OpenMP and more than one thread, large products split the rows:
 * each core streams its own share of the weights (the batch-1 step is
 * bound by reading them). */
static void gemv_parts(int n, int nparts, const RnnGemvPart *parts, int accumulate, rnn_real *y) {
  RnnIsa isa = rnn_isa_best();
  double flops = 0;
  for (int p = 0; p < nparts; p++) flops += 2.0 * n * parts[p].k;
#ifdef _OPENMP
  int threads = omp_get_max_threads();
  if (threads > 1 && n >= 64 && flops >= PARALLEL_MIN_FLOPS && !omp_in_parallel()) {
#pragma omp parallel num_threads(threads)
    {
      int t = omp_get_thread_num(), nt = omp_get_num_threads();
      int j0 = (int)((long)n * t / nt) & ~3, j1 = t == nt - 1 ? n : (int)((long)n * (t + 1) / nt) & ~3;
      RnnGemvPart mine[RNN_GEMV_MAX_PARTS];
      for (int p = 0; p < nparts; p++) {
        mine[p] = parts[p];
        mine[p].w += (size_t)j0 * parts[p].ldw;
      }
      if (j1 > j0) rnn_gemv_parts_isa(isa, j1 - j0, nparts, mine, accumulate, y + j0);
    }
    return;
  }
#endif
  (void)flops;
  rnn_gemv_parts_isa(isa, n, nparts, parts, accumulate, y);
}

/* Contract: see rnn.h. */
void rnn_gemv_rows(int n, int k, const rnn_real *w, int ldw, const rnn_real *x,
                   int accumulate, rnn_real *y) {
  const RnnGemvPart part = {k, ldw, w, x};
  gemv_parts(n, 1, &part, accumulate, y);
}

/* Contract: see rnn.h. w_ih [n][k1], w_hh [n][k2] row-major and dense. */
void rnn_step_preact(int n, int k1, const rnn_real *w_ih, const rnn_real *x, int k2,
                     const rnn_real *w_hh, const rnn_real *h, const rnn_real *b1,
                     const rnn_real *b2, rnn_real *y) {
  for (int j = 0; j < n; j++) y[j] = (b1 != NULL ? b1[j] : 0) + (b2 != NULL ? b2[j] : 0);
  const RnnGemvPart parts[2] = {{k1, k1, w_ih, x}, {k2, k2, w_hh, h}};
  gemv_parts(n, 2, parts, 1, y);
}

/* ---------------------------------------------------------------------- */
/* The recurrent products of a layer                                       */
/* ---------------------------------------------------------------------- */

/* Contract: see rnn.h. a [m][H]; out [m][ldo], gate g's block at g*H. */
void rnn_recurrent_fwd(const RnnRecurrent *rec, int G, int H, int g0, int g1, int m,
                       const rnn_real *a, int accumulate, rnn_real *out, int ldo) {
  (void)G;
  if (rec->u == NULL) { /* the product is already in the caller's xproj */
    for (int i = 0; i < m && !accumulate; i++)
      memset(out + (size_t)i * ldo, 0, (size_t)(g1 - g0) * H * sizeof *out);
    return;
  }
  if (rec->fwd != NULL && H % RNN_PANEL == 0) {
    /* whole panels per gate: the gates' packed blocks are one run of
     * panels, and their outputs one run of columns: a single product */
    rnn_gemm_packed(m, (g1 - g0) * H, H, a, H, rec->fwd + (size_t)g0 * RNN_PACKED_SIZE(H, H), H,
                    accumulate, out, ldo);
    return;
  }
  for (int g = g0; g < g1; g++) {
    rnn_real *o = out + (size_t)(g - g0) * H;
    if (rec->fwd != NULL) {
      rnn_gemm_packed(m, H, H, a, H, rec->fwd + (size_t)g * RNN_PACKED_SIZE(H, H), H,
                      accumulate, o, ldo);
    } else {
      const rnn_real *ug = rec->u + (size_t)g * H * H; /* [H][H] */
      for (int i = 0; i < m; i++)
        rnn_gemv_rows(H, H, ug, H, a + (size_t)i * H, accumulate, o + (size_t)i * ldo);
    }
  }
}

/* Contract: see rnn.h. d [m][ldd] (its columns [0, k) pair with U's rows
 * [k0, k0 + k)); out [m][ldo]. */
void rnn_recurrent_bwd(const RnnRecurrent *rec, int G, int H, int k0, int k, int m,
                       const rnn_real *d, int ldd, int accumulate, rnn_real *out, int ldo) {
  if (rec->bwd == NULL) {
    rnn_gemm(0, 0, m, H, k, 1, d, ldd, rec->u + (size_t)k0 * H, H, accumulate ? 1 : 0, out, ldo);
    return;
  }
  rnn_gemm_packed(m, H, k, d, ldd, rec->bwd + (size_t)k0 * RNN_PANEL, G * H, accumulate, out,
                  ldo);
}
