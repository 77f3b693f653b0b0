/*
 * test_cells.c - the runtime's GEMM, time-parallel helpers and cell kernels.
 *
 * Built twice (see CMakeLists.txt): in double every check runs, including
 * finite-difference gradient checks of all eight step kernels; in float
 * only the checks that hold at float precision (GEMM against its reference
 * at 1e-4 relative, the helpers, exact state/gradient pass-through of
 * padding rows).
 *
 * (a) rnn_gemm against rnn_gemm_ref: every transpose combination, odd
 *     sizes, padded leading dimensions, beta 0 over NaN and beta 1.
 * (b) gradients: a T=3, B=2, H=3 sequence through each cell, loss
 *     L = sum_t sum w_t * h_t with fixed random w, the backward steps and
 *     the weight gradient accumulated exactly as the emitter does, against
 *     central differences of L (each variant with and without recurrent
 *     dropout and with and without a row padded at the middle step);
 *     relative error |a - fd| / max(|a| + |fd|, 1e-3) < 1e-6, the floor
 *     being where finite-difference rounding noise takes over.
 * (c) linear, gather/scatter, mask and column-sum helpers against naive
 *     loops.
 *
 * Prints one line per check with its worst error, then "N passed, M
 * failed"; exits nonzero on any failure.
 */
#include "rnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef RNN_REAL_DOUBLE
#define PRECISION_NAME "double"
static const double GEMM_TOL = 1e-12;
static const double HELPER_TOL = 1e-13;
#else
#define PRECISION_NAME "float"
static const double GEMM_TOL = 1e-4;
static const double HELPER_TOL = 1e-5;
#endif

/* ---------------------------------------------------------------------- */
/* Bookkeeping and random numbers                                          */
/* ---------------------------------------------------------------------- */

typedef struct Tally {
  int passed, failed;
} Tally;

/* Records one check: it passes when its worst error is at most tol (NaN
 * fails). */
static void record(Tally *tally, const char *name, double worst, double tol) {
  int ok = worst <= tol; /* false for NaN */
  printf("%s  %-58s worst %.3e (tol %.0e)\n", ok ? "PASS" : "FAIL", name, worst, tol);
  if (ok)
    tally->passed++;
  else
    tally->failed++;
}

/* splitmix64: the tests' own generator, so they depend on nothing but the
 * files under test. */
typedef struct TestRng {
  uint64_t state;
} TestRng;

static double rng_uniform(TestRng *rng) {
  uint64_t z = (rng->state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  z ^= z >> 31;
  return (double)(z >> 11) * 0x1p-53;
}

static rnn_real rng_range(TestRng *rng, double lo, double hi) {
  return (rnn_real)(lo + (hi - lo) * rng_uniform(rng));
}

static void fill_uniform(TestRng *rng, size_t n, double lo, double hi, rnn_real *x /* [n] */) {
  for (size_t e = 0; e < n; e++) x[e] = rng_range(rng, lo, hi);
}

/* |a - b| scaled by max(|b|, 1): the error of a computed value against a
 * reference of magnitude about 1 or more. NaN or inf gives inf. */
static double error_vs_ref(rnn_real a, rnn_real b) {
  double da = (double)a, db = (double)b;
  if (!isfinite(da) || !isfinite(db)) return HUGE_VAL;
  return fabs(da - db) / fmax(fabs(db), 1.0);
}

static double worst_error(size_t n, const rnn_real *a /* [n] */, const rnn_real *b /* [n] */) {
  double worst = 0;
  for (size_t e = 0; e < n; e++) {
    double err = error_vs_ref(a[e], b[e]);
    if (!(err <= worst)) worst = err; /* fmax would drop a NaN: it must fail */
  }
  return worst;
}

/* ---------------------------------------------------------------------- */
/* (a) GEMM                                                                */
/* ---------------------------------------------------------------------- */

/* The stored extent of op(X) [rows][cols]: X itself is [cols][rows] when
 * transposed, with leading dimension ld >= its column count. */
static size_t stored_size(int trans, int rows, int cols, int ld) {
  return (size_t)(trans ? cols : rows) * (size_t)ld;
}

static int stored_cols(int trans, int rows, int cols) { return trans ? rows : cols; }

/* rnn_gemm against rnn_gemm_ref for one shape; pad widens every leading
 * dimension. Returns the worst error. */
static double compare_gemm_once(TestRng *rng, int ta, int tb, int m, int n, int k, int pad,
                                rnn_real beta) {
  int lda = stored_cols(ta, m, k) + pad, ldb = stored_cols(tb, k, n) + pad, ldc = n + pad;
  size_t a_size = stored_size(ta, m, k, lda) + 1, b_size = stored_size(tb, k, n, ldb) + 1;
  size_t c_size = (size_t)m * ldc + 1;
  rnn_real *a = malloc(a_size * sizeof *a);          /* op(A) [m][k], ld lda */
  rnn_real *b = malloc(b_size * sizeof *b);          /* op(B) [k][n], ld ldb */
  rnn_real *c_blas = malloc(c_size * sizeof *c_blas); /* [m][ldc] */
  rnn_real *c_ref = malloc(c_size * sizeof *c_ref);   /* [m][ldc] */
  fill_uniform(rng, a_size, -1, 1, a);
  fill_uniform(rng, b_size, -1, 1, b);
  if (beta == 0) {
    for (size_t e = 0; e < c_size; e++) c_blas[e] = c_ref[e] = (rnn_real)NAN;
  } else {
    fill_uniform(rng, c_size, -1, 1, c_blas);
    memcpy(c_ref, c_blas, c_size * sizeof *c_ref);
  }
  rnn_real alpha = (rnn_real)0.75;
  rnn_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c_blas, ldc);
  rnn_gemm_ref(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c_ref, ldc);
  double worst = 0;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      size_t e = (size_t)i * ldc + j;
      worst = fmax(worst, error_vs_ref(c_blas[e], c_ref[e]));
    }
  /* The padding columns of C must be left alone (they hold NaN or data). */
  for (int i = 0; i < m; i++)
    for (int j = n; j < ldc; j++) {
      size_t e = (size_t)i * ldc + j;
      int same = memcmp(&c_blas[e], &c_ref[e], sizeof c_blas[e]) == 0;
      if (!same) worst = HUGE_VAL;
    }
  free(a);
  free(b);
  free(c_blas);
  free(c_ref);
  return worst;
}

static void check_gemm_against_ref(Tally *tally, TestRng *rng) {
  static const int shapes[][3] = {{5, 7, 3}, {1, 9, 11}, {13, 1, 5}, {37, 29, 41}, {3, 3, 1}};
  const int n_shapes = (int)(sizeof shapes / sizeof shapes[0]);
  for (int ta = 0; ta <= 1; ta++)
    for (int tb = 0; tb <= 1; tb++)
      for (int beta_one = 0; beta_one <= 1; beta_one++) {
        double worst = 0;
        for (int s = 0; s < n_shapes; s++)
          for (int pad = 0; pad <= 3; pad += 3)
            worst = fmax(worst, compare_gemm_once(rng, ta, tb, shapes[s][0], shapes[s][1],
                                                  shapes[s][2], pad, (rnn_real)beta_one));
        char name[128];
        snprintf(name, sizeof name, "gemm vs ref: trans_a=%d trans_b=%d beta=%d, lda>cols", ta,
                 tb, beta_one);
        record(tally, name, worst, GEMM_TOL);
      }
}

/* k == 0 scales C by beta (beta 0 clears NaN); m == 0 or n == 0 touch
 * nothing. Both implementations, exactly. */
static void check_gemm_degenerate(Tally *tally) {
  rnn_real a[1] = {1}, b[1] = {1};
  double worst = 0;
  for (int use_ref = 0; use_ref <= 1; use_ref++) {
    rnn_real c[6] = {1, 2, 3, 4, 5, 6}; /* [2][3] */
    rnn_real c_nan[6];                   /* [2][3] */
    for (int e = 0; e < 6; e++) c_nan[e] = (rnn_real)NAN;
    if (use_ref) {
      rnn_gemm_ref(0, 0, 2, 3, 0, 1, a, 1, b, 3, (rnn_real)0.5, c, 3);
      rnn_gemm_ref(0, 0, 2, 3, 0, 1, a, 1, b, 3, 0, c_nan, 3);
    } else {
      rnn_gemm(0, 0, 2, 3, 0, 1, a, 1, b, 3, (rnn_real)0.5, c, 3);
      rnn_gemm(0, 0, 2, 3, 0, 1, a, 1, b, 3, 0, c_nan, 3);
    }
    for (int e = 0; e < 6; e++) {
      worst = fmax(worst, error_vs_ref(c[e], (rnn_real)(e + 1) / 2));
      worst = fmax(worst, error_vs_ref(c_nan[e], 0));
    }
    rnn_real untouched[1] = {7};
    if (use_ref)
      rnn_gemm_ref(0, 0, 0, 1, 1, 1, a, 1, b, 1, 0, untouched, 1);
    else
      rnn_gemm(0, 0, 1, 0, 1, 1, a, 1, b, 1, 0, untouched, 1);
    worst = fmax(worst, error_vs_ref(untouched[0], 7));
  }
  record(tally, "gemm and gemm_ref: k=0 gives beta*C, m=0/n=0 no-op", worst, 0);
}

/* The reference itself on a product worked by hand:
 * [1 2; 3 4] [5 6; 7 8] = [19 22; 43 50], and with A^T: [26 30; 38 44]. */
static void check_gemm_ref_by_hand(Tally *tally) {
  const rnn_real a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
  const rnn_real plain[4] = {19, 22, 43, 50}, a_transposed[4] = {26, 30, 38, 44};
  rnn_real c[4] = {1, 1, 1, 1};
  rnn_gemm_ref(0, 0, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2);
  double worst = worst_error(4, c, plain);
  rnn_real c_acc[4] = {1, 1, 1, 1};
  rnn_gemm_ref(1, 0, 2, 2, 2, 2, a, 2, b, 2, 1, c_acc, 2); /* 2 A^T B + C */
  for (int e = 0; e < 4; e++)
    worst = fmax(worst, error_vs_ref(c_acc[e], 2 * a_transposed[e] + 1));
  record(tally, "gemm_ref on a hand-worked 2x2 product", worst, 0);
}

/* ---------------------------------------------------------------------- */
/* (b) Cells: a short sequence through the step kernels                    */
/* ---------------------------------------------------------------------- */

enum { T = 3, B = 2, H = 3, I = 4, GMAX = 4 };

typedef enum CellKind {
  CELL_SIMPLE_TANH,
  CELL_SIMPLE_RELU,
  CELL_LSTM,
  CELL_LSTM_PEEP,
  CELL_GRU,
  CELL_GRU_NO_BHH,
  CELL_GRU0,
  CELL_COUNT
} CellKind;

static const char *const CELL_NAMES[CELL_COUNT] = {
    "simple tanh", "simple relu", "lstm", "lstm+peephole", "gru", "gru (b_hh NULL)", "gru0"};

static int gates_of(CellKind kind) {
  switch (kind) {
  case CELL_LSTM:
  case CELL_LSTM_PEEP: return 4;
  case CELL_GRU:
  case CELL_GRU_NO_BHH:
  case CELL_GRU0: return 3;
  default: return 1;
  }
}

static int is_lstm(CellKind kind) { return kind == CELL_LSTM || kind == CELL_LSTM_PEEP; }

/* Everything the loss depends on; flat arrays sized for the widest cell
 * (G = gates_of(kind) gives the live part). */
typedef struct Problem {
  CellKind kind;
  int use_drop, use_mask;
  int rows_form; /* U as the batch-1 step passes it (row-major only), else packed */
  rnn_real xproj[T * B * GMAX * H]; /* [T][B][G*H] */
  rnn_real u[GMAX * H * H];         /* [G*H][H] */
  rnn_real h0[B * H];               /* [B][H] */
  rnn_real c0[B * H];               /* [B][H] (lstm) */
  rnn_real peep[3 * H];             /* [3H] (lstm+peephole) */
  rnn_real b_hh[3 * H];             /* [3H] (gru) */
  rnn_real drop[B * H];             /* [B][H] recurrent-dropout mask */
  rnn_real mask[T * B];             /* [T][B] seq mask */
  rnn_real w[T * B * H];            /* [T][B][H] loss weights */
} Problem;

/* What the forward leaves for the backward. */
typedef struct Trace {
  rnn_real h[(T + 1) * B * H];       /* [T+1][B][H], h[0] = h0 */
  rnn_real c[(T + 1) * B * H];       /* [T+1][B][H], c[0] = c0 (lstm) */
  rnn_real hd[T * B * H];            /* [T][B][H] h'~ (with drop) */
  rnn_real gates[T * B * GMAX * H];  /* [T][B][G*H] */
  rnn_real aux[T * B * H];           /* [T][B][H] hn (gru) or rh (gru0) */
} Trace;

typedef struct Grads {
  rnn_real dxproj[T * B * GMAX * H]; /* [T][B][G*H] */
  rnn_real du[GMAX * H * H];         /* [G*H][H] */
  rnn_real dh0[B * H];               /* [B][H] */
  rnn_real dc0[B * H];               /* [B][H] */
  rnn_real dpeep[3 * H];             /* [3H] */
  rnn_real db_hh[3 * H];             /* [3H] */
} Grads;

/* Row PADDED_B is padding at step PADDED_T when use_mask. */
enum { PADDED_T = 1, PADDED_B = 1 };

static void init_problem(TestRng *rng, CellKind kind, int use_drop, int use_mask,
                         Problem *p) {
  memset(p, 0, sizeof *p);
  p->kind = kind;
  p->use_drop = use_drop;
  p->use_mask = use_mask;
  int G = gates_of(kind);
  if (kind == CELL_SIMPLE_RELU) {
    /* Pre-activations stay at least ~0.3 away from relu's kink: |xproj| in
     * [1, 1.5] and a small U bound |h'~ U^T| (checked after the forward). */
    for (int e = 0; e < T * B * G * H; e++) {
      rnn_real magnitude = rng_range(rng, 1.0, 1.5);
      p->xproj[e] = rng_uniform(rng) < 0.5 ? -magnitude : magnitude;
    }
    fill_uniform(rng, (size_t)G * H * H, -0.05, 0.05, p->u);
  } else {
    fill_uniform(rng, (size_t)T * B * G * H, -1, 1, p->xproj);
    fill_uniform(rng, (size_t)G * H * H, -0.6, 0.6, p->u);
  }
  fill_uniform(rng, B * H, -0.8, 0.8, p->h0);
  fill_uniform(rng, B * H, -0.8, 0.8, p->c0);
  fill_uniform(rng, 3 * H, -0.5, 0.5, p->peep);
  fill_uniform(rng, 3 * H, -0.5, 0.5, p->b_hh);
  fill_uniform(rng, T * B * H, -1, 1, p->w);
  /* Inverted dropout with p = 0.5: a third of the units dropped, the rest
   * scaled by 2. */
  for (int e = 0; e < B * H; e++) p->drop[e] = e % 3 == 1 ? 0 : 2;
  for (int e = 0; e < T * B; e++) p->mask[e] = 1;
  p->mask[PADDED_T * B + PADDED_B] = 0;
}

static const rnn_real *drop_of(const Problem *p) { return p->use_drop ? p->drop : NULL; }

/* U as the cells take it: packed for forward and backward, as a training
 * step packs it (rnn_pack_recurrent), or row-major alone (rows_form: the
 * forward's GEMV path, the backward's rnn_gemm fallback). */
typedef struct Packing {
  rnn_real fwd[RNN_PACKED_FWD_SIZE(GMAX, H)];
  rnn_real bwd[RNN_PACKED_BWD_SIZE(GMAX, H)];
  RnnRecurrent rec;
} Packing;

static const RnnRecurrent *recurrent_of(const Problem *p, Packing *pk) {
  if (p->rows_form) {
    pk->rec = (RnnRecurrent){p->u, NULL, NULL};
  } else {
    rnn_pack_recurrent(gates_of(p->kind), H, p->u, pk->fwd, pk->bwd);
    pk->rec = (RnnRecurrent){p->u, pk->fwd, pk->bwd};
  }
  return &pk->rec;
}

static const rnn_real *mask_of(const Problem *p, int t) {
  return p->use_mask ? p->mask + t * B : NULL;
}

/* The recurrent product's input at step t, as the emitter pairs it with
 * the gate gradients in dW_hh: hd_t with drop_h, else h_{t-1}. */
static const rnn_real *recurrent_input_of(const Problem *p, const Trace *tr, int t) {
  return p->use_drop ? tr->hd + t * B * H : tr->h + t * B * H;
}

static void forward_sequence(const Problem *p, Trace *tr) {
  int G = gates_of(p->kind);
  Packing pk;
  const RnnRecurrent *u = recurrent_of(p, &pk);
  memcpy(tr->h, p->h0, sizeof p->h0);
  memcpy(tr->c, p->c0, sizeof p->c0);
  for (int t = 0; t < T; t++) {
    const rnn_real *xp = p->xproj + t * B * G * H; /* [B][G*H] */
    const rnn_real *h_prev = tr->h + t * B * H;    /* [B][H] */
    rnn_real *h_t = tr->h + (t + 1) * B * H;       /* [B][H] */
    /* Without drop_h the kernels must not need hd_t: pass NULL. */
    rnn_real *hd_t = p->use_drop ? tr->hd + t * B * H : NULL; /* [B][H] */
    rnn_real *gates_t = tr->gates + t * B * G * H;            /* [B][G*H] */
    rnn_real *aux_t = tr->aux + t * B * H;                    /* [B][H] */
    switch (p->kind) {
    case CELL_SIMPLE_TANH:
    case CELL_SIMPLE_RELU:
      rnn_simple_fwd_step(B, H, p->kind == CELL_SIMPLE_RELU, xp, h_prev, u, drop_of(p),
                          mask_of(p, t), hd_t, h_t);
      break;
    case CELL_LSTM:
    case CELL_LSTM_PEEP:
      rnn_lstm_fwd_step(B, H, xp, h_prev, tr->c + t * B * H, u,
                        p->kind == CELL_LSTM_PEEP ? p->peep : NULL, drop_of(p), mask_of(p, t),
                        hd_t, gates_t, tr->c + (t + 1) * B * H, h_t);
      break;
    case CELL_GRU:
    case CELL_GRU_NO_BHH:
      rnn_gru_fwd_step(B, H, xp, h_prev, u, p->kind == CELL_GRU ? p->b_hh : NULL,
                       drop_of(p), mask_of(p, t), hd_t, gates_t, aux_t, h_t);
      break;
    case CELL_GRU0:
      rnn_gru0_fwd_step(B, H, xp, h_prev, u, drop_of(p), mask_of(p, t), hd_t, gates_t,
                        aux_t, h_t);
      break;
    default: break;
    }
  }
}

/* Backward through all steps with dL/dh_t = w_t, accumulating dW_hh (and
 * db_hh) the way the emitter will. */
static void backward_sequence(const Problem *p, const Trace *tr, Grads *g) {
  int G = gates_of(p->kind);
  Packing pk;
  const RnnRecurrent *u = recurrent_of(p, &pk);
  rnn_real dh[(T + 1) * B * H]; /* [T+1][B][H]: dL/dh_t, recurrent part added by steps */
  rnn_real dc[B * H];           /* [B][H] */
  rnn_real dhp[B * 3 * H];      /* [B][3H] gru */
  rnn_real scratch_buf[B * H];  /* [B][H] */
  rnn_real *scratch = p->use_drop ? scratch_buf : NULL; /* NULL is allowed without drop */
  memset(g, 0, sizeof *g);
  memset(dh, 0, sizeof dh);
  memset(dc, 0, sizeof dc);
  memcpy(dh + B * H, p->w, sizeof p->w);
  for (int t = T - 1; t >= 0; t--) {
    const rnn_real *h_prev = tr->h + t * B * H;             /* [B][H] */
    const rnn_real *hin = recurrent_input_of(p, tr, t);     /* [B][H] */
    const rnn_real *gates_t = tr->gates + t * B * G * H;    /* [B][G*H] */
    const rnn_real *aux_t = tr->aux + t * B * H;            /* [B][H] */
    const rnn_real *dh_t = dh + (t + 1) * B * H;            /* [B][H] */
    rnn_real *dh_prev = dh + t * B * H;                     /* [B][H] */
    rnn_real *dxp = g->dxproj + t * B * G * H;              /* [B][G*H] */
    switch (p->kind) {
    case CELL_SIMPLE_TANH:
    case CELL_SIMPLE_RELU:
      rnn_simple_bwd_step(B, H, p->kind == CELL_SIMPLE_RELU, tr->h + (t + 1) * B * H, u,
                          drop_of(p), mask_of(p, t), dh_t, dxp, dh_prev, scratch);
      rnn_gemm(1, 0, H, H, B, 1, dxp, H, hin, H, 1, g->du, H);
      break;
    case CELL_LSTM:
    case CELL_LSTM_PEEP: {
      int peep = p->kind == CELL_LSTM_PEEP;
      rnn_lstm_bwd_step(B, H, gates_t, tr->c + t * B * H, tr->c + (t + 1) * B * H, u,
                        peep ? p->peep : NULL, drop_of(p), mask_of(p, t), dh_t, dc, dxp,
                        dh_prev, peep ? g->dpeep : NULL, scratch);
      rnn_gemm(1, 0, 4 * H, H, B, 1, dxp, 4 * H, hin, H, 1, g->du, H);
      break;
    }
    case CELL_GRU:
    case CELL_GRU_NO_BHH:
      rnn_gru_bwd_step(B, H, gates_t, aux_t, h_prev, u, drop_of(p), mask_of(p, t), dh_t,
                       dxp, dhp, dh_prev, scratch);
      rnn_gemm(1, 0, 3 * H, H, B, 1, dhp, 3 * H, hin, H, 1, g->du, H);
      rnn_col_sums(B, 3 * H, dhp, 3 * H, g->db_hh);
      break;
    case CELL_GRU0:
      rnn_gru0_bwd_step(B, H, gates_t, aux_t, h_prev, u, drop_of(p), mask_of(p, t), dh_t,
                        dxp, dh_prev, scratch);
      /* Rows r, z pair with h'~; rows n with rh = r h'~. */
      rnn_gemm(1, 0, 2 * H, H, B, 1, dxp, 3 * H, hin, H, 1, g->du, H);
      rnn_gemm(1, 0, H, H, B, 1, dxp + 2 * H, 3 * H, aux_t, H, 1, g->du + 2 * H * H, H);
      break;
    default: break;
    }
  }
  memcpy(g->dh0, dh, sizeof g->dh0);
  memcpy(g->dc0, dc, sizeof g->dc0);
}

/* ---- padding rows: exact pass-through, one step, both precisions ---- */

/* One forward and one backward step with row PADDED_B padded: its state is
 * copied, its stored gates are zero, its gate gradients are zero and dh_t
 * (and dc) pass straight through; the other row is finite. Outputs start
 * as NaN so any row the kernels forget to write shows up. */
static void check_padding_step(Tally *tally, TestRng *rng, CellKind kind, int use_drop) {
  Problem p;
  init_problem(rng, kind, use_drop, 1, &p);
  int G = gates_of(kind);
  Packing pk;
  const RnnRecurrent *u = recurrent_of(&p, &pk);
  const rnn_real *mask_t = p.mask + PADDED_T * B; /* [B] */
  rnn_real h_t[B * H], c_t[B * H], hd_t[B * H], aux_t[B * H]; /* [B][H] */
  rnn_real gates_t[B * GMAX * H], dxp[B * GMAX * H], dhp[B * 3 * H]; /* [B][G*H] */
  rnn_real dh_t[B * H], dc[B * H], dc_before[B * H], dh_prev[B * H], scratch[B * H];
  rnn_real dpeep[3 * H] = {0};
  rnn_real *all_outputs[] = {h_t, c_t, hd_t, aux_t, gates_t, dxp, dhp};
  const size_t output_sizes[] = {B * H, B * H, B * H, B * H, B * GMAX * H, B * GMAX * H, B * 3 * H};
  for (size_t o = 0; o < sizeof output_sizes / sizeof output_sizes[0]; o++)
    for (size_t e = 0; e < output_sizes[o]; e++) all_outputs[o][e] = (rnn_real)NAN;
  fill_uniform(rng, B * H, -1, 1, dh_t);
  fill_uniform(rng, B * H, -1, 1, dc);
  memcpy(dc_before, dc, sizeof dc);
  memset(dh_prev, 0, sizeof dh_prev);
  const rnn_real *drop = use_drop ? p.drop : NULL;
  rnn_real *hd = use_drop ? hd_t : NULL;
  switch (kind) {
  case CELL_SIMPLE_TANH:
  case CELL_SIMPLE_RELU: {
    int relu = kind == CELL_SIMPLE_RELU;
    rnn_simple_fwd_step(B, H, relu, p.xproj, p.h0, u, drop, mask_t, hd, h_t);
    rnn_simple_bwd_step(B, H, relu, h_t, u, drop, mask_t, dh_t, dxp, dh_prev, scratch);
    break;
  }
  case CELL_LSTM:
  case CELL_LSTM_PEEP: {
    const rnn_real *peep = kind == CELL_LSTM_PEEP ? p.peep : NULL;
    rnn_lstm_fwd_step(B, H, p.xproj, p.h0, p.c0, u, peep, drop, mask_t, hd, gates_t, c_t,
                      h_t);
    rnn_lstm_bwd_step(B, H, gates_t, p.c0, c_t, u, peep, drop, mask_t, dh_t, dc, dxp,
                      dh_prev, peep != NULL ? dpeep : NULL, scratch);
    break;
  }
  case CELL_GRU:
  case CELL_GRU_NO_BHH: {
    const rnn_real *b_hh = kind == CELL_GRU ? p.b_hh : NULL;
    rnn_gru_fwd_step(B, H, p.xproj, p.h0, u, b_hh, drop, mask_t, hd, gates_t, aux_t, h_t);
    rnn_gru_bwd_step(B, H, gates_t, aux_t, p.h0, u, drop, mask_t, dh_t, dxp, dhp, dh_prev,
                     scratch);
    break;
  }
  case CELL_GRU0:
    rnn_gru0_fwd_step(B, H, p.xproj, p.h0, u, drop, mask_t, hd, gates_t, aux_t, h_t);
    rnn_gru0_bwd_step(B, H, gates_t, aux_t, p.h0, u, drop, mask_t, dh_t, dxp, dh_prev,
                      scratch);
    break;
  default: break;
  }
  int lstm = is_lstm(kind), gru = kind == CELL_GRU || kind == CELL_GRU_NO_BHH;
  int has_aux = gru || kind == CELL_GRU0, has_gates = G > 1;
  double worst = 0;
  int bad_finite = 0;
  for (int b = 0; b < B; b++) {
    int padded = b == PADDED_B;
    for (int j = 0; j < H; j++) {
      size_t e = (size_t)b * H + j;
      if (padded) {
        worst = fmax(worst, error_vs_ref(h_t[e], p.h0[e]));
        worst = fmax(worst, error_vs_ref(dh_prev[e], dh_t[e]));
        if (lstm) {
          worst = fmax(worst, error_vs_ref(c_t[e], p.c0[e]));
          worst = fmax(worst, error_vs_ref(dc[e], dc_before[e]));
        }
        if (has_aux) worst = fmax(worst, error_vs_ref(aux_t[e], 0));
      } else {
        bad_finite |= !isfinite((double)h_t[e]) || !isfinite((double)dh_prev[e]);
      }
    }
    for (int q = 0; q < G * H; q++) {
      size_t e = (size_t)b * G * H + q;
      if (padded) {
        worst = fmax(worst, error_vs_ref(dxp[e], 0));
        if (has_gates) worst = fmax(worst, error_vs_ref(gates_t[e], 0));
        if (gru) worst = fmax(worst, error_vs_ref(dhp[e], 0));
      } else {
        bad_finite |= !isfinite((double)dxp[e]);
      }
    }
  }
  if (bad_finite) worst = HUGE_VAL;
  char name[128];
  snprintf(name, sizeof name, "padding row passes through: %s%s", CELL_NAMES[kind],
           use_drop ? " +drop" : "");
  record(tally, name, worst, 0);
}

/* ---- padding rows inside a sequence: both precisions ---- */

/* The whole sequence with row PADDED_B padded at step PADDED_T: its state
 * comes out of that step unchanged, its stored gates and its gate
 * gradients there are zero (nothing reaches the weights from it). */
static void check_padded_sequence(Tally *tally, TestRng *rng, CellKind kind, int use_drop) {
  Problem p;
  Trace tr;
  Grads g;
  init_problem(rng, kind, use_drop, 1, &p);
  forward_sequence(&p, &tr);
  backward_sequence(&p, &tr, &g);
  int G = gates_of(kind);
  double worst = 0;
  for (int j = 0; j < H; j++) {
    size_t before = (size_t)PADDED_T * B * H + PADDED_B * H + j; /* in [T+1][B][H] */
    worst = fmax(worst, error_vs_ref(tr.h[before + B * H], tr.h[before]));
    if (is_lstm(kind)) worst = fmax(worst, error_vs_ref(tr.c[before + B * H], tr.c[before]));
  }
  for (int q = 0; q < G * H; q++) {
    size_t e = ((size_t)PADDED_T * B + PADDED_B) * G * H + q; /* in [T][B][G*H] */
    worst = fmax(worst, error_vs_ref(g.dxproj[e], 0));
    if (G > 1) worst = fmax(worst, error_vs_ref(tr.gates[e], 0));
  }
  char name[128];
  snprintf(name, sizeof name, "padded step in a sequence: %s%s", CELL_NAMES[kind],
           use_drop ? " +drop" : "");
  record(tally, name, worst, 0);
}

#ifdef RNN_REAL_DOUBLE
/* ---- finite differences (double only) ---- */

static const double FD_EPS = 1e-6;
static const double FD_TOL = 1e-6;
/* Floor of the relative error's denominator. Central differences at eps
 * 1e-6 carry ~1e-16 / 1e-6 = 1e-10 of rounding noise (observed up to 5e-11
 * for this loss), so entries far below 1e-3 cannot be held to 1e-6
 * relative: under the floor the check is an absolute one at 1e-9. */
static const double FD_FLOOR = 1e-3;

/* sum_t sum w_t * (h_t(+) - h_t(-)): the loss difference summed term by
 * term, which cancels less than subtracting two whole losses. */
static double loss_difference(const Problem *p, const Trace *plus, const Trace *minus) {
  double sum = 0;
  for (int e = 0; e < T * B * H; e++) sum += p->w[e] * (plus->h[B * H + e] - minus->h[B * H + e]);
  return sum;
}

/* Worst |a - fd| / max(|a| + |fd|, FD_FLOOR) over the n entries of param
 * (which lives inside *p), a being the analytic gradient. */
static double check_param_gradient(Problem *p, rnn_real *param, size_t n,
                                   const rnn_real *analytic /* [n] */) {
  Trace plus, minus;
  double worst = 0;
  for (size_t e = 0; e < n; e++) {
    rnn_real saved = param[e];
    param[e] = saved + FD_EPS;
    forward_sequence(p, &plus);
    param[e] = saved - FD_EPS;
    forward_sequence(p, &minus);
    param[e] = saved;
    double fd = loss_difference(p, &plus, &minus) / (2 * FD_EPS);
    double err = fabs(analytic[e] - fd) / fmax(fabs(analytic[e]) + fabs(fd), FD_FLOOR);
    worst = fmax(worst, err);
  }
  return worst;
}

/* min |pre-activation| over the sequence: relu's finite differences are
 * valid only away from 0. */
static double relu_margin(const Problem *p, const Trace *tr) {
  double margin = HUGE_VAL;
  for (int t = 0; t < T; t++) {
    rnn_real pre[B * H]; /* [B][H] */
    rnn_gemm_ref(0, 1, B, H, H, 1, recurrent_input_of(p, tr, t), H, p->u, H, 0, pre, H);
    for (int e = 0; e < B * H; e++) {
      const rnn_real *mask_t = mask_of(p, t);
      if (mask_t != NULL && mask_t[e / H] == 0) continue;
      margin = fmin(margin, fabs(pre[e] + p->xproj[t * B * H + e]));
    }
  }
  return margin;
}

static void check_cell_gradients(Tally *tally, TestRng *rng, CellKind kind, int use_drop,
                                 int use_mask, int rows_form, double *worst_of_kind) {
  Problem p;
  Trace tr;
  Grads g;
  init_problem(rng, kind, use_drop, use_mask, &p);
  p.rows_form = rows_form;
  int G = gates_of(kind);
  forward_sequence(&p, &tr);
  backward_sequence(&p, &tr, &g);
  char variant[64];
  snprintf(variant, sizeof variant, "%s%s%s%s", CELL_NAMES[kind], use_drop ? " +drop" : "",
           use_mask ? " +pad" : "", rows_form ? " +rows" : "");
  struct {
    const char *what;
    rnn_real *param;
    size_t n;
    const rnn_real *grad;
    int live;
  } groups[] = {
      {"xproj", p.xproj, (size_t)T * B * G * H, g.dxproj, 1},
      {"W_hh", p.u, (size_t)G * H * H, g.du, 1},
      {"h0", p.h0, B * H, g.dh0, 1},
      {"c0", p.c0, B * H, g.dc0, is_lstm(kind)},
      {"peephole", p.peep, 3 * H, g.dpeep, kind == CELL_LSTM_PEEP},
      {"b_hh", p.b_hh, 3 * H, g.db_hh, kind == CELL_GRU},
  };
  for (size_t k = 0; k < sizeof groups / sizeof groups[0]; k++) {
    if (!groups[k].live) continue;
    double worst = check_param_gradient(&p, groups[k].param, groups[k].n, groups[k].grad);
    *worst_of_kind = fmax(*worst_of_kind, worst);
    char name[128];
    snprintf(name, sizeof name, "grad %s: d/d%s", variant, groups[k].what);
    record(tally, name, worst, FD_TOL);
  }
  if (kind == CELL_SIMPLE_RELU) {
    char name[128];
    snprintf(name, sizeof name, "grad %s: |pre-activation| >= 0.1 (shortfall)", variant);
    record(tally, name, fmax(0.1 - relu_margin(&p, &tr), 0), 0);
  }
}

static void check_all_gradients(Tally *tally, TestRng *rng) {
  double worst_of_kind[CELL_COUNT] = {0};
  for (int kind = 0; kind < CELL_COUNT; kind++)
    for (int use_drop = 0; use_drop <= 1; use_drop++)
      for (int use_mask = 0; use_mask <= 1; use_mask++)
        for (int rows_form = 0; rows_form <= 1; rows_form++)
          check_cell_gradients(tally, rng, (CellKind)kind, use_drop, use_mask, rows_form,
                               &worst_of_kind[kind]);
  printf("worst gradient-check error per kernel:\n");
  for (int kind = 0; kind < CELL_COUNT; kind++)
    printf("  %-16s %.3e\n", CELL_NAMES[kind], worst_of_kind[kind]);
}
#endif /* RNN_REAL_DOUBLE */

/* ---------------------------------------------------------------------- */
/* (c) Time-parallel helpers against naive loops                           */
/* ---------------------------------------------------------------------- */

enum { ROWS = T * B, OUT = 5, VOCAB = 7 };

static void check_linear(Tally *tally, TestRng *rng) {
  rnn_real x[ROWS * I], w[OUT * I], b1[OUT], b2[OUT]; /* [ROWS][I], [OUT][I] */
  rnn_real y[ROWS * OUT], y_naive[ROWS * OUT];        /* [ROWS][OUT] */
  fill_uniform(rng, ROWS * I, -1, 1, x);
  fill_uniform(rng, OUT * I, -1, 1, w);
  fill_uniform(rng, OUT, -1, 1, b1);
  fill_uniform(rng, OUT, -1, 1, b2);
  double worst = 0;
  for (int biases = 0; biases <= 2; biases++) {
    const rnn_real *bias1 = biases >= 1 ? b1 : NULL, *bias2 = biases >= 2 ? b2 : NULL;
    for (int e = 0; e < ROWS * OUT; e++) y[e] = (rnn_real)NAN;
    rnn_linear_fwd(ROWS, I, OUT, x, w, bias1, bias2, y);
    for (int r = 0; r < ROWS; r++)
      for (int o = 0; o < OUT; o++) {
        rnn_real v = 0;
        for (int i = 0; i < I; i++) v += x[r * I + i] * w[o * I + i];
        if (bias1 != NULL) v += bias1[o];
        if (bias2 != NULL) v += bias2[o];
        y_naive[r * OUT + o] = v;
      }
    worst = fmax(worst, worst_error(ROWS * OUT, y, y_naive));
  }
  record(tally, "linear_fwd vs loops (0, 1, 2 biases)", worst, HELPER_TOL);

  rnn_real dy[ROWS * OUT], dx[ROWS * I], dw[OUT * I], db[OUT];
  rnn_real dx_naive[ROWS * I], dw_naive[OUT * I], db_naive[OUT];
  fill_uniform(rng, ROWS * OUT, -1, 1, dy);
  fill_uniform(rng, OUT * I, -1, 1, dw); /* accumulated into */
  fill_uniform(rng, OUT, -1, 1, db);
  memcpy(dw_naive, dw, sizeof dw);
  memcpy(db_naive, db, sizeof db);
  for (int e = 0; e < ROWS * I; e++) dx[e] = (rnn_real)NAN;
  rnn_linear_bwd(ROWS, I, OUT, x, w, dy, dx, dw, db);
  for (int r = 0; r < ROWS; r++)
    for (int i = 0; i < I; i++) {
      rnn_real v = 0;
      for (int o = 0; o < OUT; o++) v += dy[r * OUT + o] * w[o * I + i];
      dx_naive[r * I + i] = v;
    }
  for (int o = 0; o < OUT; o++) {
    for (int i = 0; i < I; i++)
      for (int r = 0; r < ROWS; r++) dw_naive[o * I + i] += dy[r * OUT + o] * x[r * I + i];
    for (int r = 0; r < ROWS; r++) db_naive[o] += dy[r * OUT + o];
  }
  worst = fmax(worst_error(ROWS * I, dx, dx_naive), worst_error(OUT * I, dw, dw_naive));
  worst = fmax(worst, worst_error(OUT, db, db_naive));
  /* NULL dx and db: dw accumulates once more, nothing else is touched. */
  rnn_linear_bwd(ROWS, I, OUT, x, w, dy, NULL, dw, NULL);
  for (int o = 0; o < OUT; o++)
    for (int i = 0; i < I; i++)
      for (int r = 0; r < ROWS; r++) dw_naive[o * I + i] += dy[r * OUT + o] * x[r * I + i];
  worst = fmax(worst, worst_error(OUT * I, dw, dw_naive));
  record(tally, "linear_bwd vs loops (dx, dw +=, db +=; NULL dx/db)", worst, HELPER_TOL);
}

static void check_gather_scatter_rows(Tally *tally, TestRng *rng) {
  const int32_t ids[ROWS] = {3, 0, 6, 3, 2, 3}; /* repeats: scatter must add */
  rnn_real table[VOCAB * OUT], out[ROWS * OUT], dout[ROWS * OUT];
  rnn_real dtable[VOCAB * OUT], dtable_naive[VOCAB * OUT];
  fill_uniform(rng, VOCAB * OUT, -1, 1, table);
  fill_uniform(rng, ROWS * OUT, -1, 1, dout);
  fill_uniform(rng, VOCAB * OUT, -1, 1, dtable);
  memcpy(dtable_naive, dtable, sizeof dtable);
  rnn_gather_rows(ROWS, OUT, ids, table, out);
  double worst = 0;
  for (int r = 0; r < ROWS; r++)
    for (int c = 0; c < OUT; c++)
      worst = fmax(worst, error_vs_ref(out[r * OUT + c], table[ids[r] * OUT + c]));
  record(tally, "gather_rows vs loops", worst, 0);
  rnn_scatter_add_rows(ROWS, OUT, ids, dout, dtable);
  for (int r = 0; r < ROWS; r++)
    for (int c = 0; c < OUT; c++) dtable_naive[ids[r] * OUT + c] += dout[r * OUT + c];
  record(tally, "scatter_add_rows vs loops (repeated ids)",
         worst_error(VOCAB * OUT, dtable, dtable_naive), 0);
}

static void check_gather_scatter_cols(Tally *tally, TestRng *rng) {
  const int32_t ids[ROWS] = {1, 6, 1, 0, 4, 1};
  rnn_real w[OUT * VOCAB], b1[OUT], b2[OUT];     /* [OUT][VOCAB] */
  rnn_real y[ROWS * OUT], y_naive[ROWS * OUT];   /* [ROWS][OUT] */
  rnn_real one_hot[ROWS * VOCAB], y_gemm[ROWS * OUT];
  fill_uniform(rng, OUT * VOCAB, -1, 1, w);
  fill_uniform(rng, OUT, -1, 1, b1);
  fill_uniform(rng, OUT, -1, 1, b2);
  rnn_gather_cols(ROWS, OUT, VOCAB, ids, w, b1, b2, y);
  for (int r = 0; r < ROWS; r++)
    for (int o = 0; o < OUT; o++) y_naive[r * OUT + o] = w[o * VOCAB + ids[r]] + b1[o] + b2[o];
  record(tally, "gather_cols vs loops", worst_error(ROWS * OUT, y, y_naive), HELPER_TOL);
  memset(one_hot, 0, sizeof one_hot);
  for (int r = 0; r < ROWS; r++) one_hot[r * VOCAB + ids[r]] = 1;
  rnn_linear_fwd(ROWS, VOCAB, OUT, one_hot, w, b1, b2, y_gemm);
  record(tally, "gather_cols == linear_fwd on one-hot rows", worst_error(ROWS * OUT, y, y_gemm),
         HELPER_TOL);

  rnn_real dy[ROWS * OUT], dw[OUT * VOCAB], db[OUT];
  rnn_real dw_naive[OUT * VOCAB], db_naive[OUT], dw_linear[OUT * VOCAB], db_linear[OUT];
  fill_uniform(rng, ROWS * OUT, -1, 1, dy);
  fill_uniform(rng, OUT * VOCAB, -1, 1, dw);
  fill_uniform(rng, OUT, -1, 1, db);
  memcpy(dw_naive, dw, sizeof dw);
  memcpy(db_naive, db, sizeof db);
  memcpy(dw_linear, dw, sizeof dw);
  memcpy(db_linear, db, sizeof db);
  rnn_scatter_add_cols(ROWS, OUT, VOCAB, ids, dy, dw, db);
  for (int r = 0; r < ROWS; r++)
    for (int o = 0; o < OUT; o++) {
      dw_naive[o * VOCAB + ids[r]] += dy[r * OUT + o];
      db_naive[o] += dy[r * OUT + o];
    }
  double worst = fmax(worst_error(OUT * VOCAB, dw, dw_naive), worst_error(OUT, db, db_naive));
  record(tally, "scatter_add_cols vs loops", worst, HELPER_TOL);
  rnn_linear_bwd(ROWS, VOCAB, OUT, one_hot, w, dy, NULL, dw_linear, db_linear);
  worst = fmax(worst_error(OUT * VOCAB, dw, dw_linear), worst_error(OUT, db, db_linear));
  record(tally, "scatter_add_cols == linear_bwd on one-hot rows", worst, HELPER_TOL);
  /* db NULL: only dw moves. */
  rnn_real db_kept[OUT];
  memcpy(db_kept, db, sizeof db);
  rnn_scatter_add_cols(ROWS, OUT, VOCAB, ids, dy, dw, NULL);
  record(tally, "scatter_add_cols with db NULL", worst_error(OUT, db, db_kept), 0);

  /* Through W^T rows (what the emitted code uses): the same bits. The
   * scratch starts as NaN: the kernel must clear it. */
  rnn_real wt[VOCAB * OUT], y_rows[ROWS * OUT], dwt[VOCAB * OUT]; /* [VOCAB][OUT] */
  rnn_transpose(OUT, VOCAB, w, wt);
  rnn_gather_token_rows(ROWS, OUT, ids, wt, b1, b2, y_rows);
  record(tally, "gather_token_rows == gather_cols", worst_error(ROWS * OUT, y_rows, y), 0);
  rnn_real dw_rows[OUT * VOCAB], db_rows[OUT];
  memset(dw_rows, 0, sizeof dw_rows);
  memset(db_rows, 0, sizeof db_rows);
  memset(dw, 0, sizeof dw);
  memset(db, 0, sizeof db);
  for (int e = 0; e < VOCAB * OUT; e++) dwt[e] = (rnn_real)NAN;
  rnn_scatter_add_cols(ROWS, OUT, VOCAB, ids, dy, dw, db);
  rnn_scatter_add_token_rows(ROWS, OUT, VOCAB, ids, dy, dwt, dw_rows, db_rows);
  worst = fmax(worst_error(OUT * VOCAB, dw_rows, dw), worst_error(OUT, db_rows, db));
  record(tally, "scatter_add_token_rows == scatter_add_cols from zero", worst, 0);
}

/* rnn_transpose across its 16 x 16 tiles (sizes not multiples of 16). */
static void check_transpose(Tally *tally, TestRng *rng) {
  enum { R = 37, C = 21 };
  rnn_real a[R * C], b[C * R];
  fill_uniform(rng, R * C, -1, 1, a);
  for (int e = 0; e < C * R; e++) b[e] = (rnn_real)NAN;
  rnn_transpose(R, C, a, b);
  double worst = 0;
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++) {
      double d = fabs((double)(b[c * R + r] - a[r * C + c]));
      if (!(d <= worst)) worst = d; /* a NaN left behind sticks */
    }
  record(tally, "transpose 37 x 21", worst, 0);
}

static void check_mask_and_col_sums(Tally *tally, TestRng *rng) {
  rnn_real x[ROWS * OUT], y[ROWS * OUT], mask[ROWS * OUT], naive[ROWS * OUT];
  fill_uniform(rng, ROWS * OUT, -1, 1, x);
  for (int e = 0; e < ROWS * OUT; e++) mask[e] = e % 4 == 0 ? 0 : (rnn_real)1.25;
  double worst = 0;
  /* mask_rows = B: one mask per sequence shared by all steps (Gal);
   * mask_rows = ROWS: one per element. */
  const int mask_rows_cases[2] = {B, ROWS};
  for (int c = 0; c < 2; c++) {
    int mask_rows = mask_rows_cases[c];
    rnn_mask_mul(ROWS, OUT, x, mask, mask_rows, y);
    for (int r = 0; r < ROWS; r++)
      for (int k = 0; k < OUT; k++)
        naive[r * OUT + k] = x[r * OUT + k] * mask[(r % mask_rows) * OUT + k];
    worst = fmax(worst, worst_error(ROWS * OUT, y, naive));
    memcpy(y, x, sizeof x); /* in place: y == x */
    rnn_mask_mul(ROWS, OUT, y, mask, mask_rows, y);
    worst = fmax(worst, worst_error(ROWS * OUT, y, naive));
  }
  record(tally, "mask_mul vs loops (shared and per-element, in place)", worst, 0);

  enum { LD = OUT + 2 };
  rnn_real d[ROWS * LD], db[OUT], db_naive[OUT]; /* [ROWS][LD], n = OUT used */
  fill_uniform(rng, ROWS * LD, -1, 1, d);
  fill_uniform(rng, OUT, -1, 1, db);
  memcpy(db_naive, db, sizeof db);
  rnn_col_sums(ROWS, OUT, d, LD, db);
  for (int r = 0; r < ROWS; r++)
    for (int k = 0; k < OUT; k++) db_naive[k] += d[r * LD + k];
  record(tally, "col_sums vs loops (ld > n, accumulating)", worst_error(OUT, db, db_naive),
         HELPER_TOL);
}

int main(void) {
  Tally tally = {0, 0};
  TestRng rng = {0x5EED0123456789ABu};
  printf("test_cells (%s)\n", PRECISION_NAME);
  check_gemm_ref_by_hand(&tally);
  check_gemm_against_ref(&tally, &rng);
  check_gemm_degenerate(&tally);
  check_linear(&tally, &rng);
  check_gather_scatter_rows(&tally, &rng);
  check_gather_scatter_cols(&tally, &rng);
  check_transpose(&tally, &rng);
  check_mask_and_col_sums(&tally, &rng);
  for (int kind = 0; kind < CELL_COUNT; kind++)
    for (int use_drop = 0; use_drop <= 1; use_drop++) {
      check_padding_step(&tally, &rng, (CellKind)kind, use_drop);
      check_padded_sequence(&tally, &rng, (CellKind)kind, use_drop);
    }
#ifdef RNN_REAL_DOUBLE
  check_all_gradients(&tally, &rng);
#endif
  printf("%d passed, %d failed\n", tally.passed, tally.failed);
  return tally.failed == 0 ? 0 : 1;
}
