/*
 * canon.c - writes a checked model as canonical YAML.
 *
 * One writer serves two sinks: a growing buffer (canon_yaml) and a running
 * SHA-256 (canon_hash), so the hash is by construction the digest of the
 * exact text canon_yaml returns, and hashing needs no memory.
 *
 * Format rules, all chosen so equal models give equal bytes:
 *   - block style only, 2-space indentation, keys in one fixed order;
 *   - every setting printed, including defaults; only settings that do not
 *     apply to the chosen kind (another optimizer's keys, padding_id without
 *     padding) are left out, because the reader would reject them;
 *   - integers in decimal, booleans as true/false, doubles as the shortest
 *     %.15g/%.16g/%.17g text that reads back to the same double;
 *   - the prime as a double-quoted string with YAML escapes.
 */
#include "canon.h"

#include <stdlib.h>
#include <string.h>

#include "sha256.h"

/* Where the text goes: into DIGEST when it is set, else into BUF. */
typedef struct CanonOut {
  Sha256 *digest;
  char *buf;
  size_t len, cap;
  int failed; /* an allocation failed; BUF is incomplete */
} CanonOut;

/* Room for "%.17g" of any double ("-1.2345678901234567e-308") and of any
 * 64-bit integer, with a NUL. */


static int grow_buffer(CanonOut *o, size_t need) {
  size_t cap = o->cap ? o->cap : 1024;
  while (cap < need) {
    if (cap > (size_t)-1 / 2) return -1;
    cap *= 2;
  }
  char *buf = realloc(o->buf, cap);
  if (buf == NULL) return -1;
  o->buf = buf;
  o->cap = cap;
  return 0;
}

static void put_bytes(CanonOut *o, const char *text, size_t n) {
  if (o->digest != NULL) {
    sha256_update(o->digest, text, n);
    return;
  }
  if (o->failed) return;
  /* +1 keeps room for the terminating NUL canon_yaml adds. */
  if (o->len + n + 1 > o->cap && grow_buffer(o, o->len + n + 1) != 0) {
    o->failed = 1;
    return;
  }
  memcpy(o->buf + o->len, text, n);
  o->len += n;
}

static void put(CanonOut *o, const char *text) {
  put_bytes(o, text, strlen(text));
}

static void put_indent(CanonOut *o, int indent) {
  static const char spaces[] = "                ";
  while (indent > 0) {
    int n = indent < (int)sizeof spaces - 1 ? indent : (int)sizeof spaces - 1;
    put_bytes(o, spaces, (size_t)n);
    indent -= n;
  }
}

/* "INDENT+KEY: " - the start of every scalar entry. */
static void put_key(CanonOut *o, int indent, const char *key) {
  put_indent(o, indent);
  put(o, key);
  put(o, ": ");
}

static void field_word(CanonOut *o, int indent, const char *key,
                       const char *word) {
  put_key(o, indent, key);
  put(o, word);
  put(o, "\n");
}

static void field_long(CanonOut *o, int indent, const char *key, long v) {
  char text[IR_NUMBER_CHARS];
  snprintf(text, sizeof text, "%ld", v);
  field_word(o, indent, key, text);
}

static void field_int(CanonOut *o, int indent, const char *key, int v) {
  field_long(o, indent, key, v);
}

static void field_u64(CanonOut *o, int indent, const char *key, uint64_t v) {
  char text[IR_NUMBER_CHARS];
  snprintf(text, sizeof text, "%llu", (unsigned long long)v);
  field_word(o, indent, key, text);
}

static void field_double(CanonOut *o, int indent, const char *key, double v) {
  char text[IR_NUMBER_CHARS];
  ir_format_double(v, text);
  field_word(o, indent, key, text);
}

static void field_bool(CanonOut *o, int indent, const char *key, int v) {
  field_word(o, indent, key, v ? "true" : "false");
}

/* "INDENT+WORD:" or "INDENT+WORD LABEL:", opening a nested mapping. */
static void open_block(CanonOut *o, int indent, const char *word,
                       const char *label) {
  put_indent(o, indent);
  put(o, word);
  if (label != NULL) {
    put(o, " ");
    put(o, label);
  }
  put(o, ":\n");
}

/* ---- the prime as a YAML double-quoted scalar ---- */

static void put_hex_escape(CanonOut *o, char kind, unsigned value,
                           int digits) {
  char text[12];
  snprintf(text, sizeof text, "\\%c%0*X", kind, digits, value);
  put(o, text);
}

/* The escape an ASCII byte needs inside double quotes, or NULL when it
 * stands for itself. */
static const char *ascii_escape(unsigned char c) {
  switch (c) {
  case '"': return "\\\"";
  case '\\': return "\\\\";
  case '\n': return "\\n";
  case '\t': return "\\t";
  case '\r': return "\\r";
  case '\0': return "\\0";
  default: return NULL;
  }
}

static void put_ascii(CanonOut *o, unsigned char c) {
  const char *escape = ascii_escape(c);
  if (escape != NULL)
    put(o, escape);
  else if (c < 0x20 || c == 0x7f)
    put_hex_escape(o, 'x', c, 2);
  else
    put_bytes(o, (const char *)&c, 1);
}

/* Sequence length and smallest code point allowed for lead byte B (longer
 * forms are overlong), or 0 when B cannot start a sequence. */
static size_t utf8_lead(unsigned char b, uint32_t *min, uint32_t *bits) {
  if (b >= 0xc2 && b <= 0xdf) {
    *min = 0x80;
    *bits = b & 0x1fu;
    return 2;
  }
  if (b >= 0xe0 && b <= 0xef) {
    *min = 0x800;
    *bits = b & 0x0fu;
    return 3;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    *min = 0x10000;
    *bits = b & 0x07u;
    return 4;
  }
  return 0;
}

/* Length (2..4) of the well-formed UTF-8 sequence at P, storing its code
 * point in *CP; 0 when the bytes are not one (stray continuation byte,
 * truncated, overlong, surrogate, beyond U+10FFFF). */
static size_t utf8_sequence(const unsigned char *p, size_t n, uint32_t *cp) {
  uint32_t min;
  size_t len = utf8_lead(p[0], &min, cp);
  if (len == 0 || len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    *cp = (*cp << 6) | (p[i] & 0x3fu);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
    return 0;
  return len;
}

/* libyaml refuses C1 controls (except U+0085) and U+FFFE/U+FFFF as raw
 * text, and folds U+0085, U+2028 and U+2029 as line breaks inside quoted
 * scalars; escaping them (and the invisible U+FEFF) keeps the text readable
 * and the decoded bytes identical. */
static void put_code_point(CanonOut *o, const unsigned char *p, size_t len,
                           uint32_t cp) {
  if (cp <= 0x9f)
    put_hex_escape(o, 'x', cp, 2);
  else if (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff || cp == 0xfffe ||
           cp == 0xffff)
    put_hex_escape(o, 'u', cp, 4);
  else
    put_bytes(o, (const char *)p, len);
}

static void put_quoted(CanonOut *o, const char *text, size_t n) {
  const unsigned char *p = (const unsigned char *)text;
  put(o, "\"");
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t len;
    if (p[i] < 0x80) {
      put_ascii(o, p[i]);
      i++;
    } else if ((len = utf8_sequence(p + i, n - i, &cp)) > 0) {
      put_code_point(o, p + i, len, cp);
      i += len;
    } else {
      /* Not UTF-8: YAML has no escape for a raw byte (\xHH is a code
       * point), so copy it and let the reader report it rather than hash a
       * different prime. check only admits UTF-8 primes. */
      put_bytes(o, (const char *)p + i, 1);
      i++;
    }
  }
  put(o, "\"");
}

/* ---- sections ---- */

static void write_input(CanonOut *o, const IrInput *in) {
  open_block(o, 2, "input", NULL);
  if (in->kind == IR_INPUT_TOKENS) {
    field_int(o, 4, "vocab", in->vocab);
    field_int(o, 4, "embedding", in->embedding);
  } else {
    field_int(o, 4, "features", in->features);
  }
  field_int(o, 4, "length", in->length);
  field_word(o, 4, "mask", ir_mask_name(in->mask));
  if (in->mask == IR_MASK_PADDING) field_int(o, 4, "padding_id", in->padding_id);
}

/* The keys every recurrent kind shares, in the order all three print. */
static void write_recurrent_head(CanonOut *o, const IrLayer *l) {
  field_double(o, 8, "dropout", l->dropout);
  field_double(o, 8, "recurrent_dropout", l->recurrent_dropout);
  field_bool(o, 8, "return_sequences", l->return_sequences);
}

static void write_layer(CanonOut *o, const IrLayer *l) {
  put_indent(o, 4);
  put(o, "- ");
  open_block(o, 0, ir_layer_kind_name(l->kind), l->name);
  switch (l->kind) {
  case IR_SIMPLE_RNN:
    field_int(o, 8, "units", l->units);
    field_word(o, 8, "activation", ir_act_name(l->act));
    write_recurrent_head(o, l);
    field_int(o, 8, "biases", l->biases);
    break;
  case IR_LSTM:
    field_int(o, 8, "units", l->units);
    write_recurrent_head(o, l);
    field_bool(o, 8, "peephole", l->peephole);
    field_int(o, 8, "biases", l->biases);
    break;
  case IR_GRU:
    field_int(o, 8, "units", l->units);
    write_recurrent_head(o, l);
    field_bool(o, 8, "reset_after", l->reset_after);
    field_int(o, 8, "biases", l->biases);
    break;
  case IR_DROPOUT:
    field_double(o, 8, "rate", l->rate);
    break;
  case IR_DENSE:
    field_int(o, 8, "units", l->units);
    field_word(o, 8, "activation", ir_act_name(l->act));
    field_bool(o, 8, "per_step", l->per_step);
    break;
  }
}

static void write_layers(CanonOut *o, const IrModel *m) {
  open_block(o, 2, "layers", NULL);
  for (int i = 0; i < m->n_layers; i++) write_layer(o, &m->layers[i]);
}

static void write_optimizer(CanonOut *o, const IrTrain *t) {
  open_block(o, 4, "optimizer", ir_opt_name(t->optimizer));
  field_double(o, 6, "lr", t->lr);
  switch (t->optimizer) {
  case IR_OPT_SGD:
    field_double(o, 6, "momentum", t->momentum);
    field_bool(o, 6, "nesterov", t->nesterov);
    break;
  case IR_OPT_RMSPROP:
    field_double(o, 6, "rho", t->rho);
    field_double(o, 6, "eps", t->eps);
    field_double(o, 6, "momentum", t->momentum);
    field_bool(o, 6, "centered", t->centered);
    break;
  case IR_OPT_ADAM:
    field_double(o, 6, "beta1", t->beta1);
    field_double(o, 6, "beta2", t->beta2);
    field_double(o, 6, "eps", t->eps);
    break;
  case IR_OPT_ADAGRAD:
    field_double(o, 6, "eps", t->eps);
    field_double(o, 6, "initial_accumulator", t->initial_accumulator);
    break;
  }
  field_double(o, 6, "weight_decay", t->weight_decay);
}

static void write_schedule(CanonOut *o, const IrTrain *t) {
  open_block(o, 4, "schedule", ir_sched_name(t->schedule));
  switch (t->schedule) {
  case IR_SCHED_CONSTANT:
    break;
  case IR_SCHED_STEP:
    field_long(o, 6, "every", t->sched_every);
    field_double(o, 6, "gamma", t->sched_gamma);
    break;
  case IR_SCHED_EXPONENTIAL:
    field_double(o, 6, "gamma", t->sched_gamma);
    break;
  case IR_SCHED_COSINE:
    field_long(o, 6, "steps", t->sched_steps);
    field_double(o, 6, "min_lr", t->sched_min_lr);
    break;
  }
  field_long(o, 6, "warmup", t->warmup);
}

static void write_init(CanonOut *o, const IrTrain *t) {
  open_block(o, 4, "init", NULL);
  field_word(o, 6, "kernel", ir_init_name(t->kernel_init));
  field_word(o, 6, "recurrent", ir_init_name(t->recurrent_init));
  field_word(o, 6, "bias", ir_init_name(t->bias_init));
  field_word(o, 6, "embedding", ir_init_name(t->embedding_init));
  field_double(o, 6, "forget_bias", t->forget_bias);
}

static void write_train(CanonOut *o, const IrTrain *t) {
  open_block(o, 2, "train", NULL);
  field_int(o, 4, "batch", t->batch);
  field_word(o, 4, "loss", ir_loss_name(t->loss));
  write_optimizer(o, t);
  write_schedule(o, t);
  field_double(o, 4, "clip_norm", t->clip_norm);
  write_init(o, t);
  field_bool(o, 4, "stateful", t->stateful);
  field_u64(o, 4, "seed", t->seed);
  /* check guarantees exactly one is non-zero; epochs wins if both are. */
  if (t->epochs != 0)
    field_long(o, 4, "epochs", t->epochs);
  else
    field_long(o, 4, "steps", t->steps);
  field_double(o, 4, "validation_split", t->validation_split);
}

/* temperature, top_k and prime apply to token models only; real-valued models sample by
 * feeding predictions back from a seed series. */
static void write_sample(CanonOut *o, const IrModel *m) {
  const IrSample *s = &m->sample;
  int tokens = m->input.kind == IR_INPUT_TOKENS;
  open_block(o, 2, "sample", NULL);
  if (tokens) {
    field_double(o, 4, "temperature", s->temperature);
    field_int(o, 4, "top_k", s->top_k);
  }
  field_int(o, 4, "length", s->length);
  if (!tokens)
    return;
  put_key(o, 4, "prime");
  if (s->prime != NULL)
    put_quoted(o, s->prime, s->prime_len);
  else
    put_quoted(o, "", 0);
  put(o, "\n");
}

static void write_model(CanonOut *o, const IrModel *m) {
  open_block(o, 0, "model", m->name);
  write_input(o, &m->input);
  write_layers(o, m);
  write_train(o, &m->train);
  if (m->can_sample) /* the sample block exists only where it means something */
    write_sample(o, m);
}

char *canon_yaml(const IrModel *m, size_t *len) {
  CanonOut o = {NULL, NULL, 0, 0, 0};
  write_model(&o, m);
  if (o.failed || o.buf == NULL) {
    free(o.buf);
    return NULL;
  }
  o.buf[o.len] = '\0';
  if (len != NULL) *len = o.len;
  return o.buf;
}

void canon_hash(const IrModel *m, char out[65]) {
  Sha256 digest;
  uint8_t bytes[32];
  CanonOut o = {&digest, NULL, 0, 0, 0};
  sha256_init(&digest);
  write_model(&o, m);
  sha256_final(&digest, bytes);
  sha256_to_hex(bytes, out);
}
