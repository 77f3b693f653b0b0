/*
 * act.c - output activations and their backward passes.
 *
 * Every function works row by row on [rows][cols] buffers the caller owns.
 * The forward is safe in place (y == z) and so is the backward (dz == dy):
 * each element is read before the element at the same index is written.
 */
#include "rnn_hot.h" /* first: it sets how the functions below are optimized */
#include "rnn.h"

#include <math.h>

#include "rnn_mathfn.h"
#include "rnn_threads.h"

/* exp and tanh at the working precision (rnn_mathfn.h): libm in double,
 * vectorizable approximations in float. */
RNN_ALWAYS_INLINE rnn_real real_exp(rnn_real x) { return rnn_exp(x); }
RNN_ALWAYS_INLINE rnn_real real_tanh(rnn_real x) { return rnn_tanh(x); }
#ifdef RNN_REAL_DOUBLE
RNN_ALWAYS_INLINE rnn_real fabs_real(rnn_real x) { return fabs(x); }
#else
RNN_ALWAYS_INLINE rnn_real fabs_real(rnn_real x) { return fabsf(x); }
#endif

/* Logistic sigmoid without overflow: exp is only ever taken of a
 * non-positive number, so it stays in (0, 1]. Branch-free (a select), so
 * the loops around it vectorize. */
RNN_ALWAYS_INLINE rnn_real sigmoid(rnn_real x) {
  rnn_real e = real_exp(-fabs_real(x));
  rnn_real s = 1 / (1 + e);
  return x >= 0 ? s : e * s;
}

/* The loops below are inlined (RNN_ALWAYS_INLINE) into rnn_act_fwd/bwd,
 * so each of their RNN_VECTOR_CLONES builds them at its own vector width. */

/* ---- forward ---- */

/* y[n] = z[n] (nothing to do when they are the same buffer). */
RNN_ALWAYS_INLINE void copy_values(size_t n, const rnn_real *z, rnn_real *y) {
  if (y == z) return;
  for (size_t i = 0; i < n; i++) y[i] = z[i];
}

RNN_ALWAYS_INLINE void relu_fwd(size_t n, const rnn_real *z, rnn_real *y) {
  for (size_t i = 0; i < n; i++) y[i] = z[i] > 0 ? z[i] : 0;
}

RNN_ALWAYS_INLINE void tanh_fwd(size_t n, const rnn_real *z, rnn_real *y) {
  for (size_t i = 0; i < n; i++) y[i] = real_tanh(z[i]);
}

RNN_ALWAYS_INLINE void sigmoid_fwd(size_t n, const rnn_real *z, rnn_real *y) {
  for (size_t i = 0; i < n; i++) y[i] = sigmoid(z[i]);
}

/* One row: z [cols] -> y [cols]. Subtracting the row maximum first keeps
 * every exp in (0, 1], so large logits cannot overflow; the sum is taken
 * in double so long rows (a vocabulary) do not lose the small terms. */
RNN_ALWAYS_INLINE void softmax_row(int cols, const rnn_real *z, rnn_real *y) {
  rnn_real max = z[0];
  for (int j = 1; j < cols; j++)
    if (z[j] > max) max = z[j];
  for (int j = 0; j < cols; j++) y[j] = real_exp(z[j] - max);
  double sum = 0; /* in order: a reduction of its own, so the exps vectorize */
  for (int j = 0; j < cols; j++) sum += (double)y[j];
  /* sum >= 1: the maximum's own term is exp(0). */
  rnn_real inv = (rnn_real)(1.0 / sum);
  for (int j = 0; j < cols; j++) y[j] *= inv;
}

/* rnn_act_fwd on rows >= 1 rows. */
RNN_VECTOR_CLONES
static void act_fwd_rows(RnnAct act, int rows, int cols, const rnn_real *z, rnn_real *y) {
  size_t n = (size_t)rows * (size_t)cols;
  switch (act) {
  case RNN_ACT_LINEAR: copy_values(n, z, y); return;
  case RNN_ACT_RELU: relu_fwd(n, z, y); return;
  case RNN_ACT_TANH: tanh_fwd(n, z, y); return;
  case RNN_ACT_SIGMOID: sigmoid_fwd(n, z, y); return;
  case RNN_ACT_SOFTMAX:
    for (int r = 0; r < rows; r++)
      softmax_row(cols, z + (size_t)r * (size_t)cols, y + (size_t)r * (size_t)cols);
    return;
  }
}

/* ---- backward (from the output y, not the input z) ---- */

/* relu'(z) = 1 exactly where y > 0 (z > 0); the kink at 0 gets 0, as in
 * PyTorch. */
RNN_ALWAYS_INLINE void relu_bwd(size_t n, const rnn_real *y, const rnn_real *dy, rnn_real *dz) {
  for (size_t i = 0; i < n; i++) {
    rnn_real d = dy[i]; /* loaded unconditionally: a select, not a branch */
    dz[i] = y[i] > 0 ? d : 0;
  }
}

/* tanh' = 1 - y^2. */
RNN_ALWAYS_INLINE void tanh_bwd(size_t n, const rnn_real *y, const rnn_real *dy, rnn_real *dz) {
  for (size_t i = 0; i < n; i++) dz[i] = dy[i] * (1 - y[i] * y[i]);
}

/* sigmoid' = y (1 - y). */
RNN_ALWAYS_INLINE void sigmoid_bwd(size_t n, const rnn_real *y, const rnn_real *dy, rnn_real *dz) {
  for (size_t i = 0; i < n; i++) dz[i] = dy[i] * y[i] * (1 - y[i]);
}

/* One row of the softmax Jacobian-vector product, y, dy, dz [cols]:
 * dz_j = y_j (dy_j - sum_k dy_k y_k). The dot product is finished before
 * any dz is written, so dz may alias dy. */
RNN_ALWAYS_INLINE void softmax_bwd_row(int cols, const rnn_real *y, const rnn_real *dy,
                                        rnn_real *dz) {
  double dot = 0;
  for (int k = 0; k < cols; k++) dot += (double)dy[k] * (double)y[k];
  rnn_real d = (rnn_real)dot;
  for (int j = 0; j < cols; j++) dz[j] = y[j] * (dy[j] - d);
}

/* rnn_act_bwd on rows >= 1 rows. */
RNN_VECTOR_CLONES
static void act_bwd_rows(RnnAct act, int rows, int cols, const rnn_real *y, const rnn_real *dy,
                         rnn_real *dz) {
  size_t n = (size_t)rows * (size_t)cols;
  switch (act) {
  case RNN_ACT_LINEAR: copy_values(n, dy, dz); return;
  case RNN_ACT_RELU: relu_bwd(n, y, dy, dz); return;
  case RNN_ACT_TANH: tanh_bwd(n, y, dy, dz); return;
  case RNN_ACT_SIGMOID: sigmoid_bwd(n, y, dy, dz); return;
  case RNN_ACT_SOFTMAX:
    for (int r = 0; r < rows; r++) {
      size_t off = (size_t)r * (size_t)cols;
      softmax_bwd_row(cols, y + off, dy + off, dz + off);
    }
    return;
  }
}

/* ---- the public functions: rows split among the threads ---- */

/* Work of one element, for rnn_threads_for: a copy or a select is cheap,
 * an exp or a tanh is about twenty operations. */
static double act_cost(RnnAct act) {
  return act == RNN_ACT_LINEAR || act == RNN_ACT_RELU ? 1.0 : 20.0;
}

/* y = act(z) elementwise (softmax: over each row of `cols`); z and y are
 * [rows][cols] and may be the same buffer. rows, cols >= 0. Rows are
 * independent: threads split them (same bits at any thread count). */
void rnn_act_fwd(RnnAct act, int rows, int cols, const rnn_real *z, rnn_real *y) {
  if (rows <= 0 || cols <= 0) return;
  int nt = rnn_threads_for(rows, act_cost(act) * rows * cols);
  RNN_FOR_MY_PART(nt, rows, 1,
                  act_fwd_rows(act, (int)(i1 - i0), cols, z + (size_t)i0 * cols,
                               y + (size_t)i0 * cols));
}

/* dz = dy * act'(z), computed from the activation's output y; y, dy, dz
 * are [rows][cols]; dz may be the same buffer as dy. */
void rnn_act_bwd(RnnAct act, int rows, int cols, const rnn_real *y, const rnn_real *dy,
                 rnn_real *dz) {
  if (rows <= 0 || cols <= 0) return;
  int nt = rnn_threads_for(rows, act_cost(act) * rows * cols);
  RNN_FOR_MY_PART(nt, rows, 1,
                  act_bwd_rows(act, (int)(i1 - i0), cols, y + (size_t)i0 * cols,
                               dy + (size_t)i0 * cols, dz + (size_t)i0 * cols));
}
