/*
 * fuzz_common.h - the body shared by the two fuzz targets.
 *
 * One input: source_from_memory -> READ (parse_rnn or yaml_read) ->
 * check_model -> canon_yaml. Messages go to /dev/null, but are still
 * formatted, so the excerpt and caret code runs on every error. Besides
 * "no crash, no leak, no sanitizer report", each run checks what must hold
 * for any input (abort() on a violation, which libFuzzer reports as a crash):
 *
 *   - a stage that fails has reported at least one error, and one that
 *     succeeds has reported none;
 *   - a checked model's canonical YAML is itself a spec that reads and checks
 *     back to the very same canonical text (canon.h promises this).
 *
 * Included by fuzz_rnn.c and fuzz_yaml.c only; each defines FUZZ_READ and
 * FUZZ_PATH first.
 */
#ifndef RNNC_FUZZ_COMMON_H
#define RNNC_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "check.h"
#include "diag.h"
#include "frontend.h"
#include "ir.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Opened once and kept: a fuzzer runs millions of inputs in one process. */
static FILE *fuzz_sink(void) {
  static FILE *sink;
  if (sink == NULL) {
    sink = fopen("/dev/null", "w");
    if (sink == NULL) {
      perror("fuzz: /dev/null");
      abort();
    }
  }
  return sink;
}

static void fuzz_require(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz: invariant violated: %s\n", what);
    abort();
  }
}

/* Reads TEXT (LEN bytes) as PATH with READ and checks it into *M. Returns 0
 * on success (M then needs ir_free), -1 after an error. */
static int fuzz_load(const char *path, AstNode *(*read)(Diag *, const Source *),
                     const char *text, size_t len, IrModel *m) {
  Diag diag;
  diag_init(&diag, fuzz_sink(), path);
  Source src;
  if (source_from_memory(&diag, path, text, len, &src) != 0) {
    fuzz_require(diag.errors > 0, "source_from_memory failed silently");
    return -1;
  }
  diag.src = &src;
  AstNode *ast = read(&diag, &src);
  int rc = -1;
  if (ast == NULL) {
    fuzz_require(diag.errors > 0, "the reader failed silently");
  } else {
    fuzz_require(diag.errors == 0, "the reader reported an error but succeeded");
    rc = check_model(&diag, ast, m);
    if (rc != 0)
      fuzz_require(diag.errors > 0, "check_model failed silently");
    else
      fuzz_require(diag.errors == 0, "check_model reported an error but succeeded");
  }
  ast_free(ast);
  source_free(&src);
  return rc;
}

/* The canonical YAML of a checked model must read back to itself. */
static void fuzz_round_trip(const IrModel *m) {
  static IrModel again; /* large; one per process */
  size_t len = 0;
  char *text = canon_yaml(m, &len);
  if (text == NULL)
    return; /* out of memory: nothing to check */
  fuzz_require(len == strlen(text), "canon_yaml length is not the text's length");
  if (fuzz_load("canon.yaml", yaml_read, text, len, &again) != 0) {
    fprintf(stderr, "fuzz: canonical YAML does not check:\n%s", text);
    fuzz_require(0, "canonical YAML is not a valid spec");
  }
  size_t len2 = 0;
  char *text2 = canon_yaml(&again, &len2);
  if (text2 != NULL) {
    if (len2 != len || memcmp(text, text2, len) != 0)
      fprintf(stderr, "fuzz: first:\n%s\nfuzz: read back:\n%s", text, text2);
    fuzz_require(len2 == len && memcmp(text, text2, len) == 0,
                 "canonical YAML does not read back to itself");
    free(text2);
  }
  ir_free(&again);
  free(text);
}

static int fuzz_one(const char *path, AstNode *(*read)(Diag *, const Source *),
                    const uint8_t *data, size_t size) {
  static IrModel model; /* large; one per process */
  if (fuzz_load(path, read, (const char *)data, size, &model) == 0) {
    fuzz_round_trip(&model);
    ir_free(&model);
  }
  return 0;
}

#endif
