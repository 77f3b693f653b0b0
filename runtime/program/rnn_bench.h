/*
 * rnn_bench.h - timing a model's training step, forward pass and sampling
 * step on synthetic batches (the program's `bench` command).
 *
 * What is timed matches the peer's benchmark (../shared/bench/
 * torch_rnn_bench.py) so the two can be set side by side:
 *   train   one full training step: forward over T steps, loss, backward
 *           through time, gradient clipping and the optimizer's update;
 *   infer   the forward pass alone (outputs and loss, no gradients);
 *   sample  token models that can sample: batch 1, one character at a time
 *           (the one-step function, softmax, a draw at temperature 1).
 * Batches are random (uniform token ids or features in [0, 1), random
 * targets); four of them are cycled, as the peer does. Each figure is the
 * median over the measured repetitions after the warm-up ones.
 */
#ifndef RNN_BENCH_H
#define RNN_BENCH_H

#include <stdint.h>

#include "rnn_data.h"
#include "rnn_model.h"

typedef struct RnnBenchOptions {
  int warmup;        /* untimed repetitions first (train and infer) */
  int steps;         /* timed repetitions (train and infer) */
  int sample_chars;  /* characters per sampling run */
  int sample_reps;   /* timed sampling runs, after one untimed run */
  uint64_t seed;     /* initialization and the synthetic batches */
} RnnBenchOptions;

/* Milliseconds per step (train, infer) and microseconds per character
 * (sample); NAN for what a model does not do (sample: real-valued input,
 * or an output that is not fed back). */
typedef struct RnnBenchResult {
  double train_ms_median, train_ms_min, train_ms_max;
  double infer_ms_median;
  double sample_us_median;
  double last_loss;  /* the loss of the last training step (finite: a sanity check) */
} RnnBenchResult;

/* Runs the three measurements on model D. Allocates and frees its own
 * memory; fails only when out of memory (a message in ERR). */
int rnn_bench_run(const RnnModelDesc *d, const RnnBenchOptions *opt, RnnBenchResult *r,
                  RnnError *err);

#endif
