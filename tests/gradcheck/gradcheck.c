/*
 * gradcheck.c - finite-difference gradient check of a generated model, in
 * double precision, through its description table (any spec).
 *
 * Built once per model with -DMODEL_DESC=name_desc and -DRNN_REAL_DOUBLE.
 * Fills a batch with valid random data (padding and lengths included when
 * the model masks), perturbs the initial parameters so no gradient is
 * trivially zero, then compares the analytic gradient from NAME_backward
 * with central differences of NAME_forward's loss:
 *   - per element: up to SAMPLES random elements of every tensor;
 *   - in a random direction d over all parameters (kann's kad_check_grad):
 *     (L(p + eps d) - L(p - eps d)) / 2 eps  against  g . d.
 * Dropout is on with a fixed seed: each forward re-seeds the dropout RNG,
 * so every evaluation sees the same masks.
 *
 * Error: |a - n| / max(|a| + |n|, 1e-3), i.e. relative, and absolute below
 * gradients of 1e-3 where the differences' own rounding (~1e-10) would
 * dominate. Passes when every error is below 1e-6.
 *
 * Step size: central differences fail in two ways - rounding, which grows
 * as 1/eps (a long LSTM's loss carries ~1e-14 of it), and truncation or a
 * ReLU kink crossed inside [p - eps, p + eps], which grow with eps. So each
 * element is tried with eps 1e-5, then 1e-6, then 1e-4, and passes when one
 * of them agrees. A wrong gradient disagrees at every step size.
 *
 *   gradcheck [SAMPLES]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_model.h"

#ifndef MODEL_DESC
#error "build with -DMODEL_DESC=<name>_desc"
#endif
extern const RnnModelDesc MODEL_DESC;

static const double steps[] = {1e-5, 1e-6, 1e-4};
#define TOLERANCE 1e-6

typedef struct Model {
  const RnnModelDesc *d;
  void *params, *grads, *state, *ws, *batch;
} Model;

static void *xcalloc(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p) {
    fprintf(stderr, "gradcheck: out of memory (%zu bytes)\n", n);
    exit(2);
  }
  return p;
}

/* Valid random inputs and targets; masked models get sequences of random
 * length, padded at the end or (odd rows) at the start. */
static void fill_batch(const RnnModelDesc *d, void *batch, RnnRng *rng) {
  int T = d->length, B = d->batch;
  int32_t *len = d->batch_lengths >= 0 ? (int32_t *)((char *)batch + d->batch_lengths) : NULL;
  int32_t *lengths = xcalloc((size_t)B * sizeof *lengths);
  for (int b = 0; b < B; b++) {
    lengths[b] = d->mask == RNN_MASK_NONE ? T : 1 + (int)(rnn_rng_uniform(rng) * T);
    if (len)
      len[b] = lengths[b];
  }
  if (d->tokens) {
    int32_t *x = (int32_t *)((char *)batch + d->batch_x); /* [T][B] */
    for (int t = 0; t < T; t++)
      for (int b = 0; b < B; b++) {
        int32_t id;
        do
          id = (int32_t)(rnn_rng_uniform(rng) * d->vocab);
        while (d->mask == RNN_MASK_PADDING && id == d->padding_id);
        int real = (b % 2 == 0) ? t < lengths[b] : t >= T - lengths[b];
        if (d->mask == RNN_MASK_PADDING && !real)
          id = d->padding_id;
        x[t * B + b] = id;
      }
  } else {
    rnn_real *x = (rnn_real *)((char *)batch + d->batch_x); /* [T][B][F] */
    for (size_t i = 0; i < (size_t)T * B * d->features; i++)
      x[i] = (rnn_real)rnn_rng_normal(rng);
  }
  size_t rows = (size_t)(d->out_per_step ? T : 1) * B;
  if (d->loss == RNN_LOSS_XENT) {
    int32_t *y = (int32_t *)((char *)batch + d->batch_y);
    for (size_t i = 0; i < rows; i++)
      y[i] = (int32_t)(rnn_rng_uniform(rng) * d->out_units);
  } else {
    rnn_real *y = (rnn_real *)((char *)batch + d->batch_y);
    for (size_t i = 0; i < rows * (size_t)d->out_units; i++)
      y[i] = d->loss == RNN_LOSS_BCE ? (rnn_rng_uniform(rng) < 0.5 ? 0 : 1)
                                     : (rnn_real)rnn_rng_normal(rng);
  }
  free(lengths);
}

/* The loss at the current parameters, with the same dropout masks and the
 * same initial state every time. */
static double loss_at(Model *m) {
  RnnRng drop;
  rnn_rng_seed(&drop, 1234);
  m->d->reset_state(m->state);
  return m->d->forward(m->params, m->state, m->ws, m->batch, &drop);
}

static double rel_error(double a, double n) {
  double denom = fabs(a) + fabs(n);
  return fabs(a - n) / (denom > 1e-3 ? denom : 1e-3);
}

int main(int argc, char **argv) {
  int samples = argc > 1 ? atoi(argv[1]) : 12;
  Model m = {&MODEL_DESC, NULL, NULL, NULL, NULL, NULL};
  const RnnModelDesc *d = m.d;
  m.params = xcalloc(d->params_size);
  m.grads = xcalloc(d->params_size);
  m.state = xcalloc(d->state_size);
  m.ws = xcalloc(d->workspace_size);
  m.batch = xcalloc(d->batch_size);
  RnnRng rng;
  rnn_rng_seed(&rng, 42);
  d->init(m.params, 7);
  rnn_real *p = m.params, *g = m.grads;
  for (size_t i = 0; i < d->n_params; i++) /* no parameter exactly at its init */
    p[i] += (rnn_real)(0.05 * rnn_rng_normal(&rng));
  /* Contractive dynamics: an orthogonal W_hh times a recurrent-dropout mask
   * of 1/(1-p) is expansive, and over 500 steps the loss becomes so
   * sensitive (gradients ~1e7) that no finite difference resolves it. The
   * check is about the derivative code, so it runs where the model is well
   * conditioned: recurrent weights at half their scale. */
  for (int ti = 0; ti < d->n_tensors; ti++) {
    const RnnTensorDesc *t = &d->tensors[ti];
    size_t len = strlen(t->name);
    if (len > 10 && strcmp(t->name + len - 10, ".weight_hh") == 0)
      for (size_t i = 0; i < (size_t)t->rows * t->cols; i++)
        p[t->offset + i] *= (rnn_real)0.5;
  }
  fill_batch(d, m.batch, &rng);

  double loss = loss_at(&m);
  d->backward(m.params, m.ws, m.batch, m.grads);
  printf("gradcheck %s: loss %.6f, %zu parameters\n", d->name, loss, d->n_params);

  int failed = 0, checked = 0;
  double worst_all = 0;
  for (int ti = 0; ti < d->n_tensors; ti++) {
    const RnnTensorDesc *t = &d->tensors[ti];
    size_t count = (size_t)t->rows * (size_t)t->cols;
    double worst = 0;
    size_t worst_at = 0;
    int n = (size_t)samples < count ? samples : (int)count;
    for (int k = 0; k < n; k++) {
      size_t i = t->offset + (n == (int)count ? (size_t)k
                                              : (size_t)(rnn_rng_uniform(&rng) * count));
      double e = HUGE_VAL, numeric = 0;
      for (int k2 = 0; k2 < 3 && !(e < TOLERANCE); k2++) {
        double eps = steps[k2];
        rnn_real saved = p[i];
        p[i] = saved + (rnn_real)eps;
        double up = loss_at(&m);
        p[i] = saved - (rnn_real)eps;
        double down = loss_at(&m);
        p[i] = saved;
        double err = rel_error(g[i], (up - down) / (2 * eps));
        if (!(err >= e)) { /* also replaces a NaN */
          e = err;
          numeric = (up - down) / (2 * eps);
        }
      }
      if (!(e < TOLERANCE))
        printf("    %s[%zu]: analytic %.10g, numeric %.10g\n", t->name, i - t->offset,
               (double)g[i], numeric);
      if (isnan(e))
        e = HUGE_VAL; /* a NaN must fail, never compare as "not worse" */
      if (e > worst) {
        worst = e;
        worst_at = i - t->offset;
      }
      checked++;
    }
    int ok = worst < TOLERANCE;
    failed += !ok;
    if (worst > worst_all)
      worst_all = worst;
    printf("  %-28s %6d elements  worst %.2e at %zu  %s\n", t->name, n, worst, worst_at,
           ok ? "ok" : "FAIL");
  }

  /* the whole gradient at once, in a random direction */
  rnn_real *dir = xcalloc(d->n_params * sizeof(rnn_real));
  double norm = 0, dot = 0;
  for (size_t i = 0; i < d->n_params; i++) {
    dir[i] = (rnn_real)rnn_rng_normal(&rng);
    norm += (double)dir[i] * dir[i];
  }
  norm = sqrt(norm);
  rnn_real *saved = xcalloc(d->n_params * sizeof(rnn_real));
  memcpy(saved, p, d->n_params * sizeof(rnn_real));
  for (size_t i = 0; i < d->n_params; i++) {
    dir[i] = (rnn_real)(dir[i] / norm);
    dot += (double)g[i] * dir[i];
  }
  double e = HUGE_VAL;
  for (int k2 = 0; k2 < 3 && !(e < TOLERANCE); k2++) {
    double eps = steps[k2];
    for (size_t i = 0; i < d->n_params; i++)
      p[i] = saved[i] + (rnn_real)(eps * dir[i]);
    double up = loss_at(&m);
    for (size_t i = 0; i < d->n_params; i++)
      p[i] = saved[i] - (rnn_real)(eps * dir[i]);
    double down = loss_at(&m);
    double err = rel_error(dot, (up - down) / (2 * eps));
    if (!(err >= e))
      e = err;
  }
  memcpy(p, saved, d->n_params * sizeof(rnn_real));
  int ok = e < TOLERANCE;
  failed += !ok;
  printf("  %-28s %6s           error %.2e  %s\n", "random direction", "all", e, ok ? "ok" : "FAIL");
  if (e > worst_all)
    worst_all = e;

  printf("%s: worst error %.2e over %d elements and 1 direction\n", d->name, worst_all, checked);
  printf("%d passed, %d failed\n", d->n_tensors + 1 - failed, failed);
  free(dir);
  free(saved);
  free(m.params);
  free(m.grads);
  free(m.state);
  free(m.ws);
  free(m.batch);
  return failed ? 1 : 0;
}
