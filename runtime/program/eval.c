/*
 * eval.c - exact evaluation (rnn_eval_rows): a batch's loss and accuracy
 * sums from the model's outputs, over real rows and real steps only, so
 * every example counts once whatever the batch size.
 */
#include "data_internal.h"

#include <math.h>

/* The floor PyTorch puts under log in BCELoss, and rnn_loss_xent too. */
static double clamped_log(double p) {
  if (!(p > 0)) return -100.0;
  double l = log(p);
  return l > -100.0 ? l : -100.0;
}

/* Whether step T of row B is real: the model's own mask (seq_mask of the
 * generated forward pass), recomputed from the batch. */
static int step_is_real(const RnnModelDesc *d, const void *batch, int t, int b) {
  size_t B = (size_t)d->batch;
  if (d->mask == RNN_MASK_PADDING && d->tokens) {
    const int32_t *x = rnn_data_member_const(batch, d->batch_x); /* [T][B] */
    return x[(size_t)t * B + (size_t)b] != d->padding_id;
  }
  if (d->mask == RNN_MASK_LENGTHS && d->batch_lengths >= 0) {
    const int32_t *lengths = rnn_data_member_const(batch, (size_t)d->batch_lengths); /* [B] */
    return t < lengths[b];
  }
  return 1;
}

static int argmax(const rnn_real *p, int n) {
  int best = 0;
  for (int j = 1; j < n; j++)
    if (p[j] > p[best]) best = j;
  return best;
}

static void add_xent_row(const rnn_real *p, int classes, int32_t target, RnnEvalSums *s) {
  double pt = target >= 0 && target < classes ? (double)p[target] : 0.0;
  s->loss -= clamped_log(pt);
  s->elements += 1;
  s->predicted += 1;
  s->correct += argmax(p, classes) == target;
}

static void add_bce_row(const rnn_real *p, const rnn_real *y, int cols, RnnEvalSums *s) {
  for (int j = 0; j < cols; j++) {
    double pj = (double)p[j], yj = (double)y[j];
    s->loss -= yj * clamped_log(pj) + (1.0 - yj) * clamped_log(1.0 - pj);
    s->elements += 1;
    s->predicted += 1;
    s->correct += (pj >= 0.5) == (yj >= 0.5);
  }
}

static void add_mse_row(const rnn_real *out, const rnn_real *y, int cols, RnnEvalSums *s) {
  for (int j = 0; j < cols; j++) {
    double diff = (double)out[j] - (double)y[j];
    s->loss += diff * diff;
    s->elements += 1;
  }
}

/* Adds output row ROW (and its target, target row ROW) to S. */
static void add_row(const RnnModelDesc *d, const rnn_real *out, const void *batch, size_t row,
                    RnnEvalSums *s) {
  size_t OUT = (size_t)d->out_units;
  const rnn_real *p = out + row * OUT;
  if (d->loss == RNN_LOSS_XENT) {
    const int32_t *y = rnn_data_member_const(batch, d->batch_y);
    add_xent_row(p, d->out_units, y[row], s);
    return;
  }
  const rnn_real *y = (const rnn_real *)rnn_data_member_const(batch, d->batch_y) + row * OUT;
  if (d->loss == RNN_LOSS_BCE)
    add_bce_row(p, y, d->out_units, s);
  else
    add_mse_row(p, y, d->out_units, s);
}

/* Adds to SUMS this batch's sums over rows b < COUNT (and, per step, over
 * the steps the model's mask keeps), with the loss's own terms:
 * -log p[target] (xent, clamped at -100), BCE per element (clamped),
 * squared error per element (mse). elements: rows (xent) or rows * out;
 * correct/predicted: argmax (xent) or p >= 0.5 against y >= 0.5 (bce),
 * both 0 for mse. */
void rnn_eval_rows(const RnnModelDesc *d, const void *ws, const void *batch, int count,
                   RnnEvalSums *sums) {
  const rnn_real *out = rnn_data_member_const(ws, d->output_offset);
  if (count > d->batch) count = d->batch;
  if (!d->out_per_step) {
    for (int b = 0; b < count; b++) add_row(d, out, batch, (size_t)b, sums);
    return;
  }
  for (int t = 0; t < d->length; t++)
    for (int b = 0; b < count; b++)
      if (step_is_real(d, batch, t, b))
        add_row(d, out, batch, (size_t)t * (size_t)d->batch + (size_t)b, sums);
}
