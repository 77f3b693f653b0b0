/*
 * diff_c.c - `rnnc diff OLD NEW --c` (diff.h): the generated C of the two
 * models, diffed, showing only the hunks that touch the layers that
 * changed.
 *
 * Both models are emitted into fresh temporary directories (emit.h) and
 * compared with the system's `diff -u` (diffutils, part of every Debian).
 * A hunk touches a layer when one of its changed lines names it: its
 * workspace buffers, tensors and sizes all carry the layer's name
 * ("ws->lstm1_h", "CHARGEN_LSTM1_H", "---- lstm1: lstm"). The hunks left
 * out (the offsets and sizes that follow a change) are counted.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "diff.h"
#include "emit.h"

/* Whether LINE names NAME (case-insensitive, not inside a longer word;
 * '_' separates words, as in MODEL_LAYER_H). */
static int names_layer(const char *line, const char *name) {
  size_t n = strlen(name);
  for (const char *p = line; *p; p++) {
    if (strncasecmp(p, name, n) != 0)
      continue;
    int before = p == line || !isalnum((unsigned char)p[-1]);
    int after = !isalnum((unsigned char)p[n]);
    if (before && after)
      return 1;
  }
  return 0;
}

/* A hunk of `diff -u` output held until it is known to be kept. */
typedef struct Hunk {
  char *text;
  size_t len, cap;
  int touches;
} Hunk;

static int hunk_add(Hunk *h, const char *line) {
  size_t n = strlen(line);
  if (h->len + n + 1 > h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 4096;
    while (cap < h->len + n + 1)
      cap *= 2;
    char *t = realloc(h->text, cap);
    if (!t)
      return -1;
    h->text = t;
    h->cap = cap;
  }
  memcpy(h->text + h->len, line, n + 1);
  h->len += n;
  return 0;
}

typedef struct Filter {
  const char *const *names;
  int n_names;
  char header[2][4096]; /* the file's ---/+++ lines, printed before its first kept hunk */
  int header_shown;
  int kept, hidden;
} Filter;

static void flush_hunk(Filter *f, Hunk *h, FILE *out) {
  if (h->len == 0)
    return;
  if (h->touches) {
    if (!f->header_shown)
      fputs(f->header[0], out), fputs(f->header[1], out), f->header_shown = 1;
    fwrite(h->text, 1, h->len, out);
    f->kept++;
  } else {
    f->hidden++;
  }
  h->len = 0;
  h->touches = 0;
}

/* Reads `diff -u` output from IN and prints the hunks that touch F's
 * layers. */
static int filter_diff(FILE *in, Filter *f, FILE *out) {
  Hunk h = {NULL, 0, 0, 0};
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  while (rc == 0 && getline(&line, &cap, in) > 0) {
    if (strncmp(line, "--- ", 4) == 0 || strncmp(line, "+++ ", 4) == 0) {
      flush_hunk(f, &h, out);
      int i = line[0] == '-' ? 0 : 1;
      snprintf(f->header[i], sizeof f->header[i], "%s", line);
      if (i == 0)
        f->header_shown = 0;
      continue;
    }
    if (strncmp(line, "@@", 2) == 0)
      flush_hunk(f, &h, out);
    if (line[0] == '+' || line[0] == '-')
      for (int k = 0; k < f->n_names && !h.touches; k++)
        h.touches = names_layer(line + 1, f->names[k]);
    rc = hunk_add(&h, line);
  }
  flush_hunk(f, &h, out);
  free(line);
  free(h.text);
  return rc;
}

/* Emits M into DIR (created). */
static int emit_into(const IrModel *m, const char *spec_path, char *dir) {
  if (!mkdtemp(dir)) {
    fprintf(stderr, "rnnc: error: cannot create a temporary directory '%s': %s\n", dir,
            strerror(errno));
    dir[0] = '\0'; /* nothing to remove */
    return -1;
  }
  EmitOptions opt = {spec_path, "(rnnc diff)", dir, EMIT_DEFAULT_MAX_UNROLL};
  return emit_model(m, &opt);
}

/* Removes DIR and the three files emit_model may have written into it
 * (any that exist). */
static void remove_emitted(const char *dir, const char *name) {
  static const char *const suffixes[] = {".h", ".c", "_main.c"};
  char path[4200];
  if (!dir[0])
    return;
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s%s", dir, name, suffixes[i]);
    remove(path);
  }
  rmdir(dir);
}

int diff_generated(const IrModel *a, const char *a_path, const IrModel *b, const char *b_path,
                   const char *const names[], int n_names, FILE *out) {
  const char *tmp = getenv("TMPDIR");
  char da[4096], db[4096];
  snprintf(da, sizeof da, "%s/rnnc-diff-old-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  snprintf(db, sizeof db, "%s/rnnc-diff-new-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  /* The report is built in memory and printed after the directories are
   * gone: a reader that stops early (| head) cannot leave them behind. */
  char *report = NULL;
  size_t report_len = 0;
  FILE *mem = open_memstream(&report, &report_len);
  int rc = !mem || emit_into(a, a_path, da) || emit_into(b, b_path, db) ? -1 : 0;
  Filter f = {names, n_names, {"", ""}, 0, 0, 0};
  static const char *const files[] = {".h", ".c"};
  for (int i = 0; rc == 0 && i < 2; i++) {
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "diff -u --label 'a/%s%s' --label 'b/%s%s' '%s/%s%s' '%s/%s%s'",
             a->name, files[i], b->name, files[i], da, a->name, files[i], db, b->name, files[i]);
    FILE *in = popen(cmd, "r");
    if (!in) {
      fprintf(stderr, "rnnc: error: cannot run diff: %s\n", cmd);
      rc = -1;
      break;
    }
    rc = filter_diff(in, &f, mem);
    int status = pclose(in);
    if (status == -1 || (status != 0 && status != 256)) { /* diff: 0 same, 1 differ */
      fprintf(stderr, "rnnc: error: '%s' failed (is diffutils installed?)\n", cmd);
      rc = -1;
    }
  }
  remove_emitted(da, a->name);
  remove_emitted(db, b->name);
  if (mem && fclose(mem) != 0)
    rc = -1;
  if (rc == 0) {
    fwrite(report, 1, report_len, out);
    fprintf(out,
            "(%d hunk%s shown; %d outside the changed layers not shown: the sizes, offsets "
            "and banners that follow from them)\n",
            f.kept, f.kept == 1 ? "" : "s", f.hidden);
  }
  free(report);
  return rc;
}
