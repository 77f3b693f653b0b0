/*
 * fuzz_data.c - fuzz target for what a generated program reads from disk:
 * data files (text, LABEL<TAB>TEXT, CSV, IDX, gzip'd or not) and
 * checkpoints.
 *
 * The first input byte picks the loader and its settings, the rest is the
 * file (written to an anonymous memory file and read back by its
 * /proc/self/fd path, since the loaders take paths):
 *
 *   mode % 9   0 text, vocabulary built        1 text, vocabulary given
 *              2 labelled, vocabulary built    3 labelled, vocabulary given
 *              4 CSV windows                   5 IDX images + labels (the
 *                rest split by its first 2 bytes, a little-endian length)
 *              6 checkpoint load (the series model)
 *              7 checkpoint describe           8 raw CSV series
 *   mode / 9   the --unknown policy (given vocabularies) and --max-examples
 *
 * Besides "no crash, no leak, no sanitizer report", every run checks
 * (abort() on a violation, which libFuzzer reports as a crash):
 *   - a failure says why: a non-empty message that names the file;
 *   - what loads is valid: token ids inside the vocabulary, class labels
 *     inside the model's classes, lengths in 1..T, finite CSV values, at
 *     most OPT.max examples, and a vocabulary whose byte and id tables agree.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rnn_ckpt.h"
#include "rnn_data.h"
#include "series.h"
#include "fuzz_vocab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FUZZ_DATA_TRACE=1: one line per input saying what loaded or why not
 * (to see which paths a corpus reaches). */
static void trace(const char *what, int rc, const RnnError *err) {
  static int on = -1;
  if (on < 0) on = getenv("FUZZ_DATA_TRACE") != NULL;
  if (on) fprintf(stderr, "%-10s %s\n", what, rc == 0 ? "loaded" : err->msg);
}

static void require(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz_data: invariant violated: %s\n", what);
    abort();
  }
}

/* An anonymous file holding BYTES; *PATH names it for fopen/gzopen. */
static int memory_file(const uint8_t *bytes, size_t len, char *path, size_t path_size) {
  int fd = memfd_create("fuzz", 0);
  if (fd < 0) {
    perror("fuzz_data: memfd_create");
    abort();
  }
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, bytes + done, len - done);
    if (n <= 0) {
      perror("fuzz_data: write");
      abort();
    }
    done += (size_t)n;
  }
  snprintf(path, path_size, "/proc/self/fd/%d", fd);
  return fd;
}

static void require_failure_explained(const RnnError *err, const char *path) {
  require(err->msg[0] != '\0', "a loader failed without a message");
  require(strstr(err->msg, path) != NULL, "a loader's message does not name the file");
}

/* Tokens of 24 steps, vocab 80 (0 pads), 3 classes: lang-like. */
static RnnModelDesc labelled_model(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.name = "fuzz_labelled";
  d.length = 24;
  d.batch = 4;
  d.tokens = 1;
  d.vocab = 80;
  d.out_units = 3;
  d.loss = RNN_LOSS_XENT;
  d.mask = RNN_MASK_PADDING;
  d.padding_id = 0;
  d.batch_lengths = -1;
  return d;
}

/* Windows of 5 steps of 2 numbers, next-step targets. */
static RnnModelDesc csv_model(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.name = "fuzz_csv";
  d.length = 5;
  d.batch = 2;
  d.features = 2;
  d.out_units = 2;
  d.out_per_step = 1;
  d.loss = RNN_LOSS_MSE;
  d.batch_lengths = -1;
  return d;
}

/* 4x3 images, 10 classes. */
static RnnModelDesc idx_model(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.name = "fuzz_idx";
  d.length = 4;
  d.batch = 2;
  d.features = 3;
  d.out_units = 10;
  d.loss = RNN_LOSS_XENT;
  d.batch_lengths = -1;
  return d;
}

static void require_examples_valid(const RnnExamples *ex, const RnnModelDesc *d,
                                   const RnnVocab *v, const RnnLoadOptions *opt) {
  require(ex->n > 0, "an empty data set loaded");
  require(opt->max == 0 || ex->n <= opt->max, "more examples than --max-examples");
  size_t T = (size_t)ex->steps;
  require(ex->steps == d->length, "examples of another length than the model's");
  for (size_t i = 0; i < ex->n; i++) {
    require(ex->lengths[i] >= 1 && ex->lengths[i] <= ex->steps, "a length outside 1..T");
    if (ex->tokens)
      for (size_t t = 0; t < T; t++) {
        int32_t id = ex->ids[i * T + t];
        require(id >= 0 && id < d->vocab, "a token id outside the model's vocab");
        require(id < v->size || opt->unknown == RNN_UNKNOWN_MAP, "a token id outside the vocab");
      }
    else
      for (size_t k = 0; k < T * (size_t)ex->features; k++)
        require(isfinite(ex->x[i * T * (size_t)ex->features + k]), "a non-finite input");
    if (ex->classes > 0) {
      size_t per = ex->per_step ? T : 1;
      for (size_t k = 0; k < per; k++) {
        int32_t y = ex->label[i * per + k];
        require(y >= 0 && y < ex->classes, "a class label out of range");
      }
    }
  }
}

static void fuzz_text(const char *path, int given, const RnnLoadOptions *opt) {
  RnnVocab v;
  RnnError err = {{0}};
  memset(&v, 0, sizeof v);
  v.padding_id = -1;
  if (given) rnn_vocab_build(&v, (const uint8_t *)"etaoin shrdlu\n", 14, 96, -1, "given", &err);
  RnnText t;
  int rc = rnn_text_load(path, &v, 96, opt, &t, &err);
  trace("text", rc, &err);
  if (rc != 0) {
    require_failure_explained(&err, path);
    require(t.ids == NULL, "a failed text load kept its ids");
    return;
  }
  require_vocab_consistent(&v, 96);
  require(t.len > 0, "an empty text loaded");
  int unknown = rnn_vocab_unknown_id(&v, 96);
  for (size_t i = 0; i < t.len; i++)
    require((t.ids[i] >= 0 && t.ids[i] < v.size) || t.ids[i] == unknown,
            "a text id outside the vocabulary");
  RnnText train, valid;
  if (rnn_text_split(&t, 0.1, 3, 2, &train, &valid, &err) == 0) {
    require(train.len + valid.len == t.len, "a split lost ids");
    int32_t x[6], y[6];
    rnn_text_batch(&train, 3, 2, rnn_text_rounds(&train, 3, 2) + 1, x, y);
  }
  rnn_text_free(&t);
}

static void fuzz_labelled(const char *path, int given, const RnnLoadOptions *opt) {
  RnnModelDesc d = labelled_model();
  RnnVocab v;
  RnnError err = {{0}};
  memset(&v, 0, sizeof v);
  if (given) rnn_vocab_build(&v, (const uint8_t *)"abcdefghij", 10, d.vocab, 0, "given", &err);
  RnnExamples ex;
  int rc = rnn_labelled_load(path, &d, &v, opt, &ex, &err);
  trace("labelled", rc, &err);
  if (rc != 0) {
    require_failure_explained(&err, path);
    require(ex.ids == NULL && ex.n == 0, "a failed labelled load kept its examples");
    return;
  }
  require_vocab_consistent(&v, d.vocab);
  require_examples_valid(&ex, &d, &v, opt);
  RnnExamples valid;
  if (rnn_examples_split(&ex, 0.5, 1, 7, &valid, &err) == 0) rnn_examples_free(&valid);
  rnn_examples_free(&ex);
}

static void fuzz_csv(const char *path, const RnnLoadOptions *opt) {
  RnnModelDesc d = csv_model();
  RnnVocab v;
  memset(&v, 0, sizeof v);
  RnnError err = {{0}};
  RnnExamples ex;
  int rc = rnn_csv_load(path, &d, opt, &ex, &err);
  trace("csv", rc, &err);
  if (rc != 0) {
    require_failure_explained(&err, path);
    return;
  }
  require_examples_valid(&ex, &d, &v, opt);
  rnn_examples_free(&ex);
}

static void fuzz_series(const char *path) {
  float *values = NULL;
  size_t rows = 0;
  RnnError err = {{0}};
  int rc = rnn_csv_read_series(path, 3, &values, &rows, &err);
  trace("series", rc, &err);
  if (rc != 0) {
    require_failure_explained(&err, path);
    require(values == NULL, "a failed series read kept its values");
    return;
  }
  require(rows > 0, "an empty series read");
  for (size_t i = 0; i < rows * 3; i++) require(isfinite(values[i]), "a non-finite value");
  free(values);
}

static void fuzz_idx(const uint8_t *rest, size_t len, const RnnLoadOptions *opt) {
  if (len < 2) return;
  size_t first = (size_t)rest[0] | (size_t)rest[1] << 8;
  rest += 2;
  len -= 2;
  if (first > len) first = len;
  char images[64], labels[64];
  int fd_images = memory_file(rest, first, images, sizeof images);
  int fd_labels = memory_file(rest + first, len - first, labels, sizeof labels);
  RnnModelDesc d = idx_model();
  RnnVocab v;
  memset(&v, 0, sizeof v);
  RnnError err = {{0}};
  RnnExamples ex;
  int rc = rnn_idx_load(images, labels, &d, opt, &ex, &err);
  trace("idx", rc, &err);
  if (rc != 0) {
    require(err.msg[0] != '\0', "the IDX loader failed without a message");
    require(strstr(err.msg, images) != NULL || strstr(err.msg, labels) != NULL,
            "an IDX message names neither file");
  } else {
    require_examples_valid(&ex, &d, &v, opt);
    for (size_t k = 0; k < ex.n * 12; k++)
      require(ex.x[k] >= 0 && ex.x[k] <= 1, "a pixel outside [0, 1]");
    rnn_examples_free(&ex);
  }
  close(fd_images);
  close(fd_labels);
}

/* A checkpoint for the series model: loading must fail with a message or
 * succeed whole; describing must not crash either way. */
static void fuzz_ckpt(const char *path, int describe) {
  const RnnModelDesc *d = &series_desc;
  RnnError err = {{0}};
  if (describe) {
    FILE *sink = fopen("/dev/null", "w");
    require(sink != NULL, "/dev/null");
    int rc = rnn_ckpt_describe(path, sink, &err);
    trace("describe", rc, &err);
    if (rc != 0) require_failure_explained(&err, path);
    fclose(sink);
    return;
  }
  RnnCkpt c;
  memset(&c, 0, sizeof c);
  c.params = calloc(d->n_params, sizeof *c.params);
  c.slots = calloc((size_t)d->n_slots * d->n_params + 1, sizeof *c.slots);
  c.state = calloc(1, d->state_size);
  require(c.params && c.slots && c.state, "out of memory");
  int rc = rnn_ckpt_load(path, d, &c, &err);
  trace("checkpoint", rc, &err);
  if (rc != 0)
    require_failure_explained(&err, path);
  else
    require_vocab_consistent(&c.vocab, 258);
  free(c.params);
  free(c.slots);
  free(c.state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  int mode = data[0] % 9, settings = data[0] / 9;
  static const RnnUnknown policies[] = {RNN_UNKNOWN_ERROR, RNN_UNKNOWN_SKIP, RNN_UNKNOWN_MAP};
  RnnLoadOptions opt = {(size_t)(settings / 3 % 4) * 2, policies[settings % 3]};
  const uint8_t *rest = data + 1;
  size_t len = size - 1;
  if (mode == 5) {
    fuzz_idx(rest, len, &opt);
    return 0;
  }
  char path[64];
  int fd = memory_file(rest, len, path, sizeof path);
  switch (mode) {
  case 0: fuzz_text(path, 0, &opt); break;
  case 1: fuzz_text(path, 1, &opt); break;
  case 2: fuzz_labelled(path, 0, &opt); break;
  case 3: fuzz_labelled(path, 1, &opt); break;
  case 4: fuzz_csv(path, &opt); break;
  case 6: fuzz_ckpt(path, 0); break;
  case 7: fuzz_ckpt(path, 1); break;
  default: fuzz_series(path); break;
  }
  close(fd);
  return 0;
}
