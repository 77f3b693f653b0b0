/*
 * ckpt.c - checkpoints (rnn_ckpt.h): an atomic save, a load that checks
 * everything before it touches its destination, and a description for
 * `info`.
 *
 * rnn_ckpt.h gives the layout; the details it leaves open:
 *   - integers are little-endian, written byte by byte; a section tag is
 *     the u32 whose little-endian bytes spell its name (a hex dump shows
 *     "MODL"); a real is its IEEE bits (u32 for float, u64 for double), a
 *     double its u64 bits, a long a two's-complement i64;
 *   - a string is a u32 byte count and the bytes (no NUL);
 *   - MODL  str name | str spec hash | u32 T | u32 B | u64 n_params |
 *           u32 n_slots
 *     TENS  u32 count | count x (str name | u32 rows | u32 cols | u64 offset)
 *     PARM  n_params reals
 *     OPTS  i64 optimizer step | f64 last norm | n_slots x n_params reals
 *     STAT  the state struct as reals: it holds nothing but rnn_real
 *           arrays (compiler/emit_header.c), so it can be written value by
 *           value instead of as host bytes
 *     RNGS  4 u64 (dropout) | 4 u64 (data order)
 *     VOCB  i32 size | i32 padding id | 256 x i32 id of each byte (-1: not
 *           in the vocabulary); the id -> byte table is rebuilt from them.
 *           The size covers the padding id, which may lie past the bytes'
 *           ids (rnn_vocab_build), so it can exceed 256.
 *           A vocabulary of size 0 is "none" (a model without tokens): its
 *           tables are written as -1, whatever the caller's hold
 *     CURS  i64 epoch | i64 position | i64 examples seen
 *     LOGS  i64 step | f64 best validation loss
 *   - the writer puts the sections in that order; the reader takes any
 *     order but rejects unknown, repeated and missing sections.
 *
 * Checks run in this order and the first failure is the message: header
 * (magic, format, precision), CRC, section structure, section contents,
 * then (load only) identity against the program's model. A CRC failure
 * alone cannot tell a cut-off file from a damaged one, so the sections are
 * walked first and an overrun or a missing tail is reported as truncation.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "rnn_ckpt.h"
#include "rnn_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include <zlib.h>

_Static_assert(sizeof(rnn_real) == 4 || sizeof(rnn_real) == 8, "rnn_real is float or double");
_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE single and double");

static const uint8_t CKPT_MAGIC[8] = {'R', 'N', 'N', 'C', 'K', 'P', 'T', 0};

enum {
  HEADER_BYTES = 16,        /* magic, version, sizeof(rnn_real) */
  SECTION_HEAD_BYTES = 12,  /* u32 tag, u64 length */
  CRC_BYTES = 4,
  MAX_NAME_BYTES = 1024,    /* model, hash and tensor names: generous */
  MAX_VOCAB_IDS = 1 << 24,  /* a sanity bound; the model's vocab is the real one */
  VOCB_BYTES = 8 + 256 * 4, /* size, padding id, id of each byte */
  RNGS_BYTES = 8 * 8,
  CURS_BYTES = 3 * 8,
  LOGS_BYTES = 2 * 8,
  OPTS_HEAD_BYTES = 2 * 8, /* optimizer step, last norm */
  TENSOR_MIN_BYTES = 4 + 4 + 4 + 8 /* an empty name, rows, cols, offset */
};

enum {
  SEC_MODL,
  SEC_TENS,
  SEC_PARM,
  SEC_OPTS,
  SEC_STAT,
  SEC_RNGS,
  SEC_VOCB,
  SEC_CURS,
  SEC_LOGS,
  N_SECTIONS
};

static const char SECTION_NAMES[N_SECTIONS][5] = {"MODL", "TENS", "PARM", "OPTS", "STAT",
                                                  "RNGS", "VOCB", "CURS", "LOGS"};

/* What to do about a damaged or cut-off file, appended to those messages. */
#define ADVICE_DAMAGED "use an earlier checkpoint or train from scratch"
/* What to do when the file belongs to another build of the model. */
#define ADVICE_OTHER_MODEL "use the program that saved it, or train this model from scratch"

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */
/* ---------------------------------------------------------------------- */

/* A name from the file made safe to print: bytes outside printable ASCII
 * become '?', and long names end in "...". */
static const char *printable(const uint8_t *s, size_t n, char *out, size_t cap) {
  size_t keep = n < cap - 1 ? n : cap - 4;
  for (size_t i = 0; i < keep; i++) out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
  if (keep < n)
    memcpy(out + keep, "...", 4);
  else
    out[keep] = '\0';
  return out;
}

/* ---------------------------------------------------------------------- */
/* Little-endian bytes                                                    */
/* ---------------------------------------------------------------------- */

static uint32_t load_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load_u64(const uint8_t *p) {
  return (uint64_t)load_u32(p) | (uint64_t)load_u32(p + 4) << 32;
}

static void store_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void store_u64(uint8_t *p, uint64_t v) {
  store_u32(p, (uint32_t)v);
  store_u32(p + 4, (uint32_t)(v >> 32));
}

/* Two's complement without relying on the implementation-defined
 * conversion of out-of-range unsigned values. */
static int64_t i64_from_bits(uint64_t u) {
  return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

static void store_real(uint8_t *p, rnn_real v) {
#ifdef RNN_REAL_DOUBLE
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  store_u64(p, bits);
#else
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  store_u32(p, bits);
#endif
}

static rnn_real load_real(const uint8_t *p) {
  rnn_real v;
#ifdef RNN_REAL_DOUBLE
  uint64_t bits = load_u64(p);
#else
  uint32_t bits = load_u32(p);
#endif
  memcpy(&v, &bits, sizeof v);
  return v;
}

static uint32_t tag_value(const char *name) { return load_u32((const uint8_t *)name); }

/* zlib's crc32 takes an unsigned int length: feed large buffers in parts. */
static uint32_t crc_of(const uint8_t *p, size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    uInt part = n > (1u << 30) ? (1u << 30) : (uInt)n;
    crc = crc32(crc, p, part);
    p += part;
    n -= part;
  }
  return (uint32_t)crc;
}

/* ---------------------------------------------------------------------- */
/* The vocabulary                                                         */
/* ---------------------------------------------------------------------- */

/* Rebuilds V from its size, padding id and byte -> id table (the part the
 * file keeps): the id -> byte table follows from them (it has no slot for
 * ids past 255, as in rnn_vocab_build). */
static void vocab_from_ids(RnnVocab *v, int size, int padding_id, const int32_t id[256]) {
  v->size = size;
  v->padding_id = padding_id;
  for (int k = 0; k < 256; k++) v->byte[k] = -1;
  for (int b = 0; b < 256; b++) {
    v->id[b] = id[b];
    if (id[b] >= 0 && id[b] < 256)
      v->byte[id[b]] = (int16_t)b;
  }
}

/* Whether SIZE, PADDING_ID and ID describe a usable vocabulary: every id
 * in range, none shared by two bytes, the padding id no byte's. SIZE
 * covers the padding id, which may lie above the bytes' ids (see
 * rnn_vocab_build), so only a sanity bound applies to it here; the model's
 * vocab bounds it at load. Writes why not into WHY (0: fine). */
static int vocab_ids_invalid(int size, int padding_id, const int32_t id[256], char *why,
                             size_t cap) {
  if (size < 0 || size > MAX_VOCAB_IDS)
    return snprintf(why, cap, "vocabulary size %d is outside 0..%d", size, MAX_VOCAB_IDS), 1;
  if (padding_id < -1 || padding_id >= MAX_VOCAB_IDS)
    return snprintf(why, cap, "padding id %d is outside -1..%d", padding_id, MAX_VOCAB_IDS - 1),
           1;
  for (int b = 0; b < 256; b++) {
    if (id[b] == -1)
      continue;
    if (id[b] < 0 || id[b] >= size)
      return snprintf(why, cap, "byte 0x%02x has id %d, outside 0..%d", b, (int)id[b], size - 1),
             1;
    if (id[b] == padding_id)
      return snprintf(why, cap, "byte 0x%02x has the padding id %d", b, padding_id), 1;
    for (int a = 0; a < b; a++) /* 256 bytes: quadratic is nothing */
      if (id[a] == id[b])
        return snprintf(why, cap, "bytes 0x%02x and 0x%02x share id %d", a, b, (int)id[b]), 1;
  }
  return 0;
}

/* Whether V can be saved exactly: its ids valid and its id -> byte table
 * the one the ids give, since only the ids are written. */
static int vocab_invalid_for_save(const RnnVocab *v, char *why, size_t cap) {
  if (v->size == 0) { /* none: only the padding id is kept */
    int32_t none[256];
    for (int b = 0; b < 256; b++) none[b] = -1;
    return vocab_ids_invalid(0, v->padding_id, none, why, cap);
  }
  if (vocab_ids_invalid(v->size, v->padding_id, v->id, why, cap))
    return 1;
  RnnVocab rebuilt;
  vocab_from_ids(&rebuilt, v->size, v->padding_id, v->id);
  for (int k = 0; k < v->size && k < 256; k++)
    if (rebuilt.byte[k] != v->byte[k])
      return snprintf(why, cap, "id %d maps to byte %d, but no byte maps to it that way", k,
                      (int)v->byte[k]),
             1;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Building the file in memory                                            */
/* ---------------------------------------------------------------------- */

/* Appends bytes at DATA + LEN; with DATA NULL it only counts, so one
 * function both sizes the file and fills it. */
typedef struct Writer {
  uint8_t *data;
  size_t len;
} Writer;

static void put_bytes(Writer *w, const void *p, size_t n) {
  if (w->data && n > 0)
    memcpy(w->data + w->len, p, n);
  w->len += n;
}

static void put_u32(Writer *w, uint32_t v) {
  uint8_t b[4];
  store_u32(b, v);
  put_bytes(w, b, sizeof b);
}

static void put_u64(Writer *w, uint64_t v) {
  uint8_t b[8];
  store_u64(b, v);
  put_bytes(w, b, sizeof b);
}

static void put_i32(Writer *w, int32_t v) { put_u32(w, (uint32_t)v); }
static void put_i64(Writer *w, int64_t v) { put_u64(w, (uint64_t)v); }

static void put_f64(Writer *w, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  put_u64(w, bits);
}

static void put_string(Writer *w, const char *s) {
  size_t n = strlen(s);
  put_u32(w, (uint32_t)n);
  put_bytes(w, s, n);
}

static void put_reals(Writer *w, const rnn_real *x, size_t n) {
  if (w->data)
    for (size_t i = 0; i < n; i++) store_real(w->data + w->len + i * sizeof(rnn_real), x[i]);
  w->len += n * sizeof(rnn_real);
}

/* The state struct is rnn_real arrays only; read through memcpy since
 * void * promises no alignment. */
static void put_state(Writer *w, const void *state, size_t bytes) {
  const unsigned char *s = state;
  if (w->data)
    for (size_t i = 0; i < bytes; i += sizeof(rnn_real)) {
      rnn_real v;
      memcpy(&v, s + i, sizeof v);
      store_real(w->data + w->len + i, v);
    }
  w->len += bytes;
}

/* Writes the tag and a length placeholder; returns where the length goes. */
static size_t begin_section(Writer *w, int s) {
  put_u32(w, tag_value(SECTION_NAMES[s]));
  size_t at = w->len;
  put_u64(w, 0);
  return at;
}

static void end_section(Writer *w, size_t length_at) {
  if (w->data)
    store_u64(w->data + length_at, (uint64_t)(w->len - length_at - 8));
}

static void put_model_section(Writer *w, const RnnModelDesc *d) {
  size_t at = begin_section(w, SEC_MODL);
  put_string(w, d->name);
  put_string(w, d->spec_hash);
  put_u32(w, (uint32_t)d->length);
  put_u32(w, (uint32_t)d->batch);
  put_u64(w, (uint64_t)d->n_params);
  put_u32(w, (uint32_t)d->n_slots);
  end_section(w, at);
}

static void put_tensor_section(Writer *w, const RnnModelDesc *d) {
  size_t at = begin_section(w, SEC_TENS);
  put_u32(w, (uint32_t)d->n_tensors);
  for (int i = 0; i < d->n_tensors; i++) {
    const RnnTensorDesc *t = &d->tensors[i];
    put_string(w, t->name);
    put_u32(w, (uint32_t)t->rows);
    put_u32(w, (uint32_t)t->cols);
    put_u64(w, (uint64_t)t->offset);
  }
  end_section(w, at);
}

static void put_vocab_section(Writer *w, const RnnVocab *v) {
  size_t at = begin_section(w, SEC_VOCB);
  put_i32(w, v->size);
  put_i32(w, v->padding_id);
  for (int b = 0; b < 256; b++) put_i32(w, v->size > 0 ? v->id[b] : -1);
  end_section(w, at);
}

static void put_rng(Writer *w, const RnnRng *r) {
  for (int i = 0; i < 4; i++) put_u64(w, r->s[i]);
}

/* The whole file: header, the nine sections, CRC. */
static void put_checkpoint(Writer *w, const RnnModelDesc *d, const RnnCkpt *c) {
  size_t at;
  put_bytes(w, CKPT_MAGIC, sizeof CKPT_MAGIC);
  put_u32(w, RNN_CKPT_VERSION);
  put_u32(w, (uint32_t)sizeof(rnn_real));
  put_model_section(w, d);
  put_tensor_section(w, d);

  at = begin_section(w, SEC_PARM);
  put_reals(w, c->params, d->n_params);
  end_section(w, at);

  at = begin_section(w, SEC_OPTS);
  put_i64(w, c->opt_step);
  put_f64(w, c->last_norm);
  put_reals(w, c->slots, (size_t)d->n_slots * d->n_params);
  end_section(w, at);

  at = begin_section(w, SEC_STAT);
  put_state(w, c->state, d->state_size);
  end_section(w, at);

  at = begin_section(w, SEC_RNGS);
  put_rng(w, &c->dropout_rng);
  put_rng(w, &c->data_rng);
  end_section(w, at);

  put_vocab_section(w, &c->vocab);

  at = begin_section(w, SEC_CURS);
  put_i64(w, c->epoch);
  put_i64(w, c->position);
  put_i64(w, c->examples_seen);
  end_section(w, at);

  at = begin_section(w, SEC_LOGS);
  put_i64(w, c->step);
  put_f64(w, c->best_valid);
  end_section(w, at);

  put_u32(w, w->data ? crc_of(w->data, w->len) : 0);
}

/* Whether D and C can be written as a file that rnn_ckpt_load accepts
 * back; a failure is a bug in the caller, named in ERR. */
static int check_saveable(const char *path, const RnnModelDesc *d, const RnnCkpt *c,
                          RnnError *err) {
  char why[160];
  if (!d || !c || !d->name || !d->spec_hash)
    return rnn_error_set(err, "%s: cannot save: no model description or checkpoint given", path);
  if (strlen(d->name) > MAX_NAME_BYTES || strlen(d->spec_hash) > MAX_NAME_BYTES)
    return rnn_error_set(err, "%s: cannot save: the model name or spec hash is over %d bytes", path,
                         MAX_NAME_BYTES);
  if (d->length < 0 || d->batch < 0 || d->n_slots < 0 || d->n_tensors < 0 ||
      (d->n_tensors > 0 && !d->tensors))
    return rnn_error_set(err, "%s: cannot save: the model description has negative sizes", path);
  if ((d->n_params > 0 && !c->params) || (d->n_slots > 0 && d->n_params > 0 && !c->slots) ||
      (d->state_size > 0 && !c->state))
    return rnn_error_set(err, "%s: cannot save: parameters, optimizer slots or state missing",
                         path);
  if (d->state_size % sizeof(rnn_real) != 0)
    return rnn_error_set(err,
                         "%s: cannot save: the model's state (%zu bytes) is not a whole number "
                         "of reals",
                         path, d->state_size);
  for (int i = 0; i < d->n_tensors; i++) {
    const RnnTensorDesc *t = &d->tensors[i];
    if (!t->name || strlen(t->name) > MAX_NAME_BYTES || t->rows < 0 || t->cols < 0 ||
        t->offset > d->n_params || (size_t)t->rows * (size_t)t->cols > d->n_params - t->offset)
      return rnn_error_set(err, "%s: cannot save: tensor %d of the model description is invalid",
                           path, i);
  }
  if (vocab_invalid_for_save(&c->vocab, why, sizeof why))
    return rnn_error_set(err, "%s: cannot save: the vocabulary is inconsistent: %s", path, why);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* The manifest (PATH.yaml)                                               */
/* ---------------------------------------------------------------------- */

typedef struct ByteBuf {
  uint8_t *data;
  size_t len, cap;
} ByteBuf;

/* libyaml's output handler: appends to a ByteBuf; 0 tells it to stop. */
static int append_to_buf(void *data, unsigned char *buffer, size_t size) {
  ByteBuf *b = data;
  if (size > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 4096;
    while (size > cap - b->len) cap *= 2;
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
  return yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, len, plain,
                                      !plain, style) &&
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
  return emit_mapping_start(em, YAML_FLOW_MAPPING_STYLE) &&
         emit_key_string(em, "name", t->name) && emit_plain(em, "shape") &&
         emit_sequence_start(em, YAML_FLOW_SEQUENCE_STYLE) && emit_long(em, t->rows) &&
         emit_long(em, t->cols) && emit_sequence_end(em) &&
         emit_key_long(em, "offset", (long)t->offset) && emit_mapping_end(em);
}

static int emit_manifest_body(yaml_emitter_t *em, const RnnModelDesc *d, const RnnCkpt *c) {
  if (!(emit_mapping_start(em, YAML_BLOCK_MAPPING_STYLE) &&
        emit_key_string(em, "model", d->name) &&
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
        emit_key_vocab_bytes(em, &c->vocab) &&
        emit_key_long(em, "n_params", (long)d->n_params) && emit_plain(em, "tensors") &&
        emit_sequence_start(em, YAML_BLOCK_SEQUENCE_STYLE)))
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

/* Writes PATH.yaml (through PATH.yaml.tmp) describing C. */
static int save_manifest(const char *path, const RnnModelDesc *d, const RnnCkpt *c,
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

/* ---------------------------------------------------------------------- */
/* Saving                                                                 */
/* ---------------------------------------------------------------------- */

/* Writes C for model D to PATH atomically (PATH.tmp, fsync, rename, fsync
 * of the directory), then PATH.yaml the same way. Returns 0, or -1 with
 * ERR set; a failure before the rename leaves PATH as it was and no
 * PATH.tmp. */
int rnn_ckpt_save(const char *path, const RnnModelDesc *d, const RnnCkpt *c, RnnError *err) {
  if (check_saveable(path, d, c, err) != 0)
    return -1;
  Writer w = {NULL, 0};
  put_checkpoint(&w, d, c); /* counts only */
  w.data = malloc(w.len);
  if (!w.data)
    return rnn_error_set(err, "%s: cannot save: out of memory for %zu bytes", path, w.len);
  w.len = 0;
  put_checkpoint(&w, d, c);
  int rc = rnn_write_atomically(path, w.data, w.len, err);
  free(w.data);
  if (rc == 0)
    rc = save_manifest(path, d, c, err);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Reading the file                                                       */
/* ---------------------------------------------------------------------- */

typedef struct Section {
  int present;
  size_t at;      /* the tag's offset */
  size_t payload; /* the first byte after the length */
  size_t len;
} Section;

/* A whole checkpoint file in memory and where its sections are. */
typedef struct CkptFile {
  const char *path;
  uint8_t *buf;
  size_t size;
  uint32_t real_size; /* sizeof(rnn_real) of the writer */
  Section sec[N_SECTIONS];
} CkptFile;

/* Reads all of PATH into F->buf (malloc'd). The allocation is the file's
 * real size, never a length read from it. */
static int read_whole_file(CkptFile *f, RnnError *err) {
  int fd = open(f->path, O_RDONLY);
  if (fd < 0)
    return rnn_error_set(err, "%s: cannot open the checkpoint: %s; check the path", f->path,
                         strerror(errno));
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) != 0)
    rc = rnn_error_set(err, "%s: cannot read: %s", f->path, strerror(errno));
  else if (!S_ISREG(st.st_mode))
    rc = rnn_error_set(err, "%s: not a regular file; give the path of a checkpoint", f->path);
  else if ((uintmax_t)st.st_size > (uintmax_t)SIZE_MAX)
    rc = rnn_error_set(err, "%s: too large to read (%jd bytes)", f->path, (intmax_t)st.st_size);
  if (rc == 0) {
    size_t want = (size_t)st.st_size, got = 0;
    f->buf = malloc(want > 0 ? want : 1);
    if (!f->buf)
      rc = rnn_error_set(err, "%s: out of memory for its %zu bytes", f->path, want);
    while (rc == 0 && got < want) {
      ssize_t n = read(fd, f->buf + got, want - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        rc = rnn_error_set(err, "%s: cannot read: %s", f->path, strerror(errno));
      if (n <= 0)
        break; /* shrank while we read: what we have is judged as cut off */
      got += (size_t)n;
    }
    f->size = got;
  }
  close(fd);
  return rc;
}

/* Magic, format version and precision. WANT_REAL_SIZE 0 accepts either
 * precision (describe). */
static int check_header(CkptFile *f, uint32_t want_real_size, RnnError *err) {
  const uint8_t *b = f->buf;
  size_t n = f->size < sizeof CKPT_MAGIC ? f->size : sizeof CKPT_MAGIC;
  if (memcmp(b, CKPT_MAGIC, n) != 0)
    return rnn_error_set(err,
                         "%s: not an rnnc checkpoint (it does not start with \"RNNCKPT\"); check "
                         "the path",
                         f->path);
  if (f->size < 12)
    return rnn_error_set(
        err, "%s: ends at byte %zu inside the header: the file is truncated; " ADVICE_DAMAGED,
        f->path, f->size);
  uint32_t version = load_u32(b + 8);
  if (version > RNN_CKPT_VERSION)
    return rnn_error_set(err,
                         "%s: written by a newer rnnc (format %u); this program reads format %d: "
                         "use a program generated by that rnnc",
                         f->path, (unsigned)version, RNN_CKPT_VERSION);
  if (version == 0)
    return rnn_error_set(
        err, "%s: format 0 at byte 8, which no rnnc writes: the file is damaged; " ADVICE_DAMAGED,
        f->path);
  if (f->size < HEADER_BYTES)
    return rnn_error_set(
        err, "%s: ends at byte %zu inside the header: the file is truncated; " ADVICE_DAMAGED,
        f->path, f->size);
  f->real_size = load_u32(b + 12);
  if (f->real_size != 4 && f->real_size != 8)
    return rnn_error_set(err,
                         "%s: %u-byte reals at byte 12, which no rnnc writes: the file is "
                         "damaged; " ADVICE_DAMAGED,
                         f->path, (unsigned)f->real_size);
  if (want_real_size && f->real_size != want_real_size)
    return rnn_error_set(err,
                         "%s: holds %s parameters; this program was built with %s: use a program "
                         "built with the same precision (RNNC_REAL_DOUBLE)",
                         f->path, f->real_size == 8 ? "double" : "float",
                         want_real_size == 8 ? "double" : "float");
  if (f->size < HEADER_BYTES + CRC_BYTES)
    return rnn_error_set(
        err, "%s: ends at byte %zu after the header: the file is truncated; " ADVICE_DAMAGED,
        f->path, f->size);
  return 0;
}

static int crc_matches(const CkptFile *f) {
  size_t body = f->size - CRC_BYTES;
  return crc_of(f->buf, body) == load_u32(f->buf + body);
}

static int section_of_tag(uint32_t tag) {
  for (int s = 0; s < N_SECTIONS; s++)
    if (tag == tag_value(SECTION_NAMES[s]))
      return s;
  return -1;
}

typedef enum WalkResult { WALK_OK, WALK_TRUNCATED, WALK_DAMAGED } WalkResult;

/* Messages for sections that stop short of where they should: phrased
 * for a cut-off file when the CRC failed (the likely cause), as damage
 * when it holds (a writer that is not rnnc's). */
static WalkResult walk_stops_short(const CkptFile *f, int crc_ok, size_t pos, const char *last,
                                   RnnError *err) {
  if (crc_ok)
    rnn_error_set(
        err,
        "%s: %zu stray bytes at byte %zu after section %s: the file is damaged; " ADVICE_DAMAGED,
        f->path, f->size - CRC_BYTES - pos, pos, last);
  else
    rnn_error_set(err,
                  "%s: ends at byte %zu after section %s: the file is truncated; " ADVICE_DAMAGED,
                  f->path, f->size, last);
  return crc_ok ? WALK_DAMAGED : WALK_TRUNCATED;
}

static WalkResult section_overruns(const CkptFile *f, int crc_ok, int s, size_t pos,
                                   uint64_t len, RnnError *err) {
  if (crc_ok)
    rnn_error_set(err,
                  "%s: section %s at byte %zu claims %llu bytes, past the end of the file at "
                  "byte %zu: the file is damaged; " ADVICE_DAMAGED,
                  f->path, SECTION_NAMES[s], pos, (unsigned long long)len, f->size);
  else
    rnn_error_set(err,
                  "%s: ends at byte %zu inside section %s (which starts at byte %zu and is "
                  "%llu bytes long): the file is truncated; " ADVICE_DAMAGED,
                  f->path, f->size, SECTION_NAMES[s], pos, (unsigned long long)len);
  return crc_ok ? WALK_DAMAGED : WALK_TRUNCATED;
}

/* Finds the sections between the header and the CRC. Every length is
 * checked against the bytes that remain before it is used. */
static WalkResult walk_sections(CkptFile *f, int crc_ok, RnnError *err) {
  size_t pos = HEADER_BYTES, end = f->size - CRC_BYTES;
  const char *last = "the header";
  char tag_text[8];
  while (pos < end) {
    if (end - pos < SECTION_HEAD_BYTES)
      return walk_stops_short(f, crc_ok, pos, last, err);
    int s = section_of_tag(load_u32(f->buf + pos));
    uint64_t len = load_u64(f->buf + pos + 4);
    if (s < 0) {
      rnn_error_set(err,
                    "%s: unknown section '%s' at byte %zu: the file is damaged or from another "
                    "program; this program reads format %d",
                    f->path, printable(f->buf + pos, 4, tag_text, sizeof tag_text), pos,
                    RNN_CKPT_VERSION);
      return WALK_DAMAGED;
    }
    if (len > end - pos - SECTION_HEAD_BYTES)
      return section_overruns(f, crc_ok, s, pos, len, err);
    if (f->sec[s].present) {
      rnn_error_set(err,
                    "%s: section %s appears twice (at bytes %zu and %zu): the file is "
                    "damaged; " ADVICE_DAMAGED,
                    f->path, SECTION_NAMES[s], f->sec[s].at, pos);
      return WALK_DAMAGED;
    }
    f->sec[s] = (Section){1, pos, pos + SECTION_HEAD_BYTES, (size_t)len};
    pos += SECTION_HEAD_BYTES + (size_t)len;
    last = SECTION_NAMES[s];
  }
  for (int s = 0; s < N_SECTIONS; s++)
    if (!f->sec[s].present) {
      if (crc_ok)
        rnn_error_set(
            err, "%s: has no section %s: the file is damaged or not from rnnc; " ADVICE_DAMAGED,
            f->path, SECTION_NAMES[s]);
      else
        rnn_error_set(err,
                      "%s: ends at byte %zu after section %s, without section %s: the file is "
                      "truncated; " ADVICE_DAMAGED,
                      f->path, f->size, last, SECTION_NAMES[s]);
      return crc_ok ? WALK_DAMAGED : WALK_TRUNCATED;
    }
  return WALK_OK;
}

/* ---------------------------------------------------------------------- */
/* Section contents                                                       */
/* ---------------------------------------------------------------------- */

/* A bounded cursor over one section's payload: reads past its end return
 * zeros and set OVERRUN instead of touching memory beyond it. */
typedef struct Reader {
  const uint8_t *buf;
  size_t pos, end;
  int overrun;
} Reader;

static Reader section_reader(const CkptFile *f, int s) {
  return (Reader){f->buf, f->sec[s].payload, f->sec[s].payload + f->sec[s].len, 0};
}

static const uint8_t *take(Reader *r, size_t n) {
  if (r->overrun || r->end - r->pos < n) {
    r->overrun = 1;
    return NULL;
  }
  const uint8_t *p = r->buf + r->pos;
  r->pos += n;
  return p;
}

static uint32_t get_u32(Reader *r) {
  const uint8_t *p = take(r, 4);
  return p ? load_u32(p) : 0;
}

static uint64_t get_u64(Reader *r) {
  const uint8_t *p = take(r, 8);
  return p ? load_u64(p) : 0;
}

static int32_t get_i32(Reader *r) {
  uint32_t u = get_u32(r);
  return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

static int64_t get_i64(Reader *r) { return i64_from_bits(get_u64(r)); }

static double get_f64(Reader *r) {
  uint64_t bits = get_u64(r);
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

/* A string: a view into the file, its length bounded by the section. */
typedef struct Bytes {
  const uint8_t *p;
  size_t n;
} Bytes;

static Bytes get_string(Reader *r) {
  uint32_t n = get_u32(r);
  const uint8_t *p = take(r, n);
  return (Bytes){p, p ? n : 0};
}

static int bytes_equal(Bytes b, const char *s) {
  return b.n == strlen(s) && (b.n == 0 || memcmp(b.p, s, b.n) == 0);
}

/* Everything a check or a description needs besides the arrays. */
typedef struct Contents {
  Bytes name, hash;
  uint32_t length, batch, n_slots, n_tensors;
  uint64_t n_params;
  size_t state_bytes;
  long opt_step, epoch, position, examples_seen, step;
  double last_norm, best_valid;
  RnnRng dropout_rng, data_rng;
  RnnVocab vocab;
} Contents;

static int malformed(const CkptFile *f, int s, size_t at, const char *why, RnnError *err) {
  return rnn_error_set(err,
                       "%s: section %s (at byte %zu) is malformed at byte %zu: %s; the file is "
                       "damaged; " ADVICE_DAMAGED,
                       f->path, SECTION_NAMES[s], f->sec[s].at, at, why);
}

/* After reading a variable-length section: nothing past its end, nothing
 * left over. */
static int finish_reader(const CkptFile *f, int s, const Reader *r, RnnError *err) {
  char why[96];
  if (r->overrun) {
    snprintf(why, sizeof why, "a field runs past the section's end at byte %zu", r->end);
    return malformed(f, s, r->pos, why, err);
  }
  if (r->pos != r->end) {
    snprintf(why, sizeof why, "%zu bytes left after its last field", r->end - r->pos);
    return malformed(f, s, r->pos, why, err);
  }
  return 0;
}

static int expect_length(const CkptFile *f, int s, uint64_t want, RnnError *err) {
  if (f->sec[s].len == want)
    return 0;
  char why[160];
  snprintf(why, sizeof why, "it is %zu bytes long where format %d has %llu", f->sec[s].len,
           RNN_CKPT_VERSION, (unsigned long long)want);
  return malformed(f, s, f->sec[s].payload, why, err);
}

static int read_model_section(const CkptFile *f, Contents *k, RnnError *err) {
  Reader r = section_reader(f, SEC_MODL);
  k->name = get_string(&r);
  k->hash = get_string(&r);
  k->length = get_u32(&r);
  k->batch = get_u32(&r);
  k->n_params = get_u64(&r);
  k->n_slots = get_u32(&r);
  if (finish_reader(f, SEC_MODL, &r, err) != 0)
    return -1;
  if (k->name.n > MAX_NAME_BYTES || k->hash.n > MAX_NAME_BYTES)
    return malformed(f, SEC_MODL, f->sec[SEC_MODL].payload, "a name over 1024 bytes", err);
  return 0;
}

/* The tensor table: well-formed and every tensor inside the parameters. */
static int check_tensor_section(const CkptFile *f, Contents *k, RnnError *err) {
  Reader r = section_reader(f, SEC_TENS);
  k->n_tensors = get_u32(&r);
  if (k->n_tensors > f->sec[SEC_TENS].len / TENSOR_MIN_BYTES)
    return malformed(f, SEC_TENS, f->sec[SEC_TENS].payload,
                     "more tensors than the section has room for", err);
  for (uint32_t i = 0; i < k->n_tensors && !r.overrun; i++) {
    size_t at = r.pos;
    Bytes name = get_string(&r);
    uint64_t rows = get_u32(&r), cols = get_u32(&r), offset = get_u64(&r);
    if (r.overrun)
      break;
    if (name.n > MAX_NAME_BYTES)
      return malformed(f, SEC_TENS, at, "a tensor name over 1024 bytes", err);
    if (offset > k->n_params || rows * cols > k->n_params - offset)
      return malformed(f, SEC_TENS, at, "a tensor reaches past the parameters", err);
  }
  return finish_reader(f, SEC_TENS, &r, err);
}

/* PARM, OPTS and STAT hold exactly the reals MODL announces. */
static int check_array_sections(const CkptFile *f, Contents *k, RnnError *err) {
  uint64_t rs = f->real_size;
  if (k->n_params > UINT64_MAX / rs / ((uint64_t)k->n_slots + 1))
    return malformed(f, SEC_MODL, f->sec[SEC_MODL].payload, "an impossible parameter count",
                     err);
  if (expect_length(f, SEC_PARM, k->n_params * rs, err) != 0 ||
      expect_length(f, SEC_OPTS, OPTS_HEAD_BYTES + k->n_slots * k->n_params * rs, err) != 0)
    return -1;
  if (f->sec[SEC_STAT].len % rs != 0)
    return malformed(f, SEC_STAT, f->sec[SEC_STAT].payload, "not a whole number of reals",
                     err);
  k->state_bytes = f->sec[SEC_STAT].len;
  return 0;
}

/* A long from the file, refused where long is narrower than 64 bits. */
static int get_long(Reader *r, long *out) {
  int64_t v = get_i64(r);
#if LONG_MAX < INT64_MAX
  if (v < LONG_MIN || v > LONG_MAX)
    return -1;
#endif
  *out = (long)v;
  return 0;
}

static int read_counters(const CkptFile *f, Contents *k, RnnError *err) {
  Reader opts = section_reader(f, SEC_OPTS);
  Reader curs = section_reader(f, SEC_CURS);
  Reader logs = section_reader(f, SEC_LOGS);
  int too_big = get_long(&opts, &k->opt_step);
  k->last_norm = get_f64(&opts);
  too_big |= get_long(&curs, &k->epoch);
  too_big |= get_long(&curs, &k->position);
  too_big |= get_long(&curs, &k->examples_seen);
  too_big |= get_long(&logs, &k->step);
  k->best_valid = get_f64(&logs);
  if (too_big)
    return rnn_error_set(err, "%s: a counter does not fit this machine's long", f->path);
  return 0;
}

static int read_rngs(const CkptFile *f, Contents *k) {
  Reader r = section_reader(f, SEC_RNGS);
  for (int i = 0; i < 4; i++) k->dropout_rng.s[i] = get_u64(&r);
  for (int i = 0; i < 4; i++) k->data_rng.s[i] = get_u64(&r);
  return 0;
}

static int read_vocab(const CkptFile *f, Contents *k, RnnError *err) {
  Reader r = section_reader(f, SEC_VOCB);
  int32_t size = get_i32(&r), padding_id = get_i32(&r), id[256];
  for (int b = 0; b < 256; b++) id[b] = get_i32(&r);
  char why[128];
  if (vocab_ids_invalid(size, padding_id, id, why, sizeof why))
    return malformed(f, SEC_VOCB, f->sec[SEC_VOCB].payload, why, err);
  vocab_from_ids(&k->vocab, size, padding_id, id);
  return 0;
}

/* Every structural check of a file already in memory, for load and
 * describe alike; fills K. */
static int check_file(CkptFile *f, uint32_t want_real_size, Contents *k, RnnError *err) {
  if (check_header(f, want_real_size, err) != 0)
    return -1;
  int crc_ok = crc_matches(f);
  WalkResult walk = walk_sections(f, crc_ok, err);
  if (!crc_ok && walk != WALK_TRUNCATED)
    return rnn_error_set(err, "%s: checksum mismatch: the file is damaged; " ADVICE_DAMAGED,
                         f->path);
  if (walk != WALK_OK)
    return -1;
  if (read_model_section(f, k, err) != 0 || check_tensor_section(f, k, err) != 0 ||
      check_array_sections(f, k, err) != 0 || expect_length(f, SEC_RNGS, RNGS_BYTES, err) ||
      expect_length(f, SEC_VOCB, VOCB_BYTES, err) ||
      expect_length(f, SEC_CURS, CURS_BYTES, err) ||
      expect_length(f, SEC_LOGS, LOGS_BYTES, err))
    return -1;
  return read_counters(f, k, err) || read_rngs(f, k) || read_vocab(f, k, err) ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Identity against the program's model                                   */
/* ---------------------------------------------------------------------- */

/* "'name' (spec 3f2a1b0c...)": the hash shortened to SHOWN characters. */
static void identity_text(Bytes name, Bytes hash, size_t shown, char *out, size_t cap) {
  char n[80], h[80];
  size_t keep = hash.n < shown ? hash.n : shown;
  printable(name.p, name.n, n, sizeof n);
  printable(hash.p, keep, h, sizeof h);
  snprintf(out, cap, "'%s' (spec %s%s)", n, h, hash.n > keep ? "..." : "");
}

/* How many hash characters to show so that two hashes look different:
 * 8 as people compare them, more when those agree. */
static size_t hash_chars_to_show(Bytes a, Bytes b) {
  size_t i = 0;
  while (i < a.n && i < b.n && a.p[i] == b.p[i]) i++;
  return i < 8 ? 8 : i + 1;
}

static int check_identity(const CkptFile *f, const Contents *k, const RnnModelDesc *d,
                          RnnError *err) {
  if (bytes_equal(k->name, d->name) && bytes_equal(k->hash, d->spec_hash))
    return 0;
  char theirs[192], ours[192];
  Bytes dn = {(const uint8_t *)d->name, strlen(d->name)};
  Bytes dh = {(const uint8_t *)d->spec_hash, strlen(d->spec_hash)};
  size_t shown = hash_chars_to_show(k->hash, dh);
  identity_text(k->name, k->hash, shown, theirs, sizeof theirs);
  identity_text(dn, dh, shown, ours, sizeof ours);
  return rnn_error_set(err, "%s: this checkpoint is for model %s, not %s; " ADVICE_OTHER_MODEL,
                       f->path, theirs, ours);
}

static int check_size(const CkptFile *f, const char *what, uint64_t theirs, uint64_t ours,
                      RnnError *err) {
  if (theirs == ours)
    return 0;
  return rnn_error_set(err,
                       "%s: the checkpoint's %s is %llu, the model's %llu: it was saved by another "
                       "build of the model; " ADVICE_OTHER_MODEL,
                       f->path, what, (unsigned long long)theirs, (unsigned long long)ours);
}

/* Token ids index the model's embedding or one-hot input: the vocabulary
 * must fit the model's vocab (rnn_vocab_build keeps it so). */
static int check_vocab_fits(const CkptFile *f, const Contents *k, const RnnModelDesc *d,
                            RnnError *err) {
  if (!d->tokens || k->vocab.size <= d->vocab)
    return 0;
  return rnn_error_set(err,
                       "%s: the checkpoint's vocabulary has %d ids, the model's vocab is %d: it "
                       "was saved by another build of the model; " ADVICE_OTHER_MODEL,
                       f->path, k->vocab.size, d->vocab);
}

static int check_sizes(const CkptFile *f, const Contents *k, const RnnModelDesc *d,
                       RnnError *err) {
  return check_size(f, "sequence length T", k->length, (uint64_t)d->length, err) ||
                 check_size(f, "batch size B", k->batch, (uint64_t)d->batch, err) ||
                 check_size(f, "parameter count", k->n_params, d->n_params, err) ||
                 check_size(f, "optimizer slot count", k->n_slots, (uint64_t)d->n_slots, err) ||
                 check_size(f, "recurrent state size in bytes", k->state_bytes, d->state_size,
                            err) ||
                 check_size(f, "tensor count", k->n_tensors, (uint64_t)d->n_tensors, err) ||
                 check_vocab_fits(f, k, d, err)
             ? -1
             : 0;
}

/* Names, shapes and offsets, tensor by tensor (the counts are equal). */
static int check_tensor_table(const CkptFile *f, const RnnModelDesc *d, RnnError *err) {
  Reader r = section_reader(f, SEC_TENS);
  get_u32(&r);
  for (int i = 0; i < d->n_tensors; i++) {
    const RnnTensorDesc *t = &d->tensors[i];
    Bytes name = get_string(&r);
    uint32_t rows = get_u32(&r), cols = get_u32(&r);
    uint64_t offset = get_u64(&r);
    if (bytes_equal(name, t->name) && rows == (uint32_t)t->rows && cols == (uint32_t)t->cols &&
        offset == (uint64_t)t->offset)
      continue;
    char n[80];
    return rnn_error_set(err,
                         "%s: tensor %d differs: the checkpoint has '%s' [%u][%u] at offset %llu, "
                         "the model '%s' [%d][%d] at offset %zu: it was saved by another build of "
                         "the model; " ADVICE_OTHER_MODEL,
                         f->path, i, printable(name.p, name.n, n, sizeof n), (unsigned)rows,
                         (unsigned)cols, (unsigned long long)offset, t->name, t->rows, t->cols,
                         t->offset);
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Loading                                                                */
/* ---------------------------------------------------------------------- */

static void copy_reals(const uint8_t *p, size_t n, rnn_real *x) {
  for (size_t i = 0; i < n; i++) x[i] = load_real(p + i * sizeof(rnn_real));
}

static void copy_state(const uint8_t *p, size_t bytes, void *state) {
  unsigned char *s = state;
  for (size_t i = 0; i < bytes; i += sizeof(rnn_real)) {
    rnn_real v = load_real(p + i);
    memcpy(s + i, &v, sizeof v);
  }
}

/* Moves a fully validated file into C (arrays sized by D). */
static void copy_into(const CkptFile *f, const Contents *k, const RnnModelDesc *d, RnnCkpt *c) {
  copy_reals(f->buf + f->sec[SEC_PARM].payload, d->n_params, c->params);
  copy_reals(f->buf + f->sec[SEC_OPTS].payload + OPTS_HEAD_BYTES,
             (size_t)d->n_slots * d->n_params, c->slots);
  copy_state(f->buf + f->sec[SEC_STAT].payload, d->state_size, c->state);
  c->opt_step = k->opt_step;
  c->last_norm = k->last_norm;
  c->dropout_rng = k->dropout_rng;
  c->data_rng = k->data_rng;
  c->vocab = k->vocab;
  c->epoch = k->epoch;
  c->position = k->position;
  c->examples_seen = k->examples_seen;
  c->step = k->step;
  c->best_valid = k->best_valid;
}

/* Reads PATH into C, whose buffers are sized for D: the whole file is read
 * and checked (header, CRC, sections, identity, tensor table) before
 * anything is copied, so C is unchanged on failure. Returns 0, or -1 with
 * ERR naming PATH (and the offset of structural damage). */
int rnn_ckpt_load(const char *path, const RnnModelDesc *d, RnnCkpt *c, RnnError *err) {
  CkptFile f = {.path = path};
  Contents k;
  memset(&k, 0, sizeof k);
  int rc = read_whole_file(&f, err);
  if (rc == 0)
    rc = check_file(&f, (uint32_t)sizeof(rnn_real), &k, err);
  if (rc == 0)
    rc = check_identity(&f, &k, d, err) || check_sizes(&f, &k, d, err) ||
                 check_tensor_table(&f, d, err)
             ? -1
             : 0;
  if (rc == 0)
    copy_into(&f, &k, d, c);
  free(f.buf);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Describing                                                             */
/* ---------------------------------------------------------------------- */

static void print_tensors(FILE *out, const CkptFile *f) {
  Reader r = section_reader(f, SEC_TENS);
  uint32_t n = get_u32(&r);
  for (uint32_t i = 0; i < n; i++) {
    char name[80];
    Bytes b = get_string(&r);
    uint32_t rows = get_u32(&r), cols = get_u32(&r);
    uint64_t offset = get_u64(&r);
    fprintf(out, "  %-28s [%u][%u]  offset %llu\n", printable(b.p, b.n, name, sizeof name),
            (unsigned)rows, (unsigned)cols, (unsigned long long)offset);
  }
}

static void print_description(FILE *out, const CkptFile *f, const Contents *k) {
  char name[MAX_NAME_BYTES + 4], hash[MAX_NAME_BYTES + 4];
  fprintf(out, "checkpoint     %s\n", f->path);
  fprintf(out, "model          %s\n", printable(k->name.p, k->name.n, name, sizeof name));
  fprintf(out, "spec hash      %s\n", printable(k->hash.p, k->hash.n, hash, sizeof hash));
  fprintf(out, "format         %d\n", RNN_CKPT_VERSION);
  fprintf(out, "precision      %s\n", f->real_size == 8 ? "double" : "float");
  fprintf(out, "step           %ld\n", k->step);
  fprintf(out, "epoch          %ld (position %ld, %ld examples seen)\n", k->epoch, k->position,
          k->examples_seen);
  fprintf(out, "optimizer      step %ld, %u slots per parameter\n", k->opt_step,
          (unsigned)k->n_slots);
  if (isinf(k->best_valid) && k->best_valid > 0)
    fprintf(out, "best valid     none\n");
  else
    fprintf(out, "best valid     %.6g\n", k->best_valid);
  fprintf(out, "vocabulary     %d ids\n", k->vocab.size);
  fprintf(out, "shape          T %u, B %u\n", (unsigned)k->length, (unsigned)k->batch);
  fprintf(out, "parameters     %llu in %u tensors\n", (unsigned long long)k->n_params,
          (unsigned)k->n_tensors);
  print_tensors(out, f);
}

/* Checks PATH as rnn_ckpt_load does but against no model (either
 * precision is accepted) and prints its identity, counters and tensor
 * table to OUT_FILE (a FILE *; NULL: stdout). Returns 0, or -1 with ERR. */
int rnn_ckpt_describe(const char *path, void *out_file, RnnError *err) {
  CkptFile f = {.path = path};
  Contents k;
  memset(&k, 0, sizeof k);
  int rc = read_whole_file(&f, err);
  if (rc == 0)
    rc = check_file(&f, 0, &k, err);
  if (rc == 0)
    print_description(out_file ? (FILE *)out_file : stdout, &f, &k);
  free(f.buf);
  return rc;
}
