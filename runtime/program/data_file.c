/*
 * data_file.c - what every data loader shares (data_internal.h): a whole
 * file in memory, its lines one by one, overflow-safe sizes, and the
 * messages for files that cannot be opened or read or do not fit in memory.
 */
#include "data_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest accepted line of a text format, without its newline: a longer
 * line is almost certainly a binary or wrongly split file. */
#define MAX_LINE_BYTES 65536

/* ====================================================================== */
/* Errors                                                                  */
/* ====================================================================== */

/* strerror's text with a lowercase first letter, as every message is. */
void rnn_data_describe_errno(int errnum, char *buf, size_t size) {
  if (strerror_r(errnum, buf, size) != 0) snprintf(buf, size, "error %d", errnum);
  if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = (char)(buf[0] - 'A' + 'a');
}

/* "PATH: cannot open the file (WHY): check the path"; returns -1. */
int rnn_data_open_error(const char *path, int errnum, RnnError *err) {
  char why[128];
  rnn_data_describe_errno(errnum, why, sizeof why);
  rnn_error_set(err, "%s: cannot open the file (%s): check the path", path, why);
  return -1;
}

/* "PATH: out of memory while loading the data: ..."; returns -1. */
int rnn_data_out_of_memory(const char *path, RnnError *err) {
  rnn_error_set(err, "%s: out of memory while loading the data: use a smaller data set", path);
  return -1;
}

/* TEXT[0..len) for a message: quoted by the caller, non-printable bytes
 * as \xNN, cut after 40 bytes (a runaway cell would drown the message). */
void rnn_data_quote(const uint8_t *text, size_t len, char *buf, size_t size) {
  size_t out = 0;
  size_t shown = len > 40 ? 40 : len;
  for (size_t i = 0; i < shown && out + 5 < size; i++) {
    uint8_t c = text[i];
    if (c >= 0x20 && c < 0x7f && c != '\'')
      buf[out++] = (char)c;
    else
      out += (size_t)snprintf(buf + out, size - out, "\\x%02x", c);
  }
  if (shown < len && out + 4 < size) {
    memcpy(buf + out, "...", 3);
    out += 3;
  }
  buf[out] = '\0';
}

/* ====================================================================== */
/* Sizes and memory                                                        */
/* ====================================================================== */

/* a * b, or SIZE_MAX when it overflows (malloc then fails cleanly). */
size_t rnn_data_mul_size(size_t a, size_t b) {
  if (a != 0 && b > SIZE_MAX / a) return SIZE_MAX;
  return a * b;
}

/* malloc of COUNT elements of SIZE bytes, never of 0 bytes (so NULL always
 * means failure). */
void *rnn_data_alloc_array(size_t count, size_t size) {
  size_t bytes = rnn_data_mul_size(count, size);
  if (bytes == SIZE_MAX) return NULL;
  return malloc(bytes > 0 ? bytes : 1);
}

/* ====================================================================== */
/* Whole files and lines                                                   */
/* ====================================================================== */

/* Reads PATH completely. Missing, unreadable and (when EXPECTED is not
 * NULL) empty files are errors; EXPECTED names what the file should hold. */
int rnn_data_read_file(const char *path, const char *expected, FileBytes *fb, RnnError *err) {
  fb->data = NULL;
  fb->len = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return rnn_data_open_error(path, errno, err);
  size_t cap = 1 << 16, len = 0;
  uint8_t *data = malloc(cap + 1);
  int failed = data == NULL;
  while (!failed) {
    if (len == cap) {
      uint8_t *bigger = cap < SIZE_MAX / 2 - 1 ? realloc(data, cap * 2 + 1) : NULL;
      if (bigger == NULL) {
        failed = 1;
        break;
      }
      data = bigger;
      cap *= 2;
    }
    size_t got = fread(data + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  int read_errno = errno;
  int read_failed = !failed && ferror(f);
  fclose(f);
  if (failed) {
    free(data);
    return rnn_data_out_of_memory(path, err);
  }
  if (read_failed) {
    char why[128];
    rnn_data_describe_errno(read_errno, why, sizeof why);
    rnn_error_set(err, "%s: cannot read the file (%s): check the path", path, why);
    free(data);
    return -1;
  }
  if (len == 0 && expected != NULL) {
    rnn_error_set(err, "%s: the file is empty; expected %s", path, expected);
    free(data);
    return -1;
  }
  data[len] = '\0';
  fb->data = data;
  fb->len = len;
  return 0;
}

/* A UTF-8 byte order mark (written by some editors) is not data. */
void rnn_data_start_lines(LineCursor *c, const FileBytes *fb) {
  c->pos = fb->data;
  c->end = fb->data + fb->len;
  c->number = 0;
  if (fb->len >= 3 && memcmp(fb->data, "\xef\xbb\xbf", 3) == 0) c->pos += 3;
}

/* The next line without its '\n' and a '\r' before it (CRLF files);
 * 0 at the end of the file. */
int rnn_data_next_line(LineCursor *c, const uint8_t **line, size_t *len) {
  if (c->pos >= c->end) return 0;
  const uint8_t *start = c->pos;
  const uint8_t *newline = memchr(start, '\n', (size_t)(c->end - start));
  const uint8_t *stop = newline != NULL ? newline : c->end;
  c->pos = newline != NULL ? newline + 1 : c->end;
  c->number++;
  if (stop > start && stop[-1] == '\r') stop--;
  *line = start;
  *len = (size_t)(stop - start);
  return 1;
}

/* Fails for a line of more than MAX_LINE_BYTES, naming PATH and its NUMBER. */
int rnn_data_check_line_length(const char *path, long number, size_t len, RnnError *err) {
  if (len <= MAX_LINE_BYTES) return 0;
  rnn_error_set(err, "%s:%ld: the line is longer than 64 KiB (%zu bytes): shorten it or split it",
                path, number, len);
  return -1;
}
