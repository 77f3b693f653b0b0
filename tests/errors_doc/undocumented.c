/*
 * undocumented.c - a fixture of tests/errors_doc.py (CTest docs/errors_detects):
 * one message that docs/errors.md lists and one it does not. The checker
 * must name the second, and only it, and fail. Never compiled.
 */
#include "rnn_model.h"

int fixture_check(const char *path, long line, const char *expected, RnnError *err) {
  if (line < 0)
    return rnn_error_set(err, "%s: the file is empty; expected %s", path, expected);
  return rnn_error_set(err, "%s:%ld: a message nobody documented: add it to docs/errors.md",
                       path, line);
}
