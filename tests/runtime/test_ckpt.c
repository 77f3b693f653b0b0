/*
 * test_ckpt.c - checkpoints (runtime/program/ckpt.c): bit-exact round trips, the
 * file layout of rnn_ckpt.h, the YAML manifest, atomic saves, and every
 * error with its message text.
 *
 * The model is a hand-built description with two small tensors; the test
 * reads and patches the files with its own little-endian walker, so the
 * layout is checked against the header, not against ckpt.c's code.
 * Built twice by CMake (float and -DRNN_REAL_DOUBLE). Every check prints
 * one line; the run ends with "N passed, M failed" and exits nonzero on
 * any failure. Files go to a fresh directory under $TMPDIR (or /tmp),
 * removed at the end.
 */
#include "rnn_ckpt.h"
#include "test_files.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include <zlib.h>

#ifdef RNN_REAL_DOUBLE
static const char PRECISION[] = "double";
static const char OTHER_PRECISION[] = "float";
#else
static const char PRECISION[] = "float";
static const char OTHER_PRECISION[] = "double";
#endif

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* Names in DIR (without . and ..), joined by spaces; "" when empty. */
static void list_dir(const char *dir, char *out, size_t cap) {
  out[0] = '\0';
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    size_t used = strlen(out);
    snprintf(out + used, cap - used, "%s%s", used ? " " : "", e->d_name);
  }
  closedir(d);
}

/* Removes DIR and everything in it (two levels are all the test makes). */
static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  char path[4096];
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      chmod(path, 0700);
      remove_tree(path);
    } else {
      remove(path);
    }
  }
  closedir(d);
  rmdir(dir);
}

/* ---------------------------------------------------------------------- */
/* Little-endian access and the file's structure, independent of ckpt.c    */
/* ---------------------------------------------------------------------- */

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static void put_le32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v) {
  put_le32(p, (uint32_t)v);
  put_le32(p + 4, (uint32_t)(v >> 32));
}

static void fix_crc(Buf *b) {
  put_le32(b->p + b->n - 4, (uint32_t)crc32(0L, b->p, (uInt)(b->n - 4)));
}

enum { MAX_SECTIONS = 16 };

typedef struct Layout {
  int n;
  char tag[MAX_SECTIONS][5];
  size_t at[MAX_SECTIONS], len[MAX_SECTIONS];
  int ok; /* sections tile the file exactly up to the CRC */
} Layout;

static Layout layout_of(const Buf *b) {
  Layout l;
  memset(&l, 0, sizeof l);
  size_t pos = 16;
  while (pos + 12 <= b->n - 4 && l.n < MAX_SECTIONS) {
    memcpy(l.tag[l.n], b->p + pos, 4);
    l.at[l.n] = pos;
    l.len[l.n] = (size_t)le64(b->p + pos + 4);
    pos += 12 + l.len[l.n];
    l.n++;
  }
  l.ok = pos == b->n - 4;
  return l;
}

static int section_index(const Layout *l, const char *tag) {
  for (int i = 0; i < l->n; i++)
    if (strcmp(l->tag[i], tag) == 0)
      return i;
  return -1;
}

/* ---------------------------------------------------------------------- */
/* The toy model                                                          */
/* ---------------------------------------------------------------------- */

enum { TOY_PARAMS = 9, TOY_SLOTS = 2, TOY_STATE_REALS = 4 };

static const RnnTensorDesc TOY_TENSORS[] = {{"rnn.weight_ih", 3, 2, 0}, {"rnn.bias", 3, 1, 6}};
static const char TOY_HASH[] = "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";
static const char OTHER_HASH[] = "91ab00002233445566778899aabbccddeeff00112233445566778899aabbccdd";
/* the same first 8 characters as TOY_HASH: the message must show more */
static const char NEAR_HASH[] = "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2b";

static RnnModelDesc toy_desc(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.abi = RNN_ABI;
  d.name = "toy";
  d.spec_hash = TOY_HASH;
  d.length = 5;
  d.batch = 2;
  d.tokens = 1;
  d.vocab = 16;
  d.out_units = 16;
  d.n_params = TOY_PARAMS;
  d.n_tensors = 2;
  d.tensors = TOY_TENSORS;
  d.n_slots = TOY_SLOTS;
  d.state_size = TOY_STATE_REALS * sizeof(rnn_real);
  return d;
}

/* A checkpoint's storage with C pointing into it (bind after copying). */
typedef struct Toy {
  rnn_real params[TOY_PARAMS];
  rnn_real slots[TOY_SLOTS * TOY_PARAMS];
  unsigned char state[TOY_STATE_REALS * sizeof(rnn_real)];
  RnnCkpt c;
} Toy;

static void toy_bind(Toy *t) {
  t->c.params = t->params;
  t->c.slots = t->slots;
  t->c.state = t->state;
}

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* Any bit pattern (NaN payloads, infinities, subnormals) except signaling
 * NaNs, which some ABIs quiet when a value is returned. */
static rnn_real real_from_bits(uint64_t r) {
  rnn_real v;
#ifdef RNN_REAL_DOUBLE
  uint64_t bits = r;
  if ((bits & 0x7ff0000000000000u) == 0x7ff0000000000000u && (bits & 0x000fffffffffffffu))
    bits |= 0x0008000000000000u;
#else
  uint32_t bits = (uint32_t)r;
  if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu))
    bits |= 0x00400000u;
#endif
  memcpy(&v, &bits, sizeof v);
  return v;
}

/* Ids 0, 1, ... to BYTES (ascending) skipping PADDING_ID, as
 * rnn_vocab_build numbers them. */
static void build_vocab(RnnVocab *v, const uint8_t *bytes, int n, int padding_id) {
  for (int i = 0; i < 256; i++) v->id[i] = -1, v->byte[i] = -1;
  int next = 0;
  for (int i = 0; i < n; i++) {
    if (next == padding_id)
      next++;
    v->id[bytes[i]] = next;
    v->byte[next] = bytes[i];
    next++;
  }
  v->size = next > padding_id ? next : padding_id + 1;
  v->padding_id = padding_id;
}

static const uint8_t VOCAB_BYTES[] = {0x00, '\t', '\n', ' ', '"', '\\', 'a',
                                      'b',  'z',  0x7f, 0x85, 0xe9, 0xff};

static void toy_fill(Toy *t, uint64_t seed, double best_valid) {
  memset(t, 0, sizeof *t);
  toy_bind(t);
  uint64_t s = seed;
  for (int i = 0; i < TOY_PARAMS; i++) t->params[i] = real_from_bits(splitmix(&s));
  for (int i = 0; i < TOY_SLOTS * TOY_PARAMS; i++) t->slots[i] = real_from_bits(splitmix(&s));
  for (int i = 0; i < TOY_STATE_REALS; i++) {
    rnn_real v = real_from_bits(splitmix(&s));
    memcpy(t->state + i * sizeof v, &v, sizeof v);
  }
  t->params[0] = (rnn_real)-0.0;
  t->params[1] = (rnn_real)HUGE_VAL;
  t->params[2] = real_from_bits(1); /* the smallest subnormal */
  t->c.opt_step = 123456789012L;
  t->c.last_norm = 0.1;
  for (int i = 0; i < 4; i++) {
    t->c.dropout_rng.s[i] = splitmix(&s);
    t->c.data_rng.s[i] = splitmix(&s) | 0x8000000000000000u;
  }
  build_vocab(&t->c.vocab, VOCAB_BYTES, (int)sizeof VOCAB_BYTES, 0);
  t->c.epoch = 7;
  t->c.position = -3;
  t->c.examples_seen = 0x7fffffffL;
  t->c.step = 123456789013L;
  t->c.best_valid = best_valid;
}

/* Fills a destination with a pattern no checkpoint holds. */
static void toy_garbage(Toy *t) {
  memset(t, 0xab, sizeof *t);
  toy_bind(t);
}

/* Which field of A and B differs (bits), or NULL. */
static const char *toy_difference(const Toy *a, const Toy *b) {
  if (memcmp(a->params, b->params, sizeof a->params))
    return "params";
  if (memcmp(a->slots, b->slots, sizeof a->slots))
    return "slots";
  if (memcmp(a->state, b->state, sizeof a->state))
    return "state";
  if (a->c.opt_step != b->c.opt_step)
    return "opt_step";
  if (memcmp(&a->c.last_norm, &b->c.last_norm, sizeof(double)))
    return "last_norm";
  if (memcmp(&a->c.dropout_rng, &b->c.dropout_rng, sizeof(RnnRng)))
    return "dropout_rng";
  if (memcmp(&a->c.data_rng, &b->c.data_rng, sizeof(RnnRng)))
    return "data_rng";
  if (a->c.vocab.size != b->c.vocab.size || a->c.vocab.padding_id != b->c.vocab.padding_id ||
      memcmp(a->c.vocab.id, b->c.vocab.id, sizeof a->c.vocab.id) ||
      memcmp(a->c.vocab.byte, b->c.vocab.byte, sizeof a->c.vocab.byte))
    return "vocab";
  if (a->c.epoch != b->c.epoch || a->c.position != b->c.position ||
      a->c.examples_seen != b->c.examples_seen)
    return "cursor";
  if (a->c.step != b->c.step)
    return "step";
  if (memcmp(&a->c.best_valid, &b->c.best_valid, sizeof(double)))
    return "best_valid";
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Test context                                                           */
/* ---------------------------------------------------------------------- */

typedef struct Ctx {
  Tally tally;
  char dir[256];
  char good[300]; /* a valid checkpoint of the toy model */
  Buf good_bytes;
  RnnModelDesc desc;
  Toy saved; /* what GOOD holds */
} Ctx;

static void path_in(const Ctx *x, const char *name, char *out, size_t cap) {
  snprintf(out, cap, "%s/%s", x->dir, name);
}

/* Loads PATH with DESC into a garbage-filled destination and checks the
 * message and that the destination is untouched. */
static void expect_load_error(Ctx *x, const char *name, const char *path,
                              const RnnModelDesc *desc, const char *want) {
  Toy dst, before;
  RnnError err = {{0}};
  toy_garbage(&dst);
  toy_garbage(&before);
  int rc = rnn_ckpt_load(path, desc, &dst.c, &err);
  check_message(&x->tally, name, rc, &err, want);
  check(&x->tally, "  ... and the destination is unchanged",
        memcmp(dst.params, before.params, sizeof dst.params) == 0 &&
            memcmp(dst.state, before.state, sizeof dst.state) == 0 &&
            dst.c.step == before.c.step && dst.c.vocab.size == before.c.vocab.size,
        NULL);
}

/* Loads the bytes B (written to a scratch file) with the toy model. */
static int load_bytes(Ctx *x, const Buf *b, RnnError *err) {
  char path[320];
  Toy dst;
  path_in(x, "scratch.ckpt", path, sizeof path);
  write_file(path, b->p, b->n);
  toy_garbage(&dst);
  return rnn_ckpt_load(path, &x->desc, &dst.c, err);
}

/* A copy with 16 zero bytes of room to grow. */
static Buf copy_of(const Buf *b) {
  Buf c = {calloc(b->n + 16, 1), b->n};
  memcpy(c.p, b->p, b->n);
  return c;
}

/* ---------------------------------------------------------------------- */
/* Round trips and layout                                                 */
/* ---------------------------------------------------------------------- */

static void test_round_trip(Ctx *x, double best_valid, const char *label) {
  char name[160];
  Toy src, dst;
  RnnError err = {{0}};
  toy_fill(&src, 42, best_valid);
  int rc = rnn_ckpt_save(x->good, &x->desc, &src.c, &err);
  snprintf(name, sizeof name, "save (%s, best_valid %s)", PRECISION, label);
  check(&x->tally, name, rc == 0, "%s", err.msg);
  toy_garbage(&dst);
  rc = rnn_ckpt_load(x->good, &x->desc, &dst.c, &err);
  const char *diff = rc == 0 ? toy_difference(&src, &dst) : "load failed";
  snprintf(name, sizeof name,
           "load gives back every field bit-exactly (params, slots, state, RNGs, vocab, "
           "cursor, step, best_valid %s)",
           label);
  check(&x->tally, name, diff == NULL, "%s %s", diff ? diff : "", err.msg);
  x->saved = src;
  toy_bind(&x->saved);
}

static void test_layout(Ctx *x) {
  const Buf *b = &x->good_bytes;
  static const char *const order[] = {"MODL", "TENS", "PARM", "OPTS", "STAT",
                                      "RNGS", "VOCB", "CURS", "LOGS"};
  Layout l = layout_of(b);
  int in_order = l.ok && l.n == 9;
  for (int i = 0; in_order && i < 9; i++) in_order = strcmp(l.tag[i], order[i]) == 0;
  check(&x->tally, "layout: magic \"RNNCKPT\\0\", u32 version 1, u32 sizeof(rnn_real)",
        b->n > 16 && memcmp(b->p, "RNNCKPT", 8) == 0 && le32(b->p + 8) == 1 &&
            le32(b->p + 12) == sizeof(rnn_real),
        NULL);
  check(&x->tally, "layout: sections MODL TENS PARM OPTS STAT RNGS VOCB CURS LOGS tile the file",
        in_order, "found %d sections, tiling %s", l.n, l.ok ? "ok" : "broken");
  check(&x->tally, "layout: the last u32 is zlib's CRC-32 of everything before it",
        le32(b->p + b->n - 4) == (uint32_t)crc32(0L, b->p, (uInt)(b->n - 4)), NULL);
  int parm = section_index(&l, "PARM"), logs = section_index(&l, "LOGS");
  int parm_ok = parm >= 0 && l.len[parm] == TOY_PARAMS * sizeof(rnn_real);
  for (int i = 0; parm_ok && i < TOY_PARAMS; i++) {
    const uint8_t *p = b->p + l.at[parm] + 12 + (size_t)i * sizeof(rnn_real);
    uint64_t got = sizeof(rnn_real) == 8 ? le64(p) : le32(p), want;
    if (sizeof(rnn_real) == 8) {
      memcpy(&want, &x->saved.params[i], 8);
    } else {
      uint32_t w32;
      memcpy(&w32, &x->saved.params[i], 4);
      want = w32;
    }
    parm_ok = got == want;
  }
  check(&x->tally, "layout: PARM holds the n_params reals' IEEE bits, little-endian", parm_ok,
        NULL);
  uint64_t step = logs >= 0 ? le64(b->p + l.at[logs] + 12) : 0;
  check(&x->tally, "layout: LOGS starts with the step as a little-endian i64",
        step == (uint64_t)x->saved.c.step, "step %llu", (unsigned long long)step);
}

static void test_empty_vocab(Ctx *x) {
  char path[320];
  Toy src, dst;
  RnnError err = {{0}};
  path_in(x, "novocab.ckpt", path, sizeof path);
  toy_fill(&src, 7, 1.0);
  memset(&src.c.vocab, 0, sizeof src.c.vocab); /* a model without tokens */
  src.c.vocab.padding_id = -1;
  int rc = rnn_ckpt_save(path, &x->desc, &src.c, &err);
  toy_garbage(&dst);
  if (rc == 0)
    rc = rnn_ckpt_load(path, &x->desc, &dst.c, &err);
  int none = rc == 0 && dst.c.vocab.size == 0 && dst.c.vocab.padding_id == -1;
  for (int b = 0; none && b < 256; b++) none = dst.c.vocab.id[b] == -1 && dst.c.vocab.byte[b] == -1;
  check(&x->tally, "a vocabulary of size 0 (zeroed tables) saves and loads as none (all -1)",
        none, "%s", err.msg);
}

/* Vocabularies as rnn_vocab_build makes them: the size covers a padding
 * id above the bytes' ids, and with all 256 bytes plus padding an id (256)
 * has no slot in the id -> byte table. */
static void test_vocab_shapes(Ctx *x) {
  char path[320], want[1200];
  path_in(x, "vocab.ckpt", path, sizeof path);
  RnnModelDesc wide = x->desc;
  wide.vocab = 300;
  static const uint8_t three[] = {'a', 'b', 'c'};
  for (int shape = 0; shape < 2; shape++) {
    Toy src, dst;
    RnnError err = {{0}};
    toy_fill(&src, 9, 2.0);
    if (shape == 0) {
      build_vocab(&src.c.vocab, three, 3, -1);
      src.c.vocab.padding_id = 30; /* reserved above the bytes */
      src.c.vocab.size = 31;
    } else {
      for (int i = 0; i < 256; i++) src.c.vocab.id[i] = -1, src.c.vocab.byte[i] = -1;
      for (int b = 0; b < 256; b++) {
        src.c.vocab.id[b] = b + 1;
        if (b + 1 < 256)
          src.c.vocab.byte[b + 1] = (int16_t)b;
      }
      src.c.vocab.padding_id = 0;
      src.c.vocab.size = 257;
    }
    int rc = rnn_ckpt_save(path, &wide, &src.c, &err);
    toy_garbage(&dst);
    if (rc == 0)
      rc = rnn_ckpt_load(path, &wide, &dst.c, &err);
    const char *diff = rc == 0 ? toy_difference(&src, &dst) : "load failed";
    check(&x->tally,
          shape == 0 ? "vocabulary with the padding id (30) above its 3 bytes: exact round trip"
                     : "vocabulary of all 256 bytes plus padding id 0 (size 257): exact round trip",
          diff == NULL, "%s %s", diff ? diff : "", err.msg);
  }
  snprintf(want, sizeof want,
           "%s: the checkpoint's vocabulary has 257 ids, the model's vocab is 16: it was saved "
           "by another build of the model; use the program that saved it, or train this model "
           "from scratch",
           path);
  expect_load_error(x, "a vocabulary larger than the model's vocab", path, &x->desc, want);

  Toy bad;
  RnnError err = {{0}};
  toy_fill(&bad, 3, 1.0);
  bad.c.vocab.byte[2] = 'q';
  int rc = rnn_ckpt_save(path, &x->desc, &bad.c, &err);
  snprintf(want, sizeof want,
           "%s: cannot save: the vocabulary is inconsistent: id 2 maps to byte 113, but no byte "
           "maps to it that way",
           path);
  check_message(&x->tally, "save refuses an inconsistent vocabulary", rc, &err, want);
}

/* ---------------------------------------------------------------------- */
/* Manifest                                                               */
/* ---------------------------------------------------------------------- */

static const yaml_node_t *yaml_lookup(yaml_document_t *doc, const yaml_node_t *map,
                                      const char *key) {
  if (!map || map->type != YAML_MAPPING_NODE)
    return NULL;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
       p++) {
    const yaml_node_t *k = yaml_document_get_node(doc, p->key);
    if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
      return yaml_document_get_node(doc, p->value);
  }
  return NULL;
}

static int scalar_is(const yaml_node_t *n, const char *want) {
  return n && n->type == YAML_SCALAR_NODE && strcmp((const char *)n->data.scalar.value, want) == 0;
}

/* Latin-1 characters (as the manifest writes the vocabulary) back to bytes. */
static int decode_latin1(const yaml_node_t *n, uint8_t *out, int cap) {
  if (!n || n->type != YAML_SCALAR_NODE)
    return -1;
  const uint8_t *s = n->data.scalar.value;
  size_t len = n->data.scalar.length;
  int count = 0;
  for (size_t i = 0; i < len && count < cap; i++) {
    if (s[i] < 0x80)
      out[count++] = s[i];
    else if ((s[i] & 0xe0) == 0xc0 && i + 1 < len)
      out[count++] = (uint8_t)((s[i] & 0x1f) << 6 | (s[i + 1] & 0x3f)), i++;
    else
      return -1;
  }
  return count;
}

static void test_manifest(Ctx *x) {
  char path[320], name[200];
  snprintf(path, sizeof path, "%s.yaml", x->good);
  Buf b = read_file(path);
  check(&x->tally, "manifest PATH.yaml exists", b.p != NULL && b.n > 0, "%s", path);
  if (!b.p)
    return;
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, b.p, b.n);
  int parsed = yaml_parser_load(&parser, &doc);
  check(&x->tally, "manifest parses with libyaml", parsed, "%s",
        parser.problem ? parser.problem : "");
  if (parsed) {
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    char n_real[8], step[32];
    snprintf(n_real, sizeof n_real, "%d", (int)sizeof(rnn_real));
    snprintf(step, sizeof step, "%ld", x->saved.c.step);
    check(&x->tally, "manifest: model, spec_hash, format_version, real_bytes, step",
          scalar_is(yaml_lookup(&doc, root, "model"), "toy") &&
              scalar_is(yaml_lookup(&doc, root, "spec_hash"), TOY_HASH) &&
              scalar_is(yaml_lookup(&doc, root, "format_version"), "1") &&
              scalar_is(yaml_lookup(&doc, root, "real_bytes"), n_real) &&
              scalar_is(yaml_lookup(&doc, root, "step"), step) &&
              scalar_is(yaml_lookup(&doc, root, "epoch"), "7") &&
              scalar_is(yaml_lookup(&doc, root, "optimizer_step"), "123456789012"),
          "%.*s", (int)b.n, (const char *)b.p);
    check(&x->tally, "manifest: best_valid_loss is null for HUGE_VAL (none)",
          scalar_is(yaml_lookup(&doc, root, "best_valid_loss"), "null"), NULL);
    uint8_t bytes[256];
    int n = decode_latin1(yaml_lookup(&doc, root, "vocab_bytes"), bytes, 256);
    check(&x->tally, "manifest: vocab_size and the vocabulary's bytes in id order (escaped)",
          scalar_is(yaml_lookup(&doc, root, "vocab_size"), "14") &&
              n == (int)sizeof VOCAB_BYTES && memcmp(bytes, VOCAB_BYTES, sizeof VOCAB_BYTES) == 0,
          "%d bytes", n);
    const yaml_node_t *tensors = yaml_lookup(&doc, root, "tensors");
    int ok = tensors && tensors->type == YAML_SEQUENCE_NODE &&
             tensors->data.sequence.items.top - tensors->data.sequence.items.start == 2;
    for (int i = 0; ok && i < 2; i++) {
      const yaml_node_t *t = yaml_document_get_node(&doc, tensors->data.sequence.items.start[i]);
      const yaml_node_t *shape = yaml_lookup(&doc, t, "shape");
      char rows[16], cols[16], offset[24];
      snprintf(rows, sizeof rows, "%d", TOY_TENSORS[i].rows);
      snprintf(cols, sizeof cols, "%d", TOY_TENSORS[i].cols);
      snprintf(offset, sizeof offset, "%zu", TOY_TENSORS[i].offset);
      ok = scalar_is(yaml_lookup(&doc, t, "name"), TOY_TENSORS[i].name) &&
           scalar_is(yaml_lookup(&doc, t, "offset"), offset) && shape &&
           shape->type == YAML_SEQUENCE_NODE &&
           scalar_is(yaml_document_get_node(&doc, shape->data.sequence.items.start[0]), rows) &&
           scalar_is(yaml_document_get_node(&doc, shape->data.sequence.items.start[1]), cols);
    }
    snprintf(name, sizeof name, "manifest: the tensor table (name, shape, offset)");
    check(&x->tally, name, ok, NULL);
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  free(b.p);
}

/* ---------------------------------------------------------------------- */
/* Atomicity and save failures                                            */
/* ---------------------------------------------------------------------- */

static void test_no_leftovers(Ctx *x) {
  char listing[2048];
  list_dir(x->dir, listing, sizeof listing);
  check(&x->tally, "no .tmp file is left after saves", strstr(listing, ".tmp") == NULL, "%s",
        listing);
  /* a PATH.tmp left by a killed run does not stop the next save */
  char tmp[320];
  snprintf(tmp, sizeof tmp, "%s.tmp", x->good);
  write_file(tmp, "half a checkpoint", 17);
  chmod(tmp, 0444);
  RnnError err = {{0}};
  int rc = rnn_ckpt_save(x->good, &x->desc, &x->saved.c, &err);
  check(&x->tally, "a leftover read-only PATH.tmp does not stop a save, and is gone after it",
        rc == 0 && !exists(tmp), "%s", err.msg);
}

static void test_unwritable_directory(Ctx *x) {
  char dir[320], path[400], want[600], listing[1024];
  RnnError err = {{0}};
  path_in(x, "readonly", dir, sizeof dir);
  mkdir(dir, 0700);
  snprintf(path, sizeof path, "%s/probe", dir);
  chmod(dir, 0500);
  FILE *probe = fopen(path, "wb");
  const char *how = "a directory without write permission";
  if (probe) { /* root ignores permissions: use a directory nobody may write */
    fclose(probe);
    remove(path);
    snprintf(dir, sizeof dir, "/sys");
    how = "/sys (running as root, which ignores permissions)";
  }
  snprintf(path, sizeof path, "%s/test_ckpt.ckpt", dir);
  int rc = rnn_ckpt_save(path, &x->desc, &x->saved.c, &err);
  snprintf(want, sizeof want,
           "%s.tmp: cannot create: Permission denied; check that the directory exists and is "
           "writable",
           path);
  char name[200];
  snprintf(name, sizeof name, "save into an unwritable directory fails: %s", how);
  check_message(&x->tally, name, rc, &err, want);
  char tmp[420];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  list_dir(dir, listing, sizeof listing);
  check(&x->tally, "  ... and leaves nothing behind",
        !exists(path) && !exists(tmp) && (strcmp(dir, "/sys") == 0 || listing[0] == '\0'), "%s",
        listing);

  snprintf(path, sizeof path, "%s/missing/dir/x.ckpt", x->dir);
  rc = rnn_ckpt_save(path, &x->desc, &x->saved.c, &err);
  snprintf(want, sizeof want,
           "%s.tmp: cannot create: No such file or directory; check that the directory exists "
           "and is writable",
           path);
  check_message(&x->tally, "save into a missing directory fails", rc, &err, want);
}

/* PATH is a directory: the rename fails after PATH.tmp was written. */
static void test_rename_failure(Ctx *x) {
  char path[320], inner[400], tmp[400], want[1200];
  RnnError err = {{0}};
  path_in(x, "isadir.ckpt", path, sizeof path);
  mkdir(path, 0700);
  snprintf(inner, sizeof inner, "%s/keep", path);
  write_file(inner, "x", 1);
  int rc = rnn_ckpt_save(path, &x->desc, &x->saved.c, &err);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  snprintf(want, sizeof want,
           "%s: cannot replace it with %s: Is a directory; check that %s is a file you may "
           "write",
           path, tmp, path);
  check_message(&x->tally, "save over a directory fails at the rename", rc, &err, want);
  check(&x->tally, "  ... removes PATH.tmp and leaves PATH untouched",
        !exists(tmp) && exists(inner), NULL);
}

/* ---------------------------------------------------------------------- */
/* Load errors                                                            */
/* ---------------------------------------------------------------------- */

static void test_basic_errors(Ctx *x) {
  char path[320], want[1200];
  path_in(x, "does-not-exist.ckpt", path, sizeof path);
  snprintf(want, sizeof want,
           "%s: cannot open the checkpoint: No such file or directory; check the path", path);
  expect_load_error(x, "missing file", path, &x->desc, want);

  path_in(x, "notes.txt", path, sizeof path);
  write_file(path, "these are not the weights you are looking for\n", 46);
  snprintf(want, sizeof want,
           "%s: not an rnnc checkpoint (it does not start with \"RNNCKPT\"); check the path",
           path);
  expect_load_error(x, "not a checkpoint (a text file)", path, &x->desc, want);

  snprintf(want, sizeof want, "%s: not a regular file; give the path of a checkpoint", x->dir);
  expect_load_error(x, "a directory", x->dir, &x->desc, want);

  Buf b = copy_of(&x->good_bytes);
  put_le32(b.p + 8, 2);
  fix_crc(&b);
  path_in(x, "future.ckpt", path, sizeof path);
  write_file(path, b.p, b.n);
  snprintf(want, sizeof want,
           "%s: written by a newer rnnc (format 2); this program reads format 1: use a program "
           "generated by that rnnc",
           path);
  expect_load_error(x, "future format version", path, &x->desc, want);
  free(b.p);
}

/* The good file re-encoded with the other precision's reals (PARM, OPTS
 * after its 16-byte head, STAT), as a build of the other precision writes
 * it. */
static Buf in_other_precision(const Buf *good) {
  const size_t from = sizeof(rnn_real), to = 12 - sizeof(rnn_real);
  Layout l = layout_of(good);
  Buf out = {malloc(good->n * 2 + 16), 0};
  memcpy(out.p, good->p, 16);
  put_le32(out.p + 12, (uint32_t)to);
  out.n = 16;
  for (int i = 0; i < l.n; i++) {
    const uint8_t *src = good->p + l.at[i] + 12;
    size_t skip = strcmp(l.tag[i], "OPTS") == 0 ? 16 : 0;
    int reals = strcmp(l.tag[i], "PARM") == 0 || skip || strcmp(l.tag[i], "STAT") == 0;
    size_t count = reals ? (l.len[i] - skip) / from : 0;
    size_t len = reals ? skip + count * to : l.len[i];
    memcpy(out.p + out.n, good->p + l.at[i], 4);
    put_le64(out.p + out.n + 4, len);
    uint8_t *dst = out.p + out.n + 12;
    memcpy(dst, src, reals ? skip : l.len[i]);
    for (size_t k = 0; k < count; k++) {
      const uint8_t *s = src + skip + k * from;
      uint8_t *d = dst + skip + k * to;
      if (from == 4) {
        uint32_t bits = le32(s);
        float f;
        memcpy(&f, &bits, 4);
        double v = (double)f;
        uint64_t out_bits;
        memcpy(&out_bits, &v, 8);
        put_le64(d, out_bits);
      } else {
        uint64_t bits = le64(s);
        double v;
        memcpy(&v, &bits, 8);
        float f = (float)v;
        uint32_t out_bits;
        memcpy(&out_bits, &f, 4);
        put_le32(d, out_bits);
      }
    }
    out.n += 12 + len;
  }
  out.n += 4;
  fix_crc(&out);
  return out;
}

static void test_other_precision(Ctx *x) {
  char path[320], want[1200], name[200];
  Buf b = in_other_precision(&x->good_bytes);
  path_in(x, "other-precision.ckpt", path, sizeof path);
  write_file(path, b.p, b.n);
  snprintf(want, sizeof want,
           "%s: holds %s parameters; this program was built with %s: use a program built "
           "with the same precision (RNNC_REAL_DOUBLE)",
           path, OTHER_PRECISION, PRECISION);
  snprintf(name, sizeof name, "other precision (%s parameters, patched bytes)", OTHER_PRECISION);
  expect_load_error(x, name, path, &x->desc, want);

  FILE *out = tmpfile();
  RnnError err = {{0}};
  int rc = rnn_ckpt_describe(path, out, &err);
  char text[4096] = "", line[64];
  if (out) {
    rewind(out);
    size_t n = fread(text, 1, sizeof text - 1, out);
    text[n] = '\0';
    fclose(out);
  }
  snprintf(line, sizeof line, "precision      %s\n", OTHER_PRECISION);
  check(&x->tally, "describe reads a checkpoint of the other precision",
        rc == 0 && strstr(text, line) != NULL, "%s%s", err.msg, text);
  free(b.p);
}

static void test_identity(Ctx *x) {
  char want[1200];
  RnnModelDesc other = x->desc;
  other.name = "series";
  other.spec_hash = OTHER_HASH;
  snprintf(want, sizeof want,
           "%s: this checkpoint is for model 'toy' (spec 3f2a1b0c...), not 'series' (spec "
           "91ab0000...); use the program that saved it, or train this model from scratch",
           x->good);
  expect_load_error(x, "another model's name and spec hash", x->good, &other, want);

  other = x->desc;
  other.spec_hash = NEAR_HASH;
  snprintf(want, sizeof want,
           "%s: this checkpoint is for model 'toy' (spec %s), not 'toy' (spec %s); use the "
           "program that saved it, or train this model from scratch",
           x->good, TOY_HASH, NEAR_HASH);
  expect_load_error(x, "the same name with another spec hash (shown until they differ)",
                    x->good, &other, want);

  static const RnnTensorDesc transposed[] = {{"rnn.weight_ih", 2, 3, 0}, {"rnn.bias", 3, 1, 6}};
  other = x->desc;
  other.tensors = transposed;
  snprintf(want, sizeof want,
           "%s: tensor 0 differs: the checkpoint has 'rnn.weight_ih' [3][2] at offset 0, the "
           "model 'rnn.weight_ih' [2][3] at offset 0: it was saved by another build of the "
           "model; use the program that saved it, or train this model from scratch",
           x->good);
  expect_load_error(x, "another tensor table (a shape)", x->good, &other, want);

  static const RnnTensorDesc renamed[] = {{"rnn.weight_ih", 3, 2, 0}, {"rnn.bias_ih", 3, 1, 6}};
  other.tensors = renamed;
  snprintf(want, sizeof want,
           "%s: tensor 1 differs: the checkpoint has 'rnn.bias' [3][1] at offset 6, the model "
           "'rnn.bias_ih' [3][1] at offset 6: it was saved by another build of the model; use "
           "the program that saved it, or train this model from scratch",
           x->good);
  expect_load_error(x, "another tensor table (a name)", x->good, &other, want);

  other = x->desc;
  other.n_tensors = 1;
  snprintf(want, sizeof want,
           "%s: the checkpoint's tensor count is 2, the model's 1: it was saved by another "
           "build of the model; use the program that saved it, or train this model from scratch",
           x->good);
  expect_load_error(x, "another tensor table (the count)", x->good, &other, want);

  other = x->desc;
  other.state_size = 2 * sizeof(rnn_real);
  snprintf(want, sizeof want,
           "%s: the checkpoint's recurrent state size in bytes is %zu, the model's %zu: it was "
           "saved by another build of the model; use the program that saved it, or train this "
           "model from scratch",
           x->good, 4 * sizeof(rnn_real), 2 * sizeof(rnn_real));
  expect_load_error(x, "another state size", x->good, &other, want);
}

/* Every single-byte flip is an error: the header's own checks in the
 * header, the CRC everywhere else (a flipped section length may also read
 * as a cut-off file). */
static void test_flips(Ctx *x) {
  const Buf *good = &x->good_bytes;
  Layout l = layout_of(good);
  char want_crc[600], path[320];
  path_in(x, "scratch.ckpt", path, sizeof path);
  snprintf(want_crc, sizeof want_crc,
           "%s: checksum mismatch: the file is damaged; use an earlier checkpoint or train from "
           "scratch",
           path);
  static const uint8_t masks[] = {0xff, 0x01, 0x80};
  for (size_t m = 0; m < sizeof masks; m++) {
    int bad = 0;
    size_t first_bad = 0;
    char got[512] = "";
    for (size_t at = 0; at < good->n; at++) {
      Buf b = copy_of(good);
      b.p[at] ^= masks[m];
      RnnError err = {{0}};
      int rc = load_bytes(x, &b, &err);
      int in_length = 0;
      for (int i = 0; i < l.n; i++)
        if (at >= l.at[i] + 4 && at < l.at[i] + 12)
          in_length = 1;
      int ok;
      if (at < 8)
        ok = strstr(err.msg, "not an rnnc checkpoint") != NULL;
      else if (at < 12)
        ok = strstr(err.msg, "written by a newer rnnc") || strstr(err.msg, "format 0 at byte 8");
      else if (at < 16)
        ok = strstr(err.msg, "-byte reals at byte 12") || strstr(err.msg, "parameters; this");
      else if (in_length)
        ok = strcmp(err.msg, want_crc) == 0 || strstr(err.msg, "the file is truncated");
      else
        ok = strcmp(err.msg, want_crc) == 0;
      if ((rc != -1 || !ok) && !bad++) {
        first_bad = at;
        snprintf(got, sizeof got, "%s", err.msg);
      }
      free(b.p);
    }
    char name[200];
    snprintf(name, sizeof name,
             "each of the %zu bytes XOR 0x%02x: an error (header checks, else \"checksum "
             "mismatch: the file is damaged\")",
             good->n, masks[m]);
    check(&x->tally, name, bad == 0, "%d bad, first at byte %zu: %s", bad, first_bad, got);
  }
}

/* Every cut-off length of the file is an error that names where it ends. */
static void test_truncation(Ctx *x) {
  const Buf *good = &x->good_bytes;
  int bad = 0;
  char got[600] = "";
  for (size_t cut = 0; cut < good->n; cut++) {
    Buf b = {good->p, cut};
    RnnError err = {{0}};
    int rc = load_bytes(x, &b, &err);
    char at[64];
    snprintf(at, sizeof at, ": ends at byte %zu ", cut);
    if ((rc != -1 || !strstr(err.msg, at) || !strstr(err.msg, "the file is truncated")) &&
        !bad++)
      snprintf(got, sizeof got, "cut %zu: %s", cut, err.msg);
  }
  char name[200];
  snprintf(name, sizeof name,
           "truncated at each of the %zu lengths 0..%zu: \"ends at byte N ...: the file is "
           "truncated\"",
           good->n, good->n - 1);
  check(&x->tally, name, bad == 0, "%d bad; first: %s", bad, got);

  /* two exact messages: inside a section, and cut at a section boundary */
  Layout l = layout_of(good);
  int parm = section_index(&l, "PARM"), stat = section_index(&l, "STAT");
  char path[320], want[1200];
  path_in(x, "scratch.ckpt", path, sizeof path);
  Buf mid = {good->p, l.at[parm] + 12 + 5};
  RnnError err = {{0}};
  int rc = load_bytes(x, &mid, &err);
  snprintf(want, sizeof want,
           "%s: ends at byte %zu inside section PARM (which starts at byte %zu and is %zu bytes "
           "long): the file is truncated; use an earlier checkpoint or train from scratch",
           path, mid.n, l.at[parm], l.len[parm]);
  check_message(&x->tally, "truncated inside PARM: exact message", rc, &err, want);
  Buf edge = {good->p, l.at[stat] + 4}; /* the next tag reads as a CRC */
  rc = load_bytes(x, &edge, &err);
  snprintf(want, sizeof want,
           "%s: ends at byte %zu after section OPTS, without section STAT: the file is "
           "truncated; use an earlier checkpoint or train from scratch",
           path, edge.n);
  check_message(&x->tally, "truncated just after OPTS: exact message", rc, &err, want);
}

/* Damage behind a valid CRC (a writer that is not rnnc's, or a fuzzer). */
static void test_structure_errors(Ctx *x) {
  const Buf *good = &x->good_bytes;
  Layout l = layout_of(good);
  char path[320], want[1200];
  path_in(x, "scratch.ckpt", path, sizeof path);
  RnnError err = {{0}};

  Buf b = copy_of(good);
  int rngs = section_index(&l, "RNGS");
  memcpy(b.p + l.at[rngs], "RNGX", 4);
  fix_crc(&b);
  int rc = load_bytes(x, &b, &err);
  snprintf(want, sizeof want,
           "%s: unknown section 'RNGX' at byte %zu: the file is damaged or from another "
           "program; this program reads format 1",
           path, l.at[rngs]);
  check_message(&x->tally, "unknown section (valid CRC)", rc, &err, want);
  free(b.p);

  b = copy_of(good);
  int curs = section_index(&l, "CURS"), logs = section_index(&l, "LOGS");
  memcpy(b.p + l.at[curs], "LOGS", 4);
  fix_crc(&b);
  rc = load_bytes(x, &b, &err);
  snprintf(want, sizeof want,
           "%s: section LOGS appears twice (at bytes %zu and %zu): the file is damaged; use an "
           "earlier checkpoint or train from scratch",
           path, l.at[curs], l.at[logs]);
  check_message(&x->tally, "repeated section (valid CRC)", rc, &err, want);
  free(b.p);

  /* STAT cut out entirely */
  int stat = section_index(&l, "STAT");
  size_t cut_from = l.at[stat], cut_len = 12 + l.len[stat];
  b = copy_of(good);
  memmove(b.p + cut_from, b.p + cut_from + cut_len, good->n - cut_from - cut_len);
  b.n -= cut_len;
  fix_crc(&b);
  rc = load_bytes(x, &b, &err);
  snprintf(want, sizeof want,
           "%s: has no section STAT: the file is damaged or not from rnnc; use an earlier "
           "checkpoint or train from scratch",
           path);
  check_message(&x->tally, "missing section (valid CRC)", rc, &err, want);
  free(b.p);

  b = copy_of(good);
  int vocb = section_index(&l, "VOCB");
  put_le32(b.p + l.at[vocb] + 12 + 8 + 4 * 'a', 300);
  fix_crc(&b);
  rc = load_bytes(x, &b, &err);
  snprintf(want, sizeof want,
           "%s: section VOCB (at byte %zu) is malformed at byte %zu: byte 0x61 has id 300, "
           "outside 0..13; the file is damaged; use an earlier checkpoint or train from scratch",
           path, l.at[vocb], l.at[vocb] + 12);
  check_message(&x->tally, "vocabulary id out of range (valid CRC)", rc, &err, want);
  free(b.p);

  b = copy_of(good);
  int tens = section_index(&l, "TENS");
  put_le32(b.p + l.at[tens] + 12 + 4, 0x7fffffff); /* the first name's length */
  fix_crc(&b);
  rc = load_bytes(x, &b, &err);
  snprintf(want, sizeof want,
           "%s: section TENS (at byte %zu) is malformed at byte %zu: a field runs past the "
           "section's end at byte %zu; the file is damaged; use an earlier checkpoint or train "
           "from scratch",
           path, l.at[tens], l.at[tens] + 12 + 8, l.at[tens] + 12 + l.len[tens]);
  check_message(&x->tally, "a 2 GB tensor name in a small section (valid CRC)", rc, &err, want);
  free(b.p);

  /* TENS grown by 4 zero bytes after its last tensor */
  b = copy_of(good);
  size_t tens_end = l.at[tens] + 12 + l.len[tens];
  b.p = realloc(b.p, good->n + 4);
  memmove(b.p + tens_end + 4, b.p + tens_end, good->n - tens_end);
  memset(b.p + tens_end, 0, 4);
  b.n += 4;
  put_le64(b.p + l.at[tens] + 4, l.len[tens] + 4);
  fix_crc(&b);
  rc = load_bytes(x, &b, &err);
  snprintf(want, sizeof want,
           "%s: section TENS (at byte %zu) is malformed at byte %zu: 4 bytes left after its "
           "last field; the file is damaged; use an earlier checkpoint or train from scratch",
           path, l.at[tens], tens_end);
  check_message(&x->tally, "bytes left over in a section (valid CRC)", rc, &err, want);
  free(b.p);

  b = copy_of(good);
  put_le64(b.p + l.at[tens] + 4, (uint64_t)1 << 62);
  fix_crc(&b);
  rc = load_bytes(x, &b, &err);
  snprintf(want, sizeof want,
           "%s: section TENS at byte %zu claims %llu bytes, past the end of the file at byte "
           "%zu: the file is damaged; use an earlier checkpoint or train from scratch",
           path, l.at[tens], (unsigned long long)1 << 62, b.n);
  check_message(&x->tally, "a section length of 2^62 (valid CRC)", rc, &err, want);
  free(b.p);
}

/* Random damage with the CRC made valid again: load and describe must
 * return an error or succeed, never crash (run it under ASan). */
static void test_fuzz(Ctx *x) {
  const Buf *good = &x->good_bytes;
  Layout l = layout_of(good);
  uint64_t s = 2024;
  int errors = 0, loaded = 0, no_message = 0;
  FILE *sink = fopen("/dev/null", "w");
  char path[320];
  path_in(x, "scratch.ckpt", path, sizeof path);
  for (int iter = 0; iter < 4000; iter++) {
    Buf b = copy_of(good);
    int edits = 1 + (int)(splitmix(&s) % 3);
    for (int e = 0; e < edits; e++) {
      uint64_t r = splitmix(&s);
      int sec = (int)(r % (uint64_t)l.n);
      switch ((r >> 8) % 3) {
      case 0: /* any byte */
        b.p[16 + (r >> 16) % (b.n - 20)] = (uint8_t)(r >> 40);
        break;
      case 1: /* a section length */
        put_le64(b.p + l.at[sec] + 4, splitmix(&s) >> (r >> 16) % 64);
        break;
      default: /* a u32 inside a section (counts, string lengths, sizes) */
        if (l.len[sec] >= 4)
          put_le32(b.p + l.at[sec] + 12 + (r >> 16) % (l.len[sec] - 3),
                   (uint32_t)(splitmix(&s) >> (r >> 24) % 32));
        break;
      }
    }
    uint64_t r = splitmix(&s);
    if (r % 4 == 0) /* cut or extend the file */
      b.n = 20 + (r >> 8) % (good->n + 8 - 20);
    fix_crc(&b);
    write_file(path, b.p, b.n);
    Toy dst;
    toy_garbage(&dst);
    RnnError err = {{0}};
    int rc = rnn_ckpt_load(path, &x->desc, &dst.c, &err);
    int rc2 = rnn_ckpt_describe(path, sink, &err);
    errors += rc != 0;
    loaded += rc == 0;
    no_message += (rc != 0 || rc2 != 0) && strncmp(err.msg, path, strlen(path)) != 0;
    free(b.p);
  }
  if (sink)
    fclose(sink);
  check(&x->tally,
        "4000 random edits with a valid CRC: load and describe return, every error names the "
        "path",
        no_message == 0, "%d errors without the path (%d errors, %d loads)", no_message, errors,
        loaded);
}

static void test_describe(Ctx *x) {
  FILE *out = tmpfile();
  RnnError err = {{0}};
  int rc = rnn_ckpt_describe(x->good, out, &err);
  char text[4096] = "";
  if (out) {
    rewind(out);
    size_t n = fread(text, 1, sizeof text - 1, out);
    text[n] = '\0';
    fclose(out);
  }
  char precision[64], step[64];
  snprintf(precision, sizeof precision, "precision      %s\n", PRECISION);
  snprintf(step, sizeof step, "step           %ld\n", x->saved.c.step);
  check(&x->tally,
        "describe prints name, spec hash, format, precision, step, epoch, vocab, tensors",
        rc == 0 && strstr(text, "model          toy\n") && strstr(text, TOY_HASH) &&
            strstr(text, "format         1\n") && strstr(text, precision) &&
            strstr(text, step) && strstr(text, "epoch          7 ") &&
            strstr(text, "vocabulary     14 ids\n") && strstr(text, "rnn.weight_ih") &&
            strstr(text, "[3][2]  offset 0") && strstr(text, "rnn.bias") &&
            strstr(text, "[3][1]  offset 6"),
        "%s%s", err.msg, text);
  printf("%s", text);

  char path[320], want[1200];
  path_in(x, "scratch.ckpt", path, sizeof path);
  Buf cut = {x->good_bytes.p, 10};
  write_file(path, cut.p, cut.n);
  rc = rnn_ckpt_describe(path, stdout, &err);
  snprintf(want, sizeof want,
           "%s: ends at byte 10 inside the header: the file is truncated; use an earlier "
           "checkpoint or train from scratch",
           path);
  check_message(&x->tally, "describe checks the file like load", rc, &err, want);
}

int main(void) {
  Ctx x;
  memset(&x, 0, sizeof x);
  const char *tmpdir = getenv("TMPDIR");
  snprintf(x.dir, sizeof x.dir, "%s/test_ckpt.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp(x.dir)) {
    perror(x.dir);
    return 2;
  }
  path_in(&x, "toy.ckpt", x.good, sizeof x.good);
  x.desc = toy_desc();
  printf("test_ckpt (%s) in %s\n", PRECISION, x.dir);

  test_round_trip(&x, 1.25, "1.25");
  test_round_trip(&x, HUGE_VAL, "HUGE_VAL");
  x.good_bytes = read_file(x.good);
  test_layout(&x);
  test_empty_vocab(&x);
  test_vocab_shapes(&x);
  test_manifest(&x);
  test_no_leftovers(&x);
  test_describe(&x);
  test_basic_errors(&x);
  test_other_precision(&x);
  test_identity(&x);
  test_flips(&x);
  test_truncation(&x);
  test_structure_errors(&x);
  test_fuzz(&x);
  test_unwritable_directory(&x);
  test_rename_failure(&x);

  free(x.good_bytes.p);
  remove_tree(x.dir);
  printf("%d passed, %d failed\n", x.tally.passed, x.tally.failed);
  return x.tally.failed ? 1 : 0;
}
