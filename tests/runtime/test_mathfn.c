/*
 * test_mathfn.c - the runtime's exp, tanh and sigmoid (rnn_mathfn.h)
 * against libm in double.
 *
 * Float builds use approximations of their own (vectorizable, unlike
 * glibc's tanhf); this sweeps them over their whole useful range, densely
 * near 0 where tanh's relative error is hardest to keep, and checks the
 * largest error in units in the last place of the correctly rounded float
 * result. Double builds use libm itself: the sweep then checks that.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rnn_mathfn.h"

typedef struct Worst {
  double ulps, at;
} Worst;

/* Distance in units in the last place between GOT and the exact value
 * WANT, in the working precision's grid. */
static double ulp_error(rnn_real got, double want) {
#ifdef RNN_REAL_DOUBLE
  double ulp = nextafter(fabs(want), HUGE_VAL) - fabs(want);
#else
  float w = (float)want;
  double ulp = (double)(nextafterf(fabsf(w), HUGE_VALF) - fabsf(w));
#endif
  if (want == 0) return (double)got == 0 ? 0 : HUGE_VAL;
  return fabs((double)got - want) / ulp;
}

static void track(Worst *w, rnn_real got, double want, double x) {
  double e = ulp_error(got, want);
  if (e > w->ulps) {
    w->ulps = e;
    w->at = x;
  }
}

static int failed;

static void report(const char *what, const Worst *w, double limit) {
  int ok = w->ulps <= limit;
  printf("%s %-44s worst %.2f ulp at x = %.9g (limit %.0f)\n", ok ? "ok  " : "FAIL", what, w->ulps,
         w->at, limit);
  failed += !ok;
}

static void check(int ok, const char *what) {
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  failed += !ok;
}

/* X over [LO, HI] in N even steps, and magnitudes from 1e-30 up to HI
 * spaced evenly in log (both signs): SWEEP calls F on each. */
#define SWEEP(lo, hi, n, body)                                         \
  do {                                                                 \
    for (long k_ = 0; k_ <= (n); k_++) {                               \
      double x = (lo) + ((hi) - (lo)) * (double)k_ / (double)(n);      \
      body;                                                            \
    }                                                                  \
    for (long k_ = 0; k_ <= (n) / 4; k_++) {                           \
      double m_ = exp(log(1e-30) + (log(hi) - log(1e-30)) * (double)k_ / (double)((n) / 4)); \
      double x = m_;                                                   \
      body;                                                            \
      x = -m_;                                                         \
      body;                                                            \
    }                                                                  \
  } while (0)

int main(void) {
  const long n = 2000000;
  Worst e = {0, 0}, t = {0, 0}, s = {0, 0};
  /* exp: where the result is a normal float (the clamps are by design) */
  SWEEP(-87.3, 88.3, n, {
    if (x >= -87.3 && x <= 88.3) track(&e, rnn_exp((rnn_real)x), exp((double)(rnn_real)x), x);
  });
  SWEEP(-20.0, 20.0, n, track(&t, rnn_tanh((rnn_real)x), tanh((double)(rnn_real)x), x));
  SWEEP(-80.0, 80.0, n, {
    double xr = (double)(rnn_real)x;
    track(&s, rnn_sigmoid((rnn_real)x), 1.0 / (1.0 + exp(-xr)), x);
  });
  report("exp on [-87.3, 88.3]", &e, 2);
  report("tanh on [-20, 20], and down to 1e-30", &t, 3);
  report("sigmoid on [-80, 80], and down to 1e-30", &s, 3);

  rnn_real nan_in = (rnn_real)NAN;
  check(isnan(rnn_exp(nan_in)) && isnan(rnn_tanh(nan_in)) && isnan(rnn_sigmoid(nan_in)),
        "NaN in, NaN out (a diverged run stays visible)");
  rnn_real inf = (rnn_real)HUGE_VAL;
  check(rnn_tanh(inf) == 1 && rnn_tanh(-inf) == -1 && rnn_tanh(40) == 1 && rnn_tanh(-40) == -1,
        "tanh saturates at +-1");
  check(rnn_sigmoid(inf) == 1 && rnn_sigmoid(-inf) >= 0 && rnn_sigmoid(-inf) < (rnn_real)1e-37,
        "sigmoid(+inf) = 1, sigmoid(-inf) in [0, 1e-37)");
#ifdef RNN_REAL_DOUBLE
  int huge = isinf(rnn_exp(1000)); /* libm */
#else
  int huge = isfinite(rnn_exp(100)) && rnn_exp(100) > (rnn_real)1e38; /* clamped */
#endif
  check(rnn_exp(0) == 1 && rnn_exp(-inf) >= 0 && rnn_exp(-inf) < (rnn_real)2.4e-38 && huge,
        "exp(0) = 1; exp(-inf) tiny; exp of a large x huge (finite in float, inf in double)");
  printf("%s\n", failed ? "FAILED" : "all passed");
  return failed != 0;
}
