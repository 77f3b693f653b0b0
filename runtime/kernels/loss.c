/*
 * loss.c - training losses and their gradients.
 *
 * Each loss is the mean over the UNMASKED elements, as PyTorch computes it
 * with reduction='mean' after dropping the masked rows:
 *   rnn_loss_xent  = nn.CrossEntropyLoss (on the logits z, p = softmax(z))
 *   rnn_loss_bce   = nn.BCELoss          (p = sigmoid(z); log clamped at -100)
 *   rnn_loss_mse   = nn.MSELoss
 * Masking: `weights` [rows] (NULL: every row counts) is a 0/1 row mask; a
 * row with weight 0 adds nothing to the loss and gets a zero gradient,
 * every other row counts once. `count` below is the number of rows that
 * count; when it is 0 the loss is 0 and every gradient is 0.
 *
 * Sums are accumulated in double whatever rnn_real is. Each function reads
 * an element before it writes the gradient at the same index, so the
 * gradient may be written over the prediction buffer.
 */
#include "rnn.h"

#include <math.h>

/* The floor PyTorch's BCELoss puts under log: log(0) would be -inf and
 * poison the mean; -100 keeps one certain-but-wrong element finite. */
static const double LOG_FLOOR = -100.0;

/* log(p) clamped below at LOG_FLOOR (p <= 0 included). */
static double clamped_log(double p) {
  if (!(p > 0)) return LOG_FLOOR;
  double l = log(p);
  return l > LOG_FLOOR ? l : LOG_FLOOR;
}

static int row_counts(const rnn_real *weights, int r) {
  return weights == NULL || weights[r] != 0;
}

/* Rows that count: the divisor of every mean. */
static int counted_rows(int rows, const rnn_real *weights) {
  int count = 0;
  for (int r = 0; r < rows; r++) count += row_counts(weights, r);
  return count;
}

static void zero_row(int cols, rnn_real *d) {
  for (int j = 0; j < cols; j++) d[j] = 0;
}

/* Cross-entropy of softmax probabilities. p and dz are [rows][classes],
 * target [rows] holds class ids in [0, classes) (read only for rows that
 * count). Returns -mean over counted rows of log p[target] and writes
 * dz = (p - onehot(target)) / count, the gradient with respect to the
 * softmax's input (logits); masked rows get 0. */
rnn_real rnn_loss_xent(int rows, int classes, const rnn_real *p, const int32_t *target,
                       const rnn_real *weights, rnn_real *dz) {
  int count = counted_rows(rows, weights);
  double inv_count = count > 0 ? 1.0 / count : 0.0;
  rnn_real scale = (rnn_real)inv_count;
  double total = 0;
  for (int r = 0; r < rows; r++) {
    const rnn_real *pr = p + (size_t)r * (size_t)classes; /* [classes] */
    rnn_real *dr = dz + (size_t)r * (size_t)classes;      /* [classes] */
    if (!row_counts(weights, r)) {
      zero_row(classes, dr);
      continue;
    }
    int t = target[r];
    total -= clamped_log((double)pr[t]);
    for (int j = 0; j < classes; j++) dr[j] = pr[j] * scale;
    dr[t] -= scale;
  }
  return (rnn_real)(total * inv_count);
}

/* Binary cross-entropy of sigmoid outputs. p, target and dz are
 * [rows][cols]; targets are in [0, 1]. Returns the mean over the
 * count*cols counted elements of -(y log p + (1-y) log(1-p)) (each log
 * clamped at -100, as BCELoss does) and writes dz = (p - y) / (count*cols):
 * the gradient with respect to the sigmoid's input, where the 1/(p(1-p)) of
 * the loss and the p(1-p) of the sigmoid cancel. Masked rows get 0. */
rnn_real rnn_loss_bce(int rows, int cols, const rnn_real *p, const rnn_real *target,
                      const rnn_real *weights, rnn_real *dz) {
  int count = counted_rows(rows, weights);
  double elements = (double)count * (double)cols;
  double inv_elements = elements > 0 ? 1.0 / elements : 0.0;
  rnn_real scale = (rnn_real)inv_elements;
  double total = 0;
  for (int r = 0; r < rows; r++) {
    size_t off = (size_t)r * (size_t)cols;
    if (!row_counts(weights, r)) {
      zero_row(cols, dz + off);
      continue;
    }
    for (int j = 0; j < cols; j++) {
      double pj = (double)p[off + (size_t)j], yj = (double)target[off + (size_t)j];
      total -= yj * clamped_log(pj) + (1.0 - yj) * clamped_log(1.0 - pj);
      dz[off + (size_t)j] = (p[off + (size_t)j] - target[off + (size_t)j]) * scale;
    }
  }
  return (rnn_real)(total * inv_elements);
}

/* Mean squared error. y, target and dy are [rows][cols]. Returns the mean
 * over the count*cols counted elements of (y - t)^2 and writes
 * dy = 2 (y - t) / (count*cols), the gradient with respect to y itself
 * (the caller runs rnn_act_bwd for a non-linear output). Masked rows get 0. */
rnn_real rnn_loss_mse(int rows, int cols, const rnn_real *y, const rnn_real *target,
                      const rnn_real *weights, rnn_real *dy) {
  int count = counted_rows(rows, weights);
  double elements = (double)count * (double)cols;
  double inv_elements = elements > 0 ? 1.0 / elements : 0.0;
  rnn_real scale = (rnn_real)(2.0 * inv_elements);
  double total = 0;
  for (int r = 0; r < rows; r++) {
    size_t off = (size_t)r * (size_t)cols;
    if (!row_counts(weights, r)) {
      zero_row(cols, dy + off);
      continue;
    }
    for (int j = 0; j < cols; j++) {
      /* the difference again in double for the loss: exact for floats */
      double diff = (double)y[off + (size_t)j] - (double)target[off + (size_t)j];
      total += diff * diff;
      dy[off + (size_t)j] = (y[off + (size_t)j] - target[off + (size_t)j]) * scale;
    }
  }
  return (rnn_real)(total * inv_elements);
}
