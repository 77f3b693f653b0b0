/*
 * count_flops.c - `rnnc stats` FLOPs equal the GEMMs the emitted code runs.
 *
 * Linked with -Wl,--wrap=rnn_gemm and the same for the recurrence's
 * packed products (rnn_recurrent_fwd, rnn_recurrent_bwd): every call, from
 * the generated model or from the runtime's kernels, comes through a
 * __wrap_ function, which adds 2*m*n*k to a counter (this test's own state;
 * the runtime keeps none) and then does the product. One forward pass and
 * one forward + backward are counted and compared, exactly, with the
 * figures the compiler put in the description table - the ones
 * `rnnc stats` prints.
 *
 * Built per model with -DMODEL_DESC=name_desc.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rnn_model.h"

#ifndef MODEL_DESC
#error "build with -DMODEL_DESC=<name>_desc"
#endif
extern const RnnModelDesc MODEL_DESC;

/* _Atomic: the runtime calls the products from several threads at once. */
static _Atomic unsigned long long counted;

static void count(double flops) { counted += (unsigned long long)flops; }

void __real_rnn_gemm(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
                     const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
                     rnn_real *c, int ldc);
void __wrap_rnn_gemm(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
                     const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
                     rnn_real *c, int ldc);

void __wrap_rnn_gemm(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
                     const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
                     rnn_real *c, int ldc) {
  count(2.0 * m * n * k);
  __real_rnn_gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void __real_rnn_recurrent_fwd(const RnnRecurrent *rec, int G, int H, int g0, int g1, int m,
                              const rnn_real *a, int accumulate, rnn_real *out, int ldo);
void __wrap_rnn_recurrent_fwd(const RnnRecurrent *rec, int G, int H, int g0, int g1, int m,
                              const rnn_real *a, int accumulate, rnn_real *out, int ldo);
void __real_rnn_recurrent_bwd(const RnnRecurrent *rec, int G, int H, int k0, int k, int m,
                              const rnn_real *d, int ldd, int accumulate, rnn_real *out,
                              int ldo);
void __wrap_rnn_recurrent_bwd(const RnnRecurrent *rec, int G, int H, int k0, int k, int m,
                              const rnn_real *d, int ldd, int accumulate, rnn_real *out,
                              int ldo);

void __wrap_rnn_recurrent_fwd(const RnnRecurrent *rec, int G, int H, int g0, int g1, int m,
                              const rnn_real *a, int accumulate, rnn_real *out, int ldo) {
  count(2.0 * m * H * H * (g1 - g0));
  __real_rnn_recurrent_fwd(rec, G, H, g0, g1, m, a, accumulate, out, ldo);
}

/* Without a packed copy the product goes through rnn_gemm, counted there. */
void __wrap_rnn_recurrent_bwd(const RnnRecurrent *rec, int G, int H, int k0, int k, int m,
                              const rnn_real *d, int ldd, int accumulate, rnn_real *out,
                              int ldo) {
  if (rec->bwd != NULL) count(2.0 * m * H * k);
  __real_rnn_recurrent_bwd(rec, G, H, k0, k, m, d, ldd, accumulate, out, ldo);
}

static void *zalloc(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p) {
    fprintf(stderr, "count_flops: out of memory\n");
    exit(2);
  }
  return p;
}

static int compare(const char *what, double got, double want) {
  int ok = got == want;
  printf("  %-18s counted %.0f, rnnc stats %.0f  %s\n", what, got, want, ok ? "ok" : "FAIL");
  return ok;
}

int main(void) {
  const RnnModelDesc *d = &MODEL_DESC;
  void *p = zalloc(d->params_size), *g = zalloc(d->params_size);
  void *s = zalloc(d->state_size), *ws = zalloc(d->workspace_size);
  void *b = zalloc(d->batch_size); /* all-zero ids and targets are valid */
  d->init(p, 1);
  RnnRng rng;
  rnn_rng_seed(&rng, 1);
  printf("%s:\n", d->name);
  counted = 0;
  d->forward(p, s, ws, b, &rng);
  int ok = compare("forward", (double)counted, d->forward_flops);
  d->backward(p, ws, b, g);
  ok &= compare("forward+backward", (double)counted, d->train_flops);
  printf("%d passed, %d failed\n", ok ? 2 : 0, ok ? 0 : 1);
  free(p);
  free(g);
  free(s);
  free(ws);
  free(b);
  return ok ? 0 : 1;
}
