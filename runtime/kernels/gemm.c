/*
 * gemm.c - the one matrix product every kernel goes through.
 *
 * rnn_gemm hands the work to OpenBLAS; rnn_gemm_ref is the same product as
 * plain loops, the definition the tests hold rnn_gemm to. Both treat the
 * degenerate shapes themselves: BLAS rejects some legal-looking leading
 * dimensions when a size is 0, and with k == 0 the product is empty, so C is
 * only scaled by beta.
 */
#include "rnn.h"

#include <cblas.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* op(X)[row][col] of a row-major X with leading dimension ld. */
static rnn_real element_of_op(const rnn_real *x, int ld, int trans, int row, int col) {
  return trans ? x[(size_t)col * ld + row] : x[(size_t)row * ld + col];
}

/* C = beta * C for the empty product; beta == 0 overwrites (NaN included),
 * as BLAS does, so callers may pass uninitialized C with beta 0. */
static void scale_c(int m, int n, rnn_real beta, rnn_real *c /* [m][ldc] */, int ldc) {
  for (int i = 0; i < m; i++) {
    rnn_real *row = c + (size_t)i * ldc; /* [n] */
    for (int j = 0; j < n; j++) row[j] = beta == 0 ? 0 : beta * row[j];
  }
}

static enum CBLAS_TRANSPOSE cblas_transpose(int trans) {
  return trans ? CblasTrans : CblasNoTrans;
}

static void blas_gemm(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
                      const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
                      rnn_real *c, int ldc);

#ifdef _OPENMP
/* With rnn_set_threads (OpenBLAS at one thread, OpenMP at N), a large
 * product is split here: each thread runs one OpenBLAS call on its block of
 * C's columns (or rows, when C is taller than wide). OpenBLAS's own pool
 * would spin on the same cores as OpenMP's between calls; one pool for
 * everything does not. Returns 0 when the product should run whole. */
static int split_gemm(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
                      const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
                      rnn_real *c, int ldc) {
  int threads = omp_get_max_threads();
  if (threads < 2 || omp_in_parallel() || 2.0 * m * n * k < 1e6 || openblas_get_num_threads() > 1)
    return 0;
  int by_cols = n >= m, extent = by_cols ? n : m;
  if (extent < 32 * threads) return 0;
#pragma omp parallel num_threads(threads)
  {
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
    int i0 = (int)((long)extent * t / nt) & ~15, i1 = t == nt - 1 ? extent : (int)((long)extent * (t + 1) / nt) & ~15;
    if (i1 > i0) {
      if (by_cols) /* C[:, i0:i1] = op(A) op(B)[:, i0:i1] */
        blas_gemm(trans_a, trans_b, m, i1 - i0, k, alpha, a, lda,
                  trans_b ? b + (size_t)i0 * ldb : b + i0, ldb, beta, c + i0, ldc);
      else /* C[i0:i1, :] = op(A)[i0:i1, :] op(B) */
        blas_gemm(trans_a, trans_b, i1 - i0, n, k, alpha, trans_a ? a + i0 : a + (size_t)i0 * lda,
                  lda, b, ldb, beta, c + (size_t)i0 * ldc, ldc);
    }
  }
  return 1;
}
#endif

/* Contract: see rnn.h. a is op(A) [m][k] stored with leading dimension lda,
 * b is op(B) [k][n] with ldb, c is [m][n] with ldc; c must not overlap a or
 * b. beta == 0 overwrites C whatever it held. */
void rnn_gemm(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
              const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
              rnn_real *c, int ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
#ifdef _OPENMP
  if (split_gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return;
#endif
  blas_gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/* One OpenBLAS call. */
static void blas_gemm(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
                      const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
                      rnn_real *c, int ldc) {
#ifdef RNN_REAL_DOUBLE
  cblas_dgemm(CblasRowMajor, cblas_transpose(trans_a), cblas_transpose(trans_b), m, n, k,
              alpha, a, lda, b, ldb, beta, c, ldc);
#else
  cblas_sgemm(CblasRowMajor, cblas_transpose(trans_a), cblas_transpose(trans_b), m, n, k,
              alpha, a, lda, b, ldb, beta, c, ldc);
#endif
}

/* Contract: see rnn.h; identical arguments and semantics to rnn_gemm,
 * computed as dot products in rnn_real (no blocking, no threads). */
void rnn_gemm_ref(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
                  const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
                  rnn_real *c, int ldc) {
  /* alpha == 0 ignores A and B entirely (reference BLAS and OpenBLAS do too). */
  if (k == 0 || alpha == 0) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  for (int i = 0; i < m; i++) {
    rnn_real *c_row = c + (size_t)i * ldc; /* [n] */
    for (int j = 0; j < n; j++) {
      rnn_real dot = 0;
      for (int p = 0; p < k; p++)
        dot += element_of_op(a, lda, trans_a, i, p) * element_of_op(b, ldb, trans_b, p, j);
      /* beta == 0 must not read C: it may hold NaN or garbage. */
      c_row[j] = beta == 0 ? alpha * dot : alpha * dot + beta * c_row[j];
    }
  }
}

/* Contract: see rnn.h. */
void rnn_set_threads(int n) {
#ifdef _OPENMP
  omp_set_num_threads(n > 0 ? n : omp_get_num_procs());
  openblas_set_num_threads(1);
#else
  openblas_set_num_threads(n > 0 ? n : 0); /* 0: OpenBLAS's own default */
#endif
}

int rnn_get_threads(void) {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return openblas_get_num_threads();
#endif
}
