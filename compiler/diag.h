/*
 * diag.h - the one diagnostic printer.
 *
 * Every stage reports through a Diag handle: `file:line:col: error: msg`,
 * the source line, a caret under the column, and an optional hint line.
 * Messages are lowercase with no final period (gcc style). A Diag never
 * exits; callers stop after the first error and propagate failure.
 */
#ifndef RNNC_DIAG_H
#define RNNC_DIAG_H

#include <stdio.h>

#include "source.h"

typedef struct Diag {
  FILE *out;           /* where messages go; stderr in the command */
  const Source *src;   /* source the locations refer to; may be NULL */
  const char *path;    /* file name used when src is NULL */
  int errors;          /* count of errors reported */
} Diag;

void diag_init(Diag *d, FILE *out, const char *path);

#if defined(__GNUC__)
#define DIAG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DIAG_PRINTF(a, b)
#endif

/* file:line:col: error: MSG, the source line and a caret. */
void diag_error(Diag *d, SrcLoc loc, const char *fmt, ...) DIAG_PRINTF(3, 4);

/* As diag_error, then "  hint: HINT" on its own line. HINT may be NULL. */
void diag_error_hint(Diag *d, SrcLoc loc, const char *hint, const char *fmt,
                     ...) DIAG_PRINTF(4, 5);

/* file:line:col: note: MSG with the source line and caret; follows an error. */
void diag_note(Diag *d, SrcLoc loc, const char *fmt, ...) DIAG_PRINTF(3, 4);

/* file: error: MSG, for errors without a position (missing file...). */
void diag_file_error(Diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);

/* The candidate closest to WORD by edit distance, or NULL when none is close
 * enough to be a plausible typo. CANDIDATES ends with NULL. */
const char *diag_suggest(const char *word, const char *const *candidates);

#endif
