/*
 * data_text.c - a text corpus as token ids (seed 000): loading it through
 * the vocabulary, splitting off validation text, and seed 000's batch
 * layout, rounds of T+1 ids from B evenly spaced rows.
 */
#include "data_internal.h"

#include <stdlib.h>
#include <string.h>

/* The id a byte V lacks is read as under OPT: the unknown id when mapping,
 * -1 when refused or skipped. */
static int32_t unknown_byte_id(const RnnLoadOptions *opt, int unknown_id) {
  return opt->unknown == RNN_UNKNOWN_MAP ? unknown_id : -1;
}

static void byte_not_in_vocab_error(const char *path, size_t offset, uint8_t byte,
                                    RnnError *err) {
  rnn_error_set(err,
                "%s: offset %zu: byte 0x%02x is not in the model's vocabulary (the bytes of its "
                "training text): remove it, train on text that has it, or pass --unknown skip or "
                "--unknown map",
                path, offset, byte);
}

/* FB's bytes as ids through V into T (ids allocated here), unknown
 * bytes handled as OPT says. */
static int text_ids(const char *path, const FileBytes *fb, const RnnVocab *v, int max_vocab,
                    const RnnLoadOptions *opt, RnnText *t, RnnError *err) {
  int unknown_id = rnn_vocab_unknown_id(v, max_vocab);
  int32_t *ids = rnn_data_alloc_array(fb->len, sizeof *ids);
  if (ids == NULL)
    return rnn_data_out_of_memory(path, err);
  size_t n = 0;
  for (size_t i = 0; i < fb->len; i++) {
    int32_t id = v->id[fb->data[i]];
    if (id < 0 && opt->unknown == RNN_UNKNOWN_SKIP) {
      t->skipped++;
      continue;
    }
    if (id < 0 && opt->unknown == RNN_UNKNOWN_MAP && unknown_id < 0) {
      free(ids);
      return rnn_data_vocab_full_error(path, v, max_vocab, err);
    }
    if (id < 0 && opt->unknown == RNN_UNKNOWN_ERROR) {
      free(ids);
      byte_not_in_vocab_error(path, i, fb->data[i], err);
      return -1;
    }
    if (id < 0) {
      id = unknown_byte_id(opt, unknown_id);
      t->mapped++;
    }
    ids[n++] = id;
  }
  if (n == 0) {
    free(ids);
    rnn_error_set(err,
                  "%s: the model's vocabulary has none of the file's bytes: nothing is left; is "
                  "this the data the model was trained for?",
                  path);
    return -1;
  }
  t->ids = ids;
  t->len = n;
  return 0;
}

/* Reads PATH's bytes as token ids. With V->size == 0 V is built from them,
 * reserving V->padding_id as set by the caller (-1: none, as for seed
 * 000, whose vocab should not lose an id to padding a corpus never has);
 * otherwise a byte V lacks is refused, skipped or mapped (OPT). */
int rnn_text_load(const char *path, RnnVocab *v, int max_vocab, const RnnLoadOptions *opt,
                  RnnText *t, RnnError *err) {
  memset(t, 0, sizeof *t);
  FileBytes fb;
  if (rnn_data_read_file(path, "a text corpus", &fb, err) != 0)
    return -1;
  if (v->size == 0 &&
      rnn_vocab_build(v, fb.data, fb.len, max_vocab, v->padding_id, path, err) != 0) {
    free(fb.data);
    return -1;
  }
  int rc = text_ids(path, &fb, v, max_vocab, rnn_data_options(opt), t, err);
  free(fb.data);
  return rc;
}

/* Ids one batch needs: each of the B rows reads T+1 of them. */
static size_t ids_per_batch(int steps, int batch) {
  return rnn_data_mul_size((size_t)batch, (size_t)steps + 1);
}

/* Keras' validation_split rule: the first int(n * (1 - fraction)) items
 * train, the rest validate. */
size_t rnn_data_training_part(size_t n, double fraction) {
  return (size_t)((double)n * (1.0 - fraction));
}

/* Fails unless FRACTION is in [0, 1). */
int rnn_data_check_fraction(double fraction, RnnError *err) {
  if (fraction >= 0 && fraction < 1) return 0;
  rnn_error_set(err, "validation_split %g is outside [0, 1): give a fraction such as 0.1",
                fraction);
  return -1;
}

/* Splits T at Keras' point into training text and the validation text
 * after it, sharing T's memory. Each part that is not empty must hold at
 * least one batch (batch * (steps + 1) ids, one round of seed 000's
 * layout); fraction 0 leaves VALID empty. Messages name no file (the
 * caller knows it). */
int rnn_text_split(const RnnText *t, double fraction, int steps, int batch, RnnText *train,
                   RnnText *valid, RnnError *err) {
  if (rnn_data_check_fraction(fraction, err) != 0)
    return -1;
  size_t need = ids_per_batch(steps, batch);
  size_t split = fraction > 0 ? rnn_data_training_part(t->len, fraction) : t->len;
  if (split < need) {
    rnn_error_set(
        err,
        "the training text has %zu bytes but one batch needs %zu (batch %d x (length %d + "
        "1)): use a longer text or a smaller 'batch' or 'length'",
        split, need, batch, steps);
    return -1;
  }
  if (fraction > 0 && t->len - split < need) {
    rnn_error_set(
        err,
        "the validation text has %zu bytes but one batch needs %zu (batch %d x (length %d "
        "+ 1)): raise validation_split or use a longer text",
        t->len - split, need, batch, steps);
    return -1;
  }
  train->ids = t->ids;
  train->len = split;
  valid->ids = t->ids + split;
  valid->len = t->len - split;
  return 0;
}

/* Rounds per pass: segments of len / B ids, each round advancing T ids
 * and reading T+1, so (segment - 1) / T rounds fit. 0 when not one fits. */
long rnn_text_rounds(const RnnText *t, int steps, int batch) {
  if (steps < 1 || batch < 1) return 0;
  size_t segment = t->len / (size_t)batch;
  if (segment < 1) return 0;
  return (long)((segment - 1) / (size_t)steps);
}

/* Round r of seed 000's layout: row b reads ids segment*b + r*T + t for
 * inputs and the id after each for targets, so a row continues where it
 * stopped in the round before (the state carried by stateful training
 * matches the text). Writes nothing when no round fits. */
void rnn_text_batch_rows(const RnnText *t, int steps, int streams, int first, int batch,
                         long round, int32_t *x, int32_t *y) {
  long rounds = rnn_text_rounds(t, steps, streams);
  if (rounds < 1) return;
  long r = round % rounds;
  if (r < 0) r += rounds;
  size_t segment = t->len / (size_t)streams;
  for (int b = 0; b < batch; b++) {
    const int32_t *row = t->ids + segment * (size_t)(first + b) + (size_t)r * (size_t)steps;
    for (int s = 0; s < steps; s++) {
      x[(size_t)s * (size_t)batch + (size_t)b] = row[s];
      y[(size_t)s * (size_t)batch + (size_t)b] = row[s + 1];
    }
  }
}

void rnn_text_batch(const RnnText *t, int steps, int batch, long round, int32_t *x,
                    int32_t *y) {
  rnn_text_batch_rows(t, steps, batch, 0, batch, round, x, y);
}

/* Frees T's ids (not those of parts made by rnn_text_split). */
void rnn_text_free(RnnText *t) {
  free(t->ids);
  t->ids = NULL;
  t->len = 0;
}
