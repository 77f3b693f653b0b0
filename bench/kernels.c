/*
 * kernels.c - the per-step recurrent product h[t-1] U^T (B rows) and its
 * backward dG U, timed the ways rnnc could run it: OpenBLAS's sgemm (which
 * re-packs U at every call), rnnc's packed kernels (runtime/kernels/packed.c) in
 * every instruction-set version this CPU runs, and, when built with
 * -DWITH_LIBXSMM, libxsmm 1.17's JIT small GEMM on U packed once into
 * column panels (the candidate library, Debian libxsmm-dev).
 *
 *   kernels [--seconds S] [--shape B,N,K ...] [--check]
 *
 * Prints one row per shape and method: GFLOP/s (2*B*N*K per product),
 * median microseconds per product, and the largest difference from
 * rnn_gemm_ref. Every method multiplies the same operands; --check makes
 * a difference above 1e-4 * sqrt(K) an error (exit 1: the smoke test). The default
 * shapes are the benchmark configs' per-step products (forward N = G*H,
 * K = H; backward N = H, K = G*H).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rnn.h"
#include "rnn_kernels.h"

#ifdef WITH_LIBXSMM
#include <libxsmm.h>
#endif

typedef struct Shape {
  int m, n, k;
  const char *what;
} Shape;

static const Shape default_shapes[] = {
    {32, 512, 128, "C1 lstm fwd"},   {32, 128, 512, "C1 lstm bwd"},
    {32, 2048, 512, "C2 lstm fwd"},  {32, 512, 2048, "C2 lstm bwd"},
    {32, 768, 256, "C3 gru fwd"},    {32, 256, 768, "C3 gru bwd"},
    {150, 150, 150, "C4 rnn fwd/bwd"}, {128, 64, 64, "C6 rnn 64"},
    {1, 2048, 512, "C2 batch 1"},
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef void Method(const Shape *s, const float *a, const float *u, const void *prep, float *c);

/* Times METHOD: batches of calls until SECONDS pass; the median per call. */
static double time_method(Method *fn, const Shape *s, const float *a, const float *u,
                          const void *prep, float *c, double seconds) {
  double samples[200];
  int ns = 0, reps = 1;
  fn(s, a, u, prep, c); /* warm */
  double t0 = now();
  fn(s, a, u, prep, c);
  double one = now() - t0;
  while (reps * one < 2e-3 && reps < 1 << 20) reps *= 2;
  double end = now() + seconds;
  while (ns < 200 && (now() < end || ns < 5)) {
    double t = now();
    for (int r = 0; r < reps; r++) fn(s, a, u, prep, c);
    samples[ns++] = (now() - t) / reps;
  }
  qsort(samples, (size_t)ns, sizeof *samples, cmp_double);
  return samples[ns / 2];
}

/* C = A U^T with U [n][k]: what cells.c did before packing. */
static void m_openblas(const Shape *s, const float *a, const float *u, const void *prep, float *c) {
  (void)prep;
  rnn_gemm(0, 1, s->m, s->n, s->k, 1, a, s->k, u, s->k, 0, c, s->n);
}

typedef struct PackedPrep {
  RnnIsa isa;
  const float *packed;
} PackedPrep;

static void m_packed(const Shape *s, const float *a, const float *u, const void *prep, float *c) {
  (void)u;
  const PackedPrep *pp = prep;
  rnn_gemm_packed_isa(pp->isa, s->m, s->n, s->k, a, s->k, pp->packed, s->k, 0, c, s->n);
}

static void m_gemv(const Shape *s, const float *a, const float *u, const void *prep, float *c) {
  (void)prep;
  for (int i = 0; i < s->m; i++)
    rnn_gemv_rows(s->n, s->k, u, s->k, a + (size_t)i * s->k, 0, c + (size_t)i * s->n);
}

#ifdef WITH_LIBXSMM
typedef struct XsmmPrep {
  int nb;
  const float *packed; /* panels of nb columns: [n/nb][k][nb] */
  libxsmm_smmfunction kernel;
} XsmmPrep;

/* libxsmm is column-major: per panel, C^T[nb][m] = P^T[nb][k] A^T[k][m]. */
static void m_xsmm(const Shape *s, const float *a, const float *u, const void *prep, float *c) {
  (void)u;
  const XsmmPrep *xp = prep;
  for (int p = 0; p < s->n / xp->nb; p++)
    xp->kernel(xp->packed + (size_t)p * s->k * xp->nb, a, c + (size_t)p * xp->nb);
}
#endif

static double max_diff(const float *x, const float *y, size_t n) {
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)x[i] - (double)y[i]);
    if (d > worst) worst = d;
  }
  return worst;
}

static int n_bad; /* methods whose result differs from the reference (--check) */

static void report(const Shape *s, const char *method, double sec, double diff) {
  double flop = 2.0 * s->m * s->n * s->k;
  if (!(diff <= 1e-4 * sqrt((double)s->k))) {
    n_bad++;
    fprintf(stderr, "kernels: %s on %dx%dx%d differs from the reference by %.1e\n", method,
            s->m, s->n, s->k, diff);
  }
  printf("| %d | %d | %d | %s | %s | %.1f | %.2f | %.1e |\n", s->m, s->n, s->k, s->what, method,
         flop / sec * 1e-9, sec * 1e6, diff);
  fflush(stdout);
}

static void run_shape(const Shape *s, double seconds) {
  size_t na = (size_t)s->m * s->k, nu = (size_t)s->n * s->k, nc = (size_t)s->m * s->n;
  float *a = malloc(na * sizeof *a), *u = malloc(nu * sizeof *u);
  float *ref = malloc(nc * sizeof *ref), *c = malloc(nc * sizeof *c);
  float *packed = malloc(RNN_PACKED_SIZE(s->k, s->n) * sizeof *packed);
  if (!a || !u || !ref || !c || !packed) {
    fprintf(stderr, "kernels: out of memory\n");
    exit(2);
  }
  RnnRng rng;
  rnn_rng_seed(&rng, 7);
  for (size_t i = 0; i < na; i++) a[i] = (float)rnn_rng_uniform(&rng) - 0.5f;
  for (size_t i = 0; i < nu; i++) u[i] = (float)rnn_rng_uniform(&rng) - 0.5f;
  rnn_gemm_ref(0, 1, s->m, s->n, s->k, 1, a, s->k, u, s->k, 0, ref, s->n);

  double t = time_method(m_openblas, s, a, u, NULL, c, seconds);
  report(s, "OpenBLAS sgemm", t, max_diff(c, ref, nc));
  rnn_pack(1, s->k, s->n, u, s->k, packed); /* touch the pages first */
  double t0 = now();
  rnn_pack(1, s->k, s->n, u, s->k, packed);
  double pack = now() - t0;
  for (int isa = 0; isa < RNN_ISA_COUNT; isa++) {
    if (!rnn_isa_supported((RnnIsa)isa)) continue;
    PackedPrep pp = {(RnnIsa)isa, packed};
    char name[64];
    snprintf(name, sizeof name, "rnnc packed %s", rnn_isa_name((RnnIsa)isa));
    t = time_method(m_packed, s, a, u, &pp, c, seconds);
    report(s, name, t, max_diff(c, ref, nc));
  }
  printf("| | | | | (packing U once: %.1f us) | | | |\n", pack * 1e6);
  if (s->m == 1) {
    t = time_method(m_gemv, s, a, u, NULL, c, seconds);
    report(s, "rnnc gemv (row-major U)", t, max_diff(c, ref, nc));
  }
#ifdef WITH_LIBXSMM
  static const int widths[] = {16, 32, 64};
  for (int w = 0; w < 3; w++) {
    int nb = widths[w];
    if (s->n % nb) continue;
    float *xpk = malloc(nu * sizeof *xpk);
    for (int p = 0; p < s->n / nb; p++) /* panel p: [k][nb] = U^T columns */
      for (int kk = 0; kk < s->k; kk++)
        for (int j = 0; j < nb; j++)
          xpk[((size_t)p * s->k + kk) * nb + j] = u[(size_t)(p * nb + j) * s->k + kk];
    libxsmm_blasint lda = nb, ldb = s->k, ldc = s->n;
    float alpha = 1, beta = 0;
    int flags = LIBXSMM_GEMM_FLAG_NONE, prefetch = LIBXSMM_GEMM_PREFETCH_NONE;
    XsmmPrep xp = {nb, xpk, libxsmm_smmdispatch(nb, s->m, s->k, &lda, &ldb, &ldc, &alpha,
                                                 &beta, &flags, &prefetch)};
    if (xp.kernel) {
      char name[64];
      snprintf(name, sizeof name, "libxsmm, panels of %d", nb);
      t = time_method(m_xsmm, s, a, u, &xp, c, seconds);
      report(s, name, t, max_diff(c, ref, nc));
    }
    free(xpk);
  }
#endif
  free(a), free(u), free(ref), free(c), free(packed);
}

int main(int argc, char **argv) {
  double seconds = 0.5;
  int check = 0;
  Shape extra[16];
  int n_extra = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--check") == 0) {
      check = 1;
    } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = atof(argv[++i]);
    } else if (strcmp(argv[i], "--shape") == 0 && i + 1 < argc && n_extra < 16) {
      Shape *s = &extra[n_extra];
      if (sscanf(argv[++i], "%d,%d,%d", &s->m, &s->n, &s->k) != 3 || s->m < 1 || s->n < 1 ||
          s->k < 1) {
        fprintf(stderr, "kernels: --shape wants B,N,K (positive), got '%s'\n", argv[i]);
        return 2;
      }
      s->what = "--shape";
      n_extra++;
    } else {
      fprintf(stderr, "usage: kernels [--seconds S] [--shape B,N,K]... [--check]\n");
      return 2;
    }
  }
#ifdef WITH_LIBXSMM
  libxsmm_init();
#endif
  printf("| B | N | K | product | method | GFLOP/s | us/product | max abs diff |\n");
  printf("|---|---|---|---|---|---|---|---|\n");
  const Shape *shapes = n_extra ? extra : default_shapes;
  int n = n_extra ? n_extra : (int)(sizeof default_shapes / sizeof *default_shapes);
  for (int i = 0; i < n; i++) run_shape(&shapes[i], seconds);
  return check && n_bad ? 1 : 0;
}
