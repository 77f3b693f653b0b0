/*
 * error.c - the runtime's one error setter (rnn_model.h's RnnError).
 */
#include "rnn_model.h"

#include <stdarg.h>
#include <stdio.h>

/* Contract: see rnn_model.h. */
int rnn_error_set(RnnError *err, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return -1;
}
