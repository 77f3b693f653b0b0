/*
 * batch.c - the model's batch from examples (rnn_examples_batch): inputs,
 * targets and lengths in the generated, time-major layout.
 */
#include "data_internal.h"

#include <string.h>

/* Example E's inputs into column B of the time-major x. */
static void write_inputs(const RnnModelDesc *d, const RnnExamples *ex, size_t e, int b,
                         void *batch) {
  size_t T = (size_t)d->length, B = (size_t)d->batch;
  if (d->tokens) {
    int32_t *x = rnn_data_member(batch, d->batch_x); /* [T][B] */
    for (size_t t = 0; t < T; t++) x[t * B + (size_t)b] = ex->ids[e * T + t];
    return;
  }
  size_t F = (size_t)d->features;
  rnn_real *x = rnn_data_member(batch, d->batch_x); /* [T][B][F] */
  for (size_t t = 0; t < T; t++)
    for (size_t f = 0; f < F; f++)
      x[(t * B + (size_t)b) * F + f] = (rnn_real)ex->x[(e * T + t) * F + f];
}

/* Example E's targets into row B: y[T][B](/[OUT]) or y[B](/[OUT]). */
static void write_targets(const RnnModelDesc *d, const RnnExamples *ex, size_t e, int b,
                          void *batch) {
  size_t T = (size_t)d->length, B = (size_t)d->batch, OUT = (size_t)d->out_units;
  size_t steps = d->out_per_step ? T : 1;
  size_t stride = d->out_per_step ? B : 1; /* between one step's rows and the next */
  if (d->loss == RNN_LOSS_XENT) {
    int32_t *y = rnn_data_member(batch, d->batch_y);
    for (size_t t = 0; t < steps; t++) y[t * stride + (size_t)b] = ex->label[e * steps + t];
    return;
  }
  rnn_real *y = rnn_data_member(batch, d->batch_y);
  for (size_t t = 0; t < steps; t++)
    for (size_t o = 0; o < OUT; o++)
      y[(t * stride + (size_t)b) * OUT + o] = (rnn_real)ex->target[(e * steps + t) * OUT + o];
}

/* Row b of the batch is example IDX[b] for b < COUNT and IDX[0] after
 * (full-size batches keep the model's shapes; rnn_eval_rows skips the
 * extra rows). COUNT < 1 zeroes the batch. */
void rnn_examples_batch(const RnnModelDesc *d, const RnnExamples *ex, const size_t *idx,
                        int count, void *batch) {
  if (count < 1) {
    memset(batch, 0, d->batch_size);
    return;
  }
  int32_t *lengths =
      d->batch_lengths >= 0 ? rnn_data_member(batch, (size_t)d->batch_lengths) : NULL; /* [B] */
  for (int b = 0; b < d->batch; b++) {
    size_t e = idx[b < count ? b : 0];
    write_inputs(d, ex, e, b, batch);
    write_targets(d, ex, e, b, batch);
    if (lengths != NULL) lengths[b] = ex->lengths[e];
  }
}
