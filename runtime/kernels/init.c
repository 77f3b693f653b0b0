/*
 * init.c - parameter initializers.
 *
 * rnn_init_fill fills a stacked weight w [blocks*rows][cols] (blocks = the
 * gates, each block [rows][cols] in PyTorch's layout: rows = outputs,
 * cols = inputs). Definitions, matching Keras / PyTorch:
 *
 *   glorot_uniform  U(-a, a), a = sqrt(6 / (fan_in + fan_out)).
 *   glorot_normal   truncated normal (values beyond 2 stddev redrawn) with
 *                   stddev = sqrt(2 / (fan_in + fan_out)) / 0.87962566103423978;
 *                   the divisor is the stddev of N(0,1) truncated to [-2, 2],
 *                   so the values end with variance 2 / (fan_in + fan_out).
 *                   This is Keras's GlorotNormal (a VarianceScaling with a
 *                   truncated normal).
 *     Fans, as Keras computes them for the whole stacked kernel: Keras
 *     stores an LSTM kernel as (I, 4H), giving fan_in = I and fan_out = 4H;
 *     here fan_in = cols and fan_out = blocks*rows. A vector (cols == 1,
 *     e.g. a peephole weight) has fan_in = fan_out = rows, which is what
 *     Keras computes for a 1-D shape: Keras keeps each gate's peephole as
 *     its own (H,) vector, and rnnc passes one such vector per block.
 *   orthogonal      every [rows][cols] block orthonormal: orthonormal rows
 *                   (Q Q^T = I) when rows <= cols, orthonormal columns
 *                   (Q^T Q = I) otherwise; gain 1. The Q factor of a matrix
 *                   of N(0,1) draws with R's diagonal made positive, which
 *                   is Keras's Orthogonal and torch.nn.init.orthogonal_
 *                   (both multiply Q by sign(diag(R))). Difference: Keras
 *                   draws ONE orthogonal (H, 4H) recurrent kernel, so its
 *                   gate blocks are not orthogonal on their own; we make
 *                   each gate's [H][H] block orthogonal (Saxe et al.'s
 *                   argument applies per recurrence matrix). A vector
 *                   block (cols == 1) becomes a unit vector (Keras refuses
 *                   1-D shapes).
 *   torch_uniform   U(-scale, scale); the caller passes PyTorch's RNN bound
 *                   1/sqrt(H) as scale.
 *   normal          N(0, 1), nn.Embedding's default; stddev = scale instead
 *                   when scale > 0.
 *   uniform         U(-0.05, 0.05), Keras's Embedding default
 *                   (RandomUniform(-0.05, 0.05)).
 *   zeros           0.
 * `scale` is read only by torch_uniform and normal.
 *
 * Draw order (a run is reproducible from the seed): values are drawn in
 * row-major order of w; uniforms take one rnn_rng_uniform each, normals one
 * rnn_rng_normal each (truncated ones more when redrawn); orthogonal draws
 * a block's rows*cols normals before orthonormalizing it, plus fresh
 * normals for a vector only in the (probability-zero) degenerate case.
 */
#include "rnn.h"

#include <float.h>
#include <math.h>

/* ---- scalar draws and whole-buffer fills ---- */

/* n values U(-bound, bound) into w [n]. */
static void fill_uniform(RnnRng *rng, size_t n, double bound, rnn_real *w) {
  for (size_t i = 0; i < n; i++) w[i] = (rnn_real)(bound * (2.0 * rnn_rng_uniform(rng) - 1.0));
}

/* n values N(0, stddev^2) into w [n]. */
static void fill_normal(RnnRng *rng, size_t n, double stddev, rnn_real *w) {
  for (size_t i = 0; i < n; i++) w[i] = (rnn_real)(stddev * rnn_rng_normal(rng));
}

/* N(0, 1) redrawn until |x| <= 2: TensorFlow's truncated_normal. */
static double truncated_standard_normal(RnnRng *rng) {
  for (;;) {
    double x = rnn_rng_normal(rng);
    if (fabs(x) <= 2.0) return x;
  }
}

static void fill_truncated_normal(RnnRng *rng, size_t n, double stddev, rnn_real *w) {
  for (size_t i = 0; i < n; i++) w[i] = (rnn_real)(stddev * truncated_standard_normal(rng));
}

static void fill_zeros(size_t n, rnn_real *w) {
  for (size_t i = 0; i < n; i++) w[i] = 0;
}

/* ---- glorot ---- */

/* fan_in + fan_out of the stacked kernel, as Keras computes it (see the
 * top of the file). */
static double glorot_fan_sum(int blocks, int rows, int cols) {
  if (cols == 1) return 2.0 * rows;
  return (double)cols + (double)blocks * (double)rows;
}

/* The stddev of N(0,1) truncated to [-2, 2] (Keras's constant). */
static const double TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

/* ---- orthogonal ---- */

/* A strided view of `count` vectors of `len` elements inside a block:
 * element i of vector k is base[k*vstride + i*estride]. Rows of a
 * [rows][cols] block are (rows, cols, cols, 1); columns are
 * (cols, rows, 1, cols). */
typedef struct VectorSet {
  rnn_real *base;
  int count, len;
  size_t vstride, estride;
} VectorSet;

static rnn_real *vector_at(const VectorSet *v, int k) {
  return v->base + (size_t)k * v->vstride;
}

static double dot_strided(const VectorSet *v, const rnn_real *a, const rnn_real *b) {
  double sum = 0;
  for (int i = 0; i < v->len; i++)
    sum += (double)a[(size_t)i * v->estride] * (double)b[(size_t)i * v->estride];
  return sum;
}

/* x -= (q . x) q for each of the first k vectors q (already orthonormal). */
static void remove_projections(const VectorSet *v, int k, rnn_real *x) {
  for (int j = 0; j < k; j++) {
    const rnn_real *q = vector_at(v, j);
    double d = dot_strided(v, q, x);
    for (int i = 0; i < v->len; i++) {
      size_t e = (size_t)i * v->estride;
      x[e] = (rnn_real)((double)x[e] - d * (double)q[e]);
    }
  }
}

static void redraw_normal(RnnRng *rng, const VectorSet *v, rnn_real *x) {
  for (int i = 0; i < v->len; i++) x[(size_t)i * v->estride] = (rnn_real)rnn_rng_normal(rng);
}

/* A residual shorter than this fraction of the vector it came from is
 * mostly rounding error (its direction is noise): the vector is taken as
 * dependent on the previous ones. A thousand ulps leaves orthogonality at
 * working precision after the second pass. */
#ifdef RNN_REAL_DOUBLE
static const double DEPENDENT_RATIO = 1024 * DBL_EPSILON;
#else
static const double DEPENDENT_RATIO = 1024 * (double)FLT_EPSILON;
#endif

/* Modified Gram-Schmidt, in place, on the vectors of v (count <= len).
 * Each vector is projected out twice ("twice is enough": the second pass
 * removes what rounding left of the first, so Q stays orthonormal to
 * working precision even in float). Dividing by the residual's norm makes
 * R's diagonal positive: the result is exactly the sign-corrected Q of
 * Keras and PyTorch for the drawn matrix. A vector that is (numerically)
 * in the span of the previous ones is redrawn. */
static void orthonormalize(RnnRng *rng, const VectorSet *v) {
  for (int k = 0; k < v->count; k++) {
    rnn_real *x = vector_at(v, k);
    for (;;) {
      double before = sqrt(dot_strided(v, x, x));
      remove_projections(v, k, x);
      remove_projections(v, k, x);
      double after = sqrt(dot_strided(v, x, x));
      if (after > DEPENDENT_RATIO * before) {
        for (int i = 0; i < v->len; i++) {
          size_t e = (size_t)i * v->estride;
          x[e] = (rnn_real)((double)x[e] / after);
        }
        break;
      }
      redraw_normal(rng, v, x);
    }
  }
}

/* One block w [rows][cols]: N(0,1) draws, then orthonormal rows when
 * rows <= cols and orthonormal columns otherwise (the shorter side). */
static void orthogonal_block(RnnRng *rng, int rows, int cols, rnn_real *w) {
  fill_normal(rng, (size_t)rows * (size_t)cols, 1.0, w);
  VectorSet v;
  if (rows <= cols)
    v = (VectorSet){.base = w, .count = rows, .len = cols, .vstride = (size_t)cols, .estride = 1};
  else
    v = (VectorSet){.base = w, .count = cols, .len = rows, .vstride = 1, .estride = (size_t)cols};
  orthonormalize(rng, &v);
}

/* ---- entry point ---- */

/* Fills w [blocks*rows][cols] with `init` (definitions and draw order at
 * the top of this file), drawing from rng. scale: torch_uniform's bound;
 * normal's stddev when > 0; ignored otherwise. Non-positive dimensions
 * leave w untouched. */
void rnn_init_fill(RnnRng *rng, RnnInit init, int blocks, int rows, int cols,
                   rnn_real scale, rnn_real *w) {
  if (blocks <= 0 || rows <= 0 || cols <= 0) return;
  size_t block = (size_t)rows * (size_t)cols;
  size_t n = (size_t)blocks * block;
  switch (init) {
  case RNN_INIT_GLOROT_UNIFORM:
    fill_uniform(rng, n, sqrt(6.0 / glorot_fan_sum(blocks, rows, cols)), w);
    return;
  case RNN_INIT_GLOROT_NORMAL:
    fill_truncated_normal(
        rng, n, sqrt(2.0 / glorot_fan_sum(blocks, rows, cols)) / TRUNCATED_NORMAL_STDDEV, w);
    return;
  case RNN_INIT_ORTHOGONAL:
    for (int b = 0; b < blocks; b++) orthogonal_block(rng, rows, cols, w + (size_t)b * block);
    return;
  case RNN_INIT_TORCH_UNIFORM: fill_uniform(rng, n, (double)scale, w); return;
  case RNN_INIT_NORMAL: fill_normal(rng, n, scale > 0 ? (double)scale : 1.0, w); return;
  case RNN_INIT_UNIFORM: fill_uniform(rng, n, 0.05, w); return;
  case RNN_INIT_ZEROS: fill_zeros(n, w); return;
  }
}
