/*
 * linear.c - the time-parallel pieces: one call covers all T*B rows.
 *
 * Input projections, output layers, embeddings, one-hot inputs and dropout
 * masks do not depend on the recurrence, so the emitter runs them once over
 * the whole sequence ([T*B][N] row blocks) instead of once per step. Every
 * product goes through rnn_gemm.
 */
#include "rnn.h"

#include <string.h>

#include "rnn_threads.h"

/* row[c] = b1[c] + b2[c] (either may be NULL: it counts as zeros). */
static void fill_row_with_biases(int n, const rnn_real *b1 /* [n] */,
                                 const rnn_real *b2 /* [n] */, rnn_real *row /* [n] */) {
  for (int c = 0; c < n; c++) {
    rnn_real v = 0;
    if (b1 != NULL) v += b1[c];
    if (b2 != NULL) v += b2[c];
    row[c] = v;
  }
}

/* Contract: see rnn.h. x [rows][in], w [out][in], b1/b2 [out] or NULL,
 * y [rows][out] overwritten; y must not overlap x or w. */
void rnn_linear_fwd(int rows, int in, int out, const rnn_real *x, const rnn_real *w,
                    const rnn_real *b1, const rnn_real *b2, rnn_real *y) {
  /* Biases first, then the product accumulated on top (beta 1): one pass
   * over y instead of a second one to add the biases. */
  for (int r = 0; r < rows; r++) fill_row_with_biases(out, b1, b2, y + (size_t)r * out);
  if (rows == 1) /* batch-1 steps: a GEMV streams W once (OpenBLAS's M=1 sgemm is 5x slower) */
    rnn_gemv_rows(out, in, w, in, x, 1, y);
  else
    rnn_gemm(0, 1, rows, out, in, 1, x, in, w, in, 1, y, out);
}

/* Contract: see rnn.h. x [rows][in] and w [out][in] as in the forward,
 * dy [rows][out]; dw [out][in] and db [out] (or NULL) are accumulated,
 * dx [rows][in] (or NULL) is overwritten. */
void rnn_linear_bwd(int rows, int in, int out, const rnn_real *x, const rnn_real *w,
                    const rnn_real *dy, rnn_real *dx, rnn_real *dw, rnn_real *db) {
  rnn_gemm(1, 0, out, in, rows, 1, dy, out, x, in, 1, dw, in); /* dW += dy^T x */
  if (db != NULL) rnn_col_sums(rows, out, dy, out, db);
  if (dx != NULL) rnn_gemm(0, 0, rows, in, out, 1, dy, out, w, in, 0, dx, in); /* dx = dy W */
}

/* Contract: see rnn.h. ids [rows] must lie in [0, vocab) of table
 * [vocab][width]; out [rows][width] overwritten. */
void rnn_gather_rows(int rows, int width, const int32_t *ids, const rnn_real *table,
                     rnn_real *out) {
  for (int r = 0; r < rows; r++)
    memcpy(out + (size_t)r * width, table + (size_t)ids[r] * width,
           (size_t)width * sizeof *out);
}

/* Columns [c0, c1) of rnn_scatter_add_rows. */
static void scatter_add_cols_of_rows(int rows, int width, int c0, int c1, const int32_t *ids,
                                     const rnn_real *dout, rnn_real *dtable) {
  for (int r = 0; r < rows; r++) {
    const rnn_real *src = dout + (size_t)r * width;   /* [width] */
    rnn_real *dst = dtable + (size_t)ids[r] * width;  /* [width] */
    for (int c = c0; c < c1; c++) dst[c] += src[c];
  }
}

/* Contract: see rnn.h. ids [rows] in range, dout [rows][width], dtable
 * [vocab][width] accumulated (repeated ids add up). */
void rnn_scatter_add_rows(int rows, int width, const int32_t *ids, const rnn_real *dout,
                          rnn_real *dtable) {
  /* Repeated ids add into the same row: threads split the columns, so each
   * sum keeps its order (row 0 first) whatever the thread count. */
  int nt = rnn_threads_for(width / 16, (double)rows * width);
  RNN_FOR_MY_PART(nt, width, 16, scatter_add_cols_of_rows(rows, width, (int)i0, (int)i1, ids,
                                                          dout, dtable));
}

/* Contract: see rnn.h. ids [rows] in [0, vocab), w [out][vocab], b1/b2
 * [out] or NULL, y [rows][out] overwritten. */
void rnn_gather_cols(int rows, int out, int vocab, const int32_t *ids, const rnn_real *w,
                     const rnn_real *b1, const rnn_real *b2, rnn_real *y) {
  for (int r = 0; r < rows; r++) {
    rnn_real *y_row = y + (size_t)r * out; /* [out] */
    const rnn_real *w_col = w + ids[r];    /* column ids[r], stride vocab */
    fill_row_with_biases(out, b1, b2, y_row);
    /* Same order of additions as the GEMM path (biases, then W): the
     * one-hot product adds exactly this one term per output. */
    for (int o = 0; o < out; o++) y_row[o] += w_col[(size_t)o * vocab];
  }
}

/* Contract: see rnn.h. ids [rows] in range, dy [rows][out]; dw [out][vocab]
 * and db [out] (or NULL) accumulated. */
void rnn_scatter_add_cols(int rows, int out, int vocab, const int32_t *ids,
                          const rnn_real *dy, rnn_real *dw, rnn_real *db) {
  for (int r = 0; r < rows; r++) {
    const rnn_real *dy_row = dy + (size_t)r * out; /* [out] */
    rnn_real *dw_col = dw + ids[r];                /* column ids[r], stride vocab */
    for (int o = 0; o < out; o++) dw_col[(size_t)o * vocab] += dy_row[o];
  }
  if (db != NULL) rnn_col_sums(rows, out, dy, out, db);
}

/* Contract: see rnn.h. ids [rows] in range, wt [vocab][out], b1/b2 [out] or
 * NULL, y [rows][out] overwritten. */
void rnn_gather_token_rows(int rows, int out, const int32_t *ids, const rnn_real *wt,
                           const rnn_real *b1, const rnn_real *b2, rnn_real *y) {
  int nt = rnn_threads_for(rows, (double)rows * out);
  RNN_FOR_MY_PART(nt, rows, 1, {
    for (long r = i0; r < i1; r++) {
      rnn_real *y_row = y + (size_t)r * out;             /* [out] */
      const rnn_real *w_row = wt + (size_t)ids[r] * out; /* [out] */
      fill_row_with_biases(out, b1, b2, y_row);
      for (int o = 0; o < out; o++) y_row[o] += w_row[o];
    }
  });
}

/* Contract: see rnn.h. mask [batch][vocab]; the rest as above. */
void rnn_gather_token_rows_masked(int rows, int out, const int32_t *ids, const rnn_real *wt,
                                  const rnn_real *b1, const rnn_real *b2, int batch, int vocab,
                                  const rnn_real *mask, rnn_real *y) {
  int nt = rnn_threads_for(rows, (double)rows * out);
  RNN_FOR_MY_PART(nt, rows, 1, {
    for (long r = i0; r < i1; r++) {
      rnn_real *y_row = y + (size_t)r * out;             /* [out] */
      const rnn_real *w_row = wt + (size_t)ids[r] * out; /* [out] */
      rnn_real keep = mask[(size_t)(r % batch) * vocab + ids[r]];
      fill_row_with_biases(out, b1, b2, y_row);
      for (int o = 0; o < out; o++) y_row[o] += keep * w_row[o];
    }
  });
}

/* dW [out][vocab] += dwt^T for dwt [vocab][out]. */
static void add_transposed(int out, int vocab, const rnn_real *dwt, rnn_real *dw) {
  /* in tiles of 16 x 16 so both sides stay in cache; threads split dW's
   * rows */
  int nt = rnn_threads_for(out / 16, (double)vocab * out);
  RNN_FOR_MY_PART(nt, out, 16, {
    for (long o0 = i0; o0 < i1; o0 += 16)
      for (int v0 = 0; v0 < vocab; v0 += 16)
        for (long o = o0; o < i1 && o < o0 + 16; o++)
          for (int v = v0; v < vocab && v < v0 + 16; v++)
            dw[(size_t)o * vocab + v] += dwt[(size_t)v * out + o];
  });
}

/* Contract: see rnn.h. mask [batch][vocab]; dy [rows][out]; dwt
 * [vocab][out] clobbered; dw [out][vocab] and db [out] (or NULL)
 * accumulated. */
void rnn_scatter_add_token_rows_masked(int rows, int out, int vocab, const int32_t *ids,
                                       int batch, const rnn_real *mask, const rnn_real *dy,
                                       rnn_real *dwt, rnn_real *dw, rnn_real *db) {
  memset(dwt, 0, (size_t)vocab * out * sizeof *dwt);
  for (int r = 0; r < rows; r++) { /* rows of one token id add up: serial */
    rnn_real keep = mask[(size_t)(r % batch) * vocab + ids[r]];
    const rnn_real *dy_row = dy + (size_t)r * out; /* [out] */
    rnn_real *dwt_row = dwt + (size_t)ids[r] * out; /* [out] */
    for (int o = 0; o < out; o++) dwt_row[o] += keep * dy_row[o];
  }
  add_transposed(out, vocab, dwt, dw);
  if (db != NULL) rnn_col_sums(rows, out, dy, out, db);
}

/* Contract: see rnn.h. dy [rows][out]; dwt [vocab][out] clobbered; dw
 * [out][vocab] and db [out] (or NULL) accumulated. */
void rnn_scatter_add_token_rows(int rows, int out, int vocab, const int32_t *ids,
                                const rnn_real *dy, rnn_real *dwt, rnn_real *dw, rnn_real *db) {
  memset(dwt, 0, (size_t)vocab * out * sizeof *dwt);
  rnn_scatter_add_rows(rows, out, ids, dy, dwt);
  add_transposed(out, vocab, dwt, dw);
  if (db != NULL) rnn_col_sums(rows, out, dy, out, db);
}

/* Contract: see rnn.h. */
void rnn_transpose(int rows, int cols, const rnn_real *a, rnn_real *b) {
  /* threads split b's rows (a's columns) */
  int nt = rnn_threads_for(cols / 16, (double)rows * cols);
  RNN_FOR_MY_PART(nt, cols, 16, {
    for (int r0 = 0; r0 < rows; r0 += 16)
      for (long c0 = i0; c0 < i1; c0 += 16)
        for (int r = r0; r < rows && r < r0 + 16; r++)
          for (long c = c0; c < i1 && c < c0 + 16; c++)
            b[(size_t)c * rows + r] = a[(size_t)r * cols + c];
  });
}

/* Contract: see rnn.h. x and y [rows][cols] (y may equal x), mask
 * [mask_rows][cols] with mask_rows >= 1; row r uses mask row r % mask_rows. */
void rnn_mask_mul(int rows, int cols, const rnn_real *x, const rnn_real *mask,
                  int mask_rows, rnn_real *y) {
  for (int r = 0; r < rows; r++) {
    const rnn_real *x_row = x + (size_t)r * cols;                    /* [cols] */
    const rnn_real *m_row = mask + (size_t)(r % mask_rows) * cols;   /* [cols] */
    rnn_real *y_row = y + (size_t)r * cols;                          /* [cols] */
    for (int c = 0; c < cols; c++) y_row[c] = x_row[c] * m_row[c];
  }
}

/* Contract: see rnn.h. d [rows][ld] (only the first n columns are read),
 * db [n] accumulated. */
void rnn_col_sums(int rows, int n, const rnn_real *d, int ld, rnn_real *db) {
  /* threads split the columns: each sum keeps its order */
  int nt = rnn_threads_for(n / 16, (double)rows * n);
  RNN_FOR_MY_PART(nt, n, 16, {
    for (int r = 0; r < rows; r++) {
      const rnn_real *d_row = d + (size_t)r * ld; /* [n] */
      for (long c = i0; c < i1; c++) db[c] += d_row[c];
    }
  });
}
