/*
 * source.c - loading and validating spec text; line lookup for messages.
 *
 * Validation happens once, here, so every later stage may assume the text is
 * bounded in size, free of NUL bytes and valid UTF-8: the lexer needs no
 * binary checks and the diagnostic printer can count columns in code points
 * without decoding defensively.
 *
 * A UTF-8 byte order mark at the start is dropped from the text: editors
 * never show it, so columns on line 1 then match what the user sees, and
 * neither front end has to know about it.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

/* What the caller's Diag pointed at before a load reported through it. */
typedef struct DiagTarget {
  const Source *src;
  const char *path;
} DiagTarget;

/* Errors found while loading must name the file being loaded, whatever the
 * caller's Diag last pointed at, and cannot show a source line: the text is
 * not a valid Source yet. So a load points the Diag at PATH alone and puts
 * it back afterwards. */
static DiagTarget diag_target_file(Diag *diag, const char *path) {
  DiagTarget saved = {diag->src, diag->path};
  diag->src = NULL;
  diag->path = path;
  return saved;
}

static void diag_target_restore(Diag *diag, DiagTarget saved) {
  diag->src = saved.src;
  diag->path = saved.path;
}

static int is_continuation_byte(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Length of the well-formed UTF-8 sequence at S (AVAIL bytes available), or
 * 0 when it is not one. The ranges for the second byte are those of RFC 3629
 * and rule out overlong forms, UTF-16 surrogates and code points above
 * U+10FFFF; a sequence cut short by the end of the text is not well formed. */
static size_t utf8_sequence_length(const unsigned char *s, size_t avail) {
  unsigned char c = s[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0; /* overlong */
    if (c == 0xED) hi = 0x9F; /* surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90; /* overlong */
    if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
  } else {
    return 0; /* stray continuation byte, 0xC0/0xC1 overlong, 0xF5..0xFF */
  }
  if (avail < need) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < need; i++)
    if (!is_continuation_byte(s[i])) return 0;
  return need;
}

/* Offset of the first NUL byte or the first byte that does not start a
 * well-formed UTF-8 sequence; LEN when the whole text is clean. */
static size_t find_bad_byte(const unsigned char *text, size_t len) {
  size_t i = 0;
  while (i < len) {
    size_t n = text[i] == '\0' ? 0 : utf8_sequence_length(text + i, len - i);
    if (n == 0) return i;
    i += n;
  }
  return len;
}

/* Line and column of OFFSET, counting columns in code points. Only the text
 * before OFFSET is examined, so it works on text validated up to there. */
static SrcLoc loc_in_text(const char *text, size_t len, size_t offset) {
  SrcLoc loc = {1, 1};
  if (offset > len) offset = len;
  for (size_t i = 0; i < offset; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '\n') {
      loc.line++;
      loc.col = 1;
    } else if (!is_continuation_byte(c)) {
      loc.col++;
    }
  }
  return loc;
}

/* Reports the NUL byte or invalid UTF-8 in TEXT, if any; 0 when clean. */
static int validate_text(Diag *diag, const char *text, size_t len) {
  const unsigned char *bytes = (const unsigned char *)text;
  size_t bad = find_bad_byte(bytes, len);
  if (bad == len) return 0;
  SrcLoc loc = loc_in_text(text, len, bad);
  if (bytes[bad] == '\0')
    diag_error(diag, loc, "file contains a NUL byte; is it a binary file?");
  else
    diag_error(diag, loc, "invalid UTF-8 byte 0x%02x", bytes[bad]);
  return -1;
}

/* Lines end with \n or \r\n. A lone \r (classic Mac OS) would make the two
 * front ends disagree about line numbers, so it is refused up front. */
static int check_line_ends(Diag *diag, const char *text, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')) {
      diag_error_hint(diag, loc_in_text(text, len, i), "convert the file to \\n line ends",
                      "line ends with a lone carriage return (\\r)");
      return -1;
    }
  }
  return 0;
}

/* Drops a leading UTF-8 byte order mark in place; returns the new length. */
static size_t strip_bom(char *text, size_t len) {
  static const char bom[] = "\xEF\xBB\xBF";
  if (len < 3 || memcmp(text, bom, 3) != 0) return len;
  memmove(text, text + 3, len - 3);
  text[len - 3] = '\0';
  return len - 3;
}

/* Validates BUF (LEN bytes plus a terminating NUL, heap-allocated) and makes
 * SRC own it. Takes ownership of BUF: it is freed on failure. The Diag must
 * already point at PATH. */
static int adopt_text(Diag *diag, const char *path, char *buf, size_t len,
                      Source *src) {
  len = strip_bom(buf, len);
  if (validate_text(diag, buf, len) != 0 || check_line_ends(diag, buf, len) != 0) {
    free(buf);
    return -1;
  }
  char *path_copy = strdup(path);
  if (path_copy == NULL) {
    free(buf);
    diag_file_error(diag, "out of memory");
    return -1;
  }
  src->path = path_copy;
  src->text = buf;
  src->len = len;
  return 0;
}

static void report_too_large(Diag *diag, long long size) {
  if (size > 0)
    diag_file_error(diag, "spec is %lld bytes; specs are limited to %d bytes",
                    size, SOURCE_MAX_BYTES);
  else /* a pipe or a file that grew while read: only a lower bound known */
    diag_file_error(diag, "spec is more than %d bytes; specs are limited to "
                    "%d bytes", SOURCE_MAX_BYTES, SOURCE_MAX_BYTES);
}

/* Reads at most CAP bytes from FD into a fresh NUL-terminated buffer, so an
 * oversized file or an endless pipe costs no more than CAP bytes. SIZE_HINT
 * (the size fstat gave, or 0) picks the first allocation. Returns -1 with
 * errno set on a read error or when out of memory. */
static int read_at_most(int fd, size_t cap, size_t size_hint, char **out,
                        size_t *out_len) {
  /* Room for the hinted size, one more byte so end of file shows without a
   * regrow, and the NUL. */
  size_t alloc = (size_hint > 0 && size_hint < cap ? size_hint + 1 : 4096) + 1;
  if (alloc > cap + 1) alloc = cap + 1;
  char *buf = malloc(alloc);
  size_t len = 0;
  if (buf == NULL) return -1;
  while (len < cap) {
    if (len + 1 == alloc) {
      size_t grown = alloc * 2 > cap + 1 ? cap + 1 : alloc * 2;
      char *bigger = realloc(buf, grown);
      if (bigger == NULL) {
        free(buf);
        errno = ENOMEM;
        return -1;
      }
      buf = bigger;
      alloc = grown;
    }
    ssize_t n = read(fd, buf + len, alloc - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      free(buf);
      errno = saved;
      return -1;
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  buf[len] = '\0';
  *out = buf;
  *out_len = len;
  return 0;
}

/* The body of source_load once FD is open; the caller closes FD. */
static int load_open_file(Diag *diag, const char *path, int fd, Source *src) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    diag_file_error(diag, "cannot open '%s': %s", path, strerror(errno));
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    diag_file_error(diag, "'%s' is a directory, not a spec file", path);
    return -1;
  }
  /* Checked before reading so a huge file is refused without loading it. */
  if (S_ISREG(st.st_mode) && st.st_size > SOURCE_MAX_BYTES) {
    report_too_large(diag, (long long)st.st_size);
    return -1;
  }
  size_t hint = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
  char *buf;
  size_t len;
  if (read_at_most(fd, SOURCE_MAX_BYTES + 1, hint, &buf, &len) != 0) {
    diag_file_error(diag, "cannot read '%s': %s", path, strerror(errno));
    return -1;
  }
  if (len > SOURCE_MAX_BYTES) {
    free(buf);
    report_too_large(diag, 0);
    return -1;
  }
  return adopt_text(diag, path, buf, len, src);
}

/* Reads PATH into SRC; errors go to DIAG under PATH's name. See source.h. */
int source_load(Diag *diag, const char *path, Source *src) {
  memset(src, 0, sizeof *src);
  DiagTarget saved = diag_target_file(diag, path);
  int rc = -1;
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    diag_file_error(diag, "cannot open '%s': %s", path, strerror(errno));
  } else {
    rc = load_open_file(diag, path, fd, src);
    close(fd);
  }
  diag_target_restore(diag, saved);
  return rc;
}

/* Copies LEN bytes of DATA into SRC after the checks source_load makes.
 * DATA may be NULL when LEN is 0. See source.h. */
int source_from_memory(Diag *diag, const char *path, const char *data,
                       size_t len, Source *src) {
  memset(src, 0, sizeof *src);
  DiagTarget saved = diag_target_file(diag, path);
  int rc = -1;
  if (len > SOURCE_MAX_BYTES) {
    report_too_large(diag, (long long)len);
  } else {
    char *buf = malloc(len + 1);
    if (buf == NULL) {
      diag_file_error(diag, "out of memory");
    } else {
      if (len > 0) memcpy(buf, data, len);
      buf[len] = '\0';
      rc = adopt_text(diag, path, buf, len, src);
    }
  }
  diag_target_restore(diag, saved);
  return rc;
}

/* Frees what SRC owns and leaves it empty; safe on an empty Source. */
void source_free(Source *src) {
  if (src == NULL) return;
  free(src->path);
  free(src->text);
  memset(src, 0, sizeof *src);
}

/* Start and length (without "\n" or "\r\n") of 1-based LINE, or NULL. A line
 * exists only if it holds at least its newline, so the position after a
 * final newline, or anywhere in an empty file, has no line to show. */
const char *source_line(const Source *src, int line, size_t *len) {
  if (src == NULL || src->text == NULL || line < 1) return NULL;
  const char *p = src->text;
  const char *end = src->text + src->len;
  for (int n = 1; n < line; n++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL) return NULL;
    p = nl + 1;
  }
  if (p >= end) return NULL;
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
  if (n > 0 && p[n - 1] == '\r') n--;
  if (len != NULL) *len = n;
  return p;
}

/* Line and column of a byte offset into SRC's text. See source.h. */
SrcLoc source_loc_at(const Source *src, size_t offset) {
  if (src == NULL || src->text == NULL) return (SrcLoc){1, 1};
  return loc_in_text(src->text, src->len, offset);
}
