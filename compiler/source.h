/*
 * source.h - a spec file held in memory, and offset -> line/column.
 *
 * Stage prefix: source_. The text is loaded once, validated (size, NUL bytes,
 * UTF-8) and never modified; every later stage points into it for messages.
 */
#ifndef RNNC_SOURCE_H
#define RNNC_SOURCE_H

#include <stddef.h>

/* Specs are small; anything larger is almost certainly the wrong file. */
#define SOURCE_MAX_BYTES (1024 * 1024)

/* A position in a source: 1-based line, 1-based column counted in
 * characters (UTF-8 code points), as gcc and libyaml report them. */
typedef struct SrcLoc {
  int line;
  int col;
} SrcLoc;

typedef struct Source {
  char *path; /* as the user gave it; owned */
  char *text; /* NUL-terminated copy of the file; owned */
  size_t len; /* bytes, excluding the terminating NUL */
} Source;

struct Diag;

/* Reads PATH into SRC. On failure reports through DIAG (missing file,
 * directory, too large, NUL byte, invalid UTF-8) and returns -1; SRC is
 * then empty and needs no source_free. */
int source_load(struct Diag *diag, const char *path, Source *src);

/* Makes SRC from a buffer (tests, fuzzers). Same validation as source_load. */
int source_from_memory(struct Diag *diag, const char *path, const char *data,
                       size_t len, Source *src);

void source_free(Source *src);

/* Start of line LINE (1-based) and its length without the newline; returns
 * NULL when the line does not exist. */
const char *source_line(const Source *src, int line, size_t *len);

/* The line and column of byte OFFSET in SRC's text (an offset at or past the
 * end gives the position just after the last character). For readers such
 * as libyaml that report some errors as byte offsets. */
SrcLoc source_loc_at(const Source *src, size_t offset);

#endif
