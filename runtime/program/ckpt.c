/*
 * ckpt.c - checkpoints and parameter files (rnn_ckpt.h): an atomic save,
 * a load that checks everything before it touches its destination, and a
 * description for `info`.
 *
 * The container (header, sections, CRC) and the three sections every file
 * starts with (MODL, TENS, PARM) are rnn_format.h's, shared with the
 * kernels' own loader (rnn_weights.h). A checkpoint adds, in this order:
 *   OPTS  i64 optimizer step | f64 last norm | n_slots x n_params reals
 *   STAT  the state struct as reals: it holds nothing but rnn_real
 *         arrays (compiler/emit_header.c), so it can be written value by
 *         value instead of as host bytes
 *   RNGS  4 u64 (dropout) | 4 u64 (data order)
 *   VOCB  as in rnn_format.h. A vocabulary of size 0 is "none" (a model
 *         without tokens): its tables are written as -1, whatever the
 *         caller's hold
 *   CURS  i64 epoch | i64 position | i64 examples seen
 *   LOGS  i64 step | f64 best validation loss
 * (a double is its u64 bits, a long a two's-complement i64). A parameter
 * file ("RNNCPARM") is MODL, TENS, PARM and VOCB alone.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "rnn_ckpt.h"
#include "rnn_file.h"
#include "rnn_format.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  VOCB_BYTES = RNN_FMT_VOCB_BYTES,
  RNGS_BYTES = 8 * 8,
  CURS_BYTES = 3 * 8,
  LOGS_BYTES = 2 * 8,
  OPTS_HEAD_BYTES = 2 * 8 /* optimizer step, last norm */
};

/* A parameter file's sections, as rnn_fmt_params names them. */
enum { PARAMS_VOCB = RNN_FMT_PARM + 1 };

/* The checkpoint's sections, as rnn_fmt_checkpoint names them. */
enum {
  SEC_MODL = RNN_FMT_MODL,
  SEC_TENS = RNN_FMT_TENS,
  SEC_PARM = RNN_FMT_PARM,
  SEC_OPTS,
  SEC_STAT,
  SEC_RNGS,
  SEC_VOCB,
  SEC_CURS,
  SEC_LOGS,
  N_SECTIONS
};

/* What to do when the file belongs to another build of the model. */
#define ADVICE_OTHER_MODEL "use the program that saved it, or train this model from scratch"

/* ---------------------------------------------------------------------- */
/* The vocabulary                                                         */
/* ---------------------------------------------------------------------- */

/* Whether V can be saved exactly: its ids valid and its id -> byte table
 * the one the ids give, since only the ids are written. */
static int vocab_invalid_for_save(const RnnVocab *v, char *why, size_t cap) {
  if (v->size == 0) { /* none: only the padding id is kept */
    int32_t none[256];
    for (int b = 0; b < 256; b++) none[b] = -1;
    return rnn_fmt_vocab_ids_invalid(0, v->padding_id, none, why, cap);
  }
  if (rnn_fmt_vocab_ids_invalid(v->size, v->padding_id, v->id, why, cap))
    return 1;
  RnnVocab rebuilt;
  rnn_fmt_vocab_from_ids(&rebuilt, v->size, v->padding_id, v->id);
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
  rnn_fmt_store_u32(b, v);
  put_bytes(w, b, sizeof b);
}

static void put_u64(Writer *w, uint64_t v) {
  uint8_t b[8];
  rnn_fmt_store_u64(b, v);
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
    for (size_t i = 0; i < n; i++)
      rnn_fmt_store_real(w->data + w->len + i * sizeof(rnn_real), x[i]);
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
      rnn_fmt_store_real(w->data + w->len + i, v);
    }
  w->len += bytes;
}

/* Writes the tag and a length placeholder; returns where the length goes. */
static size_t begin_section(Writer *w, int s) {
  put_u32(w, rnn_fmt_tag(rnn_fmt_checkpoint.names[s]));
  size_t at = w->len;
  put_u64(w, 0);
  return at;
}

static void end_section(Writer *w, size_t length_at) {
  if (w->data)
    rnn_fmt_store_u64(w->data + length_at, (uint64_t)(w->len - length_at - 8));
}

/* Magic, version, precision, then MODL, TENS and PARM: how every file
 * starts. */
static void put_head(Writer *w, const RnnFmtKind *kind, const RnnModelDesc *d,
                     const rnn_real *params) {
  put_bytes(w, kind->magic, sizeof kind->magic);
  put_u32(w, kind->version);
  put_u32(w, (uint32_t)sizeof(rnn_real));

  size_t at = begin_section(w, SEC_MODL);
  put_string(w, d->name);
  put_string(w, d->spec_hash);
  put_u32(w, (uint32_t)d->length);
  put_u32(w, (uint32_t)d->batch);
  put_u64(w, (uint64_t)d->n_params);
  put_u32(w, (uint32_t)d->n_slots);
  end_section(w, at);

  at = begin_section(w, SEC_TENS);
  put_u32(w, (uint32_t)d->n_tensors);
  for (int i = 0; i < d->n_tensors; i++) {
    const RnnTensorDesc *t = &d->tensors[i];
    put_string(w, t->name);
    put_u32(w, (uint32_t)t->rows);
    put_u32(w, (uint32_t)t->cols);
    put_u64(w, (uint64_t)t->offset);
  }
  end_section(w, at);

  at = begin_section(w, SEC_PARM);
  put_reals(w, params, d->n_params);
  end_section(w, at);
}

static void put_crc(Writer *w) { put_u32(w, w->data ? rnn_crc32(0, w->data, w->len) : 0); }

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

/* The whole checkpoint: header, the nine sections, CRC. */
static void put_checkpoint(Writer *w, const RnnModelDesc *d, const RnnCkpt *c) {
  put_head(w, &rnn_fmt_checkpoint, d, c->params);

  size_t at = begin_section(w, SEC_OPTS);
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

  put_crc(w);
}

/* A parameter file: header, MODL, TENS, PARM, VOCB, CRC. */
static void put_params_file(Writer *w, const RnnModelDesc *d, const rnn_real *params,
                            const RnnVocab *v) {
  put_head(w, &rnn_fmt_params, d, params);
  put_vocab_section(w, v);
  put_crc(w);
}

/* ---------------------------------------------------------------------- */
/* Saving                                                                 */
/* ---------------------------------------------------------------------- */

/* Whether D can be written as a file the loaders accept back; a failure
 * is a bug in the caller, named in ERR. */
static int check_desc_saveable(const char *path, const RnnModelDesc *d, const rnn_real *params,
                               RnnError *err) {
  if (!d || !d->name || !d->spec_hash)
    return rnn_error_set(err, "%s: cannot save: no model description given", path);
  if (strlen(d->name) > RNN_FMT_MAX_NAME_BYTES || strlen(d->spec_hash) > RNN_FMT_MAX_NAME_BYTES)
    return rnn_error_set(err, "%s: cannot save: the model name or spec hash is over %d bytes", path,
                         RNN_FMT_MAX_NAME_BYTES);
  if (d->length < 0 || d->batch < 0 || d->n_slots < 0 || d->n_tensors < 0 ||
      (d->n_tensors > 0 && !d->tensors))
    return rnn_error_set(err, "%s: cannot save: the model description has negative sizes", path);
  if (d->n_params > 0 && !params)
    return rnn_error_set(err, "%s: cannot save: parameters, optimizer slots or state missing",
                         path);
  for (int i = 0; i < d->n_tensors; i++) {
    const RnnTensorDesc *t = &d->tensors[i];
    if (!t->name || strlen(t->name) > RNN_FMT_MAX_NAME_BYTES || t->rows < 0 || t->cols < 0 ||
        t->offset > d->n_params || (size_t)t->rows * (size_t)t->cols > d->n_params - t->offset)
      return rnn_error_set(err, "%s: cannot save: tensor %d of the model description is invalid",
                           path, i);
  }
  return 0;
}

/* check_desc_saveable, and the rest of C. */
static int check_saveable(const char *path, const RnnModelDesc *d, const RnnCkpt *c,
                          RnnError *err) {
  char why[160];
  if (!c)
    return rnn_error_set(err, "%s: cannot save: no model description or checkpoint given", path);
  if (check_desc_saveable(path, d, c->params, err) != 0)
    return -1;
  if ((d->n_slots > 0 && d->n_params > 0 && !c->slots) || (d->state_size > 0 && !c->state))
    return rnn_error_set(err, "%s: cannot save: parameters, optimizer slots or state missing",
                         path);
  if (d->state_size % sizeof(rnn_real) != 0)
    return rnn_error_set(err,
                         "%s: cannot save: the model's state (%zu bytes) is not a whole number "
                         "of reals",
                         path, d->state_size);
  if (vocab_invalid_for_save(&c->vocab, why, sizeof why))
    return rnn_error_set(err, "%s: cannot save: the vocabulary is inconsistent: %s", path, why);
  return 0;
}

/* Contract: see rnn_ckpt.h. */
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
    rc = rnn_ckpt_save_manifest(path, d, c, err);
  return rc;
}

/* Contract: see rnn_ckpt.h. */
int rnn_params_save(const char *path, const RnnModelDesc *d, const rnn_real *params,
                    const RnnVocab *vocab, RnnError *err) {
  char why[160];
  if (check_desc_saveable(path, d, params, err) != 0)
    return -1;
  if (!vocab || vocab_invalid_for_save(vocab, why, sizeof why))
    return rnn_error_set(err, "%s: cannot save: the vocabulary is inconsistent: %s", path,
                         vocab ? why : "none given");
  Writer w = {NULL, 0};
  put_params_file(&w, d, params, vocab); /* counts only */
  w.data = malloc(w.len);
  if (!w.data)
    return rnn_error_set(err, "%s: cannot save: out of memory for %zu bytes", path, w.len);
  w.len = 0;
  put_params_file(&w, d, params, vocab);
  int rc = rnn_write_atomically(path, w.data, w.len, err);
  free(w.data);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Checkpoint sections                                                    */
/* ---------------------------------------------------------------------- */

/* Everything a check or a description needs besides the arrays. */
typedef struct Contents {
  RnnFmtModel m;
  size_t state_bytes;
  long opt_step, epoch, position, examples_seen, step;
  double last_norm, best_valid;
  RnnRng dropout_rng, data_rng;
  RnnVocab vocab;
} Contents;

/* OPTS and STAT hold exactly the reals MODL announces. */
static int check_array_sections(const RnnFmtFile *f, Contents *k, RnnError *err) {
  uint64_t rs = f->real_size;
  if (rnn_fmt_expect_length(f, SEC_OPTS, OPTS_HEAD_BYTES + k->m.n_slots * k->m.n_params * rs,
                            err) != 0)
    return -1;
  if (f->sec[SEC_STAT].len % rs != 0)
    return rnn_fmt_malformed(f, SEC_STAT, f->sec[SEC_STAT].payload, "not a whole number of reals",
                             err);
  k->state_bytes = f->sec[SEC_STAT].len;
  return 0;
}

/* A long from the file, refused where long is narrower than 64 bits. */
static int get_long(RnnFmtReader *r, long *out) {
  int64_t v = rnn_fmt_get_i64(r);
#if LONG_MAX < INT64_MAX
  if (v < LONG_MIN || v > LONG_MAX)
    return -1;
#endif
  *out = (long)v;
  return 0;
}

static int read_counters(const RnnFmtFile *f, Contents *k, RnnError *err) {
  RnnFmtReader opts = rnn_fmt_reader(f, SEC_OPTS);
  RnnFmtReader curs = rnn_fmt_reader(f, SEC_CURS);
  RnnFmtReader logs = rnn_fmt_reader(f, SEC_LOGS);
  int too_big = get_long(&opts, &k->opt_step);
  k->last_norm = rnn_fmt_get_f64(&opts);
  too_big |= get_long(&curs, &k->epoch);
  too_big |= get_long(&curs, &k->position);
  too_big |= get_long(&curs, &k->examples_seen);
  too_big |= get_long(&logs, &k->step);
  k->best_valid = rnn_fmt_get_f64(&logs);
  if (too_big)
    return rnn_error_set(err, "%s: a counter does not fit this machine's long", f->path);
  return 0;
}

static int read_rngs(const RnnFmtFile *f, Contents *k) {
  RnnFmtReader r = rnn_fmt_reader(f, SEC_RNGS);
  for (int i = 0; i < 4; i++)
    k->dropout_rng.s[i] = rnn_fmt_get_u64(&r);
  for (int i = 0; i < 4; i++)
    k->data_rng.s[i] = rnn_fmt_get_u64(&r);
  return 0;
}

/* Every structural check of a checkpoint already in memory, for load and
 * describe alike; fills K. */
static int check_file(RnnFmtFile *f, uint32_t want_real_size, Contents *k, RnnError *err) {
  if (rnn_fmt_open(f, want_real_size, err) != 0 || rnn_fmt_read_model(f, &k->m, err) != 0)
    return -1;
  if (f->kind != &rnn_fmt_checkpoint) /* a parameter file: MODL TENS PARM VOCB */
    return rnn_fmt_expect_length(f, PARAMS_VOCB, VOCB_BYTES, err) ||
                   rnn_fmt_read_vocab(f, PARAMS_VOCB, &k->vocab, err)
               ? -1
               : 0;
  if (check_array_sections(f, k, err) != 0 || rnn_fmt_expect_length(f, SEC_RNGS, RNGS_BYTES, err) ||
      rnn_fmt_expect_length(f, SEC_VOCB, VOCB_BYTES, err) ||
      rnn_fmt_expect_length(f, SEC_CURS, CURS_BYTES, err) ||
      rnn_fmt_expect_length(f, SEC_LOGS, LOGS_BYTES, err))
    return -1;
  return read_counters(f, k, err) || read_rngs(f, k) || rnn_fmt_read_vocab(f, SEC_VOCB, &k->vocab, err) ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Loading                                                                */
/* ---------------------------------------------------------------------- */

static int check_size(const RnnFmtFile *f, const char *what, uint64_t theirs, uint64_t ours,
                      RnnError *err) {
  return rnn_fmt_check_size(f, what, theirs, ours, ADVICE_OTHER_MODEL, err);
}

/* Token ids index the model's embedding or one-hot input: the vocabulary
 * must fit the model's vocab (rnn_vocab_build keeps it so). */
static int check_vocab_fits(const RnnFmtFile *f, const Contents *k, const RnnModelDesc *d,
                            RnnError *err) {
  if (!d->tokens || k->vocab.size <= d->vocab)
    return 0;
  return rnn_error_set(err,
                       "%s: the checkpoint's vocabulary has %d ids, the model's vocab is %d: it "
                       "was saved by another build of the model; " ADVICE_OTHER_MODEL,
                       f->path, k->vocab.size, d->vocab);
}

static int check_sizes(const RnnFmtFile *f, const Contents *k, const RnnModelDesc *d,
                       RnnError *err) {
  const RnnFmtModel *m = &k->m;
  return check_size(f, "sequence length T", m->length, (uint64_t)d->length, err) ||
                 check_size(f, "batch size B", m->batch, (uint64_t)d->batch, err) ||
                 check_size(f, "parameter count", m->n_params, d->n_params, err) ||
                 check_size(f, "optimizer slot count", m->n_slots, (uint64_t)d->n_slots, err) ||
                 check_size(f, "recurrent state size in bytes", k->state_bytes, d->state_size,
                            err) ||
                 check_size(f, "tensor count", m->n_tensors, (uint64_t)d->n_tensors, err) ||
                 check_vocab_fits(f, k, d, err)
             ? -1
             : 0;
}

static void copy_state(const uint8_t *p, size_t bytes, void *state) {
  unsigned char *s = state;
  for (size_t i = 0; i < bytes; i += sizeof(rnn_real)) {
    rnn_real v;
    rnn_fmt_load_reals(p + i, sizeof(rnn_real), 1, &v);
    memcpy(s + i, &v, sizeof v);
  }
}

/* Moves a fully validated file into C (arrays sized by D). */
static void copy_into(const RnnFmtFile *f, const Contents *k, const RnnModelDesc *d, RnnCkpt *c) {
  uint32_t rs = f->real_size;
  rnn_fmt_load_reals(f->buf + f->sec[SEC_PARM].payload, rs, d->n_params, c->params);
  rnn_fmt_load_reals(f->buf + f->sec[SEC_OPTS].payload + OPTS_HEAD_BYTES, rs,
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
  uint8_t *buf;
  RnnFmtFile f = {.path = path, .kind = &rnn_fmt_checkpoint};
  Contents k;
  memset(&k, 0, sizeof k);
  int rc = rnn_fmt_read_path(path, "checkpoint", &buf, &f.size, err);
  f.buf = buf;
  if (rc == 0)
    rc = check_file(&f, (uint32_t)sizeof(rnn_real), &k, err);
  if (rc == 0)
    rc = rnn_fmt_check_identity(&f, &k.m, d, 1, ADVICE_OTHER_MODEL, err) ||
                 check_sizes(&f, &k, d, err) ||
                 rnn_fmt_check_tensors(&f, d, ADVICE_OTHER_MODEL, err)
             ? -1
             : 0;
  if (rc == 0)
    copy_into(&f, &k, d, c);
  free(buf);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Describing                                                             */
/* ---------------------------------------------------------------------- */

static void print_tensors(FILE *out, const RnnFmtFile *f) {
  RnnFmtReader r = rnn_fmt_reader(f, SEC_TENS);
  uint32_t n = rnn_fmt_get_u32(&r);
  for (uint32_t i = 0; i < n; i++) {
    char name[80];
    RnnFmtBytes b = rnn_fmt_get_string(&r);
    uint32_t rows = rnn_fmt_get_u32(&r), cols = rnn_fmt_get_u32(&r);
    uint64_t offset = rnn_fmt_get_u64(&r);
    fprintf(out, "  %-28s [%u][%u]  offset %llu\n", rnn_fmt_printable(b.p, b.n, name, sizeof name),
            (unsigned)rows, (unsigned)cols, (unsigned long long)offset);
  }
}

/* What a checkpoint holds besides its model: counters and vocabulary. */
static void print_training(FILE *out, const Contents *k) {
  fprintf(out, "step           %ld\n", k->step);
  fprintf(out, "epoch          %ld (position %ld, %ld examples seen)\n", k->epoch, k->position,
          k->examples_seen);
  fprintf(out, "optimizer      step %ld, %u slots per parameter\n", k->opt_step,
          (unsigned)k->m.n_slots);
  if (isinf(k->best_valid) && k->best_valid > 0)
    fprintf(out, "best valid     none\n");
  else
    fprintf(out, "best valid     %.6g\n", k->best_valid);
}

static void print_description(FILE *out, const RnnFmtFile *f, const Contents *k) {
  char name[RNN_FMT_MAX_NAME_BYTES + 4], hash[RNN_FMT_MAX_NAME_BYTES + 4];
  const RnnFmtModel *m = &k->m;
  fprintf(out, "%-15s%s\n", f->kind->what, f->path);
  fprintf(out, "model          %s\n", rnn_fmt_printable(m->name.p, m->name.n, name, sizeof name));
  fprintf(out, "spec hash      %s\n", rnn_fmt_printable(m->hash.p, m->hash.n, hash, sizeof hash));
  fprintf(out, "format         %u\n", (unsigned)f->kind->version);
  fprintf(out, "precision      %s\n", f->real_size == 8 ? "double" : "float");
  if (f->kind == &rnn_fmt_checkpoint)
    print_training(out, k);
  fprintf(out, "vocabulary     %d ids\n", k->vocab.size);
  fprintf(out, "shape          T %u, B %u\n", (unsigned)m->length, (unsigned)m->batch);
  fprintf(out, "parameters     %llu in %u tensors\n", (unsigned long long)m->n_params,
          (unsigned)m->n_tensors);
  print_tensors(out, f);
}

/* Checks PATH, a checkpoint or a parameter file, as the loaders do but
 * against no model (either precision is accepted) and prints its
 * identity, counters and tensor table to OUT_FILE (a FILE *; NULL:
 * stdout). Returns 0, or -1 with ERR. */
int rnn_ckpt_describe(const char *path, void *out_file, RnnError *err) {
  uint8_t *buf;
  RnnFmtFile f = {.path = path};
  Contents k;
  memset(&k, 0, sizeof k);
  int rc = rnn_fmt_read_path(path, "checkpoint", &buf, &f.size, err);
  f.buf = buf;
  if (rc == 0) {
    f.kind = rnn_fmt_kind_of(buf, f.size);
    if (!f.kind)
      f.kind = &rnn_fmt_checkpoint; /* its message: not a checkpoint */
    rc = check_file(&f, 0, &k, err);
  }
  if (rc == 0)
    print_description(out_file ? (FILE *)out_file : stdout, &f, &k);
  free(buf);
  return rc;
}
