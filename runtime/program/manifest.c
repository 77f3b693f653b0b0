/*
 * manifest.c - PATH.yaml beside each checkpoint (rnn_ckpt.h): the
 * checkpoint's identity, counters and tensor table for people and tools,
 * written with libyaml's emitter. Informative only: never read back.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "rnn_ckpt.h"
#include "rnn_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
typedef struct ByteBuf {
  uint8_t *data;
  size_t len, cap;
} ByteBuf;

/* libyaml's output handler: appends to a ByteBuf; 0 tells it to stop. */
static int append_to_buf(void *data, unsigned char *buffer, size_t size) {
  ByteBuf *b = data;
  if (size > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 4096;
    while (size > cap - b->len)
      cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
      return 0;
    b->data = p;
    b->cap = cap;
  }
  memcpy(b->data + b->len, buffer, size);
  b->len += size;
  return 1;
}

/* Emits one event; returns 0 when the emitter fails (it frees the event). */
static int emit(yaml_emitter_t *em, yaml_event_t *ev) { return yaml_emitter_emit(em, ev); }

static int emit_scalar_styled(yaml_emitter_t *em, const char *s, int len,
                              yaml_scalar_style_t style) {
  yaml_event_t ev;
  int plain = style == YAML_PLAIN_SCALAR_STYLE;
  return yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, len, plain, !plain,
                                      style) &&
         emit(em, &ev);
}

/* A string, always quoted: a plain spec hash of digits would read back as
 * a number. */
static int emit_string(yaml_emitter_t *em, const char *s) {
  return emit_scalar_styled(em, s, -1, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

/* A number or null, plain. */
static int emit_plain(yaml_emitter_t *em, const char *s) {
  return emit_scalar_styled(em, s, -1, YAML_PLAIN_SCALAR_STYLE);
}

static int emit_long(yaml_emitter_t *em, long v) {
  char s[32];
  snprintf(s, sizeof s, "%ld", v);
  return emit_plain(em, s);
}

static int emit_key_string(yaml_emitter_t *em, const char *key, const char *value) {
  return emit_plain(em, key) && emit_string(em, value);
}

static int emit_key_long(yaml_emitter_t *em, const char *key, long value) {
  return emit_plain(em, key) && emit_long(em, value);
}

/* A double that reads back to the same bits; HUGE_VAL (none) is null. */
static int emit_key_loss(yaml_emitter_t *em, const char *key, double v) {
  char s[40];
  if (isnan(v))
    snprintf(s, sizeof s, ".nan");
  else if (isinf(v))
    snprintf(s, sizeof s, "%s", v > 0 ? "null" : "-.inf");
  else
    snprintf(s, sizeof s, "%.17g", v);
  return emit_plain(em, key) && emit_plain(em, s);
}

static int emit_mapping_start(yaml_emitter_t *em, yaml_mapping_style_t style) {
  yaml_event_t ev;
  return yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, style) && emit(em, &ev);
}

static int emit_mapping_end(yaml_emitter_t *em) {
  yaml_event_t ev;
  return yaml_mapping_end_event_initialize(&ev) && emit(em, &ev);
}

static int emit_sequence_start(yaml_emitter_t *em, yaml_sequence_style_t style) {
  yaml_event_t ev;
  return yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, style) && emit(em, &ev);
}

static int emit_sequence_end(yaml_emitter_t *em) {
  yaml_event_t ev;
  return yaml_sequence_end_event_initialize(&ev) && emit(em, &ev);
}

/* The vocabulary's bytes in id order as a string. YAML text must be
 * UTF-8, so byte b becomes the character U+00b (Latin-1); the double-quoted
 * style then escapes whatever is not printable ASCII ("\n", "\xE9"). */
static int emit_key_vocab_bytes(yaml_emitter_t *em, const RnnVocab *v) {
  char s[2 * 256 + 1];
  int n = 0;
  for (int k = 0; k < v->size && k < 256; k++) {
    int b = v->byte[k];
    if (b < 0)
      continue;
    if (b < 0x80) {
      s[n++] = (char)b;
    } else {
      s[n++] = (char)(0xc0 | (b >> 6));
      s[n++] = (char)(0x80 | (b & 0x3f));
    }
  }
  return emit_plain(em, "vocab_bytes") &&
         emit_scalar_styled(em, s, n, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static int emit_tensor(yaml_emitter_t *em, const RnnTensorDesc *t) {
  return emit_mapping_start(em, YAML_FLOW_MAPPING_STYLE) && emit_key_string(em, "name", t->name) &&
         emit_plain(em, "shape") && emit_sequence_start(em, YAML_FLOW_SEQUENCE_STYLE) &&
         emit_long(em, t->rows) && emit_long(em, t->cols) && emit_sequence_end(em) &&
         emit_key_long(em, "offset", (long)t->offset) && emit_mapping_end(em);
}

static int emit_manifest_body(yaml_emitter_t *em, const RnnModelDesc *d, const RnnCkpt *c) {
  if (!(emit_mapping_start(em, YAML_BLOCK_MAPPING_STYLE) && emit_key_string(em, "model", d->name) &&
        emit_key_string(em, "spec_hash", d->spec_hash) &&
        emit_key_long(em, "format_version", RNN_CKPT_VERSION) &&
        emit_key_long(em, "real_bytes", (long)sizeof(rnn_real)) &&
        emit_key_long(em, "step", c->step) && emit_key_long(em, "epoch", c->epoch) &&
        emit_key_long(em, "position", c->position) &&
        emit_key_long(em, "examples_seen", c->examples_seen) &&
        emit_key_long(em, "optimizer_step", c->opt_step) &&
        emit_key_loss(em, "best_valid_loss", c->best_valid) &&
        emit_key_long(em, "vocab_size", c->vocab.size) &&
        emit_key_long(em, "padding_id", c->vocab.padding_id) &&
        emit_key_vocab_bytes(em, &c->vocab) && emit_key_long(em, "n_params", (long)d->n_params) &&
        emit_plain(em, "tensors") && emit_sequence_start(em, YAML_BLOCK_SEQUENCE_STYLE)))
    return 0;
  for (int i = 0; i < d->n_tensors; i++)
    if (!emit_tensor(em, &d->tensors[i]))
      return 0;
  return emit_sequence_end(em) && emit_mapping_end(em);
}

static int emit_manifest(yaml_emitter_t *em, const RnnModelDesc *d, const RnnCkpt *c) {
  yaml_event_t ev;
  return yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && emit(em, &ev) &&
         yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && emit(em, &ev) &&
         emit_manifest_body(em, d, c) && yaml_document_end_event_initialize(&ev, 1) &&
         emit(em, &ev) && yaml_stream_end_event_initialize(&ev) && emit(em, &ev) &&
         yaml_emitter_flush(em);
}

/* Contract: see rnn_ckpt.h. */
int rnn_ckpt_save_manifest(const char *path, const RnnModelDesc *d, const RnnCkpt *c,
                           RnnError *err) {
  char *yaml_path = rnn_path_with_suffix(path, ".yaml");
  if (!yaml_path)
    return rnn_error_set(err, "%s: out of memory", path);
  ByteBuf out = {0};
  yaml_emitter_t em;
  int rc = -1;
  if (!yaml_emitter_initialize(&em)) {
    rnn_error_set(err, "%s: out of memory", yaml_path);
  } else {
    yaml_emitter_set_output(&em, append_to_buf, &out);
    yaml_emitter_set_unicode(&em, 0);
    yaml_emitter_set_width(&em, -1);
    if (!emit_manifest(&em, d, c))
      rnn_error_set(err, "%s: cannot write the manifest: %s; the checkpoint itself was saved",
                    yaml_path, em.problem ? em.problem : "out of memory");
    else
      rc = rnn_write_atomically(yaml_path, out.data, out.len, err);
    yaml_emitter_delete(&em);
  }
  free(out.data);
  free(yaml_path);
  return rc;
}
