/*
 * test_frontend_units.c - unit tests for source.c, diag.c and ast.c.
 *
 * Build: cc -std=c11 -D_POSIX_C_SOURCE=200809L -Icompiler
 *        tests/test_frontend_units.c compiler/source.c compiler/diag.c
 *        compiler/ast.c
 * Prints "N passed, M failed" and exits nonzero when anything failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ast.h"
#include "diag.h"
#include "source.h"

typedef struct Tally {
  int passed;
  int failed;
} Tally;

static void record(Tally *t, int ok, const char *what, int line) {
  if (ok) {
    t->passed++;
    return;
  }
  t->failed++;
  fprintf(stderr, "FAIL line %d: %s\n", line, what);
}

#define CHECK(t, cond) record((t), (cond) != 0, #cond, __LINE__)

/* A Diag writing into memory, so tests can compare exact output. */
typedef struct Capture {
  char *buf;
  size_t len;
  FILE *out;
  Diag diag;
} Capture;

static void capture_open(Capture *c, const char *path) {
  c->buf = NULL;
  c->len = 0;
  c->out = open_memstream(&c->buf, &c->len);
  if (c->out == NULL) {
    perror("open_memstream");
    exit(2);
  }
  diag_init(&c->diag, c->out, path);
}

/* Closes the stream and returns what was written; the caller frees it. */
static char *capture_close(Capture *c) {
  fclose(c->out);
  return c->buf;
}

static void check_output(Tally *t, Capture *c, const char *expected,
                         int line) {
  char *got = capture_close(c);
  int ok = strcmp(got, expected) == 0;
  record(t, ok, "diagnostic output", line);
  if (!ok) fprintf(stderr, "  expected:\n%s  got:\n%s", expected, got);
  free(got);
}

static void test_suggest(Tally *t) {
  static const char *const keys[] = {"units", "dropout", "activation",
                                     "per_step", "lr", NULL};
  CHECK(t, diag_suggest("unit", keys) == keys[0]);
  CHECK(t, diag_suggest("untis", keys) == keys[0]); /* swapped letters */
  CHECK(t, diag_suggest("UNITS", keys) == keys[0]); /* case-insensitive */
  CHECK(t, diag_suggest("activaton", keys) == keys[2]);
  CHECK(t, diag_suggest("drop", keys) == keys[1]); /* unique prefix */
  CHECK(t, diag_suggest("perstep", keys) == keys[3]);
  CHECK(t, diag_suggest("zzzzz", keys) == NULL);
  CHECK(t, diag_suggest("x", keys) == NULL); /* "lr" is 2 edits away */
  CHECK(t, diag_suggest("", keys) == NULL);

  static const char *const short_keys[] = {"a", "b", NULL};
  CHECK(t, diag_suggest("c", short_keys) == NULL); /* distance == length */

  static const char *const tied[] = {"cat", "car", NULL};
  CHECK(t, diag_suggest("cab", tied) == tied[0]); /* first of equals */

  static const char *const two_prefixed[] = {"dropout", "dropin", NULL};
  CHECK(t, diag_suggest("drop", two_prefixed) == NULL);
  CHECK(t, diag_suggest("dr", keys) == keys[4]); /* one edit from "lr" */
  static const char *const long_key[] = {"dropout", NULL};
  CHECK(t, diag_suggest("dr", long_key) == NULL); /* prefix too short */

  static const char *const none[] = {NULL};
  CHECK(t, diag_suggest("units", none) == NULL);
}

static void test_number_literal(Tally *t) {
  static const char *const good[] = {"0",    "128",   "-1.5e-3", ".5",
                                     "1.",   "2e-3",  "1E+5",    "-0",
                                     "-.25", "007",   "1.5E10",  NULL};
  static const char *const bad[] = {"",    "-",    "+1",   ".",   "1e",
                                    "1e+", "0x10", "inf",  "nan", "1.5x",
                                    " 1",  "1 ",   "--1",  "1.2.3", "e5",
                                    "-e5", "1e5.0", "-inf", "1_000", NULL};
  for (const char *const *p = good; *p != NULL; p++) {
    record(t, ast_is_number_literal(*p) == 1, *p, __LINE__);
  }
  for (const char *const *p = bad; *p != NULL; p++) {
    record(t, ast_is_number_literal(*p) == 0, *p, __LINE__);
  }
  CHECK(t, ast_is_number_literal(NULL) == 0);
}

static void test_parse_number(Tally *t) {
  double v = -1.0;
  CHECK(t, ast_parse_number("2e-3", &v) == 0 && v == 2e-3);
  CHECK(t, ast_parse_number("-128", &v) == 0 && v == -128.0);
  CHECK(t, ast_parse_number("0e-400", &v) == 0 && v == 0.0);
  CHECK(t, ast_parse_number("0.000", &v) == 0 && v == 0.0);
  CHECK(t, ast_parse_number("1e-310", &v) == 0 && v > 0.0); /* subnormal */
  CHECK(t, ast_parse_number("1e400", &v) == -1);
  CHECK(t, ast_parse_number("-1e400", &v) == -1);
  CHECK(t, ast_parse_number("1e-400", &v) == -1);
  CHECK(t, ast_parse_number("inf", &v) == -1);

  AstNode *n = ast_scalar(AST_NUMBER, strdup("lr"), (SrcLoc){1, 1},
                          strdup("2e-3"), 4, (SrcLoc){1, 4});
  CHECK(t, n != NULL && n->num == 2e-3);
  ast_free(n);
}

static void test_source_line(Tally *t) {
  Diag d;
  Source src;
  size_t len = 99;
  diag_init(&d, stderr, "t.rnn");
  const char text[] = "a\r\nbc\n\nlast";
  CHECK(t, source_from_memory(&d, "t.rnn", text, sizeof text - 1, &src) == 0);
  const char *line = source_line(&src, 1, &len);
  CHECK(t, line == src.text && len == 1); /* "\r" stripped */
  line = source_line(&src, 2, &len);
  CHECK(t, line == src.text + 3 && len == 2);
  line = source_line(&src, 3, &len);
  CHECK(t, line != NULL && len == 0);
  line = source_line(&src, 4, &len);
  CHECK(t, line != NULL && len == 4 && memcmp(line, "last", 4) == 0);
  CHECK(t, source_line(&src, 5, &len) == NULL);
  CHECK(t, source_line(&src, 0, &len) == NULL);
  CHECK(t, source_line(NULL, 1, &len) == NULL);
  SrcLoc loc = source_loc_at(&src, 4);
  CHECK(t, loc.line == 2 && loc.col == 2);
  source_free(&src);

  CHECK(t, source_from_memory(&d, "t.rnn", "x\n", 2, &src) == 0);
  CHECK(t, source_line(&src, 1, &len) != NULL && len == 1);
  CHECK(t, source_line(&src, 2, &len) == NULL); /* after the last newline */
  source_free(&src);

  CHECK(t, source_from_memory(&d, "t.rnn", NULL, 0, &src) == 0);
  CHECK(t, src.len == 0 && src.text != NULL && src.text[0] == '\0');
  CHECK(t, source_line(&src, 1, &len) == NULL);
  source_free(&src);

  /* A byte order mark is dropped, so columns match what editors show. */
  CHECK(t, source_from_memory(&d, "t.rnn", "\xEF\xBB\xBFmodel", 8, &src) == 0);
  CHECK(t, src.len == 5 && strcmp(src.text, "model") == 0);
  source_free(&src);
  CHECK(t, d.errors == 0);
}

/* Loads LEN bytes of DATA from memory; checks it fails with EXPECTED. */
static void check_rejected(Tally *t, const char *data, size_t len,
                           const char *expected, int line) {
  Capture c;
  Source src;
  capture_open(&c, "t.rnn");
  int rc = source_from_memory(&c.diag, "t.rnn", data, len, &src);
  record(t, rc == -1 && c.diag.errors == 1, "rejected", line);
  record(t, src.text == NULL && src.path == NULL, "left empty", line);
  check_output(t, &c, expected, line);
}

static void check_accepted(Tally *t, const char *data, size_t len, int line) {
  Diag d;
  Source src;
  diag_init(&d, stderr, "t.rnn");
  int rc = source_from_memory(&d, "t.rnn", data, len, &src);
  record(t, rc == 0 && src.len == len && memcmp(src.text, data, len) == 0,
         "accepted", line);
  source_free(&src);
}

static void test_bad_bytes(Tally *t) {
  check_rejected(t, "ab\ncd\0e", 7,
                 "t.rnn:2:3: error: file contains a NUL byte; is it a binary "
                 "file?\n",
                 __LINE__);
  check_rejected(t, "\xff", 1, "t.rnn:1:1: error: invalid UTF-8 byte 0xff\n",
                 __LINE__);
  /* Columns count code points: "é" is one column. */
  check_rejected(t, "\xC3\xA9\xFE", 3,
                 "t.rnn:1:2: error: invalid UTF-8 byte 0xfe\n", __LINE__);
  check_rejected(t, "\xC0\x80", 2, /* overlong NUL */
                 "t.rnn:1:1: error: invalid UTF-8 byte 0xc0\n", __LINE__);
  check_rejected(t, "x\xE0\x80\x80", 4, /* overlong 3-byte */
                 "t.rnn:1:2: error: invalid UTF-8 byte 0xe0\n", __LINE__);
  check_rejected(t, "\xF0\x80\x80\x80", 4, /* overlong 4-byte */
                 "t.rnn:1:1: error: invalid UTF-8 byte 0xf0\n", __LINE__);
  check_rejected(t, "\xED\xA0\x80", 3, /* surrogate U+D800 */
                 "t.rnn:1:1: error: invalid UTF-8 byte 0xed\n", __LINE__);
  check_rejected(t, "\xF4\x90\x80\x80", 4, /* U+110000 */
                 "t.rnn:1:1: error: invalid UTF-8 byte 0xf4\n", __LINE__);
  check_rejected(t, "ab\xE2\x82", 4, /* cut short at the end */
                 "t.rnn:1:3: error: invalid UTF-8 byte 0xe2\n", __LINE__);
  check_rejected(t, "\xE2\x82x", 3, /* cut short mid-text */
                 "t.rnn:1:1: error: invalid UTF-8 byte 0xe2\n", __LINE__);
  check_rejected(t, "\x80", 1, "t.rnn:1:1: error: invalid UTF-8 byte 0x80\n",
                 __LINE__);
  check_accepted(t, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9, __LINE__);
  check_accepted(t, "\xED\x9F\xBF\xEE\x80\x80\xF4\x8F\xBF\xBF", 10, __LINE__);
}

static void test_diag_format(Tally *t) {
  Capture c;
  Source src;
  const char text[] = "model m {\n  lstm enc { unit 128 }\n}\n";
  capture_open(&c, "specs/x.rnn");
  source_from_memory(&c.diag, "specs/x.rnn", text, sizeof text - 1, &src);
  c.diag.src = &src;
  diag_error_hint(&c.diag, (SrcLoc){2, 14}, "did you mean 'units'?",
                  "unknown key '%s' in lstm '%s'", "unit", "enc");
  CHECK(t, c.diag.errors == 1);
  check_output(t, &c,
               "specs/x.rnn:2:14: error: unknown key 'unit' in lstm 'enc'\n"
               "    2 |   lstm enc { unit 128 }\n"
               "      |              ^\n"
               "  hint: did you mean 'units'?\n",
               __LINE__);

  capture_open(&c, "ignored");
  c.diag.src = &src;
  diag_note(&c.diag, (SrcLoc){1, 7}, "model '%s' starts here", "m");
  diag_error(&c.diag, (SrcLoc){4, 1}, "unexpected end of file");
  diag_error(&c.diag, (SrcLoc){0, 0}, "no layers");
  diag_error_hint(&c.diag, (SrcLoc){3, 1}, NULL, "x");
  CHECK(t, c.diag.errors == 3); /* the note is not counted */
  check_output(t, &c,
               "specs/x.rnn:1:7: note: model 'm' starts here\n"
               "    1 | model m {\n"
               "      |       ^\n"
               "specs/x.rnn:4:1: error: unexpected end of file\n"
               "specs/x.rnn: error: no layers\n"
               "specs/x.rnn:3:1: error: x\n"
               "    3 | }\n"
               "      | ^\n",
               __LINE__);
  source_free(&src);

  /* Tabs are echoed in the caret line; multi-byte characters are one
   * column wide. */
  const char tabbed[] = "\t\xC3\xA9\tab";
  capture_open(&c, "t.rnn");
  source_from_memory(&c.diag, "t.rnn", tabbed, sizeof tabbed - 1, &src);
  c.diag.src = &src;
  diag_error(&c.diag, (SrcLoc){1, 4}, "here"); /* the "a" */
  check_output(t, &c,
               "t.rnn:1:4: error: here\n"
               "    1 | \t\xC3\xA9\tab\n"
               "      | \t \t^\n",
               __LINE__);
  source_free(&src);

  capture_open(&c, "t.rnn");
  diag_file_error(&c.diag, "cannot open '%s': %s", "t.rnn", "gone");
  diag_error(&c.diag, (SrcLoc){2, 3}, "no source to show");
  CHECK(t, c.diag.errors == 2);
  check_output(t, &c,
               "t.rnn: error: cannot open 't.rnn': gone\n"
               "t.rnn:2:3: error: no source to show\n",
               __LINE__);
}

static void test_source_load(Tally *t) {
  char dir[] = "/tmp/rnnc_units_XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    t->failed++;
    return;
  }
  char path[128], expected[1024];
  Capture c;
  Source src;

  snprintf(path, sizeof path, "%s/missing.rnn", dir);
  capture_open(&c, path);
  CHECK(t, source_load(&c.diag, path, &src) == -1);
  snprintf(expected, sizeof expected,
           "%s: error: cannot open '%s': No such file or directory\n", path,
           path);
  check_output(t, &c, expected, __LINE__);

  capture_open(&c, dir);
  CHECK(t, source_load(&c.diag, dir, &src) == -1);
  snprintf(expected, sizeof expected,
           "%s: error: '%s' is a directory, not a spec file\n", dir, dir);
  check_output(t, &c, expected, __LINE__);

  snprintf(path, sizeof path, "%s/big.rnn", dir);
  FILE *f = fopen(path, "wb");
  if (f != NULL) {
    fseek(f, SOURCE_MAX_BYTES, SEEK_SET); /* one byte over the limit */
    fputc('x', f);
    fclose(f);
  }
  capture_open(&c, path);
  CHECK(t, source_load(&c.diag, path, &src) == -1);
  snprintf(expected, sizeof expected,
           "%s: error: spec is 1048577 bytes; specs are limited to 1048576 "
           "bytes\n",
           path);
  check_output(t, &c, expected, __LINE__);
  unlink(path);

  snprintf(path, sizeof path, "%s/ok.rnn", dir);
  f = fopen(path, "wb");
  if (f != NULL) {
    fputs("model m { }\n", f);
    fclose(f);
  }
  capture_open(&c, "other.rnn");
  CHECK(t, source_load(&c.diag, path, &src) == 0);
  CHECK(t, src.len == 12 && strcmp(src.text, "model m { }\n") == 0);
  CHECK(t, strcmp(src.path, path) == 0);
  CHECK(t, c.diag.path != NULL && strcmp(c.diag.path, "other.rnn") == 0);
  check_output(t, &c, "", __LINE__);
  source_free(&src);
  unlink(path);

  snprintf(path, sizeof path, "%s/bad.rnn", dir);
  f = fopen(path, "wb");
  if (f != NULL) {
    fputs("model m {\n  \xff }\n", f);
    fclose(f);
  }
  capture_open(&c, path);
  CHECK(t, source_load(&c.diag, path, &src) == -1);
  snprintf(expected, sizeof expected,
           "%s:2:3: error: invalid UTF-8 byte 0xff\n", path);
  check_output(t, &c, expected, __LINE__);
  unlink(path);
  rmdir(dir);
}

static void test_ast(Tally *t) {
  SrcLoc at = {1, 1};
  AstNode *opt = ast_block(strdup("optimizer"), at, strdup("adam"), at,
                           ast_scalar(AST_NUMBER, strdup("lr"), at,
                                      strdup("2e-3"), 4, at),
                           at);
  AstNode *train = ast_block(
      strdup("train"), at, NULL, at,
      ast_append(ast_scalar(AST_NAME, strdup("loss"), at,
                            strdup("cross_entropy"), 13, at),
                 opt),
      at);
  char *nul_string = malloc(3);
  memcpy(nul_string, "a\0\"", 3);
  AstNode *sample = ast_scalar(AST_STRING, strdup("prime"), at, nul_string, 3,
                               at);
  AstNode *model = ast_block(strdup("model"), at, strdup("m"), at,
                             ast_append(train, sample), at);
  Capture c;
  capture_open(&c, "t.rnn");
  ast_dump(model, 0, c.out);
  check_output(t, &c,
               "model m {\n"
               "  train {\n"
               "    loss = cross_entropy (name)\n"
               "    optimizer adam {\n"
               "      lr = 2e-3 (number)\n"
               "    }\n"
               "  }\n"
               "  prime = \"a\\x00\\\"\" (string)\n"
               "}\n",
               __LINE__);
  ast_free(model);
  CHECK(t, ast_append(NULL, NULL) == NULL);
}

int main(void) {
  Tally t = {0, 0};
  test_suggest(&t);
  test_number_literal(&t);
  test_parse_number(&t);
  test_source_line(&t);
  test_bad_bytes(&t);
  test_diag_format(&t);
  test_source_load(&t);
  test_ast(&t);
  printf("%d passed, %d failed\n", t.passed, t.failed);
  return t.failed == 0 ? 0 : 1;
}
