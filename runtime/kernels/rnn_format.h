/*
 * rnn_format.h - the container of checkpoints and parameter files
 * (internal: runtime/kernels/format.c, used by kernels/weights.c and
 * program/ckpt.c; not installed).
 *
 *   magic (8 bytes) | u32 version | u32 sizeof(rnn_real)
 *   sections: u32 tag | u64 byte length | bytes
 *   u32 CRC-32 (zlib's polynomial) of every byte before it
 *
 * Integers are little-endian, written byte by byte; a tag is the u32 whose
 * bytes spell its name ("MODL"); a real is its IEEE bits; a string is a
 * u32 byte count and the bytes. Every file starts with the same three
 * sections, which identify the model and hold its parameters:
 *
 *   MODL  str name | str spec hash | u32 T | u32 B | u64 n_params |
 *         u32 n_slots
 *   TENS  u32 count | count x (str name | u32 rows | u32 cols | u64 offset)
 *   PARM  n_params reals
 *
 * and both kinds keep the byte vocabulary:
 *
 *   VOCB  i32 size | i32 padding id | 256 x i32 id of each byte (-1: not
 *         in the vocabulary); the id -> byte table is rebuilt from them.
 *         The size covers the padding id, which may lie past the bytes'
 *         ids (rnn_vocab_build), so it can exceed 256. Size 0 is "none"
 *         (a model without tokens).
 *
 * A reader takes the sections in any order but rejects unknown, repeated
 * and missing ones. Reading never trusts a length from the file before
 * checking it against the bytes that remain.
 */
#ifndef RNN_FORMAT_H
#define RNN_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rnn_model.h"

enum {
  RNN_FMT_HEADER_BYTES = 16,       /* magic, version, sizeof(rnn_real) */
  RNN_FMT_SECTION_HEAD_BYTES = 12, /* u32 tag, u64 length */
  RNN_FMT_CRC_BYTES = 4,
  RNN_FMT_MAX_NAME_BYTES = 1024, /* model, hash and tensor names: generous */
  RNN_FMT_MAX_SECTIONS = 9,
  RNN_FMT_TENSOR_MIN_BYTES = 4 + 4 + 4 + 8, /* an empty name, rows, cols, offset */
  RNN_FMT_VOCB_BYTES = 8 + 256 * 4,         /* VOCB: size, padding id, id of each byte */
  RNN_FMT_MAX_VOCAB_IDS = 1 << 24 /* a sanity bound; the model's vocab is the real one */
};

/* The sections every kind of file starts its table with. */
enum { RNN_FMT_MODL, RNN_FMT_TENS, RNN_FMT_PARM };

/* One kind of file: its magic, its newest version, how messages call it
 * and its sections (all required). */
typedef struct RnnFmtKind {
  uint8_t magic[8];
  uint32_t version;
  const char *what;           /* "checkpoint" */
  const char *advice_damaged; /* what to do about a damaged or cut-off file */
  int n_sections;
  const char (*names)[5]; /* in writing order; the first three as above */
} RnnFmtKind;

extern const RnnFmtKind rnn_fmt_checkpoint; /* "RNNCKPT\0", 9 sections */
extern const RnnFmtKind rnn_fmt_params;     /* "RNNCPARM": MODL TENS PARM VOCB */

typedef struct RnnFmtSection {
  int present;
  size_t at;      /* the tag's offset */
  size_t payload; /* the first byte after the length */
  size_t len;
} RnnFmtSection;

/* A whole file in memory and where its sections are. */
typedef struct RnnFmtFile {
  const char *path; /* for messages */
  const uint8_t *buf;
  size_t size;
  const RnnFmtKind *kind;
  uint32_t real_size; /* sizeof(rnn_real) of the writer */
  RnnFmtSection sec[RNN_FMT_MAX_SECTIONS];
} RnnFmtFile;

/* A string in the file: a view, its length bounded by its section. */
typedef struct RnnFmtBytes {
  const uint8_t *p;
  size_t n;
} RnnFmtBytes;

/* MODL, and the tensor count of TENS. */
typedef struct RnnFmtModel {
  RnnFmtBytes name, hash;
  uint32_t length, batch, n_slots, n_tensors;
  uint64_t n_params;
} RnnFmtModel;

/* ---- little-endian bytes ---- */

static inline uint32_t rnn_fmt_load_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t rnn_fmt_load_u64(const uint8_t *p) {
  return (uint64_t)rnn_fmt_load_u32(p) | (uint64_t)rnn_fmt_load_u32(p + 4) << 32;
}
static inline void rnn_fmt_store_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}
static inline void rnn_fmt_store_u64(uint8_t *p, uint64_t v) {
  rnn_fmt_store_u32(p, (uint32_t)v);
  rnn_fmt_store_u32(p + 4, (uint32_t)(v >> 32));
}
static inline uint32_t rnn_fmt_tag(const char *name) {
  return rnn_fmt_load_u32((const uint8_t *)name);
}

/* An rnn_real stored in this build's precision. */
void rnn_fmt_store_real(uint8_t *p, rnn_real v);

/* N reals at P, stored with REAL_SIZE bytes each (4: float, 8: double),
 * into X, converted to this build's precision. */
void rnn_fmt_load_reals(const uint8_t *p, uint32_t real_size, size_t n, rnn_real *x);

/* CRC-32 as zlib's crc32(CRC, P, N): pass 0 to start. */
uint32_t rnn_crc32(uint32_t crc, const void *p, size_t n);

/* S (N bytes from a file) made safe to print into OUT: bytes outside
 * printable ASCII become '?', long names end in "...". Returns OUT. */
const char *rnn_fmt_printable(const uint8_t *s, size_t n, char *out, size_t cap);

/* ---- the file ---- */

/* Reads all of PATH into *BUF (malloc'd, the caller frees it) and *SIZE;
 * WHAT names the file in messages ("checkpoint"). The allocation is the
 * file's real size, never a length read from it. */
int rnn_fmt_read_path(const char *path, const char *what, uint8_t **buf, size_t *size,
                      RnnError *err);

/* The kind whose magic BUF starts with, or NULL. */
const RnnFmtKind *rnn_fmt_kind_of(const uint8_t *buf, size_t size);

/* Checks F (path, buf, size and kind set) structurally: magic, version,
 * precision, CRC and the section table, filling F->real_size and F->sec.
 * WANT_REAL_SIZE 0 accepts either precision. A CRC failure alone cannot
 * tell a cut-off file from a damaged one, so the sections are walked
 * first and an overrun or a missing tail is reported as truncation. */
int rnn_fmt_open(RnnFmtFile *f, uint32_t want_real_size, RnnError *err);

/* Reads MODL into M, checks that every tensor of TENS lies inside the
 * parameters and that PARM holds n_params reals. */
int rnn_fmt_read_model(const RnnFmtFile *f, RnnFmtModel *m, RnnError *err);

/* Whether the file's model is D by name (and spec hash when WITH_HASH).
 * ADVICE, in this and the next two, says what to do about another
 * model's file. */
int rnn_fmt_check_identity(const RnnFmtFile *f, const RnnFmtModel *m, const RnnModelDesc *d,
                           int with_hash, const char *advice, RnnError *err);

/* The message for a size WHAT of the file that differs from the model's;
 * 0 when THEIRS == OURS. */
int rnn_fmt_check_size(const RnnFmtFile *f, const char *what, uint64_t theirs, uint64_t ours,
                       const char *advice, RnnError *err);

/* Names, shapes and offsets of TENS, tensor by tensor, against D's (the
 * counts are equal). */
int rnn_fmt_check_tensors(const RnnFmtFile *f, const RnnModelDesc *d, const char *advice,
                          RnnError *err);

/* The index of section TAG in K's table, or -1. */
int rnn_fmt_section(const RnnFmtKind *k, const char *tag);

/* ---- the vocabulary ---- */

/* Rebuilds V from its size, padding id and byte -> id table (the part the
 * files keep): the id -> byte table follows from them (it has no slot for
 * ids past 255, as in rnn_vocab_build). */
void rnn_fmt_vocab_from_ids(RnnVocab *v, int size, int padding_id, const int32_t id[256]);

/* Whether SIZE, PADDING_ID and ID describe a usable vocabulary: every id
 * in range, none shared by two bytes, the padding id no byte's. SIZE
 * covers the padding id, which may lie above the bytes' ids, so only a
 * sanity bound applies to it here; the model's vocab bounds it at load.
 * Writes why not into WHY (0: fine). */
int rnn_fmt_vocab_ids_invalid(int size, int padding_id, const int32_t id[256], char *why,
                              size_t cap);

/* VOCB, section S of F: checked (length, ids) and rebuilt into V. */
int rnn_fmt_read_vocab(const RnnFmtFile *f, int s, RnnVocab *v, RnnError *err);

/* ---- a section's contents ---- */

/* A bounded cursor over one section's payload: reads past its end return
 * zeros and set OVERRUN instead of touching memory beyond it. */
typedef struct RnnFmtReader {
  const uint8_t *buf;
  size_t pos, end;
  int overrun;
} RnnFmtReader;

RnnFmtReader rnn_fmt_reader(const RnnFmtFile *f, int s);
uint32_t rnn_fmt_get_u32(RnnFmtReader *r);
uint64_t rnn_fmt_get_u64(RnnFmtReader *r);
int32_t rnn_fmt_get_i32(RnnFmtReader *r);
int64_t rnn_fmt_get_i64(RnnFmtReader *r);
double rnn_fmt_get_f64(RnnFmtReader *r);
RnnFmtBytes rnn_fmt_get_string(RnnFmtReader *r);

/* "section S (at byte A) is malformed at byte AT: WHY; the file is
 * damaged; ADVICE". Returns -1. */
int rnn_fmt_malformed(const RnnFmtFile *f, int s, size_t at, const char *why, RnnError *err);

/* After reading a variable-length section: nothing past its end, nothing
 * left over. */
int rnn_fmt_finish(const RnnFmtFile *f, int s, const RnnFmtReader *r, RnnError *err);

/* Section S is exactly WANT bytes long. */
int rnn_fmt_expect_length(const RnnFmtFile *f, int s, uint64_t want, RnnError *err);

#endif
