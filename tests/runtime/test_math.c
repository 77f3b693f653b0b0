/*
 * test_math.c - the runtime's math against closed forms, finite
 * differences and PyTorch: activations, losses, RNG, dropout masks,
 * initializers, optimizers, clipping and schedules.
 *
 * Built twice by CMake (float and -DRNN_REAL_DOUBLE); the tolerances below
 * fit each precision. Every check prints its worst error; the run ends
 * with "N passed, M failed" and exits nonzero on any failure.
 */
#include "rnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Tolerances                                                             */
/* ---------------------------------------------------------------------- */

#ifdef RNN_REAL_DOUBLE
static const char PRECISION[] = "double";
/* central differences: truncation ~h^2, rounding ~eps/h */
static const rnn_real FD_STEP = 1e-6;
static const double TOL_FD = 1e-8;
/* a result against the same formula evaluated in double */
static const double TOL_FORMULA = 1e-13;
/* optimizer trajectories against PyTorch in float64 */
static const double TOL_TORCH = 1e-13;
static const double TOL_ORTHO = 1e-12;
#else
static const char PRECISION[] = "float";
static const rnn_real FD_STEP = 0x1.0p-7f; /* exact in float */
static const double TOL_FD = 1e-4;
static const double TOL_FORMULA = 1e-6;
static const double TOL_TORCH = 1e-6;
static const double TOL_ORTHO = 1e-5;
#endif

/* ---------------------------------------------------------------------- */
/* Reporting                                                              */
/* ---------------------------------------------------------------------- */

typedef struct Tally {
  int passed, failed;
} Tally;

/* Records one check: passes when worst <= tol (a NaN worst fails). */
static void check(Tally *t, const char *name, double worst, double tol) {
  int ok = worst <= tol;
  if (ok)
    t->passed++;
  else
    t->failed++;
  printf("%-4s %-66s worst %.3e  tol %.1e\n", ok ? "ok" : "FAIL", name, worst, tol);
}

/* |a - b| relative to max(1, |b|): absolute near 0, relative for large b. */
static double rel_err(double a, double b) {
  double scale = fabs(b) > 1.0 ? fabs(b) : 1.0;
  return fabs(a - b) / scale;
}

static double max_d(double a, double b) { return a > b ? a : b; }

/* How far x is outside [-bound, bound] (0 inside). */
static double excess_over(double x, double bound) { return max_d(fabs(x) - bound, 0.0); }

static double mean_of(size_t n, const rnn_real *x) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += (double)x[i];
  return s / (double)n;
}

static double variance_of(size_t n, const rnn_real *x) {
  double m = mean_of(n, x), s = 0;
  for (size_t i = 0; i < n; i++) s += ((double)x[i] - m) * ((double)x[i] - m);
  return s / (double)n;
}

static double max_abs(size_t n, const rnn_real *x) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = max_d(m, fabs((double)x[i]));
  return m;
}

static void *xmalloc(size_t bytes) {
  void *p = malloc(bytes);
  if (p == NULL) {
    fprintf(stderr, "test_math: out of memory\n");
    exit(2);
  }
  return p;
}

/* ---------------------------------------------------------------------- */
/* Finite differences                                                     */
/* ---------------------------------------------------------------------- */

/* A scalar function of x [n] (ctx carries the rest). */
typedef double (*ScalarFn)(const rnn_real *x, const void *ctx);

/* Worst rel_err between grad [n] and central differences of f at x [n].
 * The step is measured as the difference of the perturbed values actually
 * stored, so the rounding of x + h does not bias the quotient. x is
 * restored. */
static double worst_fd_error(ScalarFn f, const void *ctx, int n, rnn_real *x,
                             const rnn_real *grad) {
  double worst = 0;
  for (int i = 0; i < n; i++) {
    rnn_real saved = x[i];
    x[i] = saved + FD_STEP;
    double xp = (double)x[i], fp = f(x, ctx);
    x[i] = saved - FD_STEP;
    double xm = (double)x[i], fm = f(x, ctx);
    x[i] = saved;
    double fd = (fp - fm) / (xp - xm);
    worst = max_d(worst, rel_err((double)grad[i], fd));
  }
  return worst;
}

/* ---------------------------------------------------------------------- */
/* Activations                                                            */
/* ---------------------------------------------------------------------- */

enum { ACT_ROWS = 3, ACT_COLS = 5, ACT_N = ACT_ROWS * ACT_COLS };

/* sum(dy * act(z)): its gradient in z is act_bwd(act(z), dy). */
typedef struct ActProbe {
  RnnAct act;
  const rnn_real *dy; /* [ACT_ROWS][ACT_COLS] */
} ActProbe;

static double act_probe(const rnn_real *z, const void *ctx) {
  const ActProbe *p = ctx;
  rnn_real y[ACT_N];
  rnn_act_fwd(p->act, ACT_ROWS, ACT_COLS, z, y);
  double s = 0;
  for (int i = 0; i < ACT_N; i++) s += (double)p->dy[i] * (double)y[i];
  return s;
}

/* Inputs away from relu's kink (|z| >= 0.1) so differences are smooth. */
static void act_inputs(rnn_real *z, rnn_real *dy) {
  for (int i = 0; i < ACT_N; i++) {
    double v = 1.7 * sin(1.3 * i + 0.4);
    if (fabs(v) < 0.1) v = v < 0 ? -0.3 : 0.3;
    z[i] = (rnn_real)v;
    dy[i] = (rnn_real)(0.5 + cos(0.7 * i));
  }
}

static double act_reference(RnnAct act, double z) {
  switch (act) {
  case RNN_ACT_LINEAR: return z;
  case RNN_ACT_RELU: return z > 0 ? z : 0;
  case RNN_ACT_TANH: return tanh(z);
  case RNN_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
  case RNN_ACT_SOFTMAX: break;
  }
  return (double)NAN;
}

/* Softmax of one row in double, the direct formula. */
static void softmax_reference(int cols, const rnn_real *z, double *y) {
  double sum = 0;
  for (int j = 0; j < cols; j++) sum += exp((double)z[j]);
  for (int j = 0; j < cols; j++) y[j] = exp((double)z[j]) / sum;
}

static void test_activation(Tally *t, RnnAct act, const char *name) {
  rnn_real z[ACT_N], dy[ACT_N], y[ACT_N], dz[ACT_N], inplace[ACT_N];
  act_inputs(z, dy);
  rnn_act_fwd(act, ACT_ROWS, ACT_COLS, z, y);

  double worst = 0;
  for (int r = 0; r < ACT_ROWS; r++) {
    double ref[ACT_COLS];
    if (act == RNN_ACT_SOFTMAX) softmax_reference(ACT_COLS, z + r * ACT_COLS, ref);
    for (int j = 0; j < ACT_COLS; j++) {
      int i = r * ACT_COLS + j;
      double want = act == RNN_ACT_SOFTMAX ? ref[j] : act_reference(act, (double)z[i]);
      worst = max_d(worst, rel_err((double)y[i], want));
    }
  }
  char label[96];
  snprintf(label, sizeof label, "act %s forward vs formula", name);
  check(t, label, worst, TOL_FORMULA);

  rnn_act_bwd(act, ACT_ROWS, ACT_COLS, y, dy, dz);
  ActProbe probe = {act, dy};
  snprintf(label, sizeof label, "act %s backward vs finite differences", name);
  check(t, label, worst_fd_error(act_probe, &probe, ACT_N, z, dz), TOL_FD);

  /* in place: y == z and dz == dy give the same numbers */
  memcpy(inplace, z, sizeof z);
  rnn_act_fwd(act, ACT_ROWS, ACT_COLS, inplace, inplace);
  rnn_real dz_inplace[ACT_N];
  memcpy(dz_inplace, dy, sizeof dy);
  rnn_act_bwd(act, ACT_ROWS, ACT_COLS, y, dz_inplace, dz_inplace);
  worst = 0;
  for (int i = 0; i < ACT_N; i++) {
    worst = max_d(worst, fabs((double)inplace[i] - (double)y[i]));
    worst = max_d(worst, fabs((double)dz_inplace[i] - (double)dz[i]));
  }
  snprintf(label, sizeof label, "act %s in place == out of place", name);
  check(t, label, worst, 0.0);
}

/* Extreme logits: no overflow, no NaN, rows still sum to 1. */
static void test_activation_extremes(Tally *t) {
  rnn_real z[6] = {1000, 1001, -1000, 80, -80, 0};
  rnn_real y[6];
  rnn_act_fwd(RNN_ACT_SOFTMAX, 2, 3, z, y);
  double e = exp(-1.0);
  double worst = fabs((double)y[1] - 1.0 / (1.0 + e)) + fabs((double)y[0] - e / (1.0 + e)) +
                 fabs((double)y[2]);
  double sum2 = (double)y[3] + (double)y[4] + (double)y[5];
  worst = max_d(worst, fabs(sum2 - 1.0));
  check(t, "softmax of logits +-1000 (stable, rows sum to 1)", worst, TOL_FORMULA);

  rnn_real s[4] = {-1000, 1000, -90, 90};
  rnn_act_fwd(RNN_ACT_SIGMOID, 1, 4, s, y);
  worst = fabs((double)y[0]) + fabs((double)y[1] - 1.0) + fabs((double)y[3] - 1.0);
  if (!(y[2] >= 0 && (double)y[2] < 1e-30)) worst = 1;
  check(t, "sigmoid of +-1000 and +-90 (finite, in [0, 1])", worst, TOL_FORMULA);
}

/* ---------------------------------------------------------------------- */
/* Losses                                                                 */
/* ---------------------------------------------------------------------- */

enum { LOSS_ROWS = 4, LOSS_COLS = 3, LOSS_N = LOSS_ROWS * LOSS_COLS };

static const int32_t loss_targets[LOSS_ROWS] = {2, 0, 1, 1};
static const rnn_real loss_mask[LOSS_ROWS] = {1, 0, 1, 1};

/* A loss as a function of the output layer's pre-activation. */
typedef struct LossProbe {
  int which; /* 0 xent (softmax), 1 bce (sigmoid), 2 mse (linear) */
  const rnn_real *weights;
  const rnn_real *soft_targets; /* bce, mse [LOSS_ROWS][LOSS_COLS] */
} LossProbe;

/* The loss at z and, when dz != NULL, its gradient in z. */
static double loss_at(const LossProbe *p, const rnn_real *z, rnn_real *dz) {
  rnn_real out[LOSS_N], scratch[LOSS_N];
  rnn_real *grad = dz != NULL ? dz : scratch;
  switch (p->which) {
  case 0:
    rnn_act_fwd(RNN_ACT_SOFTMAX, LOSS_ROWS, LOSS_COLS, z, out);
    return (double)rnn_loss_xent(LOSS_ROWS, LOSS_COLS, out, loss_targets, p->weights, grad);
  case 1:
    rnn_act_fwd(RNN_ACT_SIGMOID, LOSS_ROWS, LOSS_COLS, z, out);
    return (double)rnn_loss_bce(LOSS_ROWS, LOSS_COLS, out, p->soft_targets, p->weights, grad);
  default:
    return (double)rnn_loss_mse(LOSS_ROWS, LOSS_COLS, z, p->soft_targets, p->weights, grad);
  }
}

static double loss_probe(const rnn_real *z, const void *ctx) { return loss_at(ctx, z, NULL); }

/* The gradient in rows whose weight is 0 must be exactly 0. */
static double worst_masked_grad(const rnn_real *weights, const rnn_real *dz) {
  double worst = 0;
  for (int r = 0; r < LOSS_ROWS; r++)
    if (weights != NULL && weights[r] == 0)
      for (int j = 0; j < LOSS_COLS; j++) worst = max_d(worst, fabs((double)dz[r * LOSS_COLS + j]));
  return worst;
}

static void test_loss_gradients(Tally *t) {
  static const char *const names[3] = {"xent (softmax)", "bce (sigmoid)", "mse"};
  rnn_real z[LOSS_N], soft[LOSS_N], dz[LOSS_N];
  for (int i = 0; i < LOSS_N; i++) {
    z[i] = (rnn_real)(1.2 * sin(0.9 * i + 0.3));
    soft[i] = (rnn_real)(0.5 + 0.45 * cos(1.1 * i)); /* in (0, 1): bce's soft labels */
  }
  for (int which = 0; which < 3; which++) {
    for (int masked = 0; masked < 2; masked++) {
      LossProbe p = {which, masked ? loss_mask : NULL, soft};
      loss_at(&p, z, dz);
      char label[96];
      snprintf(label, sizeof label, "loss %s gradient vs finite differences%s", names[which],
               masked ? ", rows masked" : "");
      check(t, label, worst_fd_error(loss_probe, &p, LOSS_N, z, dz), TOL_FD);
      if (masked) {
        snprintf(label, sizeof label, "loss %s masked rows get zero gradient", names[which]);
        check(t, label, worst_masked_grad(loss_mask, dz), 0.0);
      }
    }
  }
}

/* Values worked out by hand (comments give the arithmetic). */
static void test_loss_values(Tally *t) {
  /* xent: 3 rows x 4 classes, row 1 masked. Counted rows take -log 0.5 and
   * -log 0.25: loss = (ln 2 + 2 ln 2) / 2 = 1.5 ln 2. */
  const rnn_real p[12] = {0.25, 0.5, 0.125, 0.125, 0.1, 0.2, 0.3, 0.4, 0.25, 0.25, 0.25, 0.25};
  const int32_t target[3] = {1, 3, 0};
  const rnn_real w3[3] = {1, 0, 1};
  rnn_real dz[12];
  double loss = (double)rnn_loss_xent(3, 4, p, target, w3, dz);
  double worst = rel_err(loss, 1.5 * log(2.0));
  /* dz = (p - onehot) / 2 in counted rows, 0 in row 1 */
  const double want_dz[12] = {0.125, -0.25, 0.0625, 0.0625, 0, 0, 0, 0,
                              -0.375, 0.125, 0.125, 0.125};
  for (int i = 0; i < 12; i++) worst = max_d(worst, fabs((double)dz[i] - want_dz[i]));
  check(t, "xent value and dz, row masked: 1.5 ln 2", worst, TOL_FORMULA);

  /* all rows: (ln 2 - ln 0.4 + 2 ln 2) / 3 */
  loss = (double)rnn_loss_xent(3, 4, p, target, NULL, dz);
  check(t, "xent value, weights NULL: (3 ln 2 - ln 0.4) / 3",
        rel_err(loss, (3.0 * log(2.0) - log(0.4)) / 3.0), TOL_FORMULA);

  /* xent of a zero probability: the log is clamped at -100 */
  const rnn_real p0[2] = {1, 0};
  const int32_t t1[1] = {1};
  loss = (double)rnn_loss_xent(1, 2, p0, t1, NULL, dz);
  check(t, "xent of p = 0 clamps the log at -100", rel_err(loss, 100.0), TOL_FORMULA);

  /* bce: 2 x 2, p = {0.5, 0.25; 0.8, 0.1}, y = {1, 0; 0, 1}:
   * -ln 0.5 - ln 0.75 - ln 0.2 - ln 0.1, mean over 4 */
  const rnn_real pb[4] = {0.5, 0.25, 0.8, 0.1};
  const rnn_real yb[4] = {1, 0, 0, 1};
  loss = (double)rnn_loss_bce(2, 2, pb, yb, NULL, dz);
  worst = rel_err(loss, -(log(0.5) + log(0.75) + log(0.2) + log(0.1)) / 4.0);
  const double want_bce_dz[4] = {-0.125, 0.0625, 0.2, -0.225}; /* (p - y) / 4 */
  for (int i = 0; i < 4; i++) worst = max_d(worst, fabs((double)dz[i] - want_bce_dz[i]));
  check(t, "bce value and dz: -(ln .5 + ln .75 + ln .2 + ln .1) / 4", worst, TOL_FORMULA);

  /* first row masked: -(ln 0.2 + ln 0.1) / 2, dz = (p - y) / 2 */
  const rnn_real w2[2] = {0, 1};
  loss = (double)rnn_loss_bce(2, 2, pb, yb, w2, dz);
  worst = rel_err(loss, -(log(0.2) + log(0.1)) / 2.0);
  worst = max_d(worst, fabs((double)dz[0]) + fabs((double)dz[1]));
  worst = max_d(worst, fabs((double)dz[2] - 0.4) + fabs((double)dz[3] + 0.45));
  check(t, "bce value and dz, row masked: -(ln .2 + ln .1) / 2", worst, TOL_FORMULA);

  /* certain and wrong: p = 0 with y = 1 and p = 1 with y = 0 cost 100 each */
  const rnn_real pc[2] = {0, 1};
  const rnn_real yc[2] = {1, 0};
  loss = (double)rnn_loss_bce(1, 2, pc, yc, NULL, dz);
  check(t, "bce of p = 0 and p = 1 clamps the log at -100", rel_err(loss, 100.0), TOL_FORMULA);

  /* mse: y - t = {-0.5, 0, 1; 0, 5, 0}: (0.25 + 1 + 25) / 6 = 4.375 */
  const rnn_real y[6] = {1, 2, 3, 4, 5, 6};
  const rnn_real tm[6] = {1.5, 2, 2, 4, 0, 6};
  loss = (double)rnn_loss_mse(2, 3, y, tm, NULL, dz);
  worst = rel_err(loss, 4.375);
  const double want_mse_dz[6] = {-1.0 / 6, 0, 2.0 / 6, 0, 10.0 / 6, 0}; /* 2 (y - t) / 6 */
  for (int i = 0; i < 6; i++) worst = max_d(worst, fabs((double)dz[i] - want_mse_dz[i]));
  check(t, "mse value and dy: 26.25 / 6", worst, TOL_FORMULA);

  /* second row masked: (0.25 + 1) / 3 */
  const rnn_real wm[2] = {1, 0};
  loss = (double)rnn_loss_mse(2, 3, y, tm, wm, dz);
  worst = rel_err(loss, 1.25 / 3.0);
  worst = max_d(worst, fabs((double)dz[0] + 1.0 / 3) + fabs((double)dz[2] - 2.0 / 3));
  worst = max_d(worst, fabs((double)dz[3]) + fabs((double)dz[4]) + fabs((double)dz[5]));
  check(t, "mse value and dy, row masked: 1.25 / 3", worst, TOL_FORMULA);
}

/* Every row masked: loss 0 and every gradient 0 (no division by zero). */
static void test_loss_all_masked(Tally *t) {
  const rnn_real zero_w[2] = {0, 0};
  const rnn_real p[6] = {0.2, 0.3, 0.5, 0.1, 0.1, 0.8};
  const rnn_real target_r[6] = {0, 1, 0, 1, 0, 1};
  const int32_t target_i[2] = {2, 0};
  rnn_real dz[6];
  double worst = 0;
  for (int which = 0; which < 3; which++) {
    for (int i = 0; i < 6; i++) dz[i] = 7; /* stale values must be overwritten */
    double loss = which == 0   ? (double)rnn_loss_xent(2, 3, p, target_i, zero_w, dz)
                  : which == 1 ? (double)rnn_loss_bce(2, 3, p, target_r, zero_w, dz)
                               : (double)rnn_loss_mse(2, 3, p, target_r, zero_w, dz);
    worst = max_d(worst, fabs(loss));
    if (loss != loss) worst = HUGE_VAL;
    worst = max_d(worst, max_abs(6, dz));
  }
  check(t, "losses with every row masked: 0 and zero gradients", worst, 0.0);
}

/* ---------------------------------------------------------------------- */
/* RNG and dropout                                                        */
/* ---------------------------------------------------------------------- */

/* Seed 0, computed with an independent Python transcription of the
 * published splitmix64.c and xoshiro256starstar.c (0xe220a8397b1dcdaf is
 * also splitmix64's well-known first output for seed 0). */
static const uint64_t splitmix64_seed0[4] = {
    UINT64_C(0xe220a8397b1dcdaf), UINT64_C(0x6e789e6aa1b965f4),
    UINT64_C(0x06c45d188009454f), UINT64_C(0xf88bb8a8724c81ec)};
static const uint64_t xoshiro_seed0[5] = {
    UINT64_C(0x99ec5f36cb75f2b4), UINT64_C(0xbf6e1f784956452a), UINT64_C(0x1a5f849d4933e6e0),
    UINT64_C(0x6aa594f1262d2d2c), UINT64_C(0xbba5ad4a1f842e59)};

static void test_rng_known_values(Tally *t) {
  RnnRng rng;
  rnn_rng_seed(&rng, 0);
  int wrong = 0;
  for (int i = 0; i < 4; i++) wrong += rng.s[i] != splitmix64_seed0[i];
  check(t, "splitmix64 seeding, seed 0: 4 known words (count wrong)", wrong, 0);
  wrong = 0;
  for (int i = 0; i < 5; i++) wrong += rnn_rng_next(&rng) != xoshiro_seed0[i];
  check(t, "xoshiro256** seed 0: first 5 known outputs (count wrong)", wrong, 0);

  rnn_rng_seed(&rng, 0);
  double u = rnn_rng_uniform(&rng);
  check(t, "uniform = (next >> 11) * 2^-53, seed 0", fabs(u - 0.6012629994179048), 0.0);
}

static void test_rng_reproducible(Tally *t) {
  RnnRng a, b, c;
  rnn_rng_seed(&a, 12345);
  rnn_rng_seed(&b, 12345);
  rnn_rng_seed(&c, 12346);
  int differ = 0, same_as_other_seed = 0;
  for (int i = 0; i < 1000; i++) {
    uint64_t x = rnn_rng_next(&a);
    differ += x != rnn_rng_next(&b);
    same_as_other_seed += x == rnn_rng_next(&c);
  }
  check(t, "same seed, same 1000 outputs (count differing)", differ, 0);
  check(t, "seeds 12345 and 12346 share no output (count equal)", same_as_other_seed, 0);

  /* a normal draw is exactly two uniforms: no cached second value */
  rnn_rng_seed(&a, 7);
  rnn_rng_seed(&b, 7);
  (void)rnn_rng_normal(&a);
  (void)rnn_rng_uniform(&b);
  (void)rnn_rng_uniform(&b);
  check(t, "normal consumes exactly two uniforms (count differing)",
        rnn_rng_next(&a) != rnn_rng_next(&b), 0);
}

enum { DRAWS = 100000 };

static void test_rng_distributions(Tally *t) {
  RnnRng rng;
  rnn_rng_seed(&rng, 2024);
  double lo = 1, hi = 0, sum = 0, sum2 = 0;
  for (int i = 0; i < DRAWS; i++) {
    double u = rnn_rng_uniform(&rng);
    lo = u < lo ? u : lo;
    hi = u > hi ? u : hi;
    sum += u;
    sum2 += u * u;
  }
  double out_of_range = (lo < 0 ? -lo : 0) + (hi >= 1 ? hi : 0);
  check(t, "uniform in [0, 1) over 1e5 draws (excess)", out_of_range, 0.0);
  double mean = sum / DRAWS, var = sum2 / DRAWS - mean * mean;
  /* std error of the mean 0.29/sqrt(1e5) = 9e-4: 5 sigma */
  check(t, "uniform mean 1/2 over 1e5 draws", fabs(mean - 0.5), 5e-3);
  check(t, "uniform variance 1/12 over 1e5 draws", fabs(var - 1.0 / 12), 2e-3);

  sum = sum2 = 0;
  double sum4 = 0;
  for (int i = 0; i < DRAWS; i++) {
    double z = rnn_rng_normal(&rng);
    sum += z;
    sum2 += z * z;
    sum4 += z * z * z * z;
  }
  mean = sum / DRAWS;
  var = sum2 / DRAWS - mean * mean;
  /* std errors: mean 3.2e-3, variance 4.5e-3, 4th moment 0.03 */
  check(t, "normal mean 0 over 1e5 draws", fabs(mean), 0.015);
  check(t, "normal variance 1 over 1e5 draws", fabs(var - 1.0), 0.02);
  check(t, "normal 4th moment 3 over 1e5 draws", fabs(sum4 / DRAWS - 3.0), 0.15);
}

static void test_dropout(Tally *t) {
  RnnRng rng;
  rnn_rng_seed(&rng, 99);
  rnn_real *mask = xmalloc(DRAWS * sizeof *mask);
  const rnn_real p = (rnn_real)0.3;
  rnn_dropout_mask(&rng, DRAWS, p, mask);
  rnn_real keep = (rnn_real)(1.0 / (1.0 - (double)p));
  size_t zeros = 0, wrong = 0;
  for (size_t i = 0; i < DRAWS; i++) {
    if (mask[i] == 0)
      zeros++;
    else if (mask[i] != keep)
      wrong++;
  }
  check(t, "dropout p=0.3: kept values are exactly 1/(1-p) (count wrong)", (double)wrong, 0);
  check(t, "dropout p=0.3: fraction dropped", fabs((double)zeros / DRAWS - 0.3), 0.01);
  check(t, "dropout p=0.3: mean of mask 1", fabs(mean_of(DRAWS, mask) - 1.0), 0.02);

  rnn_dropout_mask(&rng, DRAWS, 0, mask);
  double worst = 0;
  for (size_t i = 0; i < DRAWS; i++) worst = max_d(worst, fabs((double)mask[i] - 1.0));
  rnn_dropout_mask(&rng, DRAWS, 1, mask);
  worst = max_d(worst, max_abs(DRAWS, mask));
  check(t, "dropout p=0 is all ones, p=1 all zeros", worst, 0.0);
  free(mask);
}

/* ---------------------------------------------------------------------- */
/* Initializers                                                           */
/* ---------------------------------------------------------------------- */

static rnn_real *filled(uint64_t seed, RnnInit init, int blocks, int rows, int cols,
                        rnn_real scale) {
  size_t n = (size_t)blocks * (size_t)rows * (size_t)cols;
  rnn_real *w = xmalloc(n * sizeof *w);
  for (size_t i = 0; i < n; i++) w[i] = 42; /* every element must be written */
  RnnRng rng;
  rnn_rng_seed(&rng, seed);
  rnn_init_fill(&rng, init, blocks, rows, cols, scale, w);
  return w;
}

/* Bound respected, bound nearly reached, variance bound^2/3. */
static void check_uniform_fill(Tally *t, const char *what, size_t n, const rnn_real *w,
                               double bound) {
  char label[96];
  double worst = 0;
  for (size_t i = 0; i < n; i++) worst = max_d(worst, excess_over((double)w[i], bound));
  snprintf(label, sizeof label, "%s: |w| <= %.4g", what, bound);
  check(t, label, worst, 0.0);
  snprintf(label, sizeof label, "%s: max |w| near the bound (relative gap)", what);
  check(t, label, 1.0 - max_abs(n, w) / bound, 0.01);
  snprintf(label, sizeof label, "%s: variance bound^2/3 (relative)", what);
  check(t, label, fabs(variance_of(n, w) / (bound * bound / 3.0) - 1.0), 0.04);
}

static void test_init_glorot(Tally *t) {
  /* LSTM-like kernel: 4 gate blocks of [64][96]: fan_in 96, fan_out 256 */
  int blocks = 4, rows = 64, cols = 96;
  size_t n = (size_t)blocks * rows * cols;
  rnn_real *w = filled(1, RNN_INIT_GLOROT_UNIFORM, blocks, rows, cols, 0);
  check_uniform_fill(t, "glorot_uniform 4x[64][96]", n, w, sqrt(6.0 / (96 + 256)));
  check(t, "glorot_uniform 4x[64][96]: mean 0", fabs(mean_of(n, w)), 2e-3);
  free(w);

  /* truncated normal: values within 2 stddev of the draw, variance 2/(fi+fo) */
  w = filled(2, RNN_INIT_GLOROT_NORMAL, blocks, rows, cols, 0);
  double target_var = 2.0 / (96 + 256);
  double draw_stddev = sqrt(target_var) / 0.87962566103423978;
  double worst = 0;
  for (size_t i = 0; i < n; i++) worst = max_d(worst, excess_over((double)w[i], 2 * draw_stddev));
  check(t, "glorot_normal: truncated at 2 stddev (excess)", worst, TOL_FORMULA);
  check(t, "glorot_normal: max |w| near 2 stddev (relative gap)",
        1.0 - max_abs(n, w) / (2 * draw_stddev), 0.01);
  check(t, "glorot_normal: variance 2/(fan_in+fan_out) (relative)",
        fabs(variance_of(n, w) / target_var - 1.0), 0.04);
  free(w);

  /* a vector (peephole, cols 1): Keras's 1-D fans, fan_in = fan_out = rows */
  w = filled(3, RNN_INIT_GLOROT_UNIFORM, 3, 2000, 1, 0);
  check_uniform_fill(t, "glorot_uniform 3x[2000][1] vector", 6000, w, sqrt(6.0 / 4000));
  free(w);
}

/* x . y over len elements `estride` apart, in double. */
static double strided_dot(const rnn_real *x, const rnn_real *y, int len, size_t estride) {
  double d = 0;
  for (int i = 0; i < len; i++) d += (double)x[i * estride] * (double)y[i * estride];
  return d;
}

/* Orthonormality of the `count` vectors of `len` (strides as in init.c):
 * worst |v_i . v_j - delta_ij|. */
static double worst_gram_error(const rnn_real *w, int count, int len, size_t vstride,
                               size_t estride) {
  double worst = 0;
  for (int a = 0; a < count; a++)
    for (int b = 0; b < count; b++) {
      double d = strided_dot(w + a * vstride, w + b * vstride, len, estride);
      worst = max_d(worst, fabs(d - (a == b ? 1.0 : 0.0)));
    }
  return worst;
}

/* That q is the Q of the QR factorization (positive diag R) of the drawn
 * normals a: vector k of a is a combination of q_0..q_k with a positive
 * q_k coefficient, so q_j . a_k = 0 for j > k and q_k . a_k > 0. Returns
 * the worst |q_j . a_k| / |a_k| (j > k), or 1 for a non-positive diagonal. */
static double worst_qr_error(const rnn_real *q, const rnn_real *a, int count, int len,
                             size_t vstride, size_t estride) {
  double worst = 0;
  for (int k = 0; k < count; k++) {
    const rnn_real *ak = a + k * vstride;
    double norm = sqrt(strided_dot(ak, ak, len, estride));
    for (int j = k; j < count; j++) {
      double d = strided_dot(q + j * vstride, ak, len, estride);
      if (j == k && !(d > 0)) return 1.0;
      if (j > k) worst = max_d(worst, fabs(d) / norm);
    }
  }
  return worst;
}

static void check_orthogonal(Tally *t, int blocks, int rows, int cols) {
  rnn_real *q = filled(5, RNN_INIT_ORTHOGONAL, blocks, rows, cols, 0);
  /* the normals init.c draws before orthonormalizing, same seed and order */
  rnn_real *a = filled(5, RNN_INIT_NORMAL, blocks, rows, cols, 0);
  int wide = rows <= cols;
  int count = wide ? rows : cols, len = wide ? cols : rows;
  size_t vstride = wide ? (size_t)cols : 1, estride = wide ? 1 : (size_t)cols;
  size_t block = (size_t)rows * (size_t)cols;
  double gram = 0, qr = 0;
  for (int b = 0; b < blocks; b++) {
    gram = max_d(gram, worst_gram_error(q + b * block, count, len, vstride, estride));
    /* block b's normals follow block b-1's (no redraws at these sizes) */
    qr = max_d(qr, worst_qr_error(q + b * block, a + b * block, count, len, vstride, estride));
  }
  char label[96];
  snprintf(label, sizeof label, "orthogonal %dx[%d][%d]: %s", blocks, rows, cols,
           wide ? "Q Q^T = I per block" : "Q^T Q = I per block");
  check(t, label, gram, TOL_ORTHO);
  snprintf(label, sizeof label, "orthogonal %dx[%d][%d]: Q of QR, diag(R) > 0", blocks, rows,
           cols);
  check(t, label, qr, TOL_ORTHO);
  free(q);
  free(a);
}

static void test_init_others(Tally *t) {
  check_orthogonal(t, 4, 8, 12);
  check_orthogonal(t, 3, 12, 5);
  check_orthogonal(t, 4, 32, 32);

  size_t n = 4 * 50 * 50;
  rnn_real *w = filled(6, RNN_INIT_TORCH_UNIFORM, 4, 50, 50, (rnn_real)0.125);
  check_uniform_fill(t, "torch_uniform scale 0.125", n, w, 0.125);
  free(w);

  w = filled(7, RNN_INIT_UNIFORM, 4, 50, 50, 0);
  check_uniform_fill(t, "uniform (Keras embedding)", n, w, 0.05);
  free(w);

  w = filled(8, RNN_INIT_NORMAL, 4, 50, 50, 0);
  check(t, "normal scale 0: variance 1 (relative)", fabs(variance_of(n, w) - 1.0), 0.04);
  free(w);
  w = filled(8, RNN_INIT_NORMAL, 4, 50, 50, (rnn_real)0.5);
  check(t, "normal scale 0.5: variance 0.25 (relative)", fabs(variance_of(n, w) / 0.25 - 1.0),
        0.04);
  free(w);

  w = filled(9, RNN_INIT_ZEROS, 3, 7, 5, 0);
  check(t, "zeros: max |w|", max_abs(3 * 7 * 5, w), 0.0);
  free(w);

  rnn_real *w1 = filled(10, RNN_INIT_GLOROT_NORMAL, 2, 9, 4, 0);
  rnn_real *w2 = filled(10, RNN_INIT_GLOROT_NORMAL, 2, 9, 4, 0);
  check(t, "init reproducible from the seed (count differing)",
        (double)(memcmp(w1, w2, 2 * 9 * 4 * sizeof *w1) != 0), 0.0);
  free(w1);
  free(w2);
}

/* ---------------------------------------------------------------------- */
/* Optimizers against PyTorch                                             */
/* ---------------------------------------------------------------------- */

/* Pasted from `/usr/bin/python3 tests/runtime/optim_reference.py` (PyTorch,
 * float64): rerun it and replace the block to regenerate. */
/* BEGIN optim_reference.py output (PyTorch 1.13.0a0, float64) */
enum { OPT_N = 5, OPT_STEPS = 3 };
static const double opt_params0[OPT_N] = {0.5, -1.25, 2.0, -0.03125, 0.75};
static const double opt_grads[OPT_STEPS][OPT_N] = {
    {0.25, -0.5, 1.5, 0.0625, -2.0},
    {-0.125, -0.75, 1.0, 0.5, -1.5},
    {0.375, 0.25, -0.5, -0.0625, 0.125},
};
typedef struct OptCase {
  const char *name;
  RnnOptKind kind;
  double lr, momentum, beta1, beta2, eps, rho, weight_decay, initial_accumulator;
  int nesterov, centered;
  double expected[OPT_STEPS][OPT_N]; /* params after each step */
} OptCase;
static const OptCase opt_cases[] = {
    {"sgd", RNN_OPT_SGD,
     0.1, 0.0, 0.9, 0.999, 1e-08, 0.99, 0.0, 0.0,
     0, 0,
     {
         {0.475, -1.2, 1.85, -0.0375, 0.95},
         {0.4875, -1.125, 1.75, -0.0875, 1.0999999999999999},
         {0.45, -1.15, 1.8, -0.08124999999999999, 1.0875},
     }},
    {"sgd+momentum", RNN_OPT_SGD,
     0.1, 0.9, 0.9, 0.999, 1e-08, 0.99, 0.0, 0.0,
     0, 0,
     {
         {0.475, -1.2, 1.85, -0.0375, 0.95},
         {0.46499999999999997, -1.0799999999999998, 1.615, -0.093125, 1.28},
         {0.4185, -0.9969999999999999, 1.4535, -0.1369375, 1.5645},
     }},
    {"sgd+nesterov", RNN_OPT_SGD,
     0.1, 0.9, 0.9, 0.999, 1e-08, 0.99, 0.0, 0.0,
     1, 0,
     {
         {0.4525, -1.155, 1.715, -0.043125, 1.13},
         {0.456, -0.972, 1.4035, -0.14318750000000002, 1.577},
         {0.37665000000000004, -0.9223, 1.30815, -0.17636875000000002, 1.82055},
     }},
    {"sgd+momentum+weight_decay", RNN_OPT_SGD,
     0.1, 0.5, 0.9, 0.999, 1e-08, 0.99, 0.01, 0.0,
     0, 0,
     {
         {0.4745, -1.19875, 1.848, -0.03746875, 0.94925},
         {0.47377549999999996, -1.0969262499999999, 1.670152, -0.09054065625, 1.19792575},
         {0.4354394745, -1.0699174487499998, 1.6295578480000001, -0.11073606871875001, 1.30856569925},
     }},
    {"rmsprop", RNN_OPT_RMSPROP,
     0.01, 0.0, 0.9, 0.999, 1e-08, 0.99, 0.0, 0.0,
     0, 0,
     {
         {0.40000003999998407, -1.150000019999996, 1.9000000066666662, -0.13124984000025597, 0.8499999950000002},
         {0.4449013493776513, -1.066666695925921, 1.8443369757659018, -0.23048524176386576, 0.910192919127426},
         {0.3644651851199524, -1.0935561870160866, 1.8712747175714297, -0.21811409336225235, 0.9051579662004832},
     }},
    {"rmsprop centered+momentum", RNN_OPT_RMSPROP,
     0.01, 0.9, 0.9, 0.999, 1e-08, 0.9, 0.0, 0.0,
     0, 1,
     {
         {0.4666666711111105, -1.2166666688888887, 1.9666666674074074, -0.06458331555556504, 0.7833333327777778},
         {0.4515145201203542, -1.1571010522549356, 1.91655676923159, -0.12809778426248558, 0.8350724623975005},
         {0.41020890180647057, -1.1129252204144071, 1.881059623765261, -0.18097711942811306, 0.879768302182378},
     }},
    {"rmsprop centered", RNN_OPT_RMSPROP,
     0.01, 0.0, 0.9, 0.999, 1e-08, 0.9, 0.0, 0.0,
     0, 1,
     {
         {0.4666666711111105, -1.2166666688888887, 1.9666666674074074, -0.06458331555556504, 0.7833333327777778},
         {0.48151451612035473, -1.1871010502549357, 1.9465567685649234, -0.09809780026247705, 0.8050724628975006},
         {0.4538458336981518, -1.1965342733849649, 1.9561585314568302, -0.09381411359187605, 0.8032030860246275},
     }},
    {"rmsprop momentum+weight_decay", RNN_OPT_RMSPROP,
     0.01, 0.5, 0.9, 0.999, 0.001, 0.95, 0.1, 0.0,
     0, 0,
     {
         {0.45593551500889506, -1.2055963669839938, 1.9553959788304807, -0.07283887761469075, 0.7946177042567821},
         {0.4454530451124601, -1.1469066687112177, 1.9069837305662167, -0.13765254213842198, 0.843870194809072},
         {0.4039579513349986, -1.1233309315038829, 1.8896258376863537, -0.1631550268721378, 0.8644388200389899},
     }},
    {"adam", RNN_OPT_ADAM,
     0.001, 0.0, 0.9, 0.999, 1e-08, 0.99, 0.0, 0.0,
     0, 0,
     {
         {0.49900000004, -1.24900000002, 1.9990000000066668, -0.03224999984000002, 0.750999999995},
         {0.49873366301381733, -1.2480091927710069, 1.9980296478861832, -0.03307146557528391, 0.7519825750708997},
         {0.4980983428539971, -1.2474420244208917, 1.9974777559945514, -0.03362295532018289, 0.7527092323140889},
     }},
    {"adam+weight_decay", RNN_OPT_ADAM,
     0.01, 0.0, 0.8, 0.99, 0.001, 0.99, 0.1, 0.0,
     0, 0,
     {
         {0.4900332225913621, -1.2400159744408945, 1.9900058788947679, -0.041084368530020704, 0.7599948078920041},
         {0.4858794262776655, -1.2299904113039577, 1.9803395773453534, -0.04958781327840074, 0.7697217762478634},
         {0.4784092079116047, -1.223611843756359, 1.974432116214135, -0.05474297615892841, 0.7761457854024557},
     }},
    {"adagrad", RNN_OPT_ADAGRAD,
     0.1, 0.0, 0.9, 0.999, 1e-10, 0.99, 0.0, 0.0,
     0, 0,
     {
         {0.40000000004, -1.15000000002, 1.9000000000066666, -0.13124999984000002, 0.849999999995},
         {0.44472135957399583, -1.0667949705954463, 1.8445299803872206, -0.23047778749167447, 0.9099999999926},
         {0.3645429870174114, -1.0935210947838316, 1.8712561045770344, -0.21816863839616543, 0.9050062382984102},
     }},
    {"adagrad init+weight_decay", RNN_OPT_ADAGRAD,
     0.1, 0.0, 0.9, 0.999, 0.001, 0.99, 0.01, 0.1,
     0, 0,
     {
         {0.43738223746579713, -1.1650378065172982, 1.9021593367188934, -0.05048615394911275, 0.848714944890516},
         {0.46578065691473436, -1.0866756648214335, 1.8473170856237566, -0.1343724366958715, 0.9081397217155852},
         {0.3991693746852498, -1.1105656694552095, 1.8724030357427888, -0.12371159186608507, 0.9028052669587233},
     }},
};
/* END optim_reference.py output */

/* ids: sgd, +momentum, +nesterov, +momentum+wd, rmsprop, centered+momentum,
 * centered, momentum+wd, adam, adam+wd, adagrad, adagrad init+wd */
static const int expected_slots[] = {0, 1, 1, 1, 1, 3, 2, 2, 2, 2, 1, 1};

static RnnOptConfig config_of(const OptCase *c) {
  RnnOptConfig cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.kind = c->kind;
  cfg.lr = c->lr;
  cfg.momentum = c->momentum;
  cfg.beta1 = c->beta1;
  cfg.beta2 = c->beta2;
  cfg.eps = c->eps;
  cfg.rho = c->rho;
  cfg.weight_decay = c->weight_decay;
  cfg.initial_accumulator = c->initial_accumulator;
  cfg.nesterov = c->nesterov;
  cfg.centered = c->centered;
  cfg.schedule = RNN_SCHED_CONSTANT;
  return cfg;
}

/* Worst rel_err over the three steps of one case. */
static double run_opt_case(const OptCase *c) {
  RnnOptConfig cfg = config_of(c);
  rnn_real params[OPT_N], grads[OPT_N], slots[3 * OPT_N];
  for (int i = 0; i < OPT_N; i++) params[i] = (rnn_real)opt_params0[i];
  for (int i = 0; i < 3 * OPT_N; i++) slots[i] = 42; /* rnn_opt_init must reset */
  rnn_opt_init(&cfg, OPT_N, slots);
  double worst = 0;
  for (int s = 0; s < OPT_STEPS; s++) {
    for (int i = 0; i < OPT_N; i++) grads[i] = (rnn_real)opt_grads[s][i];
    rnn_opt_step(&cfg, s + 1, rnn_schedule_lr(&cfg, s), OPT_N, params, grads, slots);
    for (int i = 0; i < OPT_N; i++)
      worst = max_d(worst, rel_err((double)params[i], c->expected[s][i]));
  }
  return worst;
}

static void test_optimizers(Tally *t) {
  int cases = (int)(sizeof opt_cases / sizeof opt_cases[0]);
  int wrong_slots = cases != (int)(sizeof expected_slots / sizeof expected_slots[0]);
  for (int k = 0; k < cases && !wrong_slots; k++) {
    RnnOptConfig cfg = config_of(&opt_cases[k]);
    wrong_slots += rnn_opt_slots(&cfg) != expected_slots[k];
  }
  check(t, "rnn_opt_slots per configuration (count wrong)", wrong_slots, 0);
  for (int k = 0; k < cases; k++) {
    char label[96];
    snprintf(label, sizeof label, "optimizer %s: 3 steps vs PyTorch", opt_cases[k].name);
    check(t, label, run_opt_case(&opt_cases[k]), TOL_TORCH);
  }
}

/* ---------------------------------------------------------------------- */
/* Clipping and schedules                                                 */
/* ---------------------------------------------------------------------- */

static void test_clip(Tally *t) {
  /* norm sqrt(9 + 16 + 144) = 13 */
  rnn_real g[4] = {3, -4, 0, 12};
  double norm = rnn_clip_global_norm(4, g, 1.3);
  double coef = 1.3 / (13.0 + 1e-6);
  double worst = fabs(norm - 13.0);
  const double want[4] = {3 * coef, -4 * coef, 0, 12 * coef};
  for (int i = 0; i < 4; i++) worst = max_d(worst, rel_err((double)g[i], want[i]));
  check(t, "clip norm 13 to 1.3: returns 13, scales by 1.3/(13+1e-6)", worst, TOL_FORMULA);

  rnn_real h[4] = {3, -4, 0, 12};
  norm = rnn_clip_global_norm(4, h, 20.0);
  worst = fabs(norm - 13.0) + fabs((double)h[0] - 3) + fabs((double)h[1] + 4) +
          fabs((double)h[3] - 12);
  check(t, "clip norm 13 to 20: returns 13, gradients untouched", worst, TOL_FORMULA);

  norm = rnn_clip_global_norm(4, h, 0.0);
  worst = fabs(norm - 13.0) + fabs((double)h[3] - 12);
  check(t, "clip max_norm 0: measures only", worst, TOL_FORMULA);
}

typedef struct SchedCase {
  const char *name;
  RnnSchedKind kind;
  long every, steps, warmup;
  double gamma, min_lr;
  long step;
  double want; /* with lr = 0.1, by hand */
} SchedCase;

static const SchedCase sched_cases[] = {
    {"constant step 0", RNN_SCHED_CONSTANT, 0, 0, 0, 0, 0, 0, 0.1},
    {"constant step 1000", RNN_SCHED_CONSTANT, 0, 0, 0, 0, 0, 1000, 0.1},
    {"step every 10, gamma 0.5, step 9", RNN_SCHED_STEP, 10, 0, 0, 0.5, 0, 9, 0.1},
    {"step every 10, gamma 0.5, step 10", RNN_SCHED_STEP, 10, 0, 0, 0.5, 0, 10, 0.05},
    {"step every 10, gamma 0.5, step 25", RNN_SCHED_STEP, 10, 0, 0, 0.5, 0, 25, 0.025},
    {"exponential gamma 0.9, step 3", RNN_SCHED_EXPONENTIAL, 0, 0, 0, 0.9, 0, 3, 0.0729},
    {"cosine 100 steps to 0.01, step 0", RNN_SCHED_COSINE, 0, 100, 0, 0, 0.01, 0, 0.1},
    {"cosine 100 steps to 0.01, step 50", RNN_SCHED_COSINE, 0, 100, 0, 0, 0.01, 50, 0.055},
    /* cos(pi/4) = sqrt(1/2): 0.01 + 0.09 (1 + 0.7071...) / 2 */
    {"cosine 100 steps to 0.01, step 25", RNN_SCHED_COSINE, 0, 100, 0, 0, 0.01, 25,
     0.01 + 0.045 * (1 + 0.70710678118654752)},
    {"cosine 100 steps to 0.01, step 100", RNN_SCHED_COSINE, 0, 100, 0, 0, 0.01, 100, 0.01},
    {"cosine 100 steps to 0.01, step 150", RNN_SCHED_COSINE, 0, 100, 0, 0, 0.01, 150, 0.01},
    {"warm-up 4, constant, step 0", RNN_SCHED_CONSTANT, 0, 0, 4, 0, 0, 0, 0.025},
    {"warm-up 4, constant, step 2", RNN_SCHED_CONSTANT, 0, 0, 4, 0, 0, 2, 0.075},
    {"warm-up 4, constant, step 4", RNN_SCHED_CONSTANT, 0, 0, 4, 0, 0, 4, 0.1},
    {"warm-up 4, exponential 0.5, step 1", RNN_SCHED_EXPONENTIAL, 0, 0, 4, 0.5, 0, 1, 0.025},
};

static void test_schedules(Tally *t) {
  int cases = (int)(sizeof sched_cases / sizeof sched_cases[0]);
  for (int k = 0; k < cases; k++) {
    const SchedCase *c = &sched_cases[k];
    RnnOptConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.kind = RNN_OPT_SGD;
    cfg.lr = 0.1;
    cfg.schedule = c->kind;
    cfg.sched_every = c->every;
    cfg.sched_steps = c->steps;
    cfg.warmup = c->warmup;
    cfg.sched_gamma = c->gamma;
    cfg.sched_min_lr = c->min_lr;
    char label[96];
    snprintf(label, sizeof label, "schedule %s", c->name);
    check(t, label, fabs(rnn_schedule_lr(&cfg, c->step) - c->want), 1e-15);
  }
}

/* ---------------------------------------------------------------------- */

int main(void) {
  Tally t = {0, 0};
  printf("test_math (%s)\n", PRECISION);

  test_activation(&t, RNN_ACT_LINEAR, "linear");
  test_activation(&t, RNN_ACT_RELU, "relu");
  test_activation(&t, RNN_ACT_TANH, "tanh");
  test_activation(&t, RNN_ACT_SIGMOID, "sigmoid");
  test_activation(&t, RNN_ACT_SOFTMAX, "softmax");
  test_activation_extremes(&t);

  test_loss_values(&t);
  test_loss_gradients(&t);
  test_loss_all_masked(&t);

  test_rng_known_values(&t);
  test_rng_reproducible(&t);
  test_rng_distributions(&t);
  test_dropout(&t);

  test_init_glorot(&t);
  test_init_others(&t);

  test_optimizers(&t);
  test_clip(&t);
  test_schedules(&t);

  printf("%d passed, %d failed\n", t.passed, t.failed);
  return t.failed == 0 ? 0 : 1;
}
