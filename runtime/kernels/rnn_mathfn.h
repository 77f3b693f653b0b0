/*
 * rnn_mathfn.h - exp, tanh and the logistic sigmoid at the working
 * precision, for the runtime's elementwise loops (internal header).
 *
 * Double builds (gradient checks) use libm. Float builds use the
 * approximations below instead of expf/tanhf: glibc's tanhf goes through
 * expm1f and cost 40% of a char-LSTM's training step; these are straight-
 * line code the compiler can inline and vectorize, as PyTorch's own
 * vectorized kernels are. Accuracy (tests/runtime/test_mathfn.c sweeps
 * them against libm in double): exp within 2 ulp on [-87.3, 88.3], tanh
 * within 3 ulp, sigmoid within 3 ulp of a correctly rounded result; NaN
 * stays NaN.
 */
#ifndef RNN_MATHFN_H
#define RNN_MATHFN_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rnn.h"

/* x86-64 ELF with GCC: the functions with the elementwise loops are
 * compiled three times, for AVX-512 (x86-64-v4), AVX2 (v3) and the SSE2
 * baseline, and the dynamic loader picks the widest the CPU has (function
 * multiversioning through an ifunc), as PyTorch picks its kernels at run
 * time. The baseline build still runs everywhere. The lanes are
 * independent; the v3 and v4 versions contract a*b + c into FMAs
 * (rnn_hot.h) where the baseline cannot, so results differ between CPUs
 * in the last bits, never between runs on one CPU. Not with clang 14, whose clones of an
 * extern function are not found by callers in other files, nor without
 * glibc (ifuncs); -DRNN_NO_VECTOR_CLONES turns it off. */
/* Everything a clone calls in its loops must be always_inline: GCC does
 * not inline a function built for another -march otherwise, and a call in
 * the loop would stop its vectorization. */
#define RNN_ALWAYS_INLINE static inline __attribute__((always_inline))

#if defined(__x86_64__) && defined(__ELF__) && defined(__GLIBC__) && defined(__GNUC__) && \
    !defined(__clang__) && !defined(RNN_NO_VECTOR_CLONES)
#define RNN_VECTOR_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define RNN_VECTOR_CLONES
#endif

#ifdef RNN_REAL_DOUBLE

RNN_ALWAYS_INLINE rnn_real rnn_exp(rnn_real x) { return exp(x); }
RNN_ALWAYS_INLINE rnn_real rnn_tanh(rnn_real x) { return tanh(x); }

#else

/* 2^n as a float for n in [-126, 127], from its exponent bits. */
RNN_ALWAYS_INLINE float rnn_pow2i(int32_t n) {
  uint32_t bits = (uint32_t)(n + 127) << 23;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* Cephes's expf: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two so
 * n ln2 is exact), e^r by a degree-5 polynomial, times 2^n. Inputs are
 * clamped to [ln FLT_MIN, 88.376]: below, the result is FLT_MIN rather than
 * a denormal or 0; above, 2.4e38 rather than inf. Both are what the
 * callers want (sigmoid, softmax and tanh only need "tiny" and "huge").
 * n = round(x log2 e) comes from adding 1.5 * 2^23, which leaves n in the
 * low mantissa bits: no float-to-int conversion, which after the clamps
 * stops GCC from vectorizing the loop for AVX2 and AVX-512. */
RNN_ALWAYS_INLINE float rnn_expf(float x) {
  float xc = x < -87.33654f ? -87.33654f : x;
  xc = xc > 88.37626f ? 88.37626f : xc;
  xc = xc == xc ? xc : 0.0f; /* NaN: computed on 0, NaN returned at the end */
  float shifted = xc * 1.44269504088896341f + 12582912.0f; /* 1.5 * 2^23 */
  float nf = shifted - 12582912.0f;                         /* n, exactly */
  uint32_t shifted_bits;
  memcpy(&shifted_bits, &shifted, sizeof shifted_bits);
  int32_t n = (int32_t)(shifted_bits - 0x4B400000u); /* the bits of 1.5 * 2^23 */
  float r = xc - nf * 0.693359375f + nf * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = (p * r * r + r + 1.0f) * rnn_pow2i(n);
  return x == x ? y : x;
}

/* Cephes's tanhf: an odd polynomial below 0.625 (where 1 - 2/(e^2x + 1)
 * would lose the low bits to cancellation), the exp form above. */
RNN_ALWAYS_INLINE float rnn_tanhf(float x) {
  float a = fabsf(x);
  float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  float small = p * z * x + x;
  float big = 1.0f - 2.0f / (rnn_expf(2.0f * a) + 1.0f);
  big = x < 0 ? -big : big;
  return a < 0.625f ? small : big;
}

RNN_ALWAYS_INLINE rnn_real rnn_exp(rnn_real x) { return rnn_expf(x); }
RNN_ALWAYS_INLINE rnn_real rnn_tanh(rnn_real x) { return rnn_tanhf(x); }

#endif

/* 1 / (1 + e^-x): for x -> -inf, e^-x is huge (or inf in double) and the
 * result goes to 0, never NaN. */
RNN_ALWAYS_INLINE rnn_real rnn_sigmoid(rnn_real x) { return 1 / (1 + rnn_exp(-x)); }

#endif
