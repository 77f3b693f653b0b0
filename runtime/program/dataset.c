/*
 * dataset.c - the data a command reads: its format, loading it through the
 * loaders (rnn_data.h) under --unknown, batches in order or shuffled, and
 * loss and accuracy over all of it.
 */
#include "driver_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --format, else what model D reads from N_FILES files. */
Format rnn_driver_pick_format(const RnnModelDesc *d, const Options *o, int n_files) {
  if (o->format)
    return strcmp(o->format, "text") == 0       ? FORMAT_TEXT
           : strcmp(o->format, "labelled") == 0 ? FORMAT_LABELLED
           : strcmp(o->format, "idx") == 0      ? FORMAT_IDX
                                                : FORMAT_CSV;
  if (d->tokens)
    return d->out_per_step && d->mask == RNN_MASK_NONE ? FORMAT_TEXT : FORMAT_LABELLED;
  return n_files == 2 ? FORMAT_IDX : FORMAT_CSV;
}

/* Rounds in one pass over text DATA, or DATA's number of examples. */
size_t rnn_driver_data_count(const Data *data, const RnnModelDesc *d) {
  if (data->format == FORMAT_TEXT)
    return (size_t)rnn_text_rounds(&data->part, d->length, d->batch);
  return data->ex.n;
}

/* Frees DATA's memory when it owns it. */
void rnn_driver_data_free(Data *data) {
  if (!data->loaded || !data->owner)
    return;
  if (data->format == FORMAT_TEXT)
    rnn_text_free(&data->text);
  else
    rnn_examples_free(&data->ex);
  data->loaded = 0;
}

/* Says on stderr what --unknown did to FILE's data, if anything. */
static void note_unknown(const Options *o, const char *file, const Data *data,
                         const RnnVocab *v, int vocab) {
  long skipped = data->format == FORMAT_TEXT ? (long)data->text.skipped : data->ex.skipped;
  long mapped = data->format == FORMAT_TEXT ? (long)data->text.mapped : data->ex.mapped;
  const char *what = data->format == FORMAT_TEXT ? "bytes" : "examples";
  if (skipped > 0)
    fprintf(stderr, "%s: note: %s: %ld %s left out: bytes the model's vocabulary lacks "
            "(--unknown skip)\n", o->prog, file, skipped, what);
  if (mapped > 0)
    fprintf(stderr, "%s: note: %s: %ld bytes the model's vocabulary lacks read as the unknown "
            "id %d (--unknown map)\n", o->prog, file, mapped, rnn_vocab_unknown_id(v, vocab));
}

/* Loads FILES in FORMAT (the first MAX examples; 0: all) under O's
 * --unknown; V is built from them when empty. */
int rnn_driver_data_load(const Options *o, const RnnModelDesc *d, Format format,
                         const char *const *files, int n, RnnVocab *v, long max, Data *data,
                         RnnError *err) {
  memset(data, 0, sizeof *data);
  data->format = format;
  int need = format == FORMAT_IDX ? 2 : 1;
  if (n != need) {
    snprintf(err->msg, sizeof err->msg, "%s data needs %d file%s (%s), not %d",
             format == FORMAT_IDX ? "IDX" : format == FORMAT_TEXT ? "text" : format == FORMAT_CSV ? "CSV" : "labelled",
             need, need > 1 ? "s" : "", need > 1 ? "images and labels" : "one", n);
    return -1;
  }
  RnnLoadOptions opt = {(size_t)max, o->unknown};
  int rc;
  switch (format) {
  case FORMAT_TEXT:
    rc = rnn_text_load(files[0], v, d->vocab, &opt, &data->text, err);
    data->part = data->text;
    break;
  case FORMAT_LABELLED: rc = rnn_labelled_load(files[0], d, v, &opt, &data->ex, err); break;
  case FORMAT_IDX: rc = rnn_idx_load(files[0], files[1], d, &opt, &data->ex, err); break;
  default: rc = rnn_csv_load(files[0], d, &opt, &data->ex, err); break;
  }
  if (rc != 0)
    return -1;
  data->loaded = 1;
  data->owner = 1;
  note_unknown(o, files[0], data, v, d->vocab);
  return 0;
}

/* Fills the batch with batch number POS of DATA in ORDER (examples) or
 * round POS (text); returns the rows that are real examples. */
int rnn_driver_fill_batch(const RnnModelDesc *d, const Data *data, const size_t *order, long pos,
                          void *batch) {
  if (data->format == FORMAT_TEXT) {
    rnn_text_batch(&data->part, d->length, d->batch, pos,
                   (int32_t *)((char *)batch + d->batch_x), (int32_t *)((char *)batch + d->batch_y));
    return d->batch;
  }
  size_t first = (size_t)pos * (size_t)d->batch;
  size_t count = data->ex.n - first < (size_t)d->batch ? data->ex.n - first : (size_t)d->batch;
  rnn_examples_batch(d, &data->ex, order + first, (int)count, batch);
  return (int)count;
}

void rnn_driver_fill_share(const RnnModelDesc *d, const Data *data, const size_t *order, long pos,
                           int r, int n, void *batch) {
  if (data->format == FORMAT_TEXT) {
    rnn_text_batch_rows(&data->part, d->length, n * d->batch, r * d->batch, d->batch, pos,
                        (int32_t *)((char *)batch + d->batch_x),
                        (int32_t *)((char *)batch + d->batch_y));
    return;
  }
  size_t global = (size_t)n * (size_t)d->batch;
  rnn_examples_batch(d, &data->ex, order + (size_t)pos * global + (size_t)r * (size_t)d->batch,
                     d->batch, batch);
}

size_t rnn_driver_global_batches(const Data *data, const RnnModelDesc *d, int n) {
  if (data->format == FORMAT_TEXT)
    return (size_t)rnn_text_rounds(&data->part, d->length, n * d->batch);
  return data->ex.n / ((size_t)n * (size_t)d->batch);
}

/* Identity order 0..n-1, or a shuffle of it from SEED (per epoch). */
size_t *rnn_driver_make_order(size_t n, int shuffle, uint64_t seed) {
  size_t *order = malloc((n ? n : 1) * sizeof *order);
  if (!order)
    return NULL;
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  if (shuffle && n > 1) {
    RnnRng rng;
    rnn_rng_seed(&rng, seed);
    for (size_t i = n - 1; i > 0; i--) {
      size_t j = (size_t)(rnn_rng_uniform(&rng) * (double)(i + 1));
      size_t t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  return order;
}

/* Loss and accuracy of the model on DATA, every example (every text round)
 * counted once; uses the evaluation state, never the training state. */
int rnn_driver_evaluate(Model *m, const Data *data, RnnEvalSums *sums) {
  const RnnModelDesc *d = m->d;
  memset(sums, 0, sizeof *sums);
  size_t n = rnn_driver_data_count(data, d);
  size_t batches = data->format == FORMAT_TEXT ? n : (n + (size_t)d->batch - 1) / (size_t)d->batch;
  size_t *order = data->format == FORMAT_TEXT ? NULL : rnn_driver_make_order(data->ex.n, 0, 0);
  if (data->format != FORMAT_TEXT && !order)
    return -1;
  d->reset_state(m->eval_state);
  for (size_t i = 0; i < batches; i++) {
    int count = rnn_driver_fill_batch(d, data, order, (long)i, m->batch);
    if (!(d->stateful && data->format == FORMAT_TEXT))
      d->reset_state(m->eval_state);
    d->forward(m->params, m->eval_state, m->ws, m->batch, NULL);
    rnn_eval_rows(d, m->ws, m->batch, count, sums);
  }
  free(order);
  return 0;
}

/* Mean loss and accuracy of S; NOT_MEASURED when undefined. */
double rnn_driver_mean_loss(const RnnEvalSums *s) {
  return s->elements > 0 ? s->loss / s->elements : NOT_MEASURED;
}
double rnn_driver_accuracy(const RnnModelDesc *d, const RnnEvalSums *s) {
  return d->loss != RNN_LOSS_MSE && s->predicted > 0 ? s->correct / s->predicted : NOT_MEASURED;
}
