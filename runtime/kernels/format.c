/*
 * format.c - the container of checkpoints and parameter files
 * (rnn_format.h): reading a whole file, the header, the CRC, the section
 * table, bounded readers, and the checks of a file's model against the
 * program's. Every message names the file and what to do.
 *
 * Checks run in this order and the first failure is the message: header
 * (magic, format, precision), CRC, section structure, then the contents
 * the caller reads, then identity against the program's model.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "rnn_format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(rnn_real) == 4 || sizeof(rnn_real) == 8, "rnn_real is float or double");
_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE single and double");

static const char CKPT_SECTIONS[9][5] = {"MODL", "TENS", "PARM", "OPTS", "STAT",
                                         "RNGS", "VOCB", "CURS", "LOGS"};
static const char PARAMS_SECTIONS[4][5] = {"MODL", "TENS", "PARM", "VOCB"};
_Static_assert(sizeof CKPT_SECTIONS / sizeof CKPT_SECTIONS[0] <= RNN_FMT_MAX_SECTIONS,
               "RnnFmtFile has room for every section");

const RnnFmtKind rnn_fmt_checkpoint = {
    .magic = {'R', 'N', 'N', 'C', 'K', 'P', 'T', 0},
    .version = 1,
    .what = "checkpoint",
    .advice_damaged = "use an earlier checkpoint or train from scratch",
    .n_sections = sizeof CKPT_SECTIONS / sizeof CKPT_SECTIONS[0],
    .names = CKPT_SECTIONS};

const RnnFmtKind rnn_fmt_params = {
    .magic = {'R', 'N', 'N', 'C', 'P', 'A', 'R', 'M'},
    .version = 1,
    .what = "parameter file",
    .advice_damaged = "export it again from its checkpoint (the program's export command)",
    .n_sections = sizeof PARAMS_SECTIONS / sizeof PARAMS_SECTIONS[0],
    .names = PARAMS_SECTIONS};

/* ---------------------------------------------------------------------- */
/* Bytes                                                                  */
/* ---------------------------------------------------------------------- */

void rnn_fmt_store_real(uint8_t *p, rnn_real v) {
  if (sizeof v == 8) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    rnn_fmt_store_u64(p, bits);
  } else {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    rnn_fmt_store_u32(p, bits);
  }
}

void rnn_fmt_load_reals(const uint8_t *p, uint32_t real_size, size_t n, rnn_real *x) {
  for (size_t i = 0; i < n; i++) {
    if (real_size == 8) {
      uint64_t bits = rnn_fmt_load_u64(p + 8 * i);
      double v;
      memcpy(&v, &bits, sizeof v);
      x[i] = (rnn_real)v;
    } else {
      uint32_t bits = rnn_fmt_load_u32(p + 4 * i);
      float v;
      memcpy(&v, &bits, sizeof v);
      x[i] = (rnn_real)v;
    }
  }
}

/* The reflected CRC-32 (polynomial 0xEDB88320) of zlib and gzip, a byte
 * at a time through a table built on the stack: 256 entries cost less
 * than reading a small file, and nothing global is left to initialize. */
uint32_t rnn_crc32(uint32_t crc, const void *p, size_t n) {
  uint32_t table[256];
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  const uint8_t *b = p;
  crc = ~crc;
  for (size_t i = 0; i < n; i++)
    crc = table[(crc ^ b[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

const char *rnn_fmt_printable(const uint8_t *s, size_t n, char *out, size_t cap) {
  size_t keep = n < cap - 1 ? n : cap - 4;
  for (size_t i = 0; i < keep; i++)
    out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
  if (keep < n)
    memcpy(out + keep, "...", 4);
  else
    out[keep] = '\0';
  return out;
}

/* ---------------------------------------------------------------------- */
/* The whole file                                                         */
/* ---------------------------------------------------------------------- */

/* Contract: see rnn_format.h. */
int rnn_fmt_read_path(const char *path, const char *what, uint8_t **buf, size_t *size,
                      RnnError *err) {
  *buf = NULL;
  *size = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return rnn_error_set(err, "%s: cannot open the %s: %s; check the path", path, what,
                         strerror(errno));
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) != 0)
    rc = rnn_error_set(err, "%s: cannot read: %s", path, strerror(errno));
  else if (!S_ISREG(st.st_mode))
    rc = rnn_error_set(err, "%s: not a regular file; give the path of a %s", path, what);
  else if ((uintmax_t)st.st_size > (uintmax_t)SIZE_MAX)
    rc = rnn_error_set(err, "%s: too large to read (%jd bytes)", path, (intmax_t)st.st_size);
  if (rc == 0) {
    size_t want = (size_t)st.st_size, got = 0;
    *buf = malloc(want > 0 ? want : 1);
    if (!*buf)
      rc = rnn_error_set(err, "%s: out of memory for its %zu bytes", path, want);
    while (rc == 0 && got < want) {
      ssize_t n = read(fd, *buf + got, want - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        rc = rnn_error_set(err, "%s: cannot read: %s", path, strerror(errno));
      if (n <= 0)
        break; /* shrank while we read: what we have is judged as cut off */
      got += (size_t)n;
    }
    *size = got;
  }
  close(fd);
  return rc;
}

const RnnFmtKind *rnn_fmt_kind_of(const uint8_t *buf, size_t size) {
  const RnnFmtKind *kinds[] = {&rnn_fmt_checkpoint, &rnn_fmt_params};
  for (int i = 0; i < 2; i++)
    if (size >= 8 && memcmp(buf, kinds[i]->magic, 8) == 0)
      return kinds[i];
  return NULL;
}

/* Magic, format version and precision. */
static int check_header(RnnFmtFile *f, uint32_t want_real_size, RnnError *err) {
  const RnnFmtKind *k = f->kind;
  const uint8_t *b = f->buf;
  size_t n = f->size < 8 ? f->size : 8;
  if (memcmp(b, k->magic, n) != 0)
    return rnn_error_set(err,
                         "%s: not an rnnc %s (it does not start with \"%.8s\"); check the path",
                         f->path, k->what, (const char *)k->magic);
  if (f->size < 12)
    return rnn_error_set(err, "%s: ends at byte %zu inside the header: the file is truncated; %s",
                         f->path, f->size, k->advice_damaged);
  uint32_t version = rnn_fmt_load_u32(b + 8);
  if (version > k->version)
    return rnn_error_set(err,
                         "%s: written by a newer rnnc (format %u); this program reads format %u: "
                         "use a program generated by that rnnc",
                         f->path, (unsigned)version, (unsigned)k->version);
  if (version == 0)
    return rnn_error_set(err,
                         "%s: format 0 at byte 8, which no rnnc writes: the file is damaged; %s",
                         f->path, k->advice_damaged);
  if (f->size < RNN_FMT_HEADER_BYTES)
    return rnn_error_set(err, "%s: ends at byte %zu inside the header: the file is truncated; %s",
                         f->path, f->size, k->advice_damaged);
  f->real_size = rnn_fmt_load_u32(b + 12);
  if (f->real_size != 4 && f->real_size != 8)
    return rnn_error_set(err,
                         "%s: %u-byte reals at byte 12, which no rnnc writes: the file is "
                         "damaged; %s",
                         f->path, (unsigned)f->real_size, k->advice_damaged);
  if (want_real_size && f->real_size != want_real_size)
    return rnn_error_set(err,
                         "%s: holds %s parameters; this program was built with %s: use a program "
                         "built with the same precision (RNNC_REAL_DOUBLE)",
                         f->path, f->real_size == 8 ? "double" : "float",
                         want_real_size == 8 ? "double" : "float");
  if (f->size < RNN_FMT_HEADER_BYTES + RNN_FMT_CRC_BYTES)
    return rnn_error_set(err, "%s: ends at byte %zu after the header: the file is truncated; %s",
                         f->path, f->size, k->advice_damaged);
  return 0;
}

static int crc_matches(const RnnFmtFile *f) {
  size_t body = f->size - RNN_FMT_CRC_BYTES;
  return rnn_crc32(0, f->buf, body) == rnn_fmt_load_u32(f->buf + body);
}

static int section_of_tag(const RnnFmtKind *k, uint32_t tag) {
  for (int s = 0; s < k->n_sections; s++)
    if (tag == rnn_fmt_tag(k->names[s]))
      return s;
  return -1;
}

typedef enum WalkResult { WALK_OK, WALK_TRUNCATED, WALK_DAMAGED } WalkResult;

/* Sections that stop short of where they should: phrased for a cut-off
 * file when the CRC failed (the likely cause), as damage when it holds (a
 * writer that is not rnnc's). */
static WalkResult walk_stops_short(const RnnFmtFile *f, int crc_ok, size_t pos, const char *last,
                                   RnnError *err) {
  if (crc_ok)
    rnn_error_set(err, "%s: %zu stray bytes at byte %zu after section %s: the file is damaged; %s",
                  f->path, f->size - RNN_FMT_CRC_BYTES - pos, pos, last, f->kind->advice_damaged);
  else
    rnn_error_set(err, "%s: ends at byte %zu after section %s: the file is truncated; %s", f->path,
                  f->size, last, f->kind->advice_damaged);
  return crc_ok ? WALK_DAMAGED : WALK_TRUNCATED;
}

static WalkResult section_overruns(const RnnFmtFile *f, int crc_ok, int s, size_t pos, uint64_t len,
                                   RnnError *err) {
  if (crc_ok)
    rnn_error_set(err,
                  "%s: section %s at byte %zu claims %llu bytes, past the end of the file at "
                  "byte %zu: the file is damaged; %s",
                  f->path, f->kind->names[s], pos, (unsigned long long)len, f->size,
                  f->kind->advice_damaged);
  else
    rnn_error_set(err,
                  "%s: ends at byte %zu inside section %s (which starts at byte %zu and is "
                  "%llu bytes long): the file is truncated; %s",
                  f->path, f->size, f->kind->names[s], pos, (unsigned long long)len,
                  f->kind->advice_damaged);
  return crc_ok ? WALK_DAMAGED : WALK_TRUNCATED;
}

static WalkResult section_missing(const RnnFmtFile *f, int crc_ok, int s, const char *last,
                                  RnnError *err) {
  if (crc_ok)
    rnn_error_set(err, "%s: has no section %s: the file is damaged or not from rnnc; %s", f->path,
                  f->kind->names[s], f->kind->advice_damaged);
  else
    rnn_error_set(err,
                  "%s: ends at byte %zu after section %s, without section %s: the file is "
                  "truncated; %s",
                  f->path, f->size, last, f->kind->names[s], f->kind->advice_damaged);
  return crc_ok ? WALK_DAMAGED : WALK_TRUNCATED;
}

/* Finds the sections between the header and the CRC. Every length is
 * checked against the bytes that remain before it is used. */
static WalkResult walk_sections(RnnFmtFile *f, int crc_ok, RnnError *err) {
  const RnnFmtKind *k = f->kind;
  size_t pos = RNN_FMT_HEADER_BYTES, end = f->size - RNN_FMT_CRC_BYTES;
  const char *last = "the header";
  char tag_text[8];
  while (pos < end) {
    if (end - pos < RNN_FMT_SECTION_HEAD_BYTES)
      return walk_stops_short(f, crc_ok, pos, last, err);
    int s = section_of_tag(k, rnn_fmt_load_u32(f->buf + pos));
    uint64_t len = rnn_fmt_load_u64(f->buf + pos + 4);
    if (s < 0) {
      rnn_error_set(err,
                    "%s: unknown section '%s' at byte %zu: the file is damaged or from another "
                    "program; this program reads format %u",
                    f->path, rnn_fmt_printable(f->buf + pos, 4, tag_text, sizeof tag_text), pos,
                    (unsigned)k->version);
      return WALK_DAMAGED;
    }
    if (len > end - pos - RNN_FMT_SECTION_HEAD_BYTES)
      return section_overruns(f, crc_ok, s, pos, len, err);
    if (f->sec[s].present) {
      rnn_error_set(err,
                    "%s: section %s appears twice (at bytes %zu and %zu): the file is "
                    "damaged; %s",
                    f->path, k->names[s], f->sec[s].at, pos, k->advice_damaged);
      return WALK_DAMAGED;
    }
    f->sec[s] = (RnnFmtSection){1, pos, pos + RNN_FMT_SECTION_HEAD_BYTES, (size_t)len};
    pos += RNN_FMT_SECTION_HEAD_BYTES + (size_t)len;
    last = k->names[s];
  }
  for (int s = 0; s < k->n_sections; s++)
    if (!f->sec[s].present)
      return section_missing(f, crc_ok, s, last, err);
  return WALK_OK;
}

/* Contract: see rnn_format.h. */
int rnn_fmt_open(RnnFmtFile *f, uint32_t want_real_size, RnnError *err) {
  memset(f->sec, 0, sizeof f->sec);
  if (check_header(f, want_real_size, err) != 0)
    return -1;
  int crc_ok = crc_matches(f);
  WalkResult walk = walk_sections(f, crc_ok, err);
  if (!crc_ok && walk != WALK_TRUNCATED)
    return rnn_error_set(err, "%s: checksum mismatch: the file is damaged; %s", f->path,
                         f->kind->advice_damaged);
  return walk == WALK_OK ? 0 : -1;
}

/* ---------------------------------------------------------------------- */
/* Section contents                                                       */
/* ---------------------------------------------------------------------- */

RnnFmtReader rnn_fmt_reader(const RnnFmtFile *f, int s) {
  return (RnnFmtReader){f->buf, f->sec[s].payload, f->sec[s].payload + f->sec[s].len, 0};
}

static const uint8_t *take(RnnFmtReader *r, size_t n) {
  if (r->overrun || r->end - r->pos < n) {
    r->overrun = 1;
    return NULL;
  }
  const uint8_t *p = r->buf + r->pos;
  r->pos += n;
  return p;
}

uint32_t rnn_fmt_get_u32(RnnFmtReader *r) {
  const uint8_t *p = take(r, 4);
  return p ? rnn_fmt_load_u32(p) : 0;
}

uint64_t rnn_fmt_get_u64(RnnFmtReader *r) {
  const uint8_t *p = take(r, 8);
  return p ? rnn_fmt_load_u64(p) : 0;
}

/* Two's complement without relying on the implementation-defined
 * conversion of out-of-range unsigned values. */
int32_t rnn_fmt_get_i32(RnnFmtReader *r) {
  uint32_t u = rnn_fmt_get_u32(r);
  return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

int64_t rnn_fmt_get_i64(RnnFmtReader *r) {
  uint64_t u = rnn_fmt_get_u64(r);
  return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

double rnn_fmt_get_f64(RnnFmtReader *r) {
  uint64_t bits = rnn_fmt_get_u64(r);
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

RnnFmtBytes rnn_fmt_get_string(RnnFmtReader *r) {
  uint32_t n = rnn_fmt_get_u32(r);
  const uint8_t *p = take(r, n);
  return (RnnFmtBytes){p, p ? n : 0};
}

int rnn_fmt_malformed(const RnnFmtFile *f, int s, size_t at, const char *why, RnnError *err) {
  return rnn_error_set(err,
                       "%s: section %s (at byte %zu) is malformed at byte %zu: %s; the file is "
                       "damaged; %s",
                       f->path, f->kind->names[s], f->sec[s].at, at, why, f->kind->advice_damaged);
}

int rnn_fmt_finish(const RnnFmtFile *f, int s, const RnnFmtReader *r, RnnError *err) {
  char why[96];
  if (r->overrun) {
    snprintf(why, sizeof why, "a field runs past the section's end at byte %zu", r->end);
    return rnn_fmt_malformed(f, s, r->pos, why, err);
  }
  if (r->pos != r->end) {
    snprintf(why, sizeof why, "%zu bytes left after its last field", r->end - r->pos);
    return rnn_fmt_malformed(f, s, r->pos, why, err);
  }
  return 0;
}

int rnn_fmt_expect_length(const RnnFmtFile *f, int s, uint64_t want, RnnError *err) {
  if (f->sec[s].len == want)
    return 0;
  char why[160];
  snprintf(why, sizeof why, "it is %zu bytes long where format %u has %llu", f->sec[s].len,
           (unsigned)f->kind->version, (unsigned long long)want);
  return rnn_fmt_malformed(f, s, f->sec[s].payload, why, err);
}

/* The tensor table: well-formed and every tensor inside the parameters. */
static int check_tensor_section(const RnnFmtFile *f, RnnFmtModel *m, RnnError *err) {
  RnnFmtReader r = rnn_fmt_reader(f, RNN_FMT_TENS);
  m->n_tensors = rnn_fmt_get_u32(&r);
  if (m->n_tensors > f->sec[RNN_FMT_TENS].len / RNN_FMT_TENSOR_MIN_BYTES)
    return rnn_fmt_malformed(f, RNN_FMT_TENS, f->sec[RNN_FMT_TENS].payload,
                             "more tensors than the section has room for", err);
  for (uint32_t i = 0; i < m->n_tensors && !r.overrun; i++) {
    size_t at = r.pos;
    RnnFmtBytes name = rnn_fmt_get_string(&r);
    uint64_t rows = rnn_fmt_get_u32(&r), cols = rnn_fmt_get_u32(&r), offset = rnn_fmt_get_u64(&r);
    if (r.overrun)
      break;
    if (name.n > RNN_FMT_MAX_NAME_BYTES)
      return rnn_fmt_malformed(f, RNN_FMT_TENS, at, "a tensor name over 1024 bytes", err);
    if (offset > m->n_params || rows * cols > m->n_params - offset)
      return rnn_fmt_malformed(f, RNN_FMT_TENS, at, "a tensor reaches past the parameters", err);
  }
  return rnn_fmt_finish(f, RNN_FMT_TENS, &r, err);
}

/* Contract: see rnn_format.h. */
int rnn_fmt_read_model(const RnnFmtFile *f, RnnFmtModel *m, RnnError *err) {
  RnnFmtReader r = rnn_fmt_reader(f, RNN_FMT_MODL);
  m->name = rnn_fmt_get_string(&r);
  m->hash = rnn_fmt_get_string(&r);
  m->length = rnn_fmt_get_u32(&r);
  m->batch = rnn_fmt_get_u32(&r);
  m->n_params = rnn_fmt_get_u64(&r);
  m->n_slots = rnn_fmt_get_u32(&r);
  if (rnn_fmt_finish(f, RNN_FMT_MODL, &r, err) != 0)
    return -1;
  size_t modl = f->sec[RNN_FMT_MODL].payload;
  if (m->name.n > RNN_FMT_MAX_NAME_BYTES || m->hash.n > RNN_FMT_MAX_NAME_BYTES)
    return rnn_fmt_malformed(f, RNN_FMT_MODL, modl, "a name over 1024 bytes", err);
  if (check_tensor_section(f, m, err) != 0)
    return -1;
  uint64_t rs = f->real_size;
  if (m->n_params > UINT64_MAX / rs / ((uint64_t)m->n_slots + 1))
    return rnn_fmt_malformed(f, RNN_FMT_MODL, modl, "an impossible parameter count", err);
  return rnn_fmt_expect_length(f, RNN_FMT_PARM, m->n_params * rs, err);
}

/* ---------------------------------------------------------------------- */
/* The vocabulary                                                         */
/* ---------------------------------------------------------------------- */

/* Contract: see rnn_format.h. */
void rnn_fmt_vocab_from_ids(RnnVocab *v, int size, int padding_id, const int32_t id[256]) {
  v->size = size;
  v->padding_id = padding_id;
  for (int k = 0; k < 256; k++) v->byte[k] = -1;
  for (int b = 0; b < 256; b++) {
    v->id[b] = id[b];
    if (id[b] >= 0 && id[b] < 256)
      v->byte[id[b]] = (int16_t)b;
  }
}

/* Contract: see rnn_format.h. */
int rnn_fmt_vocab_ids_invalid(int size, int padding_id, const int32_t id[256], char *why,
                             size_t cap) {
  if (size < 0 || size > RNN_FMT_MAX_VOCAB_IDS)
    return snprintf(why, cap, "vocabulary size %d is outside 0..%d", size, RNN_FMT_MAX_VOCAB_IDS), 1;
  if (padding_id < -1 || padding_id >= RNN_FMT_MAX_VOCAB_IDS)
    return snprintf(why, cap, "padding id %d is outside -1..%d", padding_id, RNN_FMT_MAX_VOCAB_IDS - 1),
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

/* Contract: see rnn_format.h. */
int rnn_fmt_read_vocab(const RnnFmtFile *f, int s, RnnVocab *v, RnnError *err) {
  if (rnn_fmt_expect_length(f, s, RNN_FMT_VOCB_BYTES, err) != 0)
    return -1;
  RnnFmtReader r = rnn_fmt_reader(f, s);
  int32_t size = rnn_fmt_get_i32(&r), padding_id = rnn_fmt_get_i32(&r), id[256];
  for (int b = 0; b < 256; b++)
    id[b] = rnn_fmt_get_i32(&r);
  char why[128];
  if (rnn_fmt_vocab_ids_invalid(size, padding_id, id, why, sizeof why))
    return rnn_fmt_malformed(f, s, f->sec[s].payload, why, err);
  rnn_fmt_vocab_from_ids(v, size, padding_id, id);
  return 0;
}

int rnn_fmt_section(const RnnFmtKind *k, const char *tag) {
  for (int s = 0; s < k->n_sections; s++)
    if (strcmp(k->names[s], tag) == 0)
      return s;
  return -1;
}

/* ---------------------------------------------------------------------- */
/* The file's model against the program's                                 */
/* ---------------------------------------------------------------------- */

static int bytes_equal(RnnFmtBytes b, const char *s) {
  return b.n == strlen(s) && (b.n == 0 || memcmp(b.p, s, b.n) == 0);
}

/* "'name' (spec 3f2a1b0c...)": the hash shortened to SHOWN characters;
 * "'name'" alone when SHOWN is 0. */
static void identity_text(RnnFmtBytes name, RnnFmtBytes hash, size_t shown, char *out, size_t cap) {
  char n[80], h[80];
  size_t keep = hash.n < shown ? hash.n : shown;
  rnn_fmt_printable(name.p, name.n, n, sizeof n);
  rnn_fmt_printable(hash.p, keep, h, sizeof h);
  if (shown == 0)
    snprintf(out, cap, "'%s'", n);
  else
    snprintf(out, cap, "'%s' (spec %s%s)", n, h, hash.n > keep ? "..." : "");
}

/* How many hash characters to show so that two hashes look different:
 * 8 as people compare them, more when those agree. */
static size_t hash_chars_to_show(RnnFmtBytes a, RnnFmtBytes b) {
  size_t i = 0;
  while (i < a.n && i < b.n && a.p[i] == b.p[i])
    i++;
  return i < 8 ? 8 : i + 1;
}

int rnn_fmt_check_identity(const RnnFmtFile *f, const RnnFmtModel *m, const RnnModelDesc *d,
                           int with_hash, const char *advice, RnnError *err) {
  if (bytes_equal(m->name, d->name) && (!with_hash || bytes_equal(m->hash, d->spec_hash)))
    return 0;
  char theirs[192], ours[192];
  RnnFmtBytes dn = {(const uint8_t *)d->name, strlen(d->name)};
  RnnFmtBytes dh = {(const uint8_t *)d->spec_hash, strlen(d->spec_hash)};
  size_t shown = with_hash ? hash_chars_to_show(m->hash, dh) : 0;
  identity_text(m->name, m->hash, shown, theirs, sizeof theirs);
  identity_text(dn, dh, shown, ours, sizeof ours);
  return rnn_error_set(err, "%s: this %s is for model %s, not %s; %s", f->path, f->kind->what,
                       theirs, ours, advice);
}

int rnn_fmt_check_size(const RnnFmtFile *f, const char *what, uint64_t theirs, uint64_t ours,
                       const char *advice, RnnError *err) {
  if (theirs == ours)
    return 0;
  return rnn_error_set(err,
                       "%s: the %s's %s is %llu, the model's %llu: it was saved by another "
                       "build of the model; %s",
                       f->path, f->kind->what, what, (unsigned long long)theirs,
                       (unsigned long long)ours, advice);
}

int rnn_fmt_check_tensors(const RnnFmtFile *f, const RnnModelDesc *d, const char *advice,
                          RnnError *err) {
  RnnFmtReader r = rnn_fmt_reader(f, RNN_FMT_TENS);
  rnn_fmt_get_u32(&r);
  for (int i = 0; i < d->n_tensors; i++) {
    const RnnTensorDesc *t = &d->tensors[i];
    RnnFmtBytes name = rnn_fmt_get_string(&r);
    uint32_t rows = rnn_fmt_get_u32(&r), cols = rnn_fmt_get_u32(&r);
    uint64_t offset = rnn_fmt_get_u64(&r);
    if (bytes_equal(name, t->name) && rows == (uint32_t)t->rows && cols == (uint32_t)t->cols &&
        offset == (uint64_t)t->offset)
      continue;
    char n[80];
    return rnn_error_set(err,
                         "%s: tensor %d differs: the %s has '%s' [%u][%u] at offset %llu, the "
                         "model '%s' [%d][%d] at offset %zu: it was saved by another build of "
                         "the model; %s",
                         f->path, i, f->kind->what, rnn_fmt_printable(name.p, name.n, n, sizeof n),
                         (unsigned)rows, (unsigned)cols, (unsigned long long)offset, t->name,
                         t->rows, t->cols, t->offset, advice);
  }
  return 0;
}
