/*
 * mem.c - memory for a model's structs, aligned for the kernels.
 *
 * The kernels load 32- and 64-byte vectors from the parameters, the packed
 * weights and the workspace. malloc aligns to 16 bytes, so every other
 * vector load of a calloc'd struct straddles two cache lines; measured on
 * the batch-1 product of a 512-unit LSTM (3 x 2048 x 512 GEMVs, one core,
 * Zen 3): 294-320 us misaligned, 247-262 us aligned (docs/PERFORMANCE.md).
 */
#include "rnn.h"

#include <stdlib.h>
#include <string.h>

/* Contract: see rnn.h. */
void *rnn_alloc(size_t size) {
  /* aligned_alloc wants a size that is a multiple of the alignment. */
  size_t rounded = (size + RNN_ALIGN - 1) / RNN_ALIGN * RNN_ALIGN;
  if (rounded < size) return NULL; /* size + RNN_ALIGN - 1 wrapped */
  if (rounded == 0) rounded = RNN_ALIGN;
  void *p = aligned_alloc(RNN_ALIGN, rounded);
  if (p != NULL) memset(p, 0, rounded);
  return p;
}
