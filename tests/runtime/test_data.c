/*
 * test_data.c - the data loaders, batching and exact evaluation
 * (runtime/program/data_*.c, vocab.c, examples.c, batch.c, eval.c) against
 * hand-computed expectations.
 *
 * Fixtures live in tests/runtime/data/ (found next to this file through
 * __FILE__, or given as the first argument); the IDX pair is written at
 * test time, plain and gzip'd, into a temporary directory. Models are fake
 * RnnModelDesc tables over small batch and workspace structs defined here,
 * so no generated model is needed. Prints every check, then
 * "N passed, M failed"; exits nonzero on a failure.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "rnn_data.h"

typedef struct Checks {
  int passed, failed;
} Checks;

static void check(Checks *c, int ok, const char *what) {
  printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  if (ok)
    c->passed++;
  else
    c->failed++;
}

static void check_near(Checks *c, double got, double want, double tol, const char *what) {
  int ok = fabs(got - want) <= tol;
  if (!ok) printf("     got %.9g, want %.9g\n", got, want);
  check(c, ok, what);
}

static void check_msg(Checks *c, const RnnError *err, const char *want, const char *what) {
  int ok = strcmp(err->msg, want) == 0;
  if (!ok) printf("     got  \"%s\"\n     want \"%s\"\n", err->msg, want);
  check(c, ok, what);
}

/* ---------------------------------------------------------------------- */
/* Paths                                                                   */
/* ---------------------------------------------------------------------- */

typedef struct Paths {
  char data[1024]; /* fixture directory, no trailing slash */
  char tmp[1024];  /* scratch directory for files written by the test */
} Paths;

/* The fixture directory: argv[1], else data/ beside this source file. */
static void find_data_dir(int argc, char **argv, char *dir, size_t size) {
  if (argc > 1) {
    snprintf(dir, size, "%s", argv[1]);
    return;
  }
  const char *slash = strrchr(__FILE__, '/');
  if (slash == NULL)
    snprintf(dir, size, "data");
  else
    snprintf(dir, size, "%.*s/data", (int)(slash - __FILE__), __FILE__);
}

static void join(char *out, size_t size, const char *dir, const char *name) {
  snprintf(out, size, "%s/%s", dir, name);
}

/* ---------------------------------------------------------------------- */
/* Vocabulary                                                              */
/* ---------------------------------------------------------------------- */

static void test_vocab(Checks *c) {
  RnnVocab v;
  RnnError err;
  const uint8_t ba[] = "ba";
  check(c, rnn_vocab_build(&v, ba, 2, 10, 0, "mem", &err) == 0, "vocab: build 'ba' padding 0");
  check(c, v.size == 3 && v.id['a'] == 1 && v.id['b'] == 2 && v.byte[0] == -1 &&
               v.byte[1] == 'a' && v.byte[2] == 'b' && v.id['c'] == -1,
        "vocab: ascending bytes after the padding id");
  const uint8_t cab[] = "cab";
  check(c, rnn_vocab_extend(&v, cab, 3, 10, "mem", &err) == 0 && v.size == 4 && v.id['c'] == 3 &&
               v.byte[3] == 'c' && v.id['a'] == 1,
        "vocab: extend keeps ids, adds 'c' as 3");

  const uint8_t xyz[] = "zyx";
  check(c, rnn_vocab_build(&v, xyz, 3, 10, 5, "mem", &err) == 0 && v.size == 6 &&
               v.id['x'] == 0 && v.id['y'] == 1 && v.id['z'] == 2 && v.padding_id == 5,
        "vocab: padding id above the bytes; size covers it");
  const uint8_t w[] = "w";
  check(c, rnn_vocab_extend(&v, w, 1, 10, "mem", &err) == 0 && v.id['w'] == 3 && v.size == 6,
        "vocab: extend fills the gap below the padding id");

  const uint8_t abcd[] = "abcd";
  check(c, rnn_vocab_build(&v, abcd, 4, 3, -1, "mem", &err) != 0, "vocab: overflow fails");
  check_msg(c, &err,
            "mem: the data has 4 distinct bytes; the model's vocab is 3: raise 'vocab' in the "
            "spec to at least 4",
            "vocab: overflow message");
  check(c, rnn_vocab_build(&v, abcd, 4, 4, 0, NULL, &err) != 0, "vocab: overflow with padding");
  check_msg(c, &err,
            "(data): the data has 4 distinct bytes and id 0 is reserved for padding; the "
            "model's vocab is 4: raise 'vocab' in the spec to at least 5",
            "vocab: overflow message with padding");
  RnnVocab kept;
  rnn_vocab_build(&kept, ba, 2, 10, -1, "mem", &err);
  RnnVocab before = kept;
  check(c, rnn_vocab_extend(&kept, abcd, 4, 3, "mem", &err) != 0 &&
               memcmp(&kept, &before, sizeof kept) == 0,
        "vocab: failed extend leaves the vocabulary unchanged");
}

/* ---------------------------------------------------------------------- */
/* Text corpus                                                             */
/* ---------------------------------------------------------------------- */

/* x and y of one round against the characters each row should read. */
static int round_matches(const RnnVocab *v, const int32_t *x, const int32_t *y, int steps,
                         int batch, const char *const *want_x, const char *const *want_y) {
  for (int b = 0; b < batch; b++)
    for (int t = 0; t < steps; t++) {
      if (x[t * batch + b] != v->id[(uint8_t)want_x[b][t]]) return 0;
      if (y[t * batch + b] != v->id[(uint8_t)want_y[b][t]]) return 0;
    }
  return 1;
}

static void test_text(Checks *c, const Paths *p) {
  char path[1100];
  join(path, sizeof path, p->data, "text.txt");
  RnnVocab v;
  memset(&v, 0, sizeof v);
  v.padding_id = -1; /* a corpus reserves no padding id */
  RnnText t;
  RnnError err;
  int loaded = rnn_text_load(path, &v, 128, NULL, &t, &err) == 0;
  check(c, loaded, "text: load text.txt");
  if (!loaded) {
    printf("     (%s)\n", err.msg);
    return;
  }
  check(c, t.len == 23 && v.size == 21 && v.padding_id == -1 && v.id[' '] == 0 &&
               v.id['a'] == 1 && v.id['t'] == 20,
        "text: 23 ids, vocab of 21 (space 0, a..t 1..20), no padding id");

  /* Seed 000's layout, T=3, B=2: segments of 23/2 = 11 ids start at 0 and
   * 11; (11-1)/3 = 3 rounds; each round starts at the previous one's last
   * id. "abcde fghij| klmno pqrs|t" */
  enum { T = 3, B = 2 };
  check(c, rnn_text_rounds(&t, T, B) == 3, "text: 3 rounds for T=3, B=2");
  int32_t x[T * B], y[T * B];
  const char *const x0[] = {"abc", " kl"}, *const y0[] = {"bcd", "klm"};
  const char *const x1[] = {"de ", "mno"}, *const y1[] = {"e f", "no "};
  const char *const x2[] = {"fgh", " pq"}, *const y2[] = {"ghi", "pqr"};
  rnn_text_batch(&t, T, B, 0, x, y);
  check(c, round_matches(&v, x, y, T, B, x0, y0), "text: round 0 rows 'abc'/' kl'");
  rnn_text_batch(&t, T, B, 1, x, y);
  check(c, round_matches(&v, x, y, T, B, x1, y1), "text: round 1 continues at the last id");
  rnn_text_batch(&t, T, B, 2, x, y);
  check(c, round_matches(&v, x, y, T, B, x2, y2), "text: round 2 rows 'fgh'/' pq'");
  rnn_text_batch(&t, T, B, 3, x, y);
  check(c, round_matches(&v, x, y, T, B, x0, y0), "text: round 3 is round 0 again");
  rnn_text_batch(&t, T, B, 7, x, y);
  check(c, round_matches(&v, x, y, T, B, x1, y1), "text: round 7 is round 1");

  RnnText train, valid;
  /* int(23 * 0.65) = 14 train, 9 valid; one batch needs 2 * 4 = 8 */
  check(c, rnn_text_split(&t, 0.35, T, B, &train, &valid, &err) == 0 && train.len == 14 &&
               valid.len == 9 && train.ids == t.ids && valid.ids == t.ids + 14,
        "text: split 0.35 gives 14 + 9 ids sharing memory");
  check(c, rnn_text_split(&t, 0, T, B, &train, &valid, &err) == 0 && train.len == 23 &&
               valid.len == 0,
        "text: split 0 keeps everything for training");
  check(c, rnn_text_split(&t, 0.3, T, B, &train, &valid, &err) != 0,
        "text: split 0.3 leaves 7 < 8 ids for validation");
  check_msg(c, &err,
            "the validation text has 7 bytes but one batch needs 8 (batch 2 x (length 3 + 1)): "
            "raise validation_split or use a longer text",
            "text: short validation message");
  check(c, rnn_text_split(&t, 0, 11, 2, &train, &valid, &err) != 0,
        "text: T=11, B=2 needs 24 ids");
  check_msg(c, &err,
            "the training text has 23 bytes but one batch needs 24 (batch 2 x (length 11 + 1)): "
            "use a longer text or a smaller 'batch' or 'length'",
            "text: short training message");

  /* reading with the vocabulary of another text */
  RnnVocab small;
  const uint8_t known[] = "abc";
  rnn_vocab_build(&small, known, 3, 128, -1, "mem", &err);
  RnnText t2;
  check(c, rnn_text_load(path, &small, 128, NULL, &t2, &err) != 0 && t2.ids == NULL,
        "text: a byte outside a given vocabulary fails");
  char want[1400];
  snprintf(want, sizeof want,
           "%s: offset 3: byte 0x64 is not in the model's vocabulary (the bytes of its training "
           "text): remove it, train on text that has it, or pass --unknown skip or --unknown "
           "map",
           path);
  check_msg(c, &err, want, "text: out-of-vocabulary message names the offset");
  RnnLoadOptions skip = {0, RNN_UNKNOWN_SKIP}, map = {0, RNN_UNKNOWN_MAP};
  check(c, rnn_text_load(path, &small, 128, &skip, &t2, &err) == 0 && t2.len == 3 &&
               t2.skipped == 20 && t2.mapped == 0 && t2.ids[2] == small.id['c'],
        "text: --unknown skip leaves the 20 unknown bytes out");
  rnn_text_free(&t2);
  check(c, rnn_text_load(path, &small, 128, &map, &t2, &err) == 0 && t2.len == 23 &&
               t2.skipped == 0 && t2.mapped == 20 && t2.ids[3] == 3 && t2.ids[22] == 3 &&
               small.size == 3,
        "text: --unknown map reads them as id 3, the vocabulary unchanged");
  rnn_text_free(&t2);
  rnn_text_free(&t);
  check(c, t.ids == NULL && t.len == 0, "text: free empties");
}

/* ---------------------------------------------------------------------- */
/* IDX                                                                     */
/* ---------------------------------------------------------------------- */

enum { IDX_T = 2, IDX_F = 3, IDX_B = 4, IDX_N = 3, IDX_CLASSES = 3 };

typedef struct IdxBatch {
  rnn_real x[IDX_T][IDX_B][IDX_F];
  int32_t y[IDX_B];
} IdxBatch;

static const uint8_t idx_labels[IDX_N] = {2, 0, 1};

/* Pixel k of image i: distinct multiples of 17 (exact in float / 255). */
static uint8_t idx_pixel(int i, int k) { return (uint8_t)(17 * (i * IDX_T * IDX_F + k)); }

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static size_t idx_images_bytes(uint8_t *buf) {
  put_u32(buf, 0x803);
  put_u32(buf + 4, IDX_N);
  put_u32(buf + 8, IDX_T);
  put_u32(buf + 12, IDX_F);
  size_t n = 16;
  for (int i = 0; i < IDX_N; i++)
    for (int k = 0; k < IDX_T * IDX_F; k++) buf[n++] = idx_pixel(i, k);
  return n;
}

static size_t idx_labels_bytes(uint8_t *buf) {
  put_u32(buf, 0x801);
  put_u32(buf + 4, IDX_N);
  memcpy(buf + 8, idx_labels, IDX_N);
  return 8 + IDX_N;
}

/* Writes LEN bytes to PATH, through gzip when GZ. */
static int write_file(const char *path, const uint8_t *data, size_t len, int gz) {
  if (gz) {
    gzFile f = gzopen(path, "wb");
    if (f == NULL) return -1;
    int ok = gzwrite(f, data, (unsigned)len) == (int)len;
    return gzclose(f) == Z_OK && ok ? 0 : -1;
  }
  FILE *f = fopen(path, "wb");
  if (f == NULL) return -1;
  int ok = fwrite(data, 1, len, f) == len;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static RnnModelDesc idx_desc(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.name = "idx_test";
  d.length = IDX_T;
  d.batch = IDX_B;
  d.features = IDX_F;
  d.out_units = IDX_CLASSES;
  d.loss = RNN_LOSS_XENT;
  d.mask = RNN_MASK_NONE;
  d.batch_size = sizeof(IdxBatch);
  d.batch_x = offsetof(IdxBatch, x);
  d.batch_y = offsetof(IdxBatch, y);
  d.batch_lengths = -1;
  return d;
}

static int idx_examples_match(const RnnExamples *ex, size_t n) {
  if (ex->n != n || ex->steps != IDX_T || ex->features != IDX_F || ex->tokens ||
      ex->per_step || ex->out != 1 || ex->classes != IDX_CLASSES || ex->target != NULL)
    return 0;
  for (size_t i = 0; i < n; i++) {
    if (ex->label[i] != idx_labels[i] || ex->lengths[i] != IDX_T) return 0;
    for (int k = 0; k < IDX_T * IDX_F; k++)
      if (ex->x[i * IDX_T * IDX_F + (size_t)k] != (float)idx_pixel((int)i, k) / 255.0f) return 0;
  }
  return 1;
}

/* The batch of examples {2, 0, 1} with B=4: row 3 repeats example 2. */
static int idx_batch_matches(const IdxBatch *b, const RnnExamples *ex) {
  const size_t order[IDX_B] = {2, 0, 1, 2};
  for (int r = 0; r < IDX_B; r++) {
    size_t e = order[r];
    if (b->y[r] != idx_labels[e]) return 0;
    for (int t = 0; t < IDX_T; t++)
      for (int f = 0; f < IDX_F; f++)
        if (b->x[t][r][f] != (rnn_real)ex->x[(e * IDX_T + (size_t)t) * IDX_F + (size_t)f])
          return 0;
  }
  return 1;
}

static void test_idx_pair(Checks *c, const Paths *p, int gz) {
  char images[1100], labels[1100], what[200];
  const char *suffix = gz ? ".gz" : "";
  snprintf(images, sizeof images, "%s/images-idx3-ubyte%s", p->tmp, suffix);
  snprintf(labels, sizeof labels, "%s/labels-idx1-ubyte%s", p->tmp, suffix);
  uint8_t buf[256];
  int written = write_file(images, buf, idx_images_bytes(buf), gz) == 0 &&
                write_file(labels, buf, idx_labels_bytes(buf), gz) == 0;
  snprintf(what, sizeof what, "idx%s: write the fixture pair", suffix);
  check(c, written, what);

  RnnModelDesc d = idx_desc();
  RnnExamples ex;
  RnnError err;
  snprintf(what, sizeof what, "idx%s: load 3 images of 2x3 with labels 2, 0, 1", suffix);
  int loaded = rnn_idx_load(images, labels, &d, NULL, &ex, &err) == 0;
  check(c, loaded && idx_examples_match(&ex, 3), what);
  if (!loaded) {
    printf("     (%s)\n", err.msg);
    return;
  }
  IdxBatch b;
  memset(&b, 0xff, sizeof b);
  const size_t idx[] = {2, 0, 1};
  rnn_examples_batch(&d, &ex, idx, 3, &b);
  snprintf(what, sizeof what, "idx%s: partial batch {2, 0, 1}, row 3 repeats example 2", suffix);
  check(c, idx_batch_matches(&b, &ex), what);
  rnn_examples_free(&ex);
  check(c, ex.x == NULL && ex.n == 0, "idx: free empties");

  snprintf(what, sizeof what, "idx%s: max 2 keeps the first two", suffix);
  check(c, rnn_idx_load(images, labels, &d, &(RnnLoadOptions){2, RNN_UNKNOWN_ERROR}, &ex, &err) == 0 && idx_examples_match(&ex, 2),
        what);
  rnn_examples_free(&ex);

  d.out_units = 2;
  snprintf(what, sizeof what, "idx%s: label 2 with 2 outputs fails", suffix);
  check(c, rnn_idx_load(images, labels, &d, NULL, &ex, &err) != 0 && ex.x == NULL, what);
  char want[1400];
  snprintf(want, sizeof want,
           "%s: offset 8: label 2 is out of range: the labels go up to 2 but the model has 2 "
           "outputs; give the output layer 3 units",
           labels);
  snprintf(what, sizeof what, "idx%s: label range message", suffix);
  check_msg(c, &err, want, what);
  unlink(images);
  unlink(labels);
}

/* A gzip stream cut short reads as a truncated file, not as a crash. */
static void test_idx_truncated_gzip(Checks *c, const Paths *p) {
  char images[1100], labels[1100];
  snprintf(images, sizeof images, "%s/cut-images.gz", p->tmp);
  snprintf(labels, sizeof labels, "%s/cut-labels", p->tmp);
  uint8_t buf[256];
  write_file(labels, buf, idx_labels_bytes(buf), 0);
  write_file(images, buf, idx_images_bytes(buf), 1);
  FILE *f = fopen(images, "rb");
  uint8_t gz[512];
  size_t len = f != NULL ? fread(gz, 1, sizeof gz, f) : 0;
  if (f != NULL) fclose(f);
  write_file(images, gz, len - 12, 0); /* drops the trailer and some data */
  RnnModelDesc d = idx_desc();
  RnnExamples ex;
  RnnError err;
  int failed = rnn_idx_load(images, labels, &d, NULL, &ex, &err) != 0;
  printf("     (%s)\n", err.msg);
  check(c, failed && strstr(err.msg, "truncated; download it again") != NULL,
        "idx: a cut gzip stream is reported as truncated");
  unlink(images);
  unlink(labels);
}

/* ---------------------------------------------------------------------- */
/* CSV                                                                     */
/* ---------------------------------------------------------------------- */

enum { CSV_T = 3, CSV_B = 2, CSV_F = 2, CSV_ROWS = 6 };

typedef struct CsvBatch {
  rnn_real x[CSV_T][CSV_B][CSV_F];
  rnn_real y[CSV_T][CSV_B][CSV_F];
} CsvBatch;

/* series.csv: header x,y; a blank line, a CRLF line and spaces around
 * cells in between. */
static const float csv_series[CSV_ROWS][CSV_F] = {{0, 10}, {1, 11}, {2, 12.5f},
                                                  {3, 13}, {4, -14}, {5, 15}};

static RnnModelDesc csv_desc(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.name = "csv_test";
  d.length = CSV_T;
  d.batch = CSV_B;
  d.features = CSV_F;
  d.out_units = CSV_F;
  d.out_per_step = 1;
  d.loss = RNN_LOSS_MSE;
  d.mask = RNN_MASK_NONE;
  d.batch_size = sizeof(CsvBatch);
  d.batch_x = offsetof(CsvBatch, x);
  d.batch_y = offsetof(CsvBatch, y);
  d.batch_lengths = -1;
  return d;
}

/* Window W: rows W..W+T-1 as inputs, W+1..W+T as targets. */
static int csv_window_matches(const RnnExamples *ex, size_t i, int w) {
  for (int t = 0; t < CSV_T; t++)
    for (int f = 0; f < CSV_F; f++) {
      size_t k = (i * CSV_T + (size_t)t) * CSV_F + (size_t)f;
      if (ex->x[k] != csv_series[w + t][f] || ex->target[k] != csv_series[w + t + 1][f])
        return 0;
    }
  return ex->lengths[i] == CSV_T;
}

static int csv_batch_matches(const CsvBatch *b, const int *windows) {
  for (int r = 0; r < CSV_B; r++)
    for (int t = 0; t < CSV_T; t++)
      for (int f = 0; f < CSV_F; f++)
        if (b->x[t][r][f] != (rnn_real)csv_series[windows[r] + t][f] ||
            b->y[t][r][f] != (rnn_real)csv_series[windows[r] + t + 1][f])
          return 0;
  return 1;
}

static void test_csv(Checks *c, const Paths *p) {
  char path[1100];
  join(path, sizeof path, p->data, "series.csv");
  RnnError err;
  float *values = NULL;
  size_t rows = 0;
  check(c, rnn_csv_read_series(path, CSV_F, &values, &rows, &err) == 0 && rows == CSV_ROWS &&
               memcmp(values, csv_series, sizeof csv_series) == 0,
        "csv: series of 6 rows, header and blank line skipped, CRLF and spaces read");
  free(values);

  RnnModelDesc d = csv_desc();
  RnnExamples ex;
  int loaded = rnn_csv_load(path, &d, NULL, &ex, &err) == 0;
  check(c, loaded, "csv: load windows");
  if (!loaded) {
    printf("     (%s)\n", err.msg);
    return;
  }
  check(c, ex.n == 3 && ex.per_step && ex.out == CSV_F && ex.classes == 0 && ex.label == NULL &&
               csv_window_matches(&ex, 0, 0) && csv_window_matches(&ex, 1, 1) &&
               csv_window_matches(&ex, 2, 2),
        "csv: 6 - 3 = 3 windows with next-step targets");
  CsvBatch b;
  const size_t idx[] = {2, 0};
  const int windows[] = {2, 0};
  rnn_examples_batch(&d, &ex, idx, 2, &b);
  check(c, csv_batch_matches(&b, windows), "csv: batch {2, 0} time-major x and y");
  RnnExamples first;
  RnnLoadOptions one = {1, RNN_UNKNOWN_ERROR};
  check(c, rnn_csv_load(path, &d, &one, &first, &err) == 0 && first.n == 1 &&
               csv_window_matches(&first, 0, 0),
        "csv: max 1 keeps the first window");
  rnn_examples_free(&first);

  /* no shuffle (a series keeps its order): int(3 * 0.66) = 1 stays */
  RnnExamples valid;
  check(c, rnn_examples_split(&ex, 0.34, 0, 0, &valid, &err) == 0 && ex.n == 1 &&
               valid.n == 2 && csv_window_matches(&ex, 0, 0) &&
               csv_window_matches(&valid, 0, 1) && csv_window_matches(&valid, 1, 2),
        "csv: split 0.34 without shuffle keeps window 0, validates 1 and 2");
  rnn_examples_free(&valid);
  check(c, rnn_examples_split(&ex, 0.5, 0, 0, &valid, &err) != 0 && ex.n == 1,
        "csv: splitting 1 example fails");
  check_msg(c, &err,
            "the data has 1 examples: validation_split 0.5 leaves none for training; use more "
            "data or a smaller validation_split",
            "csv: split message");
  rnn_examples_free(&ex);

  d.length = 6;
  check(c, rnn_csv_load(path, &d, NULL, &ex, &err) != 0, "csv: length 6 needs 7 rows");
  char want[1400];
  snprintf(want, sizeof want,
           "%s: 6 rows make no window: length 6 needs at least 7 rows (length + 1); use a "
           "longer series or a smaller 'length'",
           path);
  check_msg(c, &err, want, "csv: too-short message");
}

/* ---------------------------------------------------------------------- */
/* Labelled sequences                                                      */
/* ---------------------------------------------------------------------- */

enum { LAB_T = 5, LAB_B = 3, LAB_N = 4 };

typedef struct BceBatch {
  int32_t x[LAB_T][LAB_B];
  rnn_real y[LAB_B][1];
} BceBatch;

typedef struct XentLengthsBatch {
  int32_t x[LAB_T][LAB_B];
  int32_t y[LAB_B];
  int32_t lengths[LAB_B];
} XentLengthsBatch;

/* labelled.tsv: "1 good", "0 bad film" (cut to 5), blank, "1 café" (5
 * bytes of UTF-8), "0 no". */
static const char *const lab_text[LAB_N] = {"good", "bad f", "caf\xc3\xa9", "no"};
static const int lab_label[LAB_N] = {1, 0, 1, 0};

static RnnModelDesc labelled_desc(RnnLossKind loss, RnnMaskKind mask) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.name = "labelled_test";
  d.length = LAB_T;
  d.batch = LAB_B;
  d.tokens = 1;
  d.vocab = 16;
  d.loss = loss;
  d.mask = mask;
  d.padding_id = 0;
  if (loss == RNN_LOSS_BCE) {
    d.out_units = 1;
    d.batch_size = sizeof(BceBatch);
    d.batch_x = offsetof(BceBatch, x);
    d.batch_y = offsetof(BceBatch, y);
    d.batch_lengths = -1;
  } else {
    d.out_units = 2;
    d.batch_size = sizeof(XentLengthsBatch);
    d.batch_x = offsetof(XentLengthsBatch, x);
    d.batch_y = offsetof(XentLengthsBatch, y);
    d.batch_lengths = (long)offsetof(XentLengthsBatch, lengths);
  }
  return d;
}

/* Example I holds original line K's text through V, padded with id 0. */
static int labelled_example_matches(const RnnExamples *ex, size_t i, int k, const RnnVocab *v) {
  size_t len = strlen(lab_text[k]);
  for (size_t t = 0; t < LAB_T; t++) {
    int32_t want = t < len ? v->id[(uint8_t)lab_text[k][t]] : 0;
    if (ex->ids[i * LAB_T + t] != want) return 0;
  }
  if (ex->lengths[i] != (int32_t)len) return 0;
  return ex->classes > 0 ? ex->label[i] == lab_label[k]
                         : ex->target[i] == (float)lab_label[k];
}

static int bce_batch_matches(const BceBatch *b, const RnnExamples *ex, const size_t *rows) {
  for (int r = 0; r < LAB_B; r++) {
    size_t e = rows[r];
    if (b->y[r][0] != (rnn_real)ex->target[e]) return 0;
    for (int t = 0; t < LAB_T; t++)
      if (b->x[t][r] != ex->ids[e * LAB_T + (size_t)t]) return 0;
  }
  return 1;
}

static void test_labelled_bce(Checks *c, const char *path) {
  RnnModelDesc d = labelled_desc(RNN_LOSS_BCE, RNN_MASK_PADDING);
  RnnVocab v;
  memset(&v, 0, sizeof v);
  RnnExamples ex;
  RnnError err;
  int loaded = rnn_labelled_load(path, &d, &v, NULL, &ex, &err) == 0;
  check(c, loaded, "labelled: load as bce");
  if (!loaded) {
    printf("     (%s)\n", err.msg);
    return;
  }
  /* bytes: ' ' a b c d f g i l m n o 0xa9 0xc3 -> ids 1..14 after padding 0 */
  check(c, v.size == 15 && v.padding_id == 0 && v.id[' '] == 1 && v.id['a'] == 2 &&
               v.id['o'] == 12 && v.id[0xa9] == 13 && v.id[0xc3] == 14 && v.id['\t'] == -1 &&
               v.id['1'] == -1,
        "labelled: vocab of the text bytes only, UTF-8 bytes included, id 0 reserved");
  int all = ex.n == LAB_N && ex.tokens && ex.steps == LAB_T && ex.classes == 0 &&
            ex.out == 1 && ex.label == NULL && ex.truncated == 1;
  for (int k = 0; k < LAB_N; k++) all = all && labelled_example_matches(&ex, (size_t)k, k, &v);
  check(c, all, "labelled: 4 examples, post-padded with 0, 'bad film' cut to 5, targets 0/1");

  BceBatch b;
  const size_t idx[] = {3, 1};
  const size_t rows[] = {3, 1, 3};
  rnn_examples_batch(&d, &ex, idx, 2, &b);
  check(c, bce_batch_matches(&b, &ex, rows) && b.x[2][0] == 0 && b.x[1][0] == v.id['o'],
        "labelled: batch {3, 1} holds the padding id in padded steps; row 2 repeats 3");

  rnn_examples_free(&ex);
}

/* Which original line each example of the 3 + 1 split holds (-1: none). */
static void split_order(const RnnExamples *train, const RnnExamples *valid, const RnnVocab *v,
                        int order[LAB_N]) {
  for (int i = 0; i < LAB_N; i++) {
    const RnnExamples *part = i < 3 ? train : valid;
    size_t at = i < 3 ? (size_t)i : 0;
    order[i] = -1;
    for (int k = 0; k < LAB_N; k++)
      if (labelled_example_matches(part, at, k, v)) order[i] = k;
  }
}

/* Shuffled split: deterministic by seed, a permutation of the examples. */
static void test_labelled_split(Checks *c, const char *path) {
  RnnModelDesc d = labelled_desc(RNN_LOSS_BCE, RNN_MASK_PADDING);
  RnnVocab v;
  memset(&v, 0, sizeof v);
  RnnExamples a = {0}, va = {0}, b = {0}, vb = {0}, kept = {0}, vk = {0};
  RnnError err;
  int ok = rnn_labelled_load(path, &d, &v, NULL, &a, &err) == 0 &&
           rnn_labelled_load(path, &d, &v, NULL, &b, &err) == 0 &&
           rnn_labelled_load(path, &d, &v, NULL, &kept, &err) == 0 &&
           rnn_examples_split(&a, 0.25, 1, 42, &va, &err) == 0 &&
           rnn_examples_split(&b, 0.25, 1, 42, &vb, &err) == 0 &&
           rnn_examples_split(&kept, 0.25, 0, 42, &vk, &err) == 0;
  ok = ok && a.n == 3 && va.n == 1 && b.n == 3 && vb.n == 1 && kept.n == 3 && vk.n == 1;
  check(c, ok, "split: 0.25 of 4 keeps 3, validates 1");
  if (ok) {
    check(c, memcmp(a.ids, b.ids, 3 * LAB_T * sizeof(int32_t)) == 0 &&
                 memcmp(va.ids, vb.ids, LAB_T * sizeof(int32_t)) == 0,
          "split: the same seed gives the same split");
    int order[LAB_N], seen[LAB_N] = {0};
    split_order(&a, &va, &v, order);
    for (int i = 0; i < LAB_N; i++)
      if (order[i] >= 0) seen[order[i]]++;
    check(c, seen[0] == 1 && seen[1] == 1 && seen[2] == 1 && seen[3] == 1,
          "split: shuffled, a permutation; lengths and targets travel along");
    printf("     (seed 42 order: %d %d %d | %d)\n", order[0], order[1], order[2], order[3]);
    /* Pinned: Fisher-Yates from the end (position i swaps with j uniform in
     * [0, i], rejection-sampled from xoshiro256** seeded with 42), checked
     * against a separate Python reimplementation. A change here changes
     * every program's train/validation split. */
    check(c, order[0] == 3 && order[1] == 1 && order[2] == 0 && order[3] == 2,
          "split: seed 42 gives the pinned order 3 1 0 | 2");
    split_order(&kept, &vk, &v, order);
    check(c, order[0] == 0 && order[1] == 1 && order[2] == 2 && order[3] == 3,
          "split: without shuffle the order stays, the last example validates");
  }
  rnn_examples_free(&a);
  rnn_examples_free(&va);
  rnn_examples_free(&b);
  rnn_examples_free(&vb);
  rnn_examples_free(&kept);
  rnn_examples_free(&vk);
}

static void test_labelled_lengths(Checks *c, const char *path) {
  RnnModelDesc d = labelled_desc(RNN_LOSS_XENT, RNN_MASK_LENGTHS);
  RnnVocab v;
  memset(&v, 0, sizeof v);
  RnnExamples ex;
  RnnError err;
  int loaded = rnn_labelled_load(path, &d, &v, NULL, &ex, &err) == 0;
  check(c, loaded && ex.classes == 2 && ex.target == NULL,
        "labelled: load as cross-entropy with 2 classes");
  if (!loaded) {
    printf("     (%s)\n", err.msg);
    return;
  }
  int all = ex.n == LAB_N;
  for (int k = 0; k < LAB_N; k++) all = all && labelled_example_matches(&ex, (size_t)k, k, &v);
  check(c, all, "labelled: class ids and lengths 4, 5, 5, 2");
  XentLengthsBatch b;
  const size_t idx[] = {0, 3};
  rnn_examples_batch(&d, &ex, idx, 2, &b);
  check(c, b.lengths[0] == 4 && b.lengths[1] == 2 && b.lengths[2] == 4 && b.y[0] == 1 &&
               b.y[1] == 0 && b.y[2] == 1 && b.x[0][1] == v.id['n'] && b.x[3][0] == v.id['d'],
        "labelled: mask lengths writes lengths[B]; row 2 repeats example 0");

  rnn_examples_free(&ex);
  d.out_units = 1;
  check(c, rnn_labelled_load(path, &d, &v, NULL, &ex, &err) != 0 && ex.ids == NULL,
        "labelled: label 1 with 1 class fails");
  char want[1400];
  snprintf(want, sizeof want,
           "%s:1: label 1 is out of range: the model has 1 outputs (classes 0 to 0); fix the "
           "label or give the output layer more units",
           path);
  check_msg(c, &err, want, "labelled: label range message");
  rnn_examples_free(&ex);
}

/* A vocabulary given from training data ("abdgo", id 0 padding) meets
 * labelled.tsv: "good" is known; "bad f" (space, f), "café" (c, f, two
 * UTF-8 bytes) and "no" (n) are not. */
static void test_labelled_unknown(Checks *c, const char *path) {
  RnnModelDesc d = labelled_desc(RNN_LOSS_BCE, RNN_MASK_PADDING);
  RnnVocab v;
  RnnError err;
  rnn_vocab_build(&v, (const uint8_t *)"abdgo", 5, d.vocab, 0, "given", &err);
  RnnExamples ex;
  check(c, rnn_labelled_load(path, &d, &v, NULL, &ex, &err) != 0 && ex.ids == NULL,
        "unknown: refused by default");
  char want[1400];
  snprintf(want, sizeof want,
           "%s:2: byte 0x20 at column 6 is not in the model's vocabulary (the bytes of its "
           "training data): remove it, train on data that has it, or pass --unknown skip or "
           "--unknown map",
           path);
  check_msg(c, &err, want, "unknown: the message names line, byte and column");

  RnnLoadOptions skip = {0, RNN_UNKNOWN_SKIP};
  int ok = rnn_labelled_load(path, &d, &v, &skip, &ex, &err) == 0;
  check(c, ok && ex.n == 1 && ex.skipped == 3 && ex.mapped == 0 &&
               labelled_example_matches(&ex, 0, 0, &v) && v.size == 6,
        "unknown skip: 'good' kept, 3 examples left out, the vocabulary unchanged");
  rnn_examples_free(&ex);

  RnnLoadOptions map = {0, RNN_UNKNOWN_MAP};
  ok = rnn_labelled_load(path, &d, &v, &map, &ex, &err) == 0;
  int unk = rnn_vocab_unknown_id(&v, d.vocab);
  const int32_t bad_f[LAB_T] = {v.id['b'], v.id['a'], v.id['d'], 6, 6};
  check(c, ok && unk == 6 && ex.n == LAB_N && ex.skipped == 0 && ex.mapped == 7 &&
               memcmp(ex.ids + LAB_T, bad_f, sizeof bad_f) == 0 && ex.ids[2 * LAB_T + 1] == 1 &&
               ex.ids[3 * LAB_T] == 6 && ex.ids[3 * LAB_T + 2] == 0 && v.size == 6,
        "unknown map: 7 bytes read as id 6 (the lowest free), padding stays 0");
  rnn_examples_free(&ex);

  RnnLoadOptions skip_one = {1, RNN_UNKNOWN_SKIP};
  ok = rnn_labelled_load(path, &d, &v, &skip_one, &ex, &err) == 0;
  check(c, ok && ex.n == 1 && ex.skipped == 0,
        "unknown skip + max 1: stops after the first kept example");
  rnn_examples_free(&ex);

  RnnVocab full;
  rnn_vocab_build(&full, (const uint8_t *)"abcdefghijklmno", 15, d.vocab, 0, "given", &err);
  check(c, rnn_vocab_unknown_id(&full, d.vocab) == -1 && rnn_vocab_unknown_id(&full, 17) == 16,
        "unknown id: none when the bytes and padding fill the vocab");
}

/* --max-examples N reads N examples: later lines are neither parsed nor
 * in a vocabulary built from the file. */
static void test_labelled_max(Checks *c, const Paths *p) {
  char path[1100];
  join(path, sizeof path, p->tmp, "max.tsv");
  static const char text[] = "0\tab\n1\tba\n0\tzz\nnot a labelled line\n";
  write_file(path, (const uint8_t *)text, sizeof text - 1, 0);
  RnnModelDesc d = labelled_desc(RNN_LOSS_BCE, RNN_MASK_PADDING);
  RnnVocab v;
  memset(&v, 0, sizeof v);
  RnnExamples ex;
  RnnError err;
  check(c, rnn_labelled_load(path, &d, &v, NULL, &ex, &err) != 0,
        "max: the whole file has a bad line 4");
  memset(&v, 0, sizeof v);
  RnnLoadOptions two = {2, RNN_UNKNOWN_ERROR};
  int ok = rnn_labelled_load(path, &d, &v, &two, &ex, &err) == 0;
  check(c, ok && ex.n == 2 && v.size == 3 && v.id['z'] == -1,
        "max 2: two examples, line 4 never parsed, 'z' not in the vocabulary");
  if (!ok) printf("     (%s)\n", err.msg);
  rnn_examples_free(&ex);
  unlink(path);
}

static void test_labelled(Checks *c, const Paths *p) {
  char path[1100];
  join(path, sizeof path, p->data, "labelled.tsv");
  test_labelled_bce(c, path);
  test_labelled_split(c, path);
  test_labelled_lengths(c, path);
  test_labelled_unknown(c, path);
  test_labelled_max(c, p);
}

/* ---------------------------------------------------------------------- */
/* Exact evaluation                                                        */
/* ---------------------------------------------------------------------- */

/* A constant in the precision under test (double literals would promote
 * or narrow implicitly). */
#define R(v) ((rnn_real)(v))

enum { EV_T = 2, EV_B = 3, EV_C = 3 };

typedef struct EvalXentBatch {
  int32_t x[EV_T][EV_B];
  int32_t y[EV_T][EV_B];
} EvalXentBatch;

typedef struct EvalXentWs {
  rnn_real other[5]; /* the output rows need not come first */
  rnn_real out[EV_T][EV_B][EV_C];
} EvalXentWs;

/* Per-step cross-entropy with padding id 0, count 2 of B=3: rows (0,0),
 * (0,1), (1,1) are real; (1,0) is padding; column 2 is not counted. */
static void test_eval_xent(Checks *c) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.length = EV_T;
  d.batch = EV_B;
  d.tokens = 1;
  d.vocab = 8;
  d.out_units = EV_C;
  d.out_per_step = 1;
  d.loss = RNN_LOSS_XENT;
  d.mask = RNN_MASK_PADDING;
  d.padding_id = 0;
  d.batch_x = offsetof(EvalXentBatch, x);
  d.batch_y = offsetof(EvalXentBatch, y);
  d.batch_lengths = -1;
  d.output_offset = offsetof(EvalXentWs, out);
  EvalXentBatch b = {.x = {{1, 2, 5}, {0, 3, 7}}, .y = {{0, 1, 0}, {1, 1, 0}}};
  EvalXentWs ws = {.other = {9, 9, 9, 9, 9},
                   .out = {{{R(0.7), R(0.2), R(0.1)}, {R(0.1), R(0.3), R(0.6)}, {0, 1, 0}},
                           {{0, 0, 1}, {R(0.25), R(0.5), R(0.25)}, {0, 1, 0}}}};
  RnnEvalSums s = {0, 0, 0, 0};
  rnn_eval_rows(&d, &ws, &b, 2, &s);
  double want = -(log((double)R(0.7)) + log((double)R(0.3)) + log(0.5));
  check_near(c, s.loss, want, 1e-9, "eval xent: -log p[target] over the 3 real rows");
  check(c, s.elements == 3 && s.predicted == 3 && s.correct == 2,
        "eval xent: 3 elements, 2 of 3 argmax correct");
  s = (RnnEvalSums){0, 0, 0, 0};
  rnn_eval_rows(&d, &ws, &b, 3, &s);
  check_near(c, s.loss, want + 100 + 100, 1e-9,
             "eval xent: count 3 adds column 2, p[target] = 0 clamped to 100");
  check(c, s.elements == 5 && s.correct == 2, "eval xent: 5 elements with count 3");
}

enum { BE_B = 4 };

typedef struct EvalBceBatch {
  int32_t x[1][BE_B];
  rnn_real y[BE_B][1];
} EvalBceBatch;

typedef struct EvalBceWs {
  rnn_real out[BE_B][1];
} EvalBceWs;

/* Per-sequence binary cross-entropy: padding never removes a row here. */
static void test_eval_bce(Checks *c) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.length = 1;
  d.batch = BE_B;
  d.tokens = 1;
  d.out_units = 1;
  d.loss = RNN_LOSS_BCE;
  d.mask = RNN_MASK_PADDING;
  d.batch_x = offsetof(EvalBceBatch, x);
  d.batch_y = offsetof(EvalBceBatch, y);
  d.batch_lengths = -1;
  d.output_offset = offsetof(EvalBceWs, out);
  EvalBceBatch b = {.x = {{0, 0, 0, 0}}, .y = {{1}, {1}, {0}, {1}}};
  EvalBceWs ws = {.out = {{R(0.8)}, {R(0.4)}, {R(0.9)}, {0}}};
  RnnEvalSums s = {0, 0, 0, 0};
  rnn_eval_rows(&d, &ws, &b, 2, &s);
  check_near(c, s.loss, -(log((double)R(0.8)) + log((double)R(0.4))), 1e-9,
             "eval bce: count 2 of 4");
  check(c, s.elements == 2 && s.predicted == 2 && s.correct == 1,
        "eval bce: p >= 0.5 against the 0/1 target");
  s = (RnnEvalSums){0, 0, 0, 0};
  rnn_eval_rows(&d, &ws, &b, 4, &s);
  double want = -(log((double)R(0.8)) + log((double)R(0.4)) + log(1.0 - (double)R(0.9))) + 100;
  check_near(c, s.loss, want, 1e-9, "eval bce: log(0) clamped at -100");
  check(c, s.elements == 4 && s.correct == 1, "eval bce: 4 elements");
}

enum { MS_T = 2, MS_B = 3, MS_O = 2 };

typedef struct EvalMseBatch {
  rnn_real x[MS_T][MS_B][1];
  rnn_real y[MS_T][MS_B][MS_O];
  int32_t lengths[MS_B];
} EvalMseBatch;

typedef struct EvalMseWs {
  rnn_real out[MS_T][MS_B][MS_O];
} EvalMseWs;

/* Per-step mse with lengths {2, 1, 2}, count 2: rows (0,0), (0,1), (1,0). */
static void test_eval_mse(Checks *c) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.length = MS_T;
  d.batch = MS_B;
  d.features = 1;
  d.out_units = MS_O;
  d.out_per_step = 1;
  d.loss = RNN_LOSS_MSE;
  d.mask = RNN_MASK_LENGTHS;
  d.batch_x = offsetof(EvalMseBatch, x);
  d.batch_y = offsetof(EvalMseBatch, y);
  d.batch_lengths = (long)offsetof(EvalMseBatch, lengths);
  d.output_offset = offsetof(EvalMseWs, out);
  EvalMseBatch b = {.y = {{{1, 2}, {0, 0}, {5, 5}}, {{-1, R(0.5)}, {7, 7}, {5, 5}}},
                    .lengths = {2, 1, 2}};
  EvalMseWs ws = {.out = {{{R(1.5), 2}, {1, -2}, {0, 0}}, {{0, 0}, {0, 0}, {0, 0}}}};
  RnnEvalSums s = {0, 0, 0, 0};
  rnn_eval_rows(&d, &ws, &b, 2, &s);
  /* (0.5^2 + 0) + (1 + 4) + (1 + 0.25) = 6.5 over 3 rows x 2 */
  check_near(c, s.loss, 6.5, 1e-12, "eval mse: squared errors of the 3 real rows");
  check(c, s.elements == 6 && s.correct == 0 && s.predicted == 0,
        "eval mse: 6 elements, no classification");
  rnn_eval_rows(&d, &ws, &b, 2, &s);
  check(c, fabs(s.loss - 13.0) < 1e-12 && s.elements == 12,
        "eval mse: a second batch adds to the sums");
}

/* ---------------------------------------------------------------------- */

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* checks stay in order with sanitizer reports */
  Paths p;
  find_data_dir(argc, argv, p.data, sizeof p.data);
  const char *tmp = getenv("TMPDIR");
  snprintf(p.tmp, sizeof p.tmp, "%s/rnn_test_data_XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
  Checks c = {0, 0};
  check(&c, mkdtemp(p.tmp) != NULL, "scratch directory");
  test_vocab(&c);
  test_text(&c, &p);
  test_idx_pair(&c, &p, 0);
  test_idx_pair(&c, &p, 1);
  test_idx_truncated_gzip(&c, &p);
  test_csv(&c, &p);
  test_labelled(&c, &p);
  test_eval_xent(&c);
  test_eval_bce(&c);
  test_eval_mse(&c);
  rmdir(p.tmp);
  printf("%d passed, %d failed\n", c.passed, c.failed);
  return c.failed > 0;
}
