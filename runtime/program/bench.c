/*
 * bench.c - the program's `bench` command: a model's training step,
 * forward pass and sampling step timed on synthetic batches (rnn_bench.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "rnn_bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_report.h"

enum { BENCH_BATCHES = 4 }; /* cycled, as the peer's benchmark does */

/* Everything a model needs to run, allocated for one benchmark. */
typedef struct BenchModel {
  void *params, *grads, *optim, *state, *ws, *step_state;
  void *batches[BENCH_BATCHES];
} BenchModel;

static void bench_free(BenchModel *m) {
  free(m->params);
  free(m->grads);
  free(m->optim);
  free(m->state);
  free(m->ws);
  free(m->step_state);
  for (int i = 0; i < BENCH_BATCHES; i++) free(m->batches[i]);
}

static int bench_alloc(const RnnModelDesc *d, BenchModel *m) {
  memset(m, 0, sizeof *m);
  m->params = rnn_alloc(d->params_size);
  m->grads = rnn_alloc(d->params_size);
  m->optim = rnn_alloc(d->optim_size);
  m->state = rnn_alloc(d->state_size);
  m->ws = rnn_alloc(d->workspace_size);
  m->step_state = rnn_alloc(d->step_size ? d->step_size : 1);
  int ok = m->params && m->grads && m->optim && m->state && m->ws && m->step_state;
  for (int i = 0; i < BENCH_BATCHES; i++) {
    m->batches[i] = rnn_alloc(d->batch_size);
    ok = ok && m->batches[i];
  }
  if (ok) return 0;
  bench_free(m);
  return -1;
}

/* A uniform integer in [0, n). */
static int32_t random_below(RnnRng *rng, int n) {
  int32_t v = (int32_t)(rnn_rng_uniform(rng) * (double)n);
  return v < n ? v : n - 1;
}

/* Random inputs: token ids in [0, vocab) or features in [0, 1);
 * x is [T][B] int32 or [T][B][F] rnn_real. */
static void fill_inputs(const RnnModelDesc *d, char *batch, RnnRng *rng) {
  size_t cells = (size_t)d->length * (size_t)d->batch;
  if (d->tokens) {
    int32_t *x = (int32_t *)(batch + d->batch_x);
    for (size_t i = 0; i < cells; i++) x[i] = random_below(rng, d->vocab);
    return;
  }
  rnn_real *x = (rnn_real *)(batch + d->batch_x);
  for (size_t i = 0; i < cells * (size_t)d->features; i++)
    x[i] = (rnn_real)rnn_rng_uniform(rng);
}

/* Random targets: class ids (cross-entropy), 0/1 (binary cross-entropy)
 * or normal-ish reals (MSE); per step ([T][B]...) or per sequence ([B]...).
 * Every sequence is full length. */
static void fill_targets(const RnnModelDesc *d, char *batch, RnnRng *rng) {
  size_t rows = (size_t)d->batch * (d->out_per_step ? (size_t)d->length : 1);
  if (d->loss == RNN_LOSS_XENT) {
    int32_t *y = (int32_t *)(batch + d->batch_y);
    for (size_t i = 0; i < rows; i++) y[i] = random_below(rng, d->out_units);
  } else {
    rnn_real *y = (rnn_real *)(batch + d->batch_y);
    for (size_t i = 0; i < rows * (size_t)d->out_units; i++) {
      double u = rnn_rng_uniform(rng);
      y[i] = (rnn_real)(d->loss == RNN_LOSS_BCE ? (u < 0.5 ? 0.0 : 1.0) : 2.0 * u - 1.0);
    }
  }
  if (d->batch_lengths >= 0) {
    int32_t *lengths = (int32_t *)(batch + d->batch_lengths);
    for (int b = 0; b < d->batch; b++) lengths[b] = d->length;
  }
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of V[0..n), sorting V. */
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, compare_doubles);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Times WARMUP + STEPS training steps; the timed ones go into MS. */
static void time_train(const RnnModelDesc *d, BenchModel *m, const RnnBenchOptions *opt,
                       double *ms, RnnBenchResult *r) {
  RnnRng dropout_rng;
  rnn_rng_seed(&dropout_rng, opt->seed + 1);
  for (int i = 0; i < opt->warmup + opt->steps; i++) {
    double t0 = rnn_now();
    rnn_real loss = d->train_step(m->params, m->grads, m->optim, m->state, m->ws,
                                  m->batches[i % BENCH_BATCHES], &dropout_rng);
    double t1 = rnn_now();
    if (i >= opt->warmup) ms[i - opt->warmup] = (t1 - t0) * 1e3;
    r->last_loss = (double)loss;
  }
}

/* Times the forward pass alone (the evaluation path: no dropout). */
static double time_infer(const RnnModelDesc *d, BenchModel *m, const RnnBenchOptions *opt,
                         double *ms) {
  for (int i = 0; i < opt->warmup + opt->steps; i++) {
    d->reset_state(m->state);
    double t0 = rnn_now();
    d->forward(m->params, m->state, m->ws, m->batches[i % BENCH_BATCHES], NULL);
    double t1 = rnn_now();
    if (i >= opt->warmup) ms[i - opt->warmup] = (t1 - t0) * 1e3;
  }
  return median(ms, opt->steps);
}

/* Microseconds per character of one untimed and SAMPLE_REPS timed runs of
 * SAMPLE_CHARS characters each, every character drawn from the last
 * output and fed back. */
static double time_sample(const RnnModelDesc *d, BenchModel *m, const RnnBenchOptions *opt,
                          double *us) {
  RnnRng rng;
  rnn_rng_seed(&rng, opt->seed + 2);
  for (int rep = 0; rep <= opt->sample_reps; rep++) {
    d->step_reset(m->step_state);
    int32_t token = 0;
    double t0 = rnn_now();
    for (int c = 0; c < opt->sample_chars; c++) {
      const rnn_real *probs = d->step(m->params, m->step_state, token, NULL);
      token = rnn_sample_index(probs, d->vocab, 1.0, 0, &rng);
    }
    double t1 = rnn_now();
    if (rep > 0) us[rep - 1] = (t1 - t0) * 1e6 / opt->sample_chars;
  }
  return median(us, opt->sample_reps);
}

int rnn_bench_run(const RnnModelDesc *d, const RnnBenchOptions *opt, RnnBenchResult *r,
                  RnnError *err) {
  BenchModel m;
  int most = opt->steps > opt->sample_reps ? opt->steps : opt->sample_reps;
  double *times = malloc((size_t)(most > 0 ? most : 1) * sizeof *times);
  if (times == NULL || bench_alloc(d, &m) != 0) {
    free(times);
    snprintf(err->msg, sizeof err->msg, "out of memory for model '%s'", d->name);
    return -1;
  }
  RnnRng rng;
  rnn_rng_seed(&rng, opt->seed);
  for (int i = 0; i < BENCH_BATCHES; i++) {
    fill_inputs(d, m.batches[i], &rng);
    fill_targets(d, m.batches[i], &rng);
  }
  d->init(m.params, opt->seed);
  d->optim_init(m.optim);
  d->reset_state(m.state);

  time_train(d, &m, opt, times, r);
  r->train_ms_median = median(times, opt->steps); /* sorts: the extremes are at the ends */
  r->train_ms_min = times[0];
  r->train_ms_max = times[opt->steps - 1];
  r->infer_ms_median = time_infer(d, &m, opt, times);
  r->sample_us_median = d->tokens && d->can_sample && opt->sample_reps > 0
                            ? time_sample(d, &m, opt, times)
                            : (double)NAN;
  bench_free(&m);
  free(times);
  return 0;
}
