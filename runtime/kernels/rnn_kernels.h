/*
 * rnn_kernels.h - the instruction-set versions of the packed products
 * (internal: the runtime and its tests, not generated code).
 *
 * rnn_gemm_packed and rnn_gemv_rows (rnn.h) run the widest version the CPU
 * has, asked at each call (__builtin_cpu_supports reads a word the C
 * library filled at load time: no state of ours, nothing to initialize).
 * The tests call every version the machine can run through these entry
 * points and hold each to rnn_gemm_ref.
 */
#ifndef RNN_KERNELS_H
#define RNN_KERNELS_H

#include "rnn.h"

typedef enum RnnIsa {
  RNN_ISA_GENERIC, /* plain C, any CPU (and every double build) */
  RNN_ISA_AVX2,    /* x86-64 AVX2 + FMA: 6 x 16 register tile */
  RNN_ISA_AVX512,  /* x86-64 AVX-512F: 12 x 16 register tile */
  RNN_ISA_COUNT
} RnnIsa;

/* The widest version this CPU runs; rnn_isa_supported says whether ISA runs. */
RnnIsa rnn_isa_best(void);
int rnn_isa_supported(RnnIsa isa);
const char *rnn_isa_name(RnnIsa isa); /* "generic", "avx2", "avx512" */

/* rnn_gemm_packed with an explicit version (ISA must be supported). */
void rnn_gemm_packed_isa(RnnIsa isa, int m, int n, int k, const rnn_real *a, int lda,
                         const rnn_real *packed, int k_total, int accumulate, rnn_real *c,
                         int ldc);

/* One operand of a batch-1 product: W [n][k] row-major with leading
 * dimension ldw, times x [k]. */
typedef struct RnnGemvPart {
  int k, ldw;
  const rnn_real *w, *x;
} RnnGemvPart;
#define RNN_GEMV_MAX_PARTS 2

/* y[n] (+)= sum over the nparts (<= RNN_GEMV_MAX_PARTS) parts of W_p x_p,
 * one pass over the rows with an explicit version (ISA must be
 * supported). */
void rnn_gemv_parts_isa(RnnIsa isa, int n, int nparts, const RnnGemvPart *parts, int accumulate,
                        rnn_real *y);

/* rnn_gemv_rows with an explicit version (ISA must be supported). */
void rnn_gemv_rows_isa(RnnIsa isa, int n, int k, const rnn_real *w, int ldw,
                       const rnn_real *x, int accumulate, rnn_real *y);

#endif
