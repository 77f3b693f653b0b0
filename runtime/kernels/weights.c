/*
 * weights.c - a trained model's parameters from a checkpoint or a
 * parameter file (rnn_weights.h), through the kernels library alone: a
 * program that embeds a model needs no libyaml, no zlib and none of the
 * program library to load what training wrote.
 *
 * The whole file is checked as the program's own checkpoint loader checks
 * it (rnn_format.h) before a single parameter is copied. What identifies
 * the model is its name and its tensor table, not its spec hash: sizes
 * the parameters do not depend on (T, B) and the training block may
 * differ between the spec that trained and the spec that runs.
 */
#include "rnn_weights.h"

#include <stdlib.h>

#include "rnn_format.h"

/* What to do about another model's file, from an embedding program. */
#define ADVICE_OTHER_MODEL                                                                         \
  "load the file trained for this model, or generate the model from the spec that trained it"

/* Token ids index the model's embedding or one-hot input: the vocabulary
 * must fit the model's vocab. */
static int check_vocab_fits(const RnnFmtFile *f, const RnnVocab *v, const RnnModelDesc *d,
                            RnnError *err) {
  if (!d->tokens || v->size <= d->vocab)
    return 0;
  return rnn_error_set(err,
                       "%s: the %s's vocabulary has %d ids, the model's vocab is %d: it was saved "
                       "by another build of the model; " ADVICE_OTHER_MODEL,
                       f->path, f->kind->what, v->size, d->vocab);
}

/* Every check of F against D, then the copy into PARAMS and VOCAB. */
static int load_checked(RnnFmtFile *f, const RnnModelDesc *d, void *params, RnnVocab *vocab,
                        RnnError *err) {
  RnnFmtModel m;
  RnnVocab v;
  memset(&m, 0, sizeof m);
  if (rnn_fmt_open(f, 0, err) != 0 || rnn_fmt_read_model(f, &m, err) != 0 ||
      rnn_fmt_read_vocab(f, rnn_fmt_section(f->kind, "VOCB"), &v, err) != 0)
    return -1;
  if (rnn_fmt_check_identity(f, &m, d, 0, ADVICE_OTHER_MODEL, err) != 0 ||
      rnn_fmt_check_size(f, "parameter count", m.n_params, d->n_params, ADVICE_OTHER_MODEL, err) !=
          0 ||
      rnn_fmt_check_size(f, "tensor count", m.n_tensors, (uint64_t)d->n_tensors, ADVICE_OTHER_MODEL,
                         err) != 0 ||
      rnn_fmt_check_tensors(f, d, ADVICE_OTHER_MODEL, err) != 0 ||
      check_vocab_fits(f, &v, d, err) != 0)
    return -1;
  /* The params struct is rnn_real arrays only, so void * is the array. */
  rnn_fmt_load_reals(f->buf + f->sec[RNN_FMT_PARM].payload, f->real_size, d->n_params,
                     (rnn_real *)params);
  if (vocab)
    *vocab = v;
  return 0;
}

/* Contract: see rnn_weights.h. */
int rnn_weights_read(const void *bytes, size_t size, const char *name, const RnnModelDesc *d,
                     void *params, RnnVocab *vocab, RnnError *err) {
  if (!d || !params || (size > 0 && !bytes))
    return rnn_error_set(err, "%s: no model description, parameters or bytes given", name);
  if (d->abi != RNN_ABI)
    return rnn_error_set(err,
                         "%s: the model was generated for runtime ABI %d, this runtime is ABI %d: "
                         "regenerate it with the rnnc that matches rnn.h",
                         name, d->abi, RNN_ABI);
  RnnFmtFile f = {.path = name, .buf = bytes, .size = size};
  f.kind = rnn_fmt_kind_of(bytes, size);
  if (!f.kind)
    return rnn_error_set(err,
                         "%s: neither an rnnc checkpoint nor a parameter file (it starts with "
                         "neither \"RNNCKPT\" nor \"RNNCPARM\"); check the path",
                         name);
  return load_checked(&f, d, params, vocab, err);
}

/* Contract: see rnn_weights.h. */
int rnn_weights_load(const char *path, const RnnModelDesc *d, void *params, RnnVocab *vocab,
                     RnnError *err) {
  uint8_t *buf;
  size_t size;
  if (rnn_fmt_read_path(path, "weight file", &buf, &size, err) != 0) {
    free(buf);
    return -1;
  }
  int rc = rnn_weights_read(buf, size, path, d, params, vocab, err);
  free(buf);
  return rc;
}
