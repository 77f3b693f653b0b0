/*
 * test_files.h - what the file-format tests share (test_ckpt.c,
 * test_weights.c): a tally of named checks, exact-message checks, and
 * whole-file reads and writes. Static functions: each test is one
 * translation unit.
 */
#ifndef TEST_FILES_H
#define TEST_FILES_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_model.h"

/* ---------------------------------------------------------------------- */
/* Reporting                                                              */
/* ---------------------------------------------------------------------- */

typedef struct Tally {
  int passed, failed;
} Tally;

/* Records one check; DETAIL (printf-style, may be NULL) is shown on
 * failure only. */
__attribute__((format(printf, 4, 5))) static void check(Tally *t, const char *name, int ok,
                                                        const char *detail, ...) {
  if (ok)
    t->passed++;
  else
    t->failed++;
  printf("%-4s %s\n", ok ? "ok" : "FAIL", name);
  if (!ok && detail) {
    va_list ap;
    va_start(ap, detail);
    printf("     ");
    vprintf(detail, ap);
    printf("\n");
    va_end(ap);
  }
}

/* Checks that ERR holds exactly WANT. */
static void check_message(Tally *t, const char *name, int rc, const RnnError *err,
                          const char *want) {
  check(t, name, rc == -1 && strcmp(err->msg, want) == 0, "rc %d\n     got:  %s\n     want: %s",
        rc, err->msg, want);
}

/* ---------------------------------------------------------------------- */
/* Files                                                                  */
/* ---------------------------------------------------------------------- */

typedef struct Buf {
  uint8_t *p;
  size_t n;
} Buf;

/* PATH's bytes (malloc'd; {NULL, 0} when it cannot be opened). */
static Buf read_file(const char *path) {
  Buf b = {NULL, 0};
  FILE *f = fopen(path, "rb");
  if (!f)
    return b;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  b.p = malloc(n > 0 ? (size_t)n : 1);
  b.n = fread(b.p, 1, (size_t)n, f);
  fclose(f);
  return b;
}

/* Writes N bytes at P to PATH; a failure ends the test (exit 2). */
static void write_file(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(2);
  }
  if (n > 0 && fwrite(p, 1, n, f) != n) {
    perror(path);
    exit(2);
  }
  fclose(f);
}

#endif
