/*
 * test_packed.c - the packed products (runtime/kernels/packed.c) against
 * rnn_gemm_ref, in every instruction-set version this machine runs.
 *
 * Shapes are the awkward ones: n not a multiple of the 16-column panel,
 * one row (batch-1), 150 rows (more than any register tile, not a multiple
 * of 6 or 12), n = k = 1, k past the 16 KiB k-block, k sub-ranges of a
 * packed operand, accumulation onto C, and C with a leading dimension
 * wider than n. Then the recurrent products of every gate count in both
 * forms (packed; row-major through the GEMV) against the same reference.
 * Outputs start as NaN where they are overwritten, so a column or row a
 * kernel forgets shows up. Last, every cell step at 1 and at 2 threads
 * (rnn_set_threads: the batch rows split between threads) must give the
 * same bits: each row's arithmetic is the same whoever computes it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_kernels.h"

#ifdef RNN_REAL_DOUBLE
#define TOL 1e-12
#else
#define TOL 2e-5
#endif

typedef struct Tally {
  int passed, failed;
} Tally;

static void record(Tally *t, const char *name, double err, double tol) {
  int ok = err <= tol; /* NaN fails */
  if (ok)
    t->passed++;
  else
    t->failed++;
  if (!ok) printf("FAIL %s: error %.3e > %.1e\n", name, err, tol);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static rnn_real uniform(void) { /* [-1, 1) */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (rnn_real)((double)(rng_state >> 11) / 9007199254740992.0 * 2 - 1);
}

static rnn_real *filled(size_t n) {
  rnn_real *x = malloc((n ? n : 1) * sizeof *x);
  if (!x) {
    fprintf(stderr, "test_packed: out of memory\n");
    exit(2);
  }
  for (size_t i = 0; i < n; i++) x[i] = uniform();
  return x;
}

/* Largest |got - want| over C's [m][n] with leading dimension ldc, scaled
 * by the size of the sum (k terms of magnitude <= 1); the columns past n
 * must be untouched (still equal to want's copy there). */
static double c_error(int m, int n, int k, int ldc, const rnn_real *got, const rnn_real *want) {
  double worst = 0;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < ldc; j++) {
      double d = fabs((double)got[(size_t)i * ldc + j] - (double)want[(size_t)i * ldc + j]);
      if (j >= n && got[(size_t)i * ldc + j] != want[(size_t)i * ldc + j]) return HUGE_VAL;
      if (!(d <= worst)) worst = d; /* NaN sticks */
    }
  return worst / (k > 0 ? sqrt((double)k) : 1);
}

/* C[m][n] (+)= A[m][k0..k0+k] op(B)[k0..k0+k][n] with op(B) packed from a
 * [k_total][n] operand (trans_b: stored as B [n][k_total]). */
static void check_gemm_shape(Tally *t, RnnIsa isa, int m, int n, int k_total, int k0, int k,
                             int trans_b, int accumulate, int ldc) {
  int lda = k_total + 3;
  rnn_real *a = filled((size_t)m * lda);
  rnn_real *b = filled((size_t)n * k_total); /* [n][k_total] or [k_total][n] */
  rnn_real *c0 = filled((size_t)m * ldc);
  rnn_real *want = malloc((size_t)m * ldc * sizeof *want);
  rnn_real *got = malloc((size_t)m * ldc * sizeof *got);
  rnn_real *packed = malloc(RNN_PACKED_SIZE(k_total, n) * sizeof *packed);
  memcpy(want, c0, (size_t)m * ldc * sizeof *want);
  memcpy(got, c0, (size_t)m * ldc * sizeof *got);
  if (!accumulate) /* overwritten: NaN where the product goes */
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) got[(size_t)i * ldc + j] = (rnn_real)NAN;
  const rnn_real *b_k0 = trans_b ? b + k0 : b + (size_t)k0 * n;
  rnn_gemm_ref(0, trans_b, m, n, k, 1, a + k0, lda, b_k0, trans_b ? k_total : n,
               accumulate ? 1 : 0, want, ldc);
  rnn_pack(trans_b, k_total, n, b, trans_b ? k_total : n, packed);
  rnn_gemm_packed_isa(isa, m, n, k, a + k0, lda, packed + (size_t)k0 * RNN_PANEL, k_total,
                      accumulate, got, ldc);
  char name[160];
  snprintf(name, sizeof name, "%s gemm m=%d n=%d k=%d of %d at %d%s%s ldc=%d", rnn_isa_name(isa),
           m, n, k, k_total, k0, trans_b ? " B^T" : "", accumulate ? " +=" : "", ldc);
  record(t, name, c_error(m, n, k, ldc, got, want), TOL);
  free(a), free(b), free(c0), free(want), free(got), free(packed);
}

static void check_gemm(Tally *t, RnnIsa isa) {
  static const int ms[] = {1, 2, 5, 6, 7, 12, 13, 32, 150};
  static const int ns[] = {1, 15, 16, 17, 33, 48, 150};
  static const int ks[] = {1, 3, 16, 150, 600};
  for (size_t i = 0; i < sizeof ms / sizeof *ms; i++)
    for (size_t j = 0; j < sizeof ns / sizeof *ns; j++)
      for (size_t l = 0; l < sizeof ks / sizeof *ks; l++) {
        int trans = (int)((i + j + l) % 2), acc = (int)((i + l) % 2);
        check_gemm_shape(t, isa, ms[i], ns[j], ks[l], 0, ks[l], trans, acc, ns[j]);
      }
  /* k sub-ranges of one packed operand, as gru0's backward uses them */
  check_gemm_shape(t, isa, 32, 48, 144, 96, 48, 0, 0, 48);
  check_gemm_shape(t, isa, 7, 17, 51, 34, 17, 0, 1, 17);
  check_gemm_shape(t, isa, 3, 20, 600, 300, 300, 1, 0, 20);
  /* C wider than n (a column block of a [B][G*H] buffer) */
  check_gemm_shape(t, isa, 13, 17, 40, 0, 40, 0, 1, 51);
  check_gemm_shape(t, isa, 6, 32, 40, 0, 40, 1, 0, 96);
  /* k = 0: C = 0, or unchanged when accumulating */
  check_gemm_shape(t, isa, 5, 17, 8, 0, 0, 0, 0, 17);
  check_gemm_shape(t, isa, 5, 17, 8, 0, 0, 1, 1, 17);
}

static void check_gemv(Tally *t, RnnIsa isa) {
  static const int ns[] = {1, 3, 4, 5, 17, 2048};
  static const int ks[] = {1, 7, 16, 17, 512};
  for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
    for (size_t j = 0; j < sizeof ks / sizeof *ks; j++)
      for (int acc = 0; acc <= 1; acc++) {
        int n = ns[i], k = ks[j], ldw = k + 2;
        rnn_real *w = filled((size_t)n * ldw), *x = filled((size_t)k), *y0 = filled((size_t)n);
        rnn_real *want = malloc((size_t)n * sizeof *want), *got = malloc((size_t)n * sizeof *got);
        memcpy(want, y0, (size_t)n * sizeof *want);
        for (int q = 0; q < n; q++) got[q] = acc ? y0[q] : (rnn_real)NAN;
        rnn_gemm_ref(0, 1, 1, n, k, 1, x, k, w, ldw, acc ? 1 : 0, want, n);
        rnn_gemv_rows_isa(isa, n, k, w, ldw, x, acc, got);
        char name[96];
        snprintf(name, sizeof name, "%s gemv n=%d k=%d%s", rnn_isa_name(isa), n, k,
                 acc ? " +=" : "");
        record(t, name, c_error(1, n, k, n, got, want), TOL);
        free(w), free(x), free(y0), free(want), free(got);
      }
}

/* The time-parallel pieces, the optimizers and the activations, run once
 * on 1 thread and once on 2 from the same inputs: each writes the same
 * bits (threads split rows or columns, never a sum). Sizes are above the
 * threshold that keeps small loops on one thread, and not multiples of 16
 * (the split rounds its inner bounds to 16). */
enum { PR = 600, PO = 200, PV = 37, PN = 50003 };

/* Every output of one run: [PR][PO] rows, [PV][PO] table, [PO][PV] dW... */
typedef struct ParallelIo {
  rnn_real y[PR * PO], dwt[PV * PO], dw[PO * PV], db[PO], wt[PV * PO];
  rnn_real act_f[PR * PO], act_b[PR * PO], soft_f[PR * PO], soft_b[PR * PO];
  rnn_real params[3][PN], slots[3][3 * PN];
} ParallelIo;

static void run_parallel_pieces(const rnn_real *in, const int32_t *ids, ParallelIo *io) {
  const rnn_real *x = in, *w = in + PR * PO, *b1 = w + PV * PO, *b2 = b1 + PO;
  rnn_gather_token_rows(PR, PO, ids, w, b1, b2, io->y);
  memcpy(io->dw, w, sizeof io->dw);
  memcpy(io->db, b1, sizeof io->db);
  rnn_scatter_add_token_rows(PR, PO, PV, ids, x, io->dwt, io->dw, io->db);
  rnn_transpose(PO, PV, w, io->wt);
  rnn_act_fwd(RNN_ACT_TANH, PR, PO, x, io->act_f);
  rnn_act_bwd(RNN_ACT_TANH, PR, PO, io->act_f, x, io->act_b);
  rnn_act_fwd(RNN_ACT_SOFTMAX, PR, PO, x, io->soft_f);
  rnn_act_bwd(RNN_ACT_SOFTMAX, PR, PO, io->soft_f, x, io->soft_b);
  static const RnnOptKind kinds[3] = {RNN_OPT_ADAM, RNN_OPT_RMSPROP, RNN_OPT_SGD};
  for (int k = 0; k < 3; k++) {
    RnnOptConfig cfg = {.kind = kinds[k], .lr = 1e-2, .momentum = 0.9, .beta1 = 0.9,
                        .beta2 = 0.999, .eps = 1e-8, .rho = 0.99, .weight_decay = 1e-4,
                        .centered = 1};
    memcpy(io->params[k], x, sizeof io->params[k]);
    memset(io->slots[k], 0, sizeof io->slots[k]);
    for (long step = 1; step <= 3; step++)
      rnn_opt_step(&cfg, step, cfg.lr, PN, io->params[k], x + PN, io->slots[k]);
  }
}

static void check_threads_parallel_pieces(Tally *t) {
  rnn_real *in = filled(2 * (size_t)PN + (size_t)PR * PO);
  int32_t ids[PR];
  for (int r = 0; r < PR; r++) ids[r] = (int32_t)((r * 7 + r / 3) % PV);
  ParallelIo *one = malloc(sizeof *one), *two = malloc(sizeof *two);
  if (!one || !two) {
    fprintf(stderr, "test_packed: out of memory\n");
    exit(2);
  }
  rnn_set_threads(1);
  run_parallel_pieces(in, ids, one);
  rnn_set_threads(2);
  run_parallel_pieces(in, ids, two);
  rnn_set_threads(0);
  record(t, "gather, scatter, transpose, activations, optimizers: 2 threads == 1, bit for bit",
         memcmp(one, two, sizeof *one) == 0 ? 0 : HUGE_VAL, 0);
  free(in), free(one), free(two);
}

/* rnn_alloc: aligned to RNN_ALIGN and zeroed at every size, NULL (not a
 * wrapped small block) for a size no allocator can meet. */
static void check_alloc(Tally *t) {
  static const size_t sizes[] = {0, 1, 63, 64, 65, 4096, 1000003};
  double bad = 0;
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    unsigned char *p = rnn_alloc(sizes[i]);
    if (p == NULL || (uintptr_t)p % RNN_ALIGN != 0) bad += 1;
    for (size_t j = 0; p != NULL && j < sizes[i]; j++) bad += p[j] != 0;
    free(p);
  }
  bad += rnn_alloc(SIZE_MAX) != NULL;
  bad += rnn_alloc(SIZE_MAX - RNN_ALIGN / 2) != NULL;
  record(t, "rnn_alloc aligned, zeroed, NULL when impossible", bad, 0);
}

/* Two operands in one pass (a batch-1 step's W_ih x + W_hh h), against
 * two reference products; and rnn_step_preact with its biases. */
static void check_gemv_parts(Tally *t, RnnIsa isa) {
  static const int ns[] = {1, 5, 17, 2048};
  static const int ks[][2] = {{7, 17}, {16, 1}, {512, 512}, {96, 33}};
  for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
    for (size_t j = 0; j < sizeof ks / sizeof *ks; j++) {
      int n = ns[i], k1 = ks[j][0], k2 = ks[j][1];
      rnn_real *w1 = filled((size_t)n * k1), *w2 = filled((size_t)n * k2);
      rnn_real *x1 = filled((size_t)k1), *x2 = filled((size_t)k2);
      rnn_real *b1 = filled((size_t)n), *b2 = filled((size_t)n);
      rnn_real *want = malloc((size_t)n * sizeof *want), *got = malloc((size_t)n * sizeof *got);
      rnn_real *pre = malloc((size_t)n * sizeof *pre);
      rnn_gemm_ref(0, 1, 1, n, k1, 1, x1, k1, w1, k1, 0, want, n);
      rnn_gemm_ref(0, 1, 1, n, k2, 1, x2, k2, w2, k2, 1, want, n);
      RnnGemvPart parts[2] = {{k1, k1, w1, x1}, {k2, k2, w2, x2}};
      rnn_gemv_parts_isa(isa, n, 2, parts, 0, got);
      char name[96];
      snprintf(name, sizeof name, "%s gemv of 2 parts n=%d k=%d+%d", rnn_isa_name(isa), n, k1, k2);
      record(t, name, c_error(1, n, k1 + k2, n, got, want), TOL);
      if (isa == rnn_isa_best()) {
        rnn_step_preact(n, k1, w1, x1, k2, w2, x2, b1, b2, pre);
        for (int q = 0; q < n; q++) want[q] += b1[q] + b2[q];
        snprintf(name, sizeof name, "rnn_step_preact n=%d k=%d+%d", n, k1, k2);
        record(t, name, c_error(1, n, k1 + k2, n, pre, want), TOL);
      }
      free(w1), free(w2), free(x1), free(x2), free(b1), free(b2), free(want), free(got), free(pre);
    }
}

/* The recurrent products of a layer with G gates of H units, M rows: the
 * forward of gate runs [g0, g1) and the backward of row runs [k0, k0+k),
 * from the packed form and from the row-major one. */
static void check_recurrent(Tally *t, int G, int H, int M) {
  rnn_real *u = filled((size_t)G * H * H), *a = filled((size_t)M * H);
  rnn_real *d = filled((size_t)M * G * H);
  rnn_real *fwd = malloc(RNN_PACKED_FWD_SIZE(G, H) * sizeof *fwd);
  rnn_real *bwd = malloc(RNN_PACKED_BWD_SIZE(G, H) * sizeof *bwd);
  rnn_real *want = malloc((size_t)M * G * H * sizeof *want);
  rnn_real *got = malloc((size_t)M * G * H * sizeof *got);
  rnn_pack_recurrent(G, H, u, fwd, bwd);
  RnnRecurrent forms[2] = {{u, fwd, bwd}, {u, NULL, NULL}};
  for (int f = 0; f < 2; f++) {
    for (int g0 = 0; g0 < G; g0++) {
      int g1 = G - (g0 > 0); /* [0, G), [1, G-1), ... and single gates */
      if (g1 <= g0) g1 = g0 + 1;
      int n = (g1 - g0) * H;
      for (size_t e = 0; e < (size_t)M * G * H; e++) want[e] = got[e] = (rnn_real)NAN;
      rnn_gemm_ref(0, 1, M, n, H, 1, a, H, u + (size_t)g0 * H * H, H, 0, want, G * H);
      rnn_recurrent_fwd(&forms[f], G, H, g0, g1, M, a, 0, got, G * H);
      char name[128];
      snprintf(name, sizeof name, "recurrent fwd G=%d H=%d M=%d gates [%d,%d) %s", G, H, M, g0,
               g1, f ? "rows" : "packed");
      /* compare the computed block only: the rest stays NaN in both */
      double err = 0;
      for (int i = 0; i < M; i++)
        err = fmax(err, c_error(1, n, H, n, got + (size_t)i * G * H, want + (size_t)i * G * H));
      record(t, name, err, TOL);
    }
    int k0 = G > 1 ? H : 0, k = G > 1 ? (G - 1) * H : H;
    for (size_t e = 0; e < (size_t)M * H; e++) want[e] = got[e] = (rnn_real)(e % 5);
    rnn_gemm_ref(0, 0, M, H, k, 1, d + k0, G * H, u + (size_t)k0 * H, H, 1, want, H);
    rnn_recurrent_bwd(&forms[f], G, H, k0, k, M, d + k0, G * H, 1, got, H);
    char name[128];
    snprintf(name, sizeof name, "recurrent bwd G=%d H=%d M=%d rows [%d,%d) %s", G, H, M, k0,
             k0 + k, f ? "rows" : "packed");
    record(t, name, c_error(M, H, k, H, got, want), TOL);
  }
  free(u), free(a), free(d), free(fwd), free(bwd), free(want), free(got);
}

/* ---- threads: a step split by rows equals the step on one thread ---- */

enum { TB = 32, TH = 40 }; /* H not a multiple of 16; 2*B*H*H above the split threshold */

typedef struct StepIo {
  rnn_real out[7][TB * 4 * TH]; /* every buffer a step writes, NaN first */
} StepIo;

/* One forward and one backward step of cell KIND (0 simple, 1 lstm, 2 gru,
 * 3 gru reset-before) on fixed random inputs, with recurrent dropout and a
 * padded row, writing into io. */
static void run_cell(int kind, const rnn_real *in, const RnnRecurrent *u, StepIo *io) {
  const int G = kind == 0 ? 1 : kind == 1 ? 4 : 3;
  const rnn_real *xp = in, *h0 = in + TB * 4 * TH, *c0 = h0 + TB * TH;
  const rnn_real *drop = c0 + TB * TH, *dh = drop + TB * TH, *bhh = dh + TB * TH;
  rnn_real mask[TB];
  for (int b = 0; b < TB; b++) mask[b] = b == 5 ? 0 : 1;
  for (int o = 0; o < 7; o++)
    for (int e = 0; e < TB * 4 * TH; e++) io->out[o][e] = o == 5 ? 0 : (rnn_real)NAN;
  rnn_real *hd = io->out[0], *gates = io->out[1], *aux = io->out[2], *h = io->out[3];
  rnn_real *dxp = io->out[4], *dh_prev = io->out[5], *dc = io->out[6];
  rnn_real scratch[TB * TH], dhp[TB * 3 * TH];
  (void)G;
  switch (kind) {
  case 0:
    rnn_simple_fwd_step(TB, TH, 0, xp, h0, u, drop, mask, hd, h);
    rnn_simple_bwd_step(TB, TH, 0, h, u, drop, mask, dh, dxp, dh_prev, scratch);
    break;
  case 1:
    memcpy(dc, c0, sizeof(rnn_real) * TB * TH);
    rnn_lstm_fwd_step(TB, TH, xp, h0, c0, u, NULL, drop, mask, hd, gates, aux, h);
    rnn_lstm_bwd_step(TB, TH, gates, c0, aux, u, NULL, drop, mask, dh, dc, dxp, dh_prev, NULL,
                      scratch);
    break;
  case 2:
    rnn_gru_fwd_step(TB, TH, xp, h0, u, bhh, drop, mask, hd, gates, aux, h);
    rnn_gru_bwd_step(TB, TH, gates, aux, h0, u, drop, mask, dh, dxp, dhp, dh_prev, scratch);
    memcpy(dc, dhp, sizeof dhp);
    break;
  default:
    rnn_gru0_fwd_step(TB, TH, xp, h0, u, drop, mask, hd, gates, aux, h);
    rnn_gru0_bwd_step(TB, TH, gates, aux, h0, u, drop, mask, dh, dxp, dh_prev, scratch);
    break;
  }
}

static void check_threads(Tally *t) {
  static const char *const names[4] = {"simple_rnn", "lstm", "gru", "gru reset-before"};
  rnn_real *in = filled((size_t)TB * 4 * TH + 4 * (size_t)TB * TH + 3 * TH);
  for (int kind = 0; kind < 4; kind++) {
    int G = kind == 0 ? 1 : kind == 1 ? 4 : 3;
    rnn_real *u = filled((size_t)G * TH * TH);
    rnn_real *fwd = malloc(RNN_PACKED_FWD_SIZE(G, TH) * sizeof *fwd);
    rnn_real *bwd = malloc(RNN_PACKED_BWD_SIZE(G, TH) * sizeof *bwd);
    StepIo *one = malloc(sizeof *one), *two = malloc(sizeof *two);
    if (!fwd || !bwd || !one || !two) {
      fprintf(stderr, "test_packed: out of memory\n");
      exit(2);
    }
    rnn_pack_recurrent(G, TH, u, fwd, bwd);
    RnnRecurrent rec = {u, fwd, bwd};
    rnn_set_threads(1);
    run_cell(kind, in, &rec, one);
    rnn_set_threads(2);
    run_cell(kind, in, &rec, two);
    rnn_set_threads(0);
    double diff = 0;
    for (int o = 0; o < 7; o++)
      for (int e = 0; e < TB * 4 * TH; e++) {
        rnn_real a = one->out[o][e], b = two->out[o][e];
        if (a != b && !(a != a && b != b)) diff = HUGE_VAL; /* NaN in both: never written */
      }
    char name[96];
    snprintf(name, sizeof name, "%s step: 2 threads == 1 thread, bit for bit", names[kind]);
    record(t, name, diff, 0);
    free(u), free(fwd), free(bwd), free(one), free(two);
  }
  free(in);
}

int main(void) {
  Tally t = {0, 0};
#ifdef RNN_REAL_DOUBLE
  printf("test_packed (double)\n");
#else
  printf("test_packed (float)\n");
#endif
  for (int isa = 0; isa < RNN_ISA_COUNT; isa++) {
    if (!rnn_isa_supported((RnnIsa)isa)) {
      printf("  %s: not on this CPU, skipped\n", rnn_isa_name((RnnIsa)isa));
      continue;
    }
    printf("  %s\n", rnn_isa_name((RnnIsa)isa));
    check_gemm(&t, (RnnIsa)isa);
    check_gemv(&t, (RnnIsa)isa);
    check_gemv_parts(&t, (RnnIsa)isa);
  }
  printf("  recurrent products (%s)\n", rnn_isa_name(rnn_isa_best()));
  static const int Hs[] = {1, 3, 16, 20, 33};
  for (int G = 1; G <= 4; G++)
    for (size_t h = 0; h < sizeof Hs / sizeof *Hs; h++) {
      check_recurrent(&t, G, Hs[h], 1);
      check_recurrent(&t, G, Hs[h], 7);
    }
  check_recurrent(&t, 4, 150, 32);
  check_threads(&t);
  check_threads_parallel_pieces(&t);
  check_alloc(&t);
  printf("%d passed, %d failed\n", t.passed, t.failed);
  return t.failed == 0 ? 0 : 1;
}
