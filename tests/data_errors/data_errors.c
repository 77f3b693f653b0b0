/*
 * data_errors.c - golden tests of the data loaders' error messages.
 *
 *   data_errors CASE SCRATCH_DIR   run one case in the current directory
 *   data_errors --coverage         every case has CASE.expected, and back
 *
 * Each case names a loader, its bad file(s) in this directory and a small
 * fake model; the loader must fail and its RnnError message must equal
 * CASE.expected (one line) byte for byte. Files that cannot live in the
 * repository (a line over 64 KiB) are written into SCRATCH_DIR at test
 * time and loaded from there by a relative path, so messages never depend
 * on where the tree is checked out. Exit 0 on a match, 1 otherwise.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rnn_data.h"

typedef enum Loader {
  LOAD_TEXT,            /* rnn_text_load, vocabulary built from the file */
  LOAD_TEXT_GIVEN,      /* rnn_text_load with the vocabulary of "abc" */
  LOAD_IDX,             /* rnn_idx_load of FILE (images) and FILE2 (labels) */
  LOAD_CSV,             /* rnn_csv_load */
  LOAD_LABELLED,        /* rnn_labelled_load, vocabulary built from the file */
  LOAD_LABELLED_GIVEN,  /* rnn_labelled_load with the vocabulary of "dgo" */
  LOAD_LABELLED_FULL    /* ... of "a".."o": with padding, every id of the model */
} Loader;

typedef struct Case {
  const char *name;
  Loader loader;
  const char *file, *file2;
  int max_vocab;        /* text loaders */
  int generated;        /* 1: FILE is written into the scratch directory first */
  RnnUnknown unknown;   /* what the loader does with bytes a given vocabulary lacks */
} Case;

static const Case cases[] = {
    {"missing_file", LOAD_TEXT, "missing_file.txt", NULL, 128, 0, RNN_UNKNOWN_ERROR},
    {"empty_file", LOAD_TEXT, "empty_file.txt", NULL, 128, 0, RNN_UNKNOWN_ERROR},
    {"text_not_in_vocab", LOAD_TEXT_GIVEN, "text_not_in_vocab.txt", NULL, 128, 0,
     RNN_UNKNOWN_ERROR},
    {"vocab_overflow", LOAD_TEXT, "vocab_overflow.txt", NULL, 5, 0, RNN_UNKNOWN_ERROR},
    {"idx_empty", LOAD_IDX, "empty_file.txt", "good-labels-idx1-ubyte", 0, 0, RNN_UNKNOWN_ERROR},
    {"idx_bad_magic", LOAD_IDX, "idx_bad_magic-images-idx3-ubyte", "good-labels-idx1-ubyte", 0,
     0, RNN_UNKNOWN_ERROR},
    {"idx_huge_count", LOAD_IDX, "idx_huge_count-images-idx3-ubyte", "good-labels-idx1-ubyte",
     0, 0, RNN_UNKNOWN_ERROR},
    {"idx_truncated", LOAD_IDX, "idx_truncated-images-idx3-ubyte", "good-labels-idx1-ubyte", 0,
     0, RNN_UNKNOWN_ERROR},
    {"idx_rows", LOAD_IDX, "idx_rows-images-idx3-ubyte", "good-labels-idx1-ubyte", 0, 0,
     RNN_UNKNOWN_ERROR},
    {"idx_cols", LOAD_IDX, "idx_cols-images-idx3-ubyte", "good-labels-idx1-ubyte", 0, 0,
     RNN_UNKNOWN_ERROR},
    {"idx_label_range", LOAD_IDX, "good-images-idx3-ubyte", "idx_label_range-labels-idx1-ubyte",
     0, 0, RNN_UNKNOWN_ERROR},
    {"idx_count_mismatch", LOAD_IDX, "good-images-idx3-ubyte",
     "idx_count_mismatch-labels-idx1-ubyte", 0, 0, RNN_UNKNOWN_ERROR},
    {"idx_missing_labels", LOAD_IDX, "good-images-idx3-ubyte", "missing-labels-idx1-ubyte", 0,
     0, RNN_UNKNOWN_ERROR},
    {"csv_not_number", LOAD_CSV, "csv_not_number.csv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
    {"csv_columns", LOAD_CSV, "csv_columns.csv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
    {"csv_too_short", LOAD_CSV, "csv_too_short.csv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
    {"labelled_no_tab", LOAD_LABELLED, "labelled_no_tab.tsv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
    {"labelled_empty_text", LOAD_LABELLED, "labelled_empty_text.tsv", NULL, 0, 0,
     RNN_UNKNOWN_ERROR},
    {"labelled_label_range", LOAD_LABELLED, "labelled_label_range.tsv", NULL, 0, 0,
     RNN_UNKNOWN_ERROR},
    {"labelled_bad_label", LOAD_LABELLED, "labelled_bad_label.tsv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
    {"labelled_not_in_vocab", LOAD_LABELLED_GIVEN, "labelled_not_in_vocab.tsv", NULL, 0, 0,
     RNN_UNKNOWN_ERROR},
    {"labelled_long_line", LOAD_LABELLED, "labelled_long_line.tsv", NULL, 0, 1, RNN_UNKNOWN_ERROR},
    {"text_all_unknown", LOAD_TEXT_GIVEN, "text_all_unknown.txt", NULL, 128, 0,
     RNN_UNKNOWN_SKIP},
    {"text_no_unknown_id", LOAD_TEXT_GIVEN, "text_not_in_vocab.txt", NULL, 3, 0,
     RNN_UNKNOWN_MAP},
    {"labelled_all_unknown", LOAD_LABELLED_GIVEN, "labelled_all_unknown.tsv", NULL, 0, 0,
     RNN_UNKNOWN_SKIP},
    {"labelled_no_unknown_id", LOAD_LABELLED_FULL, "labelled_not_in_vocab.tsv", NULL, 0, 0,
     RNN_UNKNOWN_MAP},
    {"idx_header_cut", LOAD_IDX, "idx_header_cut-images-idx3-ubyte", "good-labels-idx1-ubyte", 0,
     0, RNN_UNKNOWN_ERROR},
    {"idx_no_images", LOAD_IDX, "idx_no_images-images-idx3-ubyte", "good-labels-idx1-ubyte", 0, 0,
     RNN_UNKNOWN_ERROR},
    {"idx_labels_cut", LOAD_IDX, "good-images-idx3-ubyte", "idx_labels_cut-labels-idx1-ubyte", 0,
     0, RNN_UNKNOWN_ERROR},
    {"csv_no_data", LOAD_CSV, "csv_no_data.csv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
    {"csv_not_finite", LOAD_CSV, "csv_not_finite.csv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
    {"csv_nan", LOAD_CSV, "csv_nan.csv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
    {"csv_too_large", LOAD_CSV, "csv_too_large.csv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
    {"csv_header_columns", LOAD_CSV, "csv_header_columns.csv", NULL, 0, 0, RNN_UNKNOWN_ERROR},
};

enum { N_CASES = sizeof cases / sizeof cases[0] };

/* ---------------------------------------------------------------------- */
/* Fake models: only what the loaders read                                 */
/* ---------------------------------------------------------------------- */

/* 2x3 images, 3 classes (good-images-idx3-ubyte holds three). */
static RnnModelDesc idx_model(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.name = "idx_model";
  d.length = 2;
  d.batch = 2;
  d.features = 3;
  d.out_units = 3;
  d.loss = RNN_LOSS_XENT;
  d.batch_lengths = -1;
  return d;
}

/* Windows of 3 steps of 2 numbers, next-step targets. */
static RnnModelDesc csv_model(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.name = "csv_model";
  d.length = 3;
  d.batch = 2;
  d.features = 2;
  d.out_units = 2;
  d.out_per_step = 1;
  d.loss = RNN_LOSS_MSE;
  d.batch_lengths = -1;
  return d;
}

/* Tokens of 16 ids (0 pads), 5 steps, 2 classes. */
static RnnModelDesc labelled_model(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.name = "labelled_model";
  d.length = 5;
  d.batch = 2;
  d.tokens = 1;
  d.vocab = 16;
  d.out_units = 2;
  d.loss = RNN_LOSS_XENT;
  d.mask = RNN_MASK_PADDING;
  d.padding_id = 0;
  d.batch_lengths = -1;
  return d;
}

/* ---------------------------------------------------------------------- */
/* Running a case                                                          */
/* ---------------------------------------------------------------------- */

/* Line 2 is 70000 bytes: a label, a tab and 69998 'a'. */
static int write_long_line(const char *path) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) return -1;
  fputs("1\tgood\n0\t", f);
  for (int i = 0; i < 69998; i++) fputc('a', f);
  fputc('\n', f);
  return fclose(f);
}

static int given_vocab(RnnVocab *v, const char *bytes, int padding_id) {
  RnnError err;
  return rnn_vocab_build(v, (const uint8_t *)bytes, strlen(bytes), 128, padding_id, "given",
                         &err);
}

/* Runs C's loader; returns its status and leaves its message in ERR. */
static int run_loader(const Case *c, RnnError *err) {
  RnnVocab v;
  memset(&v, 0, sizeof v);
  v.padding_id = -1; /* text: no padding id (labelled: the model's) */
  RnnText t = {0};
  RnnExamples ex;
  memset(&ex, 0, sizeof ex);
  RnnModelDesc d;
  RnnLoadOptions opt = {0, c->unknown};
  int rc = 0;
  switch (c->loader) {
    case LOAD_TEXT_GIVEN:
      given_vocab(&v, "abc", -1);
      /* fall through */
    case LOAD_TEXT:
      rc = rnn_text_load(c->file, &v, c->max_vocab, &opt, &t, err);
      rnn_text_free(&t);
      return rc;
    case LOAD_IDX:
      d = idx_model();
      rc = rnn_idx_load(c->file, c->file2, &d, &opt, &ex, err);
      break;
    case LOAD_CSV:
      d = csv_model();
      rc = rnn_csv_load(c->file, &d, &opt, &ex, err);
      break;
    case LOAD_LABELLED_GIVEN:
    case LOAD_LABELLED_FULL:
      given_vocab(&v, c->loader == LOAD_LABELLED_GIVEN ? "dgo" : "abcdefghijklmno", 0);
      /* fall through */
    case LOAD_LABELLED:
      d = labelled_model();
      rc = rnn_labelled_load(c->file, &d, &v, &opt, &ex, err);
      break;
  }
  rnn_examples_free(&ex);
  return rc;
}

/* NAME.expected without its final newline. */
static int read_expected(const char *name, char *buf, size_t size) {
  char path[256];
  snprintf(path, sizeof path, "%s.expected", name);
  FILE *f = fopen(path, "rb");
  if (f == NULL) return -1;
  size_t n = fread(buf, 1, size - 1, f);
  fclose(f);
  buf[n] = '\0';
  if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = '\0';
  return 0;
}

static const Case *find_case(const char *name) {
  for (int i = 0; i < N_CASES; i++)
    if (strcmp(cases[i].name, name) == 0) return &cases[i];
  return NULL;
}

static int run_case(const char *name, const char *scratch) {
  const Case *c = find_case(name);
  if (c == NULL) {
    fprintf(stderr, "data_errors: no case '%s'\n", name);
    return 1;
  }
  char want[1024];
  if (read_expected(name, want, sizeof want) != 0) {
    fprintf(stderr, "data_errors: cannot read %s.expected\n", name);
    return 1;
  }
  if (c->generated && (chdir(scratch) != 0 || write_long_line(c->file) != 0)) {
    fprintf(stderr, "data_errors: cannot write %s/%s\n", scratch, c->file);
    return 1;
  }
  RnnError err;
  err.msg[0] = '\0';
  int rc = run_loader(c, &err);
  if (c->generated) remove(c->file);
  if (rc == 0) {
    printf("FAIL %s: the loader accepted the file\n", name);
    return 1;
  }
  if (strcmp(err.msg, want) != 0) {
    printf("FAIL %s\n  got  %s\n  want %s\n", name, err.msg, want);
    return 1;
  }
  printf("ok   %s: %s\n", name, err.msg);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Coverage: cases and .expected files match one to one                    */
/* ---------------------------------------------------------------------- */

static int expected_has_case(const char *file) {
  size_t len = strlen(file), suffix = strlen(".expected");
  if (len <= suffix || strcmp(file + len - suffix, ".expected") != 0) return 1;
  char name[256];
  snprintf(name, sizeof name, "%.*s", (int)(len - suffix), file);
  return find_case(name) != NULL;
}

static int check_coverage(void) {
  int failed = 0;
  char buf[1024];
  for (int i = 0; i < N_CASES; i++)
    if (read_expected(cases[i].name, buf, sizeof buf) != 0) {
      printf("FAIL case %s has no %s.expected\n", cases[i].name, cases[i].name);
      failed = 1;
    }
  DIR *dir = opendir(".");
  if (dir == NULL) return 1;
  for (struct dirent *e = readdir(dir); e != NULL; e = readdir(dir))
    if (!expected_has_case(e->d_name)) {
      printf("FAIL %s has no case in data_errors.c\n", e->d_name);
      failed = 1;
    }
  closedir(dir);
  if (!failed) printf("ok   %d cases, each with its .expected\n", N_CASES);
  return failed;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--coverage") == 0) return check_coverage();
  if (argc != 3) {
    fprintf(stderr, "usage: data_errors CASE SCRATCH_DIR | data_errors --coverage\n");
    return 2;
  }
  return run_case(argv[1], argv[2]);
}
