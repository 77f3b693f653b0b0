/*
 * rnn_hot.h - the optimization the step's hot loops need, set in the
 * source (included first by cells.c, act.c and packed.c).
 *
 * The elementwise loops of the cells and activations are where a step's
 * time goes after the GEMMs. They need -O3's vectorizer (-O2's cheap cost
 * model leaves them scalar), -fno-trapping-math (so the selects in
 * rnn_mathfn.h's exp and tanh become vector blends; nothing here reads
 * floating-point exception flags) and contraction into FMAs (off under
 * -std=c11). Set here rather than by the build system, a plain
 * `cc -O2` build of the kernels trains a model as fast as the
 * project's CMake build (docs/embedding.md has both). Only in optimizing
 * builds: -O0 stays debuggable.
 */
#ifndef RNN_HOT_H
#define RNN_HOT_H

#if defined(__OPTIMIZE__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-trapping-math", "fp-contract=fast")
#elif defined(__clang__)
/* clang vectorizes at -O2 and does not trap by default; only contraction
 * is off under -std=c11. */
#pragma clang fp contract(fast)
#endif

#endif
