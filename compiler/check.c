/*
 * check.c - AST -> checked model IR: names, values, ranges, the rules that
 * make a model meaningful, defaults, and shapes.
 *
 * The walkers below follow the language's grammar of keys; each names the
 * rule it checks in the comment above it. Every message here has a golden
 * test in tests/errors/. The first error stops the check: later messages
 * would mostly be echoes of it.
 */
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct Checker {
  Diag *diag;
  IrModel *m;
  /* where things were written, for messages about relations between them */
  const AstNode *model;
  const AstNode *layer_node[IR_MAX_LAYERS];
  const AstNode *return_seq_node[IR_MAX_LAYERS]; /* NULL: not written */
  const AstNode *per_step_node[IR_MAX_LAYERS];   /* NULL: not written */
} Checker;

/* Result of a typed lookup: the key was absent (default used), present and
 * valid, or present and wrong (already reported). */
enum { GOT_DEFAULT = 0, GOT_VALUE = 1, GOT_ERROR = -1 };

/* ---------------------------------------------------------------------- */
/* Keys                                                                   */
/* ---------------------------------------------------------------------- */

static int in_list(const char *word, const char *const *list) {
  for (int i = 0; list[i]; i++)
    if (strcmp(word, list[i]) == 0)
      return 1;
  return 0;
}

static const AstNode *find_key(const AstNode *entries, const char *key) {
  for (const AstNode *e = entries; e; e = e->next)
    if (strcmp(e->key, key) == 0)
      return e;
  return NULL;
}

/* Reports an unknown KEY in WHAT, suggesting the nearest allowed key, or,
 * when OTHER_HINT is given, saying where the key does belong. */
static int unknown_key(Checker *ck, const AstNode *e, const char *what,
                       const char *const *allowed, const char *other_hint) {
  char hint[200];
  const char *near = diag_suggest(e->key, allowed);
  if (other_hint) {
    diag_error_hint(ck->diag, e->key_loc, other_hint, "unknown key '%s' in %s", e->key, what);
    return -1;
  }
  if (near) {
    snprintf(hint, sizeof hint, "did you mean '%s'?", near);
    diag_error_hint(ck->diag, e->key_loc, hint, "unknown key '%s' in %s", e->key, what);
  } else {
    size_t n = 0;
    n += (size_t)snprintf(hint, sizeof hint, "%s takes", what);
    for (int i = 0; allowed[i] && n < sizeof hint; i++)
      n += (size_t)snprintf(hint + n, sizeof hint - n, "%s %s", i ? "," : "", allowed[i]);
    diag_error_hint(ck->diag, e->key_loc, hint, "unknown key '%s' in %s", e->key, what);
  }
  return -1;
}

/* Every key of ENTRIES must be in ALLOWED, and only keys in REPEATABLE may
 * appear twice. WHERE_ELSE(key) may explain a key that belongs elsewhere. */
static int check_keys(Checker *ck, const AstNode *entries, const char *what,
                      const char *const *allowed, const char *const *repeatable,
                      const char *(*where_else)(const char *key, char *buf, size_t size)) {
  for (const AstNode *e = entries; e; e = e->next) {
    if (!in_list(e->key, allowed)) {
      char buf[160];
      const char *other = where_else ? where_else(e->key, buf, sizeof buf) : NULL;
      return unknown_key(ck, e, what, allowed, other);
    }
    if (repeatable && in_list(e->key, repeatable))
      continue;
    const AstNode *first = find_key(entries, e->key);
    if (first != e) {
      diag_error(ck->diag, e->key_loc, "duplicate key '%s' in %s", e->key, what);
      diag_note(ck->diag, first->key_loc, "'%s' was first given here", e->key);
      return -1;
    }
  }
  return 0;
}

static const char *kind_word(AstKind k) {
  switch (k) {
  case AST_NUMBER: return "a number";
  case AST_STRING: return "a string";
  case AST_NAME: return "a name";
  case AST_BLOCK: return "a block";
  }
  return "a value";
}

/* The entry must be a scalar: `key value`, not `key { ... }`. */
static int want_scalar(Checker *ck, const AstNode *e) {
  if (e->kind != AST_BLOCK)
    return 0;
  diag_error(ck->diag, e->key_loc, "'%s' takes a value, not a block", e->key);
  return -1;
}

/* ---------------------------------------------------------------------- */
/* Typed values                                                           */
/* ---------------------------------------------------------------------- */

/* int_key = NUMBER, integral, in [lo, hi] */
static int get_int(Checker *ck, const AstNode *entries, const char *key, long lo,
                   long hi, long dflt, long *out) {
  const AstNode *e = find_key(entries, key);
  *out = dflt;
  if (!e)
    return GOT_DEFAULT;
  if (want_scalar(ck, e))
    return GOT_ERROR;
  if (e->kind == AST_NAME) {
    diag_error(ck->diag, e->val_loc, "'%s' must be a whole number, not the name '%s'", key,
               e->text);
    return GOT_ERROR;
  }
  if (e->kind != AST_NUMBER) {
    diag_error(ck->diag, e->val_loc, "'%s' must be a whole number, not %s", key,
               kind_word(e->kind));
    return GOT_ERROR;
  }
  if (e->num != floor(e->num)) {
    diag_error(ck->diag, e->val_loc, "'%s' must be a whole number, not %s", key, e->text);
    return GOT_ERROR;
  }
  if (e->num < (double)lo || e->num > (double)hi) {
    diag_error(ck->diag, e->val_loc, "'%s' must be between %ld and %ld, not %s", key, lo,
               hi, e->text);
    return GOT_ERROR;
  }
  *out = (long)e->num;
  return GOT_VALUE;
}

/* Interval bounds for real values: closed or open at each end. */
typedef struct Range {
  double lo, hi;
  int lo_open, hi_open;
} Range;

static int in_range(double v, Range r) {
  if (r.lo_open ? !(v > r.lo) : !(v >= r.lo))
    return 0;
  if (r.hi_open ? !(v < r.hi) : !(v <= r.hi))
    return 0;
  return 1;
}

static void bound_text(double v, char *buf, size_t size) {
  if (v == floor(v) && fabs(v) < 1e15)
    snprintf(buf, size, "%.0f", v);
  else
    snprintf(buf, size, "%g", v);
}

static void range_text(Range r, char *buf, size_t size) {
  char lo[32], hi[32];
  bound_text(r.lo, lo, sizeof lo);
  bound_text(r.hi, hi, sizeof hi);
  if (isinf(r.hi))
    snprintf(buf, size, "%s %s", r.lo_open ? "greater than" : "at least", lo);
  else
    snprintf(buf, size, "in %c%s, %s%c", r.lo_open ? '(' : '[', lo, hi, r.hi_open ? ')' : ']');
}

/* real_key = NUMBER in RANGE */
static int get_real(Checker *ck, const AstNode *entries, const char *key, Range r,
                    double dflt, double *out) {
  const AstNode *e = find_key(entries, key);
  *out = dflt;
  if (!e)
    return GOT_DEFAULT;
  if (want_scalar(ck, e))
    return GOT_ERROR;
  if (e->kind == AST_NAME) {
    diag_error(ck->diag, e->val_loc, "'%s' must be a number, not the name '%s'", key, e->text);
    return GOT_ERROR;
  }
  if (e->kind != AST_NUMBER) {
    diag_error(ck->diag, e->val_loc, "'%s' must be a number, not %s", key, kind_word(e->kind));
    return GOT_ERROR;
  }
  if (!in_range(e->num, r)) {
    char text[96];
    range_text(r, text, sizeof text);
    diag_error(ck->diag, e->val_loc, "'%s' must be %s, not %s", key, text, e->text);
    return GOT_ERROR;
  }
  *out = e->num;
  return GOT_VALUE;
}

/* bool_key = true | false */
static int get_bool(Checker *ck, const AstNode *entries, const char *key, int dflt, int *out) {
  const AstNode *e = find_key(entries, key);
  *out = dflt;
  if (!e)
    return GOT_DEFAULT;
  if (want_scalar(ck, e))
    return GOT_ERROR;
  /* a quoted "true" is accepted too, as quoted names are (YAML users quote) */
  int word = (e->kind == AST_NAME || e->kind == AST_STRING) && strlen(e->text) == e->text_len;
  if (word && strcmp(e->text, "true") == 0) {
    *out = 1;
    return GOT_VALUE;
  }
  if (word && strcmp(e->text, "false") == 0) {
    *out = 0;
    return GOT_VALUE;
  }
  diag_error(ck->diag, e->val_loc, "'%s' must be true or false, not %s", key,
             e->kind == AST_NAME ? e->text : kind_word(e->kind));
  return GOT_ERROR;
}

/* What a key's values are called in "unknown X 'word'". */
static const char *key_noun(const char *key) {
  static const char *const pairs[][2] = {{"kernel", "kernel initializer"},
                                         {"recurrent", "recurrent initializer"},
                                         {"bias", "bias initializer"},
                                         {"embedding", "embedding initializer"}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    if (strcmp(key, pairs[i][0]) == 0)
      return pairs[i][1];
  return key;
}

/* Checks that WORD (at LOC) is one of NAMES; returns its index. */
static int pick_name(Checker *ck, SrcLoc loc, const char *key, const char *word,
                     const char *const *names) {
  for (int i = 0; names[i]; i++)
    if (strcmp(word, names[i]) == 0)
      return i;
  char hint[200];
  const char *near = diag_suggest(word, names);
  if (near) {
    snprintf(hint, sizeof hint, "did you mean '%s'?", near);
  } else {
    size_t n = (size_t)snprintf(hint, sizeof hint, "'%s' is one of", key);
    for (int i = 0; names[i] && n < sizeof hint; i++)
      n += (size_t)snprintf(hint + n, sizeof hint - n, "%s %s", i ? "," : "", names[i]);
  }
  diag_error_hint(ck->diag, loc, hint, "unknown %s '%s'", key_noun(key), word);
  return -1;
}

/* enum_key = NAME from NAMES (a quoted string is accepted too: YAML users
 * often quote) */
static int get_enum(Checker *ck, const AstNode *entries, const char *key,
                    const char *const *names, int dflt, int *out) {
  const AstNode *e = find_key(entries, key);
  *out = dflt;
  if (!e)
    return GOT_DEFAULT;
  if (want_scalar(ck, e))
    return GOT_ERROR;
  if (e->kind == AST_NUMBER) {
    diag_error(ck->diag, e->val_loc, "'%s' must be a name, not a number", key);
    return GOT_ERROR;
  }
  if (strlen(e->text) != e->text_len) {
    diag_error(ck->diag, e->val_loc, "'%s' must be a name; this string holds a NUL byte", key);
    return GOT_ERROR;
  }
  int i = pick_name(ck, e->val_loc, key, e->text, names);
  if (i < 0)
    return GOT_ERROR;
  *out = i;
  return GOT_VALUE;
}

/* Reports a required key that is missing from the block at BLOCK. */
static int missing(Checker *ck, SrcLoc at, const char *what, const char *key,
                   const char *example) {
  char hint[120];
  snprintf(hint, sizeof hint, "add it, e.g. '%s'", example);
  diag_error_hint(ck->diag, at, hint, "%s needs '%s'", what, key);
  return -1;
}

/* ---------------------------------------------------------------------- */
/* Names                                                                  */
/* ---------------------------------------------------------------------- */

static const char *const c_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline",
    "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned",
    "void", "volatile", "while", "_Bool", "_Complex", "_Imaginary", "_Alignas",
    "_Alignof", "_Atomic", "_Generic", "_Noreturn", "_Static_assert", "_Thread_local",
    /* C23 */
    "alignas", "alignof", "bool", "constexpr", "false", "nullptr", "static_assert",
    "thread_local", "true", "typeof", "typeof_unqual", NULL};

/* Names that the generated code uses for its own members. */
static const char *const reserved_names[] = {"input", "embedding", "seq", "loss", "output",
                                             "params", "grads", "state", "ws", NULL};

/* name = NAME, at most IR_NAME_MAX-1 bytes, usable as a C identifier */
static int check_name(Checker *ck, const char *name, SrcLoc at, const char *what) {
  if (strlen(name) >= IR_NAME_MAX) {
    diag_error(ck->diag, at, "%s name is longer than %d characters", what, IR_NAME_MAX - 1);
    return -1;
  }
  if (in_list(name, c_keywords)) {
    diag_error_hint(ck->diag, at, "generated C uses the names of the spec as identifiers",
                    "'%s' is a C keyword and cannot name a %s", name, what);
    return -1;
  }
  if (name[0] == '_' && (name[1] == '_' || (name[1] >= 'A' && name[1] <= 'Z'))) {
    diag_error(ck->diag, at, "names starting with '__' or '_' and a capital are reserved in C");
    return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* input { vocab N | features N  length T  [embedding E]  [mask M]        */
/*         [padding_id P] }                                               */
/* ---------------------------------------------------------------------- */

static const char *const input_keys[] = {"vocab", "features", "embedding", "length",
                                         "mask", "padding_id", NULL};
static const char *const mask_names[] = {"none", "padding", "lengths", NULL};

static int check_input(Checker *ck, const AstNode *in) {
  IrInput *ip = &ck->m->input;
  if (in->kind != AST_BLOCK) {
    diag_error(ck->diag, in->key_loc, "'input' needs a block: input { vocab N length T }");
    return -1;
  }
  if (in->label) {
    diag_error(ck->diag, in->label_loc, "'input' takes no name: input { ... }");
    return -1;
  }
  const AstNode *e = in->child;
  if (check_keys(ck, e, "input", input_keys, NULL, NULL))
    return -1;
  const AstNode *vocab = find_key(e, "vocab"), *features = find_key(e, "features");
  if (vocab && features) {
    const AstNode *second = vocab->key_loc.line > features->key_loc.line ||
                                    (vocab->key_loc.line == features->key_loc.line &&
                                     vocab->key_loc.col > features->key_loc.col)
                                ? vocab
                                : features;
    diag_error_hint(ck->diag, second->key_loc,
                    "token ids take 'vocab', real-valued vectors take 'features'",
                    "input has both 'vocab' and 'features'");
    return -1;
  }
  if (!vocab && !features) {
    diag_error_hint(ck->diag, in->key_loc,
                    "'vocab N' for token ids, 'features N' for real-valued vectors",
                    "input needs 'vocab' or 'features'");
    return -1;
  }
  long v;
  if (vocab) {
    ip->kind = IR_INPUT_TOKENS;
    if (get_int(ck, e, "vocab", 2, CHECK_MAX_VOCAB, 0, &v) < 0)
      return -1;
    ip->vocab = (int)v;
  } else {
    ip->kind = IR_INPUT_FEATURES;
    if (get_int(ck, e, "features", 1, CHECK_MAX_UNITS, 0, &v) < 0)
      return -1;
    ip->features = (int)v;
  }
  const AstNode *emb = find_key(e, "embedding");
  if (emb && features) {
    diag_error_hint(ck->diag, emb->key_loc,
                    "real-valued features go straight into the first layer",
                    "'embedding' needs token input (vocab)");
    return -1;
  }
  /* 0 = no embedding: token ids select rows of the first layer's weights */
  if (get_int(ck, e, "embedding", 0, CHECK_MAX_UNITS, 0, &v) < 0)
    return -1;
  ip->embedding = (int)v;
  if (!find_key(e, "length"))
    return missing(ck, in->key_loc, "input", "length", "length 64");
  if (get_int(ck, e, "length", 1, CHECK_MAX_LENGTH, 0, &v) < 0)
    return -1;
  ip->length = (int)v;
  int mask;
  if (get_enum(ck, e, "mask", mask_names, IR_MASK_NONE, &mask) < 0)
    return -1;
  ip->mask = (IrMask)mask;
  if (ip->mask == IR_MASK_PADDING && features) {
    diag_error_hint(ck->diag, find_key(e, "mask")->val_loc,
                    "for real-valued input give the lengths with the data: 'mask lengths'",
                    "'mask padding' needs token input (vocab)");
    return -1;
  }
  const AstNode *pad = find_key(e, "padding_id");
  if (pad && ip->mask != IR_MASK_PADDING) {
    diag_error_hint(ck->diag, pad->key_loc, "add 'mask padding' to mask padded tokens",
                    "'padding_id' applies only with 'mask padding'");
    return -1;
  }
  if (get_int(ck, e, "padding_id", 0, ip->kind == IR_INPUT_TOKENS ? ip->vocab - 1 : 0, 0,
              &v) < 0)
    return -1;
  ip->padding_id = (int)v;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Layers                                                                 */
/*   simple_rnn NAME { units N [activation tanh|relu] [common] }          */
/*   lstm NAME { units N [peephole B] [common] }                          */
/*   gru NAME { units N [reset_after B] [common] }                        */
/*     common = [dropout X] [recurrent_dropout X] [return_sequences B]    */
/*              [biases 1|2]                                              */
/*   dropout NAME { rate X }                                              */
/*   dense NAME { units N [activation A] [per_step B] }                   */
/* ---------------------------------------------------------------------- */

static const char *const layer_kinds[] = {"simple_rnn", "lstm", "gru", "dropout", "dense", NULL};
static const char *const simple_rnn_keys[] = {"units", "activation", "dropout",
                                              "recurrent_dropout", "return_sequences",
                                              "biases", NULL};
static const char *const lstm_keys[] = {"units", "dropout", "recurrent_dropout",
                                        "return_sequences", "peephole", "biases", NULL};
static const char *const gru_keys[] = {"units", "dropout", "recurrent_dropout",
                                       "return_sequences", "reset_after", "biases", NULL};
static const char *const dropout_keys[] = {"rate", NULL};
static const char *const dense_keys[] = {"units", "activation", "per_step", NULL};
static const char *const rnn_acts[] = {"tanh", "relu", NULL};
static const char *const dense_acts[] = {"linear", "relu", "tanh", "sigmoid", "softmax", NULL};


/* "'KEY' is a setting of a, b and c[ SUFFIX]": for a key given to the wrong
 * kind of block, where it belongs (NULL when it belongs nowhere). KEYS[i]
 * lists the keys of kind NAMES[i]. */
static const char *belongs_to(const char *key, const char *const *names,
                              const char *const *const *keys, int kinds, const char *suffix,
                              const char *suffix_plural, char *buf, size_t size) {
  int owners[8], n = 0;
  for (int k = 0; k < kinds && n < 8; k++)
    if (in_list(key, keys[k]))
      owners[n++] = k;
  if (n == 0)
    return NULL;
  size_t used = (size_t)snprintf(buf, size, "'%s' is a setting of ", key);
  for (int i = 0; i < n && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s",
                             i == 0 ? "" : i == n - 1 ? " and " : ", ", names[owners[i]]);
  if (used < size)
    snprintf(buf + used, size - used, "%s", n > 1 ? suffix_plural : suffix);
  return buf;
}

static const char *const *const layer_keys[] = {simple_rnn_keys, lstm_keys, gru_keys,
                                                dropout_keys, dense_keys};

/* For a key that some other layer kind takes: "'peephole' is a setting of
 * lstm" - more useful than a spelling suggestion. */
static const char *layer_key_elsewhere(const char *key, char *buf, size_t size) {
  return belongs_to(key, layer_kinds, layer_keys, 5, "", "", buf, size);
}

static const Range unit_interval_open = {0, 1, 0, 1}; /* [0, 1) */

/* The settings every recurrent layer shares. */
static int check_recurrent_common(Checker *ck, const AstNode *e, IrLayer *l, int idx) {
  long v;
  if (!find_key(e, "units")) {
    char what[96];
    snprintf(what, sizeof what, "%s '%s'", layer_kinds[l->kind], l->name);
    return missing(ck, ck->layer_node[idx]->label_loc, what, "units", "units 128");
  }
  if (get_int(ck, e, "units", 1, CHECK_MAX_UNITS, 0, &v) < 0)
    return -1;
  l->units = (int)v;
  if (get_real(ck, e, "dropout", unit_interval_open, 0, &l->dropout) < 0)
    return -1;
  if (get_real(ck, e, "recurrent_dropout", unit_interval_open, 0, &l->recurrent_dropout) < 0)
    return -1;
  int got = get_bool(ck, e, "return_sequences", 0, &l->return_sequences);
  if (got < 0)
    return -1;
  ck->return_seq_node[idx] = got == GOT_VALUE ? find_key(e, "return_sequences") : NULL;
  if (get_int(ck, e, "biases", 1, 2, 2, &v) < 0)
    return -1;
  l->biases = (int)v;
  return 0;
}

/* One layer block: its name, keys and values (no relations yet). */
static int check_layer(Checker *ck, const AstNode *n, IrLayerKind kind) {
  IrModel *m = ck->m;
  if (n->kind != AST_BLOCK || !n->label) {
    char hint[96];
    snprintf(hint, sizeof hint, "write it as '%s NAME { ... }'", layer_kinds[kind]);
    diag_error_hint(ck->diag, n->key_loc, hint, "%s %s layer needs a name and a block",
                    kind == IR_LSTM ? "an" : "a", layer_kinds[kind]);
    return -1;
  }
  if (m->n_layers == IR_MAX_LAYERS) {
    diag_error(ck->diag, n->key_loc, "too many layers: a model has at most %d",
               IR_MAX_LAYERS);
    return -1;
  }
  if (check_name(ck, n->label, n->label_loc, "layer"))
    return -1;
  if (in_list(n->label, reserved_names)) {
    diag_error_hint(ck->diag, n->label_loc, "pick another name for this layer",
                    "'%s' is reserved for the generated code", n->label);
    return -1;
  }
  for (int i = 0; i < m->n_layers; i++) {
    if (strcmp(m->layers[i].name, n->label) == 0) {
      diag_error(ck->diag, n->label_loc, "duplicate layer name '%s'", n->label);
      diag_note(ck->diag, ck->layer_node[i]->label_loc, "'%s' was first used here", n->label);
      return -1;
    }
    if (strcasecmp(m->layers[i].name, n->label) == 0) {
      /* generated macros spell layer names in capitals */
      diag_error_hint(ck->diag, n->label_loc, "generated C names sizes in capitals, like LSTM1_H",
                      "layer names '%s' and '%s' differ only in case", m->layers[i].name,
                      n->label);
      return -1;
    }
  }
  int idx = m->n_layers++;
  IrLayer *l = &m->layers[idx];
  memset(l, 0, sizeof *l);
  l->kind = kind;
  snprintf(l->name, sizeof l->name, "%s", n->label);
  ck->layer_node[idx] = n;
  char what[96];
  snprintf(what, sizeof what, "%s '%s'", layer_kinds[kind], l->name);
  const AstNode *e = n->child;
  if (check_keys(ck, e, what, layer_keys[kind], NULL, layer_key_elsewhere))
    return -1;
  int act;
  long v;
  switch (kind) {
  case IR_SIMPLE_RNN:
    l->gates = 1;
    if (check_recurrent_common(ck, e, l, idx))
      return -1;
    if (get_enum(ck, e, "activation", rnn_acts, 0, &act) < 0)
      return -1;
    l->act = act == 0 ? IR_ACT_TANH : IR_ACT_RELU;
    break;
  case IR_LSTM:
    l->gates = 4;
    l->act = IR_ACT_TANH;
    if (check_recurrent_common(ck, e, l, idx) || get_bool(ck, e, "peephole", 0, &l->peephole) < 0)
      return -1;
    break;
  case IR_GRU:
    l->gates = 3;
    l->act = IR_ACT_TANH;
    if (check_recurrent_common(ck, e, l, idx) ||
        get_bool(ck, e, "reset_after", 1, &l->reset_after) < 0)
      return -1;
    break;
  case IR_DROPOUT:
    if (!find_key(e, "rate"))
      return missing(ck, n->label_loc, what, "rate", "rate 0.5");
    if (get_real(ck, e, "rate", unit_interval_open, 0, &l->rate) < 0)
      return -1;
    break;
  case IR_DENSE:
    if (!find_key(e, "units"))
      return missing(ck, n->label_loc, what, "units", "units 10");
    if (get_int(ck, e, "units", 1, CHECK_MAX_UNITS, 0, &v) < 0)
      return -1;
    l->units = (int)v;
    if (get_enum(ck, e, "activation", dense_acts, IR_ACT_LINEAR, &act) < 0)
      return -1;
    l->act = (IrAct)act;
    int got = get_bool(ck, e, "per_step", 0, &l->per_step);
    if (got < 0)
      return -1;
    ck->per_step_node[idx] = got == GOT_VALUE ? find_key(e, "per_step") : NULL;
    break;
  }
  return 0;
}

static const char *layer_word(const IrLayer *l) { return layer_kinds[l->kind]; }

/* The order of layers: recurrent layers, then dense layers (the head, which
 * may be empty: seed 001's basic RNN outputs its states), with dropout
 * between any two; the last layer is not a dropout. */
static int check_layer_order(Checker *ck) {
  IrModel *m = ck->m;
  int last_recurrent = -1, first_dense = -1;
  for (int i = 0; i < m->n_layers; i++) {
    IrLayer *l = &m->layers[i];
    if (ir_is_recurrent(l->kind)) {
      if (first_dense >= 0) {
        diag_error_hint(ck->diag, ck->layer_node[i]->key_loc,
                        "dense layers form the head, after every recurrent layer",
                        "%s '%s' comes after dense '%s'", layer_word(l), l->name,
                        m->layers[first_dense].name);
        return -1;
      }
      last_recurrent = i;
      m->n_recurrent++;
    } else if (l->kind == IR_DENSE && first_dense < 0) {
      first_dense = i;
    }
  }
  if (last_recurrent < 0) {
    diag_error_hint(ck->diag, ck->model->label_loc, "add a simple_rnn, lstm or gru layer",
                    "model '%s' has no recurrent layer", m->name);
    return -1;
  }
  const IrLayer *last = &m->layers[m->n_layers - 1];
  if (last->kind == IR_DROPOUT) {
    diag_error_hint(ck->diag, ck->layer_node[m->n_layers - 1]->key_loc,
                    "dropout acts between layers; end with a dense or recurrent layer",
                    "the model ends with dropout '%s'", last->name);
    return -1;
  }
  return 0;
}

/* Which layers see every step: all recurrent layers but the last return
 * sequences; the last one does when it says so, or when the first dense
 * head asks for per-step outputs and return_sequences is not written. */
static int check_sequences(Checker *ck) {
  IrModel *m = ck->m;
  int last_rec = -1, first_dense = -1;
  for (int i = 0; i < m->n_layers; i++) {
    if (ir_is_recurrent(m->layers[i].kind))
      last_rec = i;
    else if (m->layers[i].kind == IR_DENSE && first_dense < 0)
      first_dense = i;
  }
  for (int i = 0; i < last_rec; i++) {
    IrLayer *l = &m->layers[i];
    if (!ir_is_recurrent(l->kind))
      continue;
    if (ck->return_seq_node[i] && !l->return_sequences) {
      int next = i + 1;
      while (!ir_is_recurrent(m->layers[next].kind))
        next++;
      diag_error_hint(ck->diag, ck->return_seq_node[i]->val_loc,
                      "only the last recurrent layer may return its last state alone",
                      "%s '%s' feeds %s '%s', which needs every step", layer_word(l),
                      l->name, layer_word(&m->layers[next]), m->layers[next].name);
      return -1;
    }
    l->return_sequences = 1;
  }
  IrLayer *rec = &m->layers[last_rec];
  const AstNode *dense_ps = first_dense >= 0 ? ck->per_step_node[first_dense] : NULL;
  if (!ck->return_seq_node[last_rec])
    rec->return_sequences = dense_ps ? m->layers[first_dense].per_step : 0;
  int seq = rec->return_sequences;
  for (int i = 0; i < m->n_layers; i++) {
    IrLayer *l = &m->layers[i];
    if (i <= last_rec) {
      l->per_step = ir_is_recurrent(l->kind) ? l->return_sequences : 1;
      continue;
    }
    if (l->kind != IR_DENSE) {
      l->per_step = seq;
      continue;
    }
    if (!ck->per_step_node[i]) {
      l->per_step = seq;
    } else if (l->per_step && !seq) {
      const IrLayer *from = &m->layers[last_rec];
      int src = last_rec;
      for (int j = i - 1; j > last_rec; j--)
        if (m->layers[j].kind == IR_DENSE) {
          from = &m->layers[j];
          src = j;
          break;
        }
      char hint[160];
      if (ir_is_recurrent(from->kind))
        snprintf(hint, sizeof hint, "add 'return_sequences true' to %s '%s'",
                 layer_word(from), from->name);
      else
        snprintf(hint, sizeof hint, "per-step heads must come before last-step heads");
      diag_error_hint(ck->diag, ck->per_step_node[i]->val_loc, hint,
                      "dense '%s' is applied per step, but %s '%s' gives one output per "
                      "sequence",
                      l->name, layer_word(from), from->name);
      (void)src;
      return -1;
    }
    seq = l->per_step;
  }
  m->output_per_step = m->layers[m->n_layers - 1].per_step;
  return 0;
}

/* Widths flow from the input through every layer; softmax only on the
 * output layer. */
static int check_shapes(Checker *ck) {
  IrModel *m = ck->m;
  const IrInput *ip = &m->input;
  int width = ip->kind == IR_INPUT_FEATURES ? ip->features
              : ip->embedding          ? ip->embedding
                                       : ip->vocab;
  for (int i = 0; i < m->n_layers; i++) {
    IrLayer *l = &m->layers[i];
    l->in_size = width;
    if (l->kind == IR_DROPOUT)
      l->units = width;
    if (l->kind == IR_DENSE && l->act == IR_ACT_SOFTMAX && i != m->n_layers - 1) {
      const AstNode *a = find_key(ck->layer_node[i]->child, "activation");
      diag_error_hint(ck->diag, a->val_loc,
                      "use relu or tanh in hidden layers; the loss applies to the last one",
                      "softmax is only allowed on the output layer, not on dense '%s'",
                      l->name);
      return -1;
    }
    width = l->units;
  }
  m->output_units = width;
  return 0;
}

/* A dropout layer drops elements of vectors; one-hot tokens never exist as
 * vectors (the projection is a column gather). A recurrent layer's own
 * `dropout` on one-hot ids is Keras's: a mask per sequence and token id,
 * applied to the gathered column (rnn_gather_token_rows_masked). */
static int check_one_hot_dropout(Checker *ck) {
  const IrModel *m = ck->m;
  if (m->input.kind != IR_INPUT_TOKENS || m->input.embedding > 0)
    return 0;
  const IrLayer *first = &m->layers[0];
  if (first->kind == IR_DROPOUT) {
    diag_error_hint(ck->diag, ck->layer_node[0]->key_loc,
                    "give the recurrent layer 'dropout P' (Keras: a mask per sequence and token "
                    "id), or add an embedding ('embedding N' in input)",
                    "dropout '%s' cannot act on one-hot token ids", first->name);
    return -1;
  }
  return 0;
}

/* Every layer of the model block, in order, then their relations. */
static int check_layers(Checker *ck, const AstNode *entries) {
  for (const AstNode *e = entries; e; e = e->next) {
    for (int k = IR_SIMPLE_RNN; k <= IR_DENSE; k++)
      if (strcmp(e->key, layer_kinds[k]) == 0 && check_layer(ck, e, (IrLayerKind)k))
        return -1;
  }
  if (check_layer_order(ck) || check_sequences(ck) || check_shapes(ck) ||
      check_one_hot_dropout(ck))
    return -1;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* train { [batch N] [loss L] [optimizer KIND { ... }]                    */
/*         [schedule KIND { ... }] [clip_norm X] [init { ... }]           */
/*         [stateful B] [seed N] [epochs N | steps N]                     */
/*         [validation_split X] }                                         */
/* ---------------------------------------------------------------------- */

static const char *const train_keys[] = {"batch", "loss", "optimizer", "schedule",
                                         "clip_norm", "init", "stateful", "seed",
                                         "epochs", "steps", "validation_split", NULL};
static const char *const loss_names[] = {"cross_entropy", "binary_cross_entropy", "mse", NULL};
static const char *const opt_names[] = {"sgd", "rmsprop", "adam", "adagrad", NULL};
static const char *const sgd_keys[] = {"lr", "momentum", "nesterov", "weight_decay", NULL};
static const char *const rmsprop_keys[] = {"lr", "rho", "eps", "momentum", "centered",
                                           "weight_decay", NULL};
static const char *const adam_keys[] = {"lr", "beta1", "beta2", "eps", "weight_decay", NULL};
static const char *const adagrad_keys[] = {"lr", "eps", "initial_accumulator",
                                           "weight_decay", NULL};
static const char *const *const opt_keys[] = {sgd_keys, rmsprop_keys, adam_keys, adagrad_keys};
static const char *const sched_names[] = {"constant", "step", "exponential", "cosine", NULL};
static const char *const constant_keys[] = {"warmup", NULL};
static const char *const step_keys[] = {"every", "gamma", "warmup", NULL};
static const char *const exponential_keys[] = {"gamma", "warmup", NULL};
static const char *const cosine_keys[] = {"steps", "min_lr", "warmup", NULL};
static const char *const *const sched_keys[] = {constant_keys, step_keys, exponential_keys,
                                                cosine_keys};
static const char *const init_keys[] = {"kernel", "recurrent", "bias", "embedding",
                                        "forget_bias", NULL};
static const char *const kernel_inits[] = {"glorot_uniform", "glorot_normal", "torch_uniform",
                                           NULL};
static const char *const recurrent_inits[] = {"orthogonal", "glorot_uniform", "torch_uniform",
                                              NULL};
static const char *const bias_inits[] = {"zeros", "torch_uniform", NULL};
static const char *const embedding_inits[] = {"uniform", "normal", NULL};

/* Explains a setting given to the wrong optimizer or schedule. */
static const char *opt_key_elsewhere(const char *key, char *buf, size_t size) {
  return belongs_to(key, opt_names, opt_keys, 4, "", "", buf, size);
}

static const char *sched_key_elsewhere(const char *key, char *buf, size_t size) {
  return belongs_to(key, sched_names, sched_keys, 4, " schedule", " schedules", buf, size);
}

/* `key KIND` or `key KIND { settings }`: returns the kind's index and its
 * settings (NULL when written as a pair). */
static int check_kind_block(Checker *ck, const AstNode *n, const char *const *names,
                            int dflt, const AstNode **settings) {
  *settings = NULL;
  if (n->kind == AST_BLOCK) {
    if (!n->label) {
      char hint[96];
      snprintf(hint, sizeof hint, "write '%s %s { ... }'", n->key, names[dflt]);
      diag_error_hint(ck->diag, n->val_loc, hint, "'%s' needs a kind before its block", n->key);
      return -1;
    }
    *settings = n->child;
    return pick_name(ck, n->label_loc, n->key, n->label, names);
  }
  if (n->kind == AST_NUMBER) {
    diag_error(ck->diag, n->val_loc, "'%s' must be a name, not a number", n->key);
    return -1;
  }
  return pick_name(ck, n->val_loc, n->key, n->text, names);
}

static const Range nonnegative = {0, HUGE_VAL, 0, 0};

/* optimizer = KIND [{ settings of that kind }] */
static int check_optimizer(Checker *ck, const AstNode *n) {
  IrTrain *t = &ck->m->train;
  const AstNode *s;
  int kind = n ? check_kind_block(ck, n, opt_names, IR_OPT_ADAM, &s) : IR_OPT_ADAM;
  if (kind < 0)
    return -1;
  if (!n)
    s = NULL;
  t->optimizer = (IrOptKind)kind;
  char what[64];
  snprintf(what, sizeof what, "optimizer %s", opt_names[kind]);
  if (check_keys(ck, s, what, opt_keys[kind], NULL, opt_key_elsewhere))
    return -1;
  /* Default learning rates are Keras's (the seeds' framework): sgd 0.01,
   * rmsprop 0.001, adam 0.001, adagrad 0.01 (PyTorch's adagrad value; Keras
   * uses 0.001). rho 0.9 is Keras's (PyTorch's alpha is 0.99); betas and
   * eps are PyTorch's. */
  static const double default_lr[] = {0.01, 0.001, 0.001, 0.01};
  const Range lr_range = {0, 10, 1, 0};
  const Range beta = {0, 1, 0, 1};
  const Range eps = {0, 1, 1, 0};
  const Range decay = {0, 1, 0, 0};
  if (get_real(ck, s, "lr", lr_range, default_lr[kind], &t->lr) < 0 ||
      get_real(ck, s, "momentum", beta, 0, &t->momentum) < 0 ||
      get_bool(ck, s, "nesterov", 0, &t->nesterov) < 0 ||
      get_real(ck, s, "beta1", beta, 0.9, &t->beta1) < 0 ||
      get_real(ck, s, "beta2", beta, 0.999, &t->beta2) < 0 ||
      get_real(ck, s, "eps", eps, kind == IR_OPT_ADAGRAD ? 1e-10 : 1e-8, &t->eps) < 0 ||
      get_real(ck, s, "rho", beta, 0.9, &t->rho) < 0 ||
      get_bool(ck, s, "centered", 0, &t->centered) < 0 ||
      get_real(ck, s, "weight_decay", decay, 0, &t->weight_decay) < 0 ||
      get_real(ck, s, "initial_accumulator", nonnegative, 0, &t->initial_accumulator) < 0)
    return -1;
  if (t->nesterov && t->momentum == 0) {
    diag_error_hint(ck->diag, find_key(s, "nesterov")->val_loc, "add e.g. 'momentum 0.9'",
                    "nesterov needs a momentum above 0");
    return -1;
  }
  return 0;
}

/* schedule = KIND [{ settings of that kind }] */
static int check_schedule(Checker *ck, const AstNode *n) {
  IrTrain *t = &ck->m->train;
  const AstNode *s = NULL;
  int kind = n ? check_kind_block(ck, n, sched_names, IR_SCHED_CONSTANT, &s) : IR_SCHED_CONSTANT;
  if (kind < 0)
    return -1;
  t->schedule = (IrSchedKind)kind;
  char what[64];
  snprintf(what, sizeof what, "schedule %s", sched_names[kind]);
  if (check_keys(ck, s, what, sched_keys[kind], NULL, sched_key_elsewhere))
    return -1;
  SrcLoc at = n ? (n->kind == AST_BLOCK ? n->label_loc : n->val_loc) : ck->model->key_loc;
  long v;
  const Range gamma = {0, 1, 1, 0};
  if (kind == IR_SCHED_STEP && !find_key(s, "every"))
    return missing(ck, at, "schedule step", "every", "schedule step { every 1000 gamma 0.5 }");
  if (kind == IR_SCHED_EXPONENTIAL && !find_key(s, "gamma"))
    return missing(ck, at, "schedule exponential", "gamma",
                   "schedule exponential { gamma 0.999 }");
  if (kind == IR_SCHED_COSINE && !find_key(s, "steps"))
    return missing(ck, at, "schedule cosine", "steps", "schedule cosine { steps 10000 }");
  if (get_int(ck, s, "every", 1, 1000000000L, 0, &v) < 0)
    return -1;
  t->sched_every = v;
  if (get_real(ck, s, "gamma", gamma, 0.1, &t->sched_gamma) < 0)
    return -1;
  if (get_int(ck, s, "steps", 1, 1000000000L, 0, &v) < 0)
    return -1;
  t->sched_steps = v;
  if (get_real(ck, s, "min_lr", nonnegative, 0, &t->sched_min_lr) < 0)
    return -1;
  if (t->sched_min_lr > t->lr) {
    diag_error(ck->diag, find_key(s, "min_lr")->val_loc,
               "'min_lr' %g is above the optimizer's lr %g", t->sched_min_lr, t->lr);
    return -1;
  }
  if (get_int(ck, s, "warmup", 0, 1000000000L, 0, &v) < 0)
    return -1;
  t->warmup = v;
  return 0;
}

/* block = KEY { settings }: no label, not a scalar. *SETTINGS gets the
 * entries (NULL when N is absent: every setting takes its default). */
static int settings_block(Checker *ck, const AstNode *n, const char *example,
                          const AstNode **settings) {
  *settings = NULL;
  if (!n)
    return 0;
  if (n->kind == AST_BLOCK && n->label) {
    char hint[64];
    snprintf(hint, sizeof hint, "write '%s { ... }'", n->key);
    diag_error_hint(ck->diag, n->label_loc, hint, "'%s' takes no name", n->key);
    return -1;
  }
  if (n->kind != AST_BLOCK) {
    diag_error_hint(ck->diag, n->key_loc, example, "'%s' needs a block of settings", n->key);
    return -1;
  }
  *settings = n->child;
  return 0;
}

/* init { [kernel K] [recurrent R] [bias B] [embedding E] [forget_bias X] } */
static int check_init(Checker *ck, const AstNode *n) {
  IrTrain *t = &ck->m->train;
  const AstNode *s;
  if (settings_block(ck, n, "e.g. 'init { kernel glorot_uniform }'", &s))
    return -1;
  if (check_keys(ck, s, "init", init_keys, NULL, NULL))
    return -1;
  static const IrInit kernel_map[] = {IR_INIT_GLOROT_UNIFORM, IR_INIT_GLOROT_NORMAL,
                                      IR_INIT_TORCH_UNIFORM};
  static const IrInit recurrent_map[] = {IR_INIT_ORTHOGONAL, IR_INIT_GLOROT_UNIFORM,
                                         IR_INIT_TORCH_UNIFORM};
  static const IrInit bias_map[] = {IR_INIT_ZEROS, IR_INIT_TORCH_UNIFORM};
  static const IrInit embedding_map[] = {IR_INIT_UNIFORM, IR_INIT_NORMAL};
  int k, r, b, e;
  const Range any = {-1e6, 1e6, 0, 0};
  if (get_enum(ck, s, "kernel", kernel_inits, 0, &k) < 0 ||
      get_enum(ck, s, "recurrent", recurrent_inits, 0, &r) < 0 ||
      get_enum(ck, s, "bias", bias_inits, 0, &b) < 0 ||
      get_enum(ck, s, "embedding", embedding_inits, 0, &e) < 0)
    return -1;
  /* Keras adds 1 to the forget gate's zero bias (unit_forget_bias); with
   * PyTorch's random biases nothing is added */
  if (get_real(ck, s, "forget_bias", any, b == 0 ? 1.0 : 0.0, &t->forget_bias) < 0)
    return -1;
  t->kernel_init = kernel_map[k];
  t->recurrent_init = recurrent_map[r];
  t->bias_init = bias_map[b];
  t->embedding_init = embedding_map[e];
  return 0;
}

/* The loss must match what the output layer computes. */
static int check_loss(Checker *ck, const AstNode *loss_node) {
  IrModel *m = ck->m;
  const IrLayer *out = &m->layers[m->n_layers - 1];
  IrTrain *t = &m->train;
  SrcLoc act_at = ck->layer_node[m->n_layers - 1]->label_loc;
  const AstNode *act = find_key(ck->layer_node[m->n_layers - 1]->child, "activation");
  if (act)
    act_at = act->val_loc;
  if (out->act == IR_ACT_SOFTMAX && out->units == 1) {
    diag_error_hint(ck->diag, act_at,
                    "for two classes use 'units 1 activation sigmoid' with "
                    "binary_cross_entropy",
                    "softmax over 1 unit is always 1");
    return -1;
  }
  if (!loss_node) { /* default: the loss that fits the output */
    t->loss = out->act == IR_ACT_SOFTMAX   ? IR_LOSS_CROSS_ENTROPY
              : out->act == IR_ACT_SIGMOID ? IR_LOSS_BINARY_CROSS_ENTROPY
                                           : IR_LOSS_MSE;
    return 0;
  }
  SrcLoc at = loss_node->val_loc;
  if (t->loss == IR_LOSS_CROSS_ENTROPY && out->act != IR_ACT_SOFTMAX) {
    diag_error_hint(ck->diag, at,
                    out->act == IR_ACT_SIGMOID
                        ? "use loss binary_cross_entropy for a sigmoid output"
                        : "end the model with 'dense NAME { units N activation softmax }'",
                    "loss cross_entropy needs a softmax output, but %s '%s' is %s",
                    layer_word(out), out->name, ir_act_name(out->act));
    return -1;
  }
  if (t->loss == IR_LOSS_BINARY_CROSS_ENTROPY && out->act != IR_ACT_SIGMOID) {
    diag_error_hint(ck->diag, at,
                    out->act == IR_ACT_SOFTMAX
                        ? "use loss cross_entropy for a softmax output"
                        : "end the model with 'dense NAME { units 1 activation sigmoid }'",
                    "loss binary_cross_entropy needs a sigmoid output, but %s '%s' is %s",
                    layer_word(out), out->name, ir_act_name(out->act));
    return -1;
  }
  if (t->loss == IR_LOSS_MSE && out->act == IR_ACT_SOFTMAX) {
    diag_error_hint(ck->diag, at, "use loss cross_entropy for a softmax output",
                    "loss mse on a softmax output");
    return -1;
  }
  return 0;
}

static int check_train(Checker *ck, const AstNode *n) {
  IrModel *m = ck->m;
  IrTrain *t = &m->train;
  const AstNode *s;
  if (settings_block(ck, n, "e.g. 'train { batch 32 loss mse }'", &s))
    return -1;
  if (check_keys(ck, s, "train", train_keys, NULL, NULL))
    return -1;
  long v;
  int loss;
  if (get_int(ck, s, "batch", 1, CHECK_MAX_BATCH, 32, &v) < 0)
    return -1;
  t->batch = (int)v;
  if (get_enum(ck, s, "loss", loss_names, 0, &loss) < 0)
    return -1;
  t->loss = (IrLoss)loss;
  if (check_loss(ck, find_key(s, "loss")) || check_optimizer(ck, find_key(s, "optimizer")) ||
      check_schedule(ck, find_key(s, "schedule")) || check_init(ck, find_key(s, "init")))
    return -1;
  if (get_real(ck, s, "clip_norm", nonnegative, 0, &t->clip_norm) < 0 ||
      get_bool(ck, s, "stateful", 0, &t->stateful) < 0)
    return -1;
  if (t->stateful && m->input.mask != IR_MASK_NONE) {
    diag_error_hint(ck->diag, find_key(s, "stateful")->val_loc,
                    "stateful training needs every sequence to run its full length",
                    "'stateful true' cannot be combined with masked input (mask %s)",
                    ir_mask_name(m->input.mask));
    return -1;
  }
  if (get_int(ck, s, "seed", 0, 9007199254740991L, 1, &v) < 0)
    return -1;
  t->seed = (uint64_t)v;
  const AstNode *epochs = find_key(s, "epochs"), *steps = find_key(s, "steps");
  if (epochs && steps) {
    const AstNode *second = steps->key_loc.line > epochs->key_loc.line ||
                                    (steps->key_loc.line == epochs->key_loc.line &&
                                     steps->key_loc.col > epochs->key_loc.col)
                                ? steps
                                : epochs;
    diag_error_hint(ck->diag, second->key_loc, "give one of them",
                    "train has both 'epochs' and 'steps'");
    return -1;
  }
  if (get_int(ck, s, "epochs", 1, 1000000000L, steps ? 0 : 1, &v) < 0)
    return -1;
  t->epochs = v;
  if (get_int(ck, s, "steps", 1, 1000000000000L, 0, &v) < 0)
    return -1;
  t->steps = v;
  if (get_real(ck, s, "validation_split", unit_interval_open, 0, &t->validation_split) < 0)
    return -1;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* sample { [temperature X] [top_k N] [length N] [prime "text"] }         */
/* ---------------------------------------------------------------------- */

static const char *const sample_keys[] = {"temperature", "top_k", "length", "prime", NULL};

/* Sampling feeds each output back in as the next input, so the output must
 * be a per-step distribution over the input's tokens, or a per-step vector
 * as wide as the input's features. */
static int model_can_sample(const IrModel *m) {
  const IrLayer *out = &m->layers[m->n_layers - 1];
  int width = m->input.kind == IR_INPUT_TOKENS ? m->input.vocab : m->input.features;
  return m->output_per_step && out->units == width &&
         (m->input.kind != IR_INPUT_TOKENS || out->act == IR_ACT_SOFTMAX);
}

/* Says why a model with a sample block cannot sample. */
static int check_feedback(Checker *ck, const AstNode *n) {
  IrModel *m = ck->m;
  const IrLayer *out = &m->layers[m->n_layers - 1];
  int width = m->input.kind == IR_INPUT_TOKENS ? m->input.vocab : m->input.features;
  const char *unit = m->input.kind == IR_INPUT_TOKENS ? "tokens" : "features";
  if (!m->output_per_step) {
    diag_error_hint(ck->diag, n->key_loc, "sampling needs an output at every step",
                    "cannot sample: %s '%s' gives one output per sequence", layer_word(out),
                    out->name);
    return -1;
  }
  if (out->units != width) {
    diag_error_hint(ck->diag, n->key_loc,
                    "sampling feeds each output back as the next input",
                    "cannot sample: %s '%s' has %d units but the input has %d %s",
                    layer_word(out), out->name, out->units, width, unit);
    return -1;
  }
  diag_error_hint(ck->diag, n->key_loc, "give the output layer 'activation softmax'",
                  "cannot sample tokens: %s '%s' is not a softmax", layer_word(out),
                  out->name);
  return -1;
}

static int check_sample(Checker *ck, const AstNode *n) {
  IrModel *m = ck->m;
  IrSample *sp = &m->sample;
  const AstNode *s;
  m->can_sample = model_can_sample(m);
  if (settings_block(ck, n, "e.g. 'sample { length 200 temperature 0.8 }'", &s))
    return -1;
  if (n) {
    if (check_keys(ck, s, "sample", sample_keys, NULL, NULL))
      return -1;
    if (!m->can_sample)
      return check_feedback(ck, n);
  }
  const Range temp = {0, 100, 0, 0}; /* 0: greedy (argmax) */
  long v;
  /* temperature and top_k shape a distribution over tokens; a real-valued
   * model feeds its prediction back as it is */
  static const char *const token_only[] = {"temperature", "top_k", NULL};
  for (int i = 0; token_only[i]; i++) {
    const AstNode *k = find_key(s, token_only[i]);
    if (k && m->input.kind != IR_INPUT_TOKENS) {
      diag_error_hint(ck->diag, k->key_loc,
                      "real-valued models feed each prediction back unchanged",
                      "'%s' applies only to token outputs", token_only[i]);
      return -1;
    }
  }
  if (get_real(ck, s, "temperature", temp, 1.0, &sp->temperature) < 0)
    return -1;
  if (get_int(ck, s, "top_k", 0, m->output_units, 0, &v) < 0)
    return -1;
  sp->top_k = (int)v;
  if (get_int(ck, s, "length", 1, 100000000L, 100, &v) < 0)
    return -1;
  sp->length = (int)v;
  const AstNode *p = find_key(s, "prime");
  if (p) {
    if (want_scalar(ck, p))
      return -1;
    if (m->input.kind != IR_INPUT_TOKENS) {
      diag_error_hint(ck->diag, p->key_loc, "real-valued models start from a seed series",
                      "'prime' text needs token input");
      return -1;
    }
    if (p->kind == AST_NUMBER) {
      diag_error_hint(ck->diag, p->val_loc, "quote it: prime \"...\"",
                      "'prime' must be text, not a number");
      return -1;
    }
    sp->prime = malloc(p->text_len + 1);
    if (!sp->prime) {
      diag_file_error(ck->diag, "out of memory");
      return -1;
    }
    memcpy(sp->prime, p->text, p->text_len);
    sp->prime[p->text_len] = '\0';
    sp->prime_len = p->text_len;
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* file  = model                                                          */
/* model = "model" NAME { input layer+ [train] [sample] }                 */
/* ---------------------------------------------------------------------- */

static const char *const model_keys[] = {"input", "simple_rnn", "lstm", "gru", "dropout",
                                         "dense", "train", "sample", NULL};
static const char *const top_keys[] = {"model", NULL};

static int check_top(Checker *ck, const AstNode *file) {
  const AstNode *model = file;
  if (strcmp(model->key, "model") != 0) {
    const char *near = diag_suggest(model->key, top_keys);
    diag_error_hint(ck->diag, model->key_loc,
                    near ? "did you mean 'model'?" : "a spec is one 'model NAME { ... }' block",
                    "expected 'model', found '%s'", model->key);
    return -1;
  }
  if (model->kind != AST_BLOCK || !model->label) {
    diag_error_hint(ck->diag, model->key_loc, "write 'model NAME { ... }'",
                    "the model needs a name and a block");
    return -1;
  }
  if (model->next) {
    diag_error_hint(ck->diag, model->next->key_loc, "a spec describes one model",
                    "unexpected '%s' after the model block", model->next->key);
    return -1;
  }
  if (check_name(ck, model->label, model->label_loc, "model"))
    return -1;
  /* `lstm a b { ... }` reads as the pair `lstm a` and a block `b`: say so
   * rather than call `b` an unknown key */
  for (const AstNode *e = model->child; e && e->next; e = e->next) {
    if (e->kind == AST_NAME && in_list(e->key, layer_kinds) &&
        e->next->kind == AST_BLOCK && !in_list(e->next->key, model_keys)) {
      char hint[160];
      snprintf(hint, sizeof hint, "write '%s %s { ... }' or '%s %s { ... }'", e->key, e->text,
               e->key, e->next->key);
      diag_error_hint(ck->diag, e->next->key_loc, hint, "%s '%s' has a second name '%s'",
                      e->key, e->text, e->next->key);
      return -1;
    }
  }
  ck->model = model;
  snprintf(ck->m->name, sizeof ck->m->name, "%s", model->label);
  return check_keys(ck, model->child, "model", model_keys,
                    (const char *const[]){"simple_rnn", "lstm", "gru", "dropout", "dense",
                                          NULL},
                    NULL);
}

int check_model(Diag *diag, const AstNode *file, IrModel *out) {
  Checker ck;
  memset(&ck, 0, sizeof ck);
  memset(out, 0, sizeof *out);
  ck.diag = diag;
  ck.m = out;
  if (check_top(&ck, file))
    return -1;
  const AstNode *entries = ck.model->child;
  const AstNode *input = find_key(entries, "input");
  if (!input) {
    diag_error_hint(diag, ck.model->label_loc, "e.g. 'input { vocab 128 length 64 }'",
                    "model '%s' has no input block", out->name);
    return -1;
  }
  if (check_input(&ck, input) || check_layers(&ck, entries) ||
      check_train(&ck, find_key(entries, "train")) ||
      check_sample(&ck, find_key(entries, "sample"))) {
    ir_free(out);
    return -1;
  }
  ir_layout(out);
  return 0;
}
