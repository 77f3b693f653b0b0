/*
 * examples.c - what every example format shares: RnnExamples' memory, one
 * class label per example, and the validation split (with its
 * deterministic shuffle).
 */
#include "data_internal.h"

#include <stdlib.h>
#include <string.h>

/* Allocates EX's arrays for N examples of the shape already in EX (steps,
 * features, tokens, per_step, out, classes). */
int rnn_data_examples_alloc(RnnExamples *ex, size_t n) {
  size_t steps = (size_t)ex->steps;
  size_t per_example_targets = ex->per_step ? steps : 1;
  ex->n = n;
  if (ex->tokens)
    ex->ids = rnn_data_alloc_array(rnn_data_mul_size(n, steps), sizeof *ex->ids);
  else
    ex->x = rnn_data_alloc_array(
        rnn_data_mul_size(rnn_data_mul_size(n, steps), (size_t)ex->features), sizeof *ex->x);
  ex->lengths = rnn_data_alloc_array(n, sizeof *ex->lengths);
  if (ex->classes > 0)
    ex->label = rnn_data_alloc_array(rnn_data_mul_size(n, per_example_targets), sizeof *ex->label);
  else
    ex->target = rnn_data_alloc_array(
        rnn_data_mul_size(rnn_data_mul_size(n, per_example_targets), (size_t)ex->out),
        sizeof *ex->target);
  int inputs_ok = ex->tokens ? ex->ids != NULL : ex->x != NULL;
  int targets_ok = ex->classes > 0 ? ex->label != NULL : ex->target != NULL;
  if (inputs_ok && targets_ok && ex->lengths != NULL) return 0;
  rnn_examples_free(ex);
  return -1;
}

/* Frees EX's arrays and leaves it empty. */
void rnn_examples_free(RnnExamples *ex) {
  free(ex->ids);
  free(ex->x);
  free(ex->lengths);
  free(ex->label);
  free(ex->target);
  memset(ex, 0, sizeof *ex);
}

/* One label per example (IDX, labelled): a class id for cross-entropy, or
 * a 0/1 target of width 1 for binary cross-entropy. Other models fail
 * with a message that says what the data needs. */
int rnn_data_class_targets(const RnnModelDesc *d, const char *path, const char *format,
                           RnnExamples *ex, RnnError *err) {
  if (d->out_per_step) {
    rnn_error_set(err,
                  "%s: %s data has one label per sequence: the model's output must not be "
                  "'per_step'",
                  path, format);
    return -1;
  }
  ex->per_step = 0;
  ex->out = 1;
  if (d->loss == RNN_LOSS_XENT) {
    ex->classes = d->out_units;
    return 0;
  }
  if (d->loss == RNN_LOSS_BCE && d->out_units == 1) {
    ex->classes = 0;
    return 0;
  }
  rnn_error_set(err,
                "%s: %s labels are class ids: the model needs loss cross_entropy, or "
                "binary_cross_entropy with 1 output",
                path, format);
  return -1;
}

/* The largest label an example may carry under EX's loss. */
long rnn_data_max_label(const RnnExamples *ex) { return ex->classes > 0 ? ex->classes - 1 : 1; }

/* Example I's label: a class id, or a 0/1 target (binary cross-entropy). */
void rnn_data_store_class(RnnExamples *ex, size_t i, long label) {
  if (ex->classes > 0)
    ex->label[i] = (int32_t)label;
  else
    ex->target[i] = (float)label;
}

/* ====================================================================== */
/* Split                                                                   */
/* ====================================================================== */

/* Uniform in [0, bound) without modulo bias: draws above the largest
 * multiple of BOUND are rejected. */
static size_t uniform_below(RnnRng *rng, size_t bound) {
  uint64_t b = (uint64_t)bound;
  uint64_t limit = UINT64_MAX - UINT64_MAX % b;
  uint64_t r;
  do {
    r = rnn_rng_next(rng);
  } while (r >= limit);
  return (size_t)(r % b);
}

/* Fisher-Yates from the last position down: position i swaps with a
 * uniform j in [0, i]. */
static void shuffle_order(size_t *order, size_t n, uint64_t seed) {
  RnnRng rng;
  rnn_rng_seed(&rng, seed);
  for (size_t i = n; i > 1; i--) {
    size_t j = uniform_below(&rng, i);
    size_t tmp = order[i - 1];
    order[i - 1] = order[j];
    order[j] = tmp;
  }
}

/* Copies COUNT elements of SIZE bytes per example from example SRC_I of
 * SRC to example DST_I of DST (NULL arrays: nothing to copy). */
static void copy_example_part(void *dst, size_t dst_i, const void *src, size_t src_i,
                              size_t per_example) {
  if (dst == NULL || src == NULL) return;
  memcpy((char *)dst + dst_i * per_example, (const char *)src + src_i * per_example,
         per_example);
}

/* DST = the examples ORDER[0..n) of SRC, in that order, in new memory. */
static int examples_gather(const RnnExamples *src, const size_t *order, size_t n,
                           RnnExamples *dst) {
  memset(dst, 0, sizeof *dst);
  dst->steps = src->steps;
  dst->features = src->features;
  dst->tokens = src->tokens;
  dst->per_step = src->per_step;
  dst->out = src->out;
  dst->classes = src->classes;
  if (rnn_data_examples_alloc(dst, n) != 0)
    return -1;
  size_t steps = (size_t)src->steps, targets = src->per_step ? steps : 1;
  for (size_t i = 0; i < n; i++) {
    size_t k = order[i];
    copy_example_part(dst->ids, i, src->ids, k, steps * sizeof(int32_t));
    copy_example_part(dst->x, i, src->x, k, steps * (size_t)src->features * sizeof(float));
    copy_example_part(dst->lengths, i, src->lengths, k, sizeof(int32_t));
    copy_example_part(dst->label, i, src->label, k, targets * sizeof(int32_t));
    copy_example_part(dst->target, i, src->target, k, targets * (size_t)src->out * sizeof(float));
  }
  return 0;
}

static int split_size_error(size_t n, double fraction, size_t train, RnnError *err) {
  if (train == 0)
    rnn_error_set(err,
                  "the data has %zu examples: validation_split %g leaves none for training; use "
                  "more data or a smaller validation_split",
                  n, fraction);
  else
    rnn_error_set(err,
                  "the data has %zu examples: validation_split %g leaves none for validation; use "
                  "more data or a larger validation_split",
                  n, fraction);
  return -1;
}

/* Optionally shuffles EX by SEED (Fisher-Yates over xoshiro256**), then
 * moves its last part (Keras' rule: the first int(n * (1 - fraction))
 * stay) into VALID, which owns its memory. Fraction 0 leaves VALID empty.
 * The truncation count stays with EX (it describes the loaded file). */
int rnn_examples_split(RnnExamples *ex, double fraction, int shuffle, uint64_t seed,
                       RnnExamples *valid, RnnError *err) {
  memset(valid, 0, sizeof *valid);
  if (rnn_data_check_fraction(fraction, err) != 0)
    return -1;
  size_t n = ex->n;
  size_t train = fraction > 0 ? rnn_data_training_part(n, fraction) : n;
  if (train == 0 || (fraction > 0 && train == n))
    return split_size_error(n, fraction, train, err);
  if (fraction == 0 && !shuffle) return 0; /* nothing moves */
  size_t *order = rnn_data_alloc_array(n, sizeof *order);
  if (order == NULL) {
    rnn_error_set(err, "out of memory while splitting the data: use a smaller data set");
    return -1;
  }
  for (size_t i = 0; i < n; i++) order[i] = i;
  if (shuffle) shuffle_order(order, n, seed);
  RnnExamples kept;
  int rc = examples_gather(ex, order, train, &kept);
  if (rc == 0 && examples_gather(ex, order + train, n - train, valid) != 0) {
    rnn_examples_free(&kept);
    rc = -1;
  }
  free(order);
  if (rc != 0) {
    rnn_error_set(err, "out of memory while splitting the data: use a smaller data set");
    return -1;
  }
  kept.truncated = ex->truncated;
  rnn_examples_free(ex);
  *ex = kept;
  return 0;
}
