/*
 * test_weights.c - the kernels' weight loader (runtime/kernels/weights.c,
 * rnn_weights.h) on the files the program writes: checkpoints
 * (rnn_ckpt_save) and parameter files (rnn_params_save, `NAME export`).
 *
 * Checks: bit-exact parameters and the vocabulary from both kinds of
 * file, from a path and from memory; a model that differs only in T, B or spec hash loads them;
 * the other precision converts; rnn_crc32 equals zlib's; and each error
 * with its exact message: another model's file, another tensor table, a
 * vocabulary larger than the model's, a
 * truncated file at every length, a flipped byte anywhere, a missing
 * file, a directory, a file of neither kind, a model of another ABI. After
 * every error the destination is untouched.
 *
 * Built twice (float and double). Prints a line per check and ends with
 * "N passed, M failed"; exits nonzero on any failure.
 */
#include "rnn_ckpt.h"
#include "rnn_format.h" /* rnn_crc32 */
#include "rnn_weights.h"
#include "test_files.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---- files ---- */

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- the toy model: two tensors, 9 parameters ---- */

enum { TOY_PARAMS = 9, TOY_SLOTS = 2, TOY_STATE_REALS = 4 };

static const RnnTensorDesc TOY_TENSORS[] = {{"rnn.weight_ih", 3, 2, 0}, {"rnn.bias", 3, 1, 6}};
static const RnnTensorDesc SHAPE_TENSORS[] = {{"rnn.weight_ih", 2, 3, 0}, {"rnn.bias", 3, 1, 6}};
static const char TOY_HASH[] = "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";

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
  d.n_params = TOY_PARAMS;
  d.n_tensors = 2;
  d.tensors = TOY_TENSORS;
  d.n_slots = TOY_SLOTS;
  d.state_size = TOY_STATE_REALS * sizeof(rnn_real);
  return d;
}

/* Parameters that round-trip exactly through float: what the conversion
 * test compares across precisions. */
static void toy_params(rnn_real p[TOY_PARAMS]) {
  for (int i = 0; i < TOY_PARAMS; i++)
    p[i] = (rnn_real)((i - 4) * 0.375);
  p[0] = (rnn_real)-0.0;
}

typedef struct Ctx {
  Tally tally;
  char dir[256];
  char ckpt[300], params[300];
  RnnModelDesc desc;
  rnn_real want[TOY_PARAMS];
  RnnVocab vocab; /* what both files keep: bytes 'a' 'b' 'z' as ids 0 1 3, padding 2 */
} Ctx;

static void toy_vocab(RnnVocab *v) {
  for (int i = 0; i < 256; i++)
    v->id[i] = -1, v->byte[i] = -1;
  const uint8_t bytes[3] = {'a', 'b', 'z'};
  const int ids[3] = {0, 1, 3};
  for (int i = 0; i < 3; i++) {
    v->id[bytes[i]] = ids[i];
    v->byte[ids[i]] = bytes[i];
  }
  v->size = 4;
  v->padding_id = 2;
}

static int vocab_equal(const RnnVocab *a, const RnnVocab *b) {
  return a->size == b->size && a->padding_id == b->padding_id &&
         memcmp(a->id, b->id, sizeof a->id) == 0 && memcmp(a->byte, b->byte, sizeof a->byte) == 0;
}

static void path_in(const Ctx *x, const char *name, char *out, size_t cap) {
  snprintf(out, cap, "%s/%s", x->dir, name);
}

/* Writes the toy's checkpoint and parameter file. */
static void make_files(Ctx *x) {
  rnn_real slots[TOY_SLOTS * TOY_PARAMS] = {0}, state[TOY_STATE_REALS] = {0};
  RnnCkpt c;
  memset(&c, 0, sizeof c);
  c.params = x->want;
  c.slots = slots;
  c.state = state;
  c.vocab = x->vocab;
  RnnError err;
  path_in(x, "toy.ckpt", x->ckpt, sizeof x->ckpt);
  path_in(x, "toy.params", x->params, sizeof x->params);
  if (rnn_ckpt_save(x->ckpt, &x->desc, &c, &err) != 0 ||
      rnn_params_save(x->params, &x->desc, x->want, &x->vocab, &err) != 0) {
    fprintf(stderr, "cannot write the test files: %s\n", err.msg);
    exit(2);
  }
}

/* Loads PATH for D into garbage-filled buffers; expects success with the
 * toy's parameters bit for bit and its vocabulary. */
static void expect_load(Ctx *x, const char *name, const char *path, const RnnModelDesc *d) {
  rnn_real got[TOY_PARAMS];
  RnnVocab v;
  memset(got, 0xab, sizeof got);
  memset(&v, 0xab, sizeof v);
  RnnError err = {""};
  int rc = rnn_weights_load(path, d, got, &v, &err);
  check(&x->tally, name,
        rc == 0 && memcmp(got, x->want, sizeof got) == 0 && vocab_equal(&v, &x->vocab),
        "rc %d: %s", rc, err.msg);
}

/* Expects the exact message WANT, and the destination untouched. */
static void expect_error(Ctx *x, const char *name, const char *path, const RnnModelDesc *d,
                         const char *want) {
  rnn_real got[TOY_PARAMS], before[TOY_PARAMS];
  memset(got, 0xab, sizeof got);
  memcpy(before, got, sizeof got);
  RnnError err = {""};
  int rc = rnn_weights_load(path, d, got, NULL, &err);
  check_message(&x->tally, name, rc, &err, want);
  check(&x->tally, "  ... and the parameters are untouched", memcmp(got, before, sizeof got) == 0,
        NULL);
}

/* ---- checks ---- */

static void test_crc(Ctx *x) {
  uint8_t b[1000];
  uint64_t s = 1;
  for (size_t i = 0; i < sizeof b; i++)
    b[i] = (uint8_t)((s = s * 6364136223846793005u + 1) >> 56);
  int same = 1;
  for (size_t n = 0; n <= sizeof b; n += 37)
    same &= rnn_crc32(0, b, n) == crc32(0L, b, (uInt)n);
  uint32_t parts = rnn_crc32(rnn_crc32(0, b, 300), b + 300, 700);
  check(&x->tally, "rnn_crc32 equals zlib's crc32, whole and in parts",
        same && parts == crc32(0L, b, sizeof b) && rnn_crc32(0, "123456789", 9) == 0xCBF43926u,
        NULL);
}

static void test_good(Ctx *x) {
  expect_load(x, "a checkpoint loads", x->ckpt, &x->desc);
  expect_load(x, "a parameter file loads", x->params, &x->desc);
  Buf b = read_file(x->params);
  rnn_real got[TOY_PARAMS];
  RnnError err = {""};
  int rc = rnn_weights_read(b.p, b.n, "blob", &x->desc, got, NULL, &err);
  check(&x->tally, "a parameter file in memory loads",
        rc == 0 && memcmp(got, x->want, sizeof got) == 0, "%s", err.msg);
  free(b.p);
  RnnModelDesc other = x->desc;
  other.length = 64;
  other.batch = 1;
  other.n_slots = 0;
  other.spec_hash = "another spec of the same model";
  expect_load(x, "a model with other T, B, optimizer and spec hash loads them", x->ckpt, &other);
}

/* Where section TAG's payload starts in B, and its length. */
static size_t section_payload(const Buf *b, const char *tag, size_t *len) {
  for (size_t pos = 16; pos + 12 <= b->n - 4; pos += 12 + *len) {
    *len = (size_t)(le32(b->p + pos + 4) | (uint64_t)le32(b->p + pos + 8) << 32);
    if (memcmp(b->p + pos, tag, 4) == 0)
      return pos + 12;
  }
  fprintf(stderr, "no section %s\n", tag);
  exit(2);
}

/* A parameter file of the other precision, built by hand: PARM rewritten
 * with the other size of real, everything else as written. */
static void test_other_precision(Ctx *x) {
  Buf b = read_file(x->params);
  size_t rs = sizeof(rnn_real), other = rs == 4 ? 8 : 4, len;
  size_t parm = section_payload(&b, "PARM", &len), rest = parm + len;
  Buf c = {malloc(b.n + TOY_PARAMS * 4), b.n - len + TOY_PARAMS * other};
  memcpy(c.p, b.p, parm);
  put_le32(c.p + 12, (uint32_t)other);
  put_le32(c.p + parm - 8, (uint32_t)(TOY_PARAMS * other)); /* PARM's u64 length, low half */
  for (int i = 0; i < TOY_PARAMS; i++) {
    if (other == 8) {
      double v = (double)x->want[i];
      memcpy(c.p + parm + 8 * i, &v, 8);
    } else {
      float v = (float)x->want[i];
      memcpy(c.p + parm + 4 * i, &v, 4);
    }
  }
  memcpy(c.p + parm + TOY_PARAMS * other, b.p + rest, b.n - rest);
  put_le32(c.p + c.n - 4, (uint32_t)crc32(0L, c.p, (uInt)(c.n - 4)));
  char path[300];
  path_in(x, "other_precision.params", path, sizeof path);
  write_file(path, c.p, c.n);
  expect_load(x, "parameters of the other precision convert", path, &x->desc);
  free(b.p);
  free(c.p);
}

static void test_other_model(Ctx *x) {
  char want[1024];
  RnnModelDesc other = x->desc;
  other.name = "series";
  snprintf(want, sizeof want,
           "%s: this parameter file is for model 'toy', not 'series'; load the file trained for "
           "this model, or generate the model from the spec that trained it",
           x->params);
  expect_error(x, "another model's parameter file", x->params, &other, want);
  snprintf(want, sizeof want,
           "%s: this checkpoint is for model 'toy', not 'series'; load the file trained for this "
           "model, or generate the model from the spec that trained it",
           x->ckpt);
  expect_error(x, "another model's checkpoint", x->ckpt, &other, want);
  other = x->desc;
  other.tensors = SHAPE_TENSORS;
  snprintf(want, sizeof want,
           "%s: tensor 0 differs: the parameter file has 'rnn.weight_ih' [3][2] at offset 0, the "
           "model 'rnn.weight_ih' [2][3] at offset 0: it was saved by another build of the "
           "model; load the file trained for this model, or generate the model from the spec "
           "that trained it",
           x->params);
  expect_error(x, "another tensor shape", x->params, &other, want);
  other = x->desc;
  other.n_params = 12;
  snprintf(want, sizeof want,
           "%s: the parameter file's parameter count is 9, the model's 12: it was saved by "
           "another build of the model; load the file trained for this model, or generate the "
           "model from the spec that trained it",
           x->params);
  expect_error(x, "another parameter count", x->params, &other, want);
  other = x->desc;
  other.vocab = 3;
  snprintf(want, sizeof want,
           "%s: the parameter file's vocabulary has 4 ids, the model's vocab is 3: it was saved "
           "by another build of the model; load the file trained for this model, or generate the "
           "model from the spec that trained it",
           x->params);
  expect_error(x, "a vocabulary larger than the model's", x->params, &other, want);
  other = x->desc;
  other.abi = RNN_ABI + 1;
  snprintf(want, sizeof want,
           "%s: the model was generated for runtime ABI %d, this runtime is ABI %d: regenerate it "
           "with the rnnc that matches rnn.h",
           x->params, RNN_ABI + 1, RNN_ABI);
  expect_error(x, "a model of another runtime ABI", x->params, &other, want);
}

/* Every length short of the whole file is an error naming truncation (or
 * the header), and never a crash; the last 4 bytes are the CRC. */
static void test_truncated(Ctx *x, const char *file) {
  Buf b = read_file(file);
  char path[300], got[1200] = "";
  path_in(x, "cut", path, sizeof path);
  int bad = 0;
  for (size_t cut = 0; cut < b.n; cut++) {
    write_file(path, b.p, cut);
    rnn_real p[TOY_PARAMS];
    RnnError err = {""};
    int rc = rnn_weights_load(path, &x->desc, p, NULL, &err);
    int ok = rc == -1 && (strstr(err.msg, "the file is truncated") ||
                          (cut < 8 && strstr(err.msg, "neither an rnnc checkpoint")));
    if (!ok && !bad++)
      snprintf(got, sizeof got, "cut %zu: rc %d %s", cut, rc, err.msg);
  }
  char name[200];
  snprintf(name, sizeof name, "%s cut at each of its %zu lengths: truncated",
           strstr(file, ".ckpt") ? "a checkpoint" : "a parameter file", b.n);
  check(&x->tally, name, bad == 0, "%d bad, first %s", bad, got);
  free(b.p);
}

/* A flipped bit anywhere is an error (mostly the checksum). */
static void test_flipped(Ctx *x) {
  Buf b = read_file(x->params);
  char path[300], got[1200] = "";
  path_in(x, "flipped", path, sizeof path);
  int bad = 0;
  for (size_t at = 0; at < b.n; at++) {
    b.p[at] ^= 0x10;
    write_file(path, b.p, b.n);
    b.p[at] ^= 0x10;
    rnn_real p[TOY_PARAMS];
    RnnError err = {""};
    int rc = rnn_weights_load(path, &x->desc, p, NULL, &err);
    if (rc != -1 && !bad++)
      snprintf(got, sizeof got, "byte %zu: loaded", at);
  }
  check(&x->tally, "a bit flipped in any byte of a parameter file is an error", bad == 0, "%s",
        got);
  char want[600];
  b.p[b.n - 10] ^= 1;
  write_file(path, b.p, b.n);
  snprintf(want, sizeof want,
           "%s: checksum mismatch: the file is damaged; export it again from its checkpoint "
           "(the program's export command)",
           path);
  expect_error(x, "a flipped parameter bit: checksum mismatch", path, &x->desc, want);
  free(b.p);
}

static void test_not_weights(Ctx *x) {
  char path[300], want[700];
  path_in(x, "missing.params", path, sizeof path);
  snprintf(want, sizeof want,
           "%s: cannot open the weight file: No such file or directory; check the path", path);
  expect_error(x, "a missing file", path, &x->desc, want);
  snprintf(want, sizeof want, "%s: not a regular file; give the path of a weight file", x->dir);
  expect_error(x, "a directory", x->dir, &x->desc, want);
  path_in(x, "text.params", path, sizeof path);
  write_file(path, "hello, world\n", 13);
  snprintf(want, sizeof want,
           "%s: neither an rnnc checkpoint nor a parameter file (it starts with neither "
           "\"RNNCKPT\" nor \"RNNCPARM\"); check the path",
           path);
  expect_error(x, "a text file", path, &x->desc, want);
}

int main(void) {
  Ctx x;
  memset(&x, 0, sizeof x);
  const char *tmp = getenv("TMPDIR");
  snprintf(x.dir, sizeof x.dir, "%s/test_weights_XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(x.dir)) {
    perror(x.dir);
    return 2;
  }
  x.desc = toy_desc();
  toy_params(x.want);
  toy_vocab(&x.vocab);
  make_files(&x);
  test_crc(&x);
  test_good(&x);
  test_other_precision(&x);
  test_other_model(&x);
  test_truncated(&x, x.params);
  test_truncated(&x, x.ckpt);
  test_flipped(&x);
  test_not_weights(&x);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", x.dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", x.dir);
  printf("%d passed, %d failed\n", x.tally.passed, x.tally.failed);
  return x.tally.failed ? 1 : 0;
}
