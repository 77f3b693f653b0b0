/*
 * data_labelled.c - "LABEL<TAB>TEXT" lines (seed 002): variable-length
 * token sequences with a class label, padded or cut to the model's length.
 */
#include "data_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One "LABEL<TAB>TEXT" line, split and checked. */
typedef struct LabelledLine {
  long label;
  const uint8_t *text;
  size_t text_len;
} LabelledLine;

/* A label is a decimal integer (optional sign), nothing else. */
static int parse_label(const uint8_t *s, size_t len, long *label) {
  char buf[24];
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  size_t i = buf[0] == '-' || buf[0] == '+' ? 1 : 0;
  if (i == len) return -1;
  for (; i < len; i++)
    if (buf[i] < '0' || buf[i] > '9') return -1;
  *label = strtol(buf, NULL, 10);
  return 0;
}

static int label_error(const char *path, long number, const uint8_t *s, size_t len,
                       RnnError *err) {
  char shown[200];
  rnn_data_quote(s, len, shown, sizeof shown);
  rnn_error_set(err,
                "%s:%ld: '%s' is not a label: each line is LABEL<TAB>TEXT with an integer LABEL",
                path, number, shown);
  return -1;
}

static int label_range_error(const char *path, long number, long label, const RnnExamples *ex,
                             RnnError *err) {
  if (ex->classes > 0)
    rnn_error_set(err,
                  "%s:%ld: label %ld is out of range: the model has %d outputs (classes 0 to %d); "
                  "fix the label or give the output layer more units",
                  path, number, label, ex->classes, ex->classes - 1);
  else
    rnn_error_set(err,
                  "%s:%ld: label %ld is out of range: binary cross-entropy takes labels 0 and 1",
                  path, number, label);
  return -1;
}

static int parse_labelled_line(const char *path, long number, const uint8_t *line, size_t len,
                               const RnnExamples *ex, LabelledLine *out, RnnError *err) {
  const uint8_t *tab = memchr(line, '\t', len);
  if (tab == NULL) {
    rnn_error_set(err, "%s:%ld: no tab: each line is LABEL<TAB>TEXT", path, number);
    return -1;
  }
  size_t label_len = (size_t)(tab - line);
  if (parse_label(line, label_len, &out->label) != 0)
    return label_error(path, number, line, label_len, err);
  if (out->label < 0 || out->label > rnn_data_max_label(ex))
    return label_range_error(path, number, out->label, ex, err);
  out->text = tab + 1;
  out->text_len = len - label_len - 1;
  if (out->text_len == 0) {
    rnn_error_set(err, "%s:%ld: the text after the tab is empty: give every example some text",
                  path, number);
    return -1;
  }
  return 0;
}

/* The first byte of L's text the model reads (its first STEPS) that V
 * lacks, or -1 when V has them all. Bytes past STEPS are cut, never read. */
static long first_unknown_byte(const LabelledLine *l, const RnnVocab *v, int steps) {
  size_t used = l->text_len < (size_t)steps ? l->text_len : (size_t)steps;
  for (size_t i = 0; i < used; i++)
    if (v->id[l->text[i]] < 0) return (long)i;
  return -1;
}

static int unknown_in_line_error(const char *path, long number, const LabelledLine *l,
                                 size_t label_len, long at, RnnError *err) {
  rnn_error_set(err,
                "%s:%ld: byte 0x%02x at column %zu is not in the model's vocabulary (the bytes of "
                "its training data): remove it, train on data that has it, or pass --unknown skip "
                "or --unknown map",
                path, number, l->text[at], label_len + 2 + (size_t)at);
  return -1;
}

/* How one pass over the lines treats them. */
typedef struct LabelledPass {
  const char *path;
  const RnnExamples *ex;
  const RnnVocab *v; /* size 0: being built from the file */
  const RnnLoadOptions *opt;
  int unknown_id;    /* RNN_UNKNOWN_MAP's id, or -1 */
  int max_vocab;     /* the model's vocab (for the message when no id is free) */
  int steps;         /* T: the bytes of a text the model reads */
} LabelledPass;

/* Whether line L is kept: 0 yes, 1 left out (an unknown byte under
 * RNN_UNKNOWN_SKIP), -1 refused (an unknown byte otherwise). */
static int keep_labelled(const LabelledPass *p, long number, const uint8_t *line,
                         const LabelledLine *l, RnnError *err) {
  if (p->v->size == 0) return 0;
  long at = first_unknown_byte(l, p->v, p->steps);
  if (at < 0) return 0;
  if (p->opt->unknown == RNN_UNKNOWN_SKIP) return 1;
  if (p->opt->unknown == RNN_UNKNOWN_MAP && p->unknown_id >= 0) return 0;
  if (p->opt->unknown == RNN_UNKNOWN_MAP) {
    char where[300];
    snprintf(where, sizeof where, "%s:%ld", p->path, number);
    return rnn_data_vocab_full_error(where, p->v, p->max_vocab, err);
  }
  return unknown_in_line_error(p->path, number, l, (size_t)(l->text - line - 1), at, err);
}

/* First pass: checks the lines up to the OPT->max'th kept one, counts the
 * kept examples and the ones left out, and marks their text bytes (for a
 * vocabulary built from the file). */
static int scan_labelled(const LabelledPass *p, const FileBytes *fb, size_t *count, long *skipped,
                         unsigned char present[256], RnnError *err) {
  LineCursor cur;
  rnn_data_start_lines(&cur, fb);
  const uint8_t *line;
  size_t len;
  LabelledLine l;
  *count = 0;
  *skipped = 0;
  while ((p->opt->max == 0 || *count < p->opt->max) && rnn_data_next_line(&cur, &line, &len)) {
    if (rnn_data_check_line_length(p->path, cur.number, len, err) != 0)
      return -1;
    if (len == 0) continue;
    if (parse_labelled_line(p->path, cur.number, line, len, p->ex, &l, err) != 0) return -1;
    int keep = keep_labelled(p, cur.number, line, &l, err);
    if (keep < 0) return -1;
    if (keep > 0) {
      (*skipped)++;
      continue;
    }
    rnn_data_mark_bytes(l.text, l.text_len, present);
    (*count)++;
  }
  if (*count > 0) return 0;
  if (*skipped > 0)
    rnn_error_set(err,
                  "%s: all %ld examples hold bytes the model's vocabulary lacks: none is left; is "
                  "this the data the model was trained for?",
                  p->path, *skipped);
  else
    rnn_error_set(err, "%s: no examples; expected LABEL<TAB>TEXT lines", p->path);
  return -1;
}

/* Example I from a checked line: ids through V (a byte V lacks as
 * UNKNOWN_ID), cut to T or padded after the text with the padding id. */
static void store_labelled(RnnExamples *ex, size_t i, const LabelledLine *l, const RnnVocab *v,
                           int32_t padding_id, int32_t unknown_id) {
  size_t steps = (size_t)ex->steps;
  size_t used = l->text_len < steps ? l->text_len : steps;
  int32_t *ids = ex->ids + i * steps;
  for (size_t s = 0; s < used; s++) {
    ids[s] = v->id[l->text[s]];
    if (ids[s] < 0) {
      ids[s] = unknown_id;
      ex->mapped++;
    }
  }
  for (size_t s = used; s < steps; s++) ids[s] = padding_id;
  ex->lengths[i] = (int32_t)used;
  if (l->text_len > steps) ex->truncated++;
  rnn_data_store_class(ex, i, l->label);
}

/* Second pass over the lines the first pass kept (EX->n of them). */
static void fill_labelled(const LabelledPass *p, const FileBytes *fb, int32_t padding_id,
                          RnnExamples *ex) {
  LineCursor cur;
  rnn_data_start_lines(&cur, fb);
  const uint8_t *line;
  size_t len, i = 0;
  LabelledLine l;
  while (i < ex->n && rnn_data_next_line(&cur, &line, &len)) {
    if (len == 0) continue;
    (void)parse_labelled_line("", cur.number, line, len, ex, &l, NULL);
    if (p->opt->unknown == RNN_UNKNOWN_SKIP && first_unknown_byte(&l, p->v, p->steps) >= 0)
      continue;
    store_labelled(ex, i++, &l, p->v, padding_id, p->unknown_id);
  }
}

static int labelled_check_model(const RnnModelDesc *d, const char *path, RnnExamples *ex,
                                RnnError *err) {
  if (!d->tokens) {
    rnn_error_set(err,
                  "%s: LABEL<TAB>TEXT data is token ids: the model needs 'vocab' input, not "
                  "'features'",
                  path);
    return -1;
  }
  if (d->padding_id < 0 || d->padding_id >= d->vocab) {
    rnn_error_set(err, "%s: the model's padding id %d is outside its vocab of %d: fix 'padding_id'",
                  path, d->padding_id, d->vocab);
    return -1;
  }
  return rnn_data_class_targets(d, path, "LABEL<TAB>TEXT", ex, err);
}

static int labelled_load_bytes(const char *path, const FileBytes *fb, const RnnModelDesc *d,
                               RnnVocab *v, const RnnLoadOptions *opt, RnnExamples *ex,
                               RnnError *err) {
  unsigned char present[256] = {0};
  size_t count = 0;
  long skipped = 0;
  int building = v->size == 0;
  LabelledPass pass = {path, ex, v, opt, -1, d->vocab, d->length};
  if (!building && opt->unknown == RNN_UNKNOWN_MAP)
    pass.unknown_id = rnn_vocab_unknown_id(v, d->vocab);
  if (scan_labelled(&pass, fb, &count, &skipped, present, err) != 0) return -1;
  if (building) {
    rnn_data_vocab_clear(v, d->padding_id);
    if (rnn_data_vocab_add(v, present, d->vocab, path, err) != 0) {
      rnn_data_vocab_clear(v, -1); /* size 0 again: the caller may retry with another file */
      return -1;
    }
  }
  ex->steps = d->length;
  ex->tokens = 1;
  if (rnn_data_examples_alloc(ex, count) != 0)
    return rnn_data_out_of_memory(path, err);
  ex->skipped = skipped;
  fill_labelled(&pass, fb, d->padding_id, ex);
  return 0;
}

/* "LABEL<TAB>TEXT" lines (blank lines skipped) as token sequences of the
 * model's length: the first T bytes of TEXT (longer texts are cut; counted
 * in ex->truncated), padded after the text with the model's padding id,
 * which a vocabulary built here always reserves (whatever the mask: padded
 * steps then never alias a real byte). */
int rnn_labelled_load(const char *path, const RnnModelDesc *d, RnnVocab *v,
                      const RnnLoadOptions *opt, RnnExamples *ex, RnnError *err) {
  memset(ex, 0, sizeof *ex);
  if (labelled_check_model(d, path, ex, err) != 0) return -1;
  FileBytes fb;
  if (rnn_data_read_file(path, "LABEL<TAB>TEXT lines", &fb, err) != 0)
    return -1;
  int rc = labelled_load_bytes(path, &fb, d, v, rnn_data_options(opt), ex, err);
  free(fb.data);
  if (rc != 0) rnn_examples_free(ex);
  return rc;
}
