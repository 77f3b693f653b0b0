/*
 * data.c - data loaders, batching and exact evaluation (rnn_data.h).
 *
 * Every loader reads its whole file into memory (data sets for these models
 * are megabytes), checks it against the model before keeping anything, and
 * on failure fills an RnnError, frees what it allocated and returns -1; the
 * RnnExamples or RnnText it was given is then empty. Loaders never print
 * and never exit: the program driver decides what to do with the message.
 *
 * Messages are lowercase, start with the file's path exactly as the caller
 * gave it, then the line ("train.csv:17: ...") for text formats or the
 * byte offset ("images.gz: offset 16: ...", uncompressed) for IDX, then
 * what is wrong and what to do. Tests compare them byte for byte
 * (tests/data_errors), so keep their wording stable.
 */
#include "rnn_data.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Longest accepted line of a text format, without its newline: a longer
 * line is almost certainly a binary or wrongly split file. */
#define MAX_LINE_BYTES 65536

/* IDX magic numbers: unsigned bytes, 3 dimensions (images) or 1 (labels). */
#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_IMAGES_HEADER 16
#define IDX_LABELS_HEADER 8

/* ====================================================================== */
/* Errors                                                                  */
/* ====================================================================== */

/* A path for messages: vocabulary calls may come without a file. */
static const char *shown_path(const char *path) { return path != NULL ? path : "(data)"; }

/* strerror's text with a lowercase first letter, as every message is. */
static void describe_errno(int errnum, char *buf, size_t size) {
  if (strerror_r(errnum, buf, size) != 0) snprintf(buf, size, "error %d", errnum);
  if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = (char)(buf[0] - 'A' + 'a');
}

static int open_error(const char *path, int errnum, RnnError *err) {
  char why[128];
  describe_errno(errnum, why, sizeof why);
  rnn_error_set(err, "%s: cannot open the file (%s): check the path", path, why);
  return -1;
}

static int out_of_memory(const char *path, RnnError *err) {
  rnn_error_set(err, "%s: out of memory while loading the data: use a smaller data set", path);
  return -1;
}

/* TEXT[0..len) for a message: quoted by the caller, non-printable bytes
 * as \xNN, cut after 40 bytes (a runaway cell would drown the message). */
static void quote_for_message(const uint8_t *text, size_t len, char *buf, size_t size) {
  size_t out = 0;
  size_t shown = len > 40 ? 40 : len;
  for (size_t i = 0; i < shown && out + 5 < size; i++) {
    uint8_t c = text[i];
    if (c >= 0x20 && c < 0x7f && c != '\'')
      buf[out++] = (char)c;
    else
      out += (size_t)snprintf(buf + out, size - out, "\\x%02x", c);
  }
  if (shown < len && out + 4 < size) {
    memcpy(buf + out, "...", 3);
    out += 3;
  }
  buf[out] = '\0';
}

/* ====================================================================== */
/* Sizes and memory                                                        */
/* ====================================================================== */

/* a * b, or SIZE_MAX when it overflows (malloc then fails cleanly). */
static size_t mul_size(size_t a, size_t b) {
  if (a != 0 && b > SIZE_MAX / a) return SIZE_MAX;
  return a * b;
}

/* malloc of COUNT elements of SIZE bytes, never of 0 bytes (so NULL always
 * means failure). */
static void *alloc_array(size_t count, size_t size) {
  size_t bytes = mul_size(count, size);
  if (bytes == SIZE_MAX) return NULL;
  return malloc(bytes > 0 ? bytes : 1);
}

/* ====================================================================== */
/* Whole files and lines                                                   */
/* ====================================================================== */

typedef struct FileBytes {
  uint8_t *data; /* [len + 1], NUL-terminated for convenience */
  size_t len;
} FileBytes;

/* Reads PATH completely. Missing, unreadable and (when EXPECTED is not
 * NULL) empty files are errors; EXPECTED names what the file should hold. */
static int read_whole_file(const char *path, const char *expected, FileBytes *fb,
                           RnnError *err) {
  fb->data = NULL;
  fb->len = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return open_error(path, errno, err);
  size_t cap = 1 << 16, len = 0;
  uint8_t *data = malloc(cap + 1);
  int failed = data == NULL;
  while (!failed) {
    if (len == cap) {
      uint8_t *bigger = cap < SIZE_MAX / 2 - 1 ? realloc(data, cap * 2 + 1) : NULL;
      if (bigger == NULL) {
        failed = 1;
        break;
      }
      data = bigger;
      cap *= 2;
    }
    size_t got = fread(data + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  int read_errno = errno;
  int read_failed = !failed && ferror(f);
  fclose(f);
  if (failed) {
    free(data);
    return out_of_memory(path, err);
  }
  if (read_failed) {
    char why[128];
    describe_errno(read_errno, why, sizeof why);
    rnn_error_set(err, "%s: cannot read the file (%s): check the path", path, why);
    free(data);
    return -1;
  }
  if (len == 0 && expected != NULL) {
    rnn_error_set(err, "%s: the file is empty; expected %s", path, expected);
    free(data);
    return -1;
  }
  data[len] = '\0';
  fb->data = data;
  fb->len = len;
  return 0;
}

/* Walks the lines of a text file; the last line may lack its newline. */
typedef struct LineCursor {
  const uint8_t *pos, *end;
  long number; /* 1-based number of the line last returned */
} LineCursor;

/* A UTF-8 byte order mark (written by some editors) is not data. */
static void start_lines(LineCursor *c, const FileBytes *fb) {
  c->pos = fb->data;
  c->end = fb->data + fb->len;
  c->number = 0;
  if (fb->len >= 3 && memcmp(fb->data, "\xef\xbb\xbf", 3) == 0) c->pos += 3;
}

/* The next line without its '\n' and a '\r' before it (CRLF files);
 * 0 at the end of the file. */
static int next_line(LineCursor *c, const uint8_t **line, size_t *len) {
  if (c->pos >= c->end) return 0;
  const uint8_t *start = c->pos;
  const uint8_t *newline = memchr(start, '\n', (size_t)(c->end - start));
  const uint8_t *stop = newline != NULL ? newline : c->end;
  c->pos = newline != NULL ? newline + 1 : c->end;
  c->number++;
  if (stop > start && stop[-1] == '\r') stop--;
  *line = start;
  *len = (size_t)(stop - start);
  return 1;
}

static int is_blank(const uint8_t *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t') return 0;
  return 1;
}

static int check_line_length(const char *path, long number, size_t len, RnnError *err) {
  if (len <= MAX_LINE_BYTES) return 0;
  rnn_error_set(err, "%s:%ld: the line is longer than 64 KiB (%zu bytes): shorten it or split it",
                path, number, len);
  return -1;
}

/* ====================================================================== */
/* Vocabulary                                                              */
/* ====================================================================== */

static void vocab_clear(RnnVocab *v, int padding_id) {
  v->size = padding_id >= 0 ? padding_id + 1 : 0;
  v->padding_id = padding_id;
  for (int i = 0; i < 256; i++) {
    v->id[i] = -1;
    v->byte[i] = -1;
  }
}

static void mark_bytes(const uint8_t *data, size_t len, unsigned char present[256]) {
  for (size_t i = 0; i < len; i++) present[data[i]] = 1;
}

/* Byte ids stay below 258: 256 bytes and at most one padding id among them. */
#define MAX_BYTE_IDS 258

/* The lowest id from FROM on that no byte holds and that is not the
 * padding id: ids fill the gaps first (a padding id above the bytes leaves
 * some), so extending never wastes an id. */
static int lowest_free_id(const RnnVocab *v, const unsigned char used[MAX_BYTE_IDS], int from) {
  int id = from;
  while (id == v->padding_id || (id < MAX_BYTE_IDS && used[id])) id++;
  return id;
}

static int vocab_overflow(const RnnVocab *v, int distinct, int needed, int max_size,
                          const char *path, RnnError *err) {
  if (v->padding_id >= 0)
    rnn_error_set(err,
                  "%s: the data has %d distinct bytes and id %d is reserved for padding; the "
                  "model's vocab is %d: raise 'vocab' in the spec to at least %d",
                  shown_path(path), distinct, v->padding_id, max_size, needed);
  else
    rnn_error_set(err,
                  "%s: the data has %d distinct bytes; the model's vocab is %d: raise 'vocab' in "
                  "the spec to at least %d",
                  shown_path(path), distinct, max_size, needed);
  return -1;
}

/* Gives the bytes of PRESENT that V lacks the lowest free ids, in
 * ascending byte order; fails without changing V past MAX_SIZE ids. */
static int vocab_add_present(RnnVocab *v, const unsigned char present[256], int max_size,
                             const char *path, RnnError *err) {
  RnnVocab grown = *v;
  unsigned char used[MAX_BYTE_IDS] = {0};
  for (int b = 0; b < 256; b++)
    if (grown.id[b] >= 0 && grown.id[b] < MAX_BYTE_IDS) used[grown.id[b]] = 1;
  int next = 0, distinct = 0;
  for (int b = 0; b < 256; b++) {
    if (grown.id[b] < 0 && present[b]) {
      next = lowest_free_id(&grown, used, next);
      grown.id[b] = next;
      used[next] = 1;
      if (next < 256) grown.byte[next] = (int16_t)b; /* id 256: no slot in byte[] */
      if (next + 1 > grown.size) grown.size = next + 1;
    }
    distinct += grown.id[b] >= 0;
  }
  if (grown.size > max_size) return vocab_overflow(v, distinct, grown.size, max_size, path, err);
  *v = grown;
  return 0;
}

/* Builds V from the distinct bytes of DATA in ascending byte order, ids
 * 0, 1, ... with PADDING_ID (-1: none) skipped and reserved; size covers the
 * padding id too. Fails past MAX_SIZE ids (V is then empty of bytes). */
int rnn_vocab_build(RnnVocab *v, const uint8_t *data, size_t len, int max_size,
                    int padding_id, const char *path, RnnError *err) {
  unsigned char present[256] = {0};
  mark_bytes(data, len, present);
  vocab_clear(v, padding_id);
  return vocab_add_present(v, present, max_size, path, err);
}

/* Adds DATA's bytes that V lacks, with the next free ids (ascending byte
 * order); existing ids never change. Fails past MAX_SIZE, V unchanged. */
int rnn_vocab_extend(RnnVocab *v, const uint8_t *data, size_t len, int max_size,
                     const char *path, RnnError *err) {
  unsigned char present[256] = {0};
  mark_bytes(data, len, present);
  return vocab_add_present(v, present, max_size, path, err);
}

int rnn_vocab_unknown_id(const RnnVocab *v, int max_size) {
  unsigned char used[MAX_BYTE_IDS] = {0};
  for (int b = 0; b < 256; b++)
    if (v->id[b] >= 0 && v->id[b] < MAX_BYTE_IDS) used[v->id[b]] = 1;
  int id = lowest_free_id(v, used, 0);
  return id < max_size ? id : -1;
}

/* ====================================================================== */
/* Unknown bytes                                                           */
/* ====================================================================== */

static const RnnLoadOptions default_options = {0, RNN_UNKNOWN_ERROR};

static const RnnLoadOptions *options_or_default(const RnnLoadOptions *opt) {
  return opt != NULL ? opt : &default_options;
}

/* The id a byte V lacks is read as under OPT: the unknown id when mapping,
 * -1 when refused or skipped. */
static int32_t unknown_byte_id(const RnnLoadOptions *opt, int unknown_id) {
  return opt->unknown == RNN_UNKNOWN_MAP ? unknown_id : -1;
}

/* RNN_UNKNOWN_MAP needs a free id; WHERE is "FILE" or "FILE:LINE". */
static int vocab_full_error(const char *where, const RnnVocab *v, int max_size, RnnError *err) {
  rnn_error_set(err,
                "%s: no id is free for unknown bytes: the vocabulary's %d bytes%s fill the "
                "model's vocab of %d; use --unknown skip, or raise 'vocab' in the spec and retrain",
                where, v->size - (v->padding_id >= 0), v->padding_id >= 0 ? " and padding" : "",
                max_size);
  return -1;
}

/* ====================================================================== */
/* Text corpus                                                             */
/* ====================================================================== */

static void byte_not_in_vocab_error(const char *path, size_t offset, uint8_t byte,
                                    RnnError *err) {
  rnn_error_set(err,
                "%s: offset %zu: byte 0x%02x is not in the model's vocabulary (the bytes of its "
                "training text): remove it, train on text that has it, or pass --unknown skip or "
                "--unknown map",
                path, offset, byte);
}

/* FB's bytes as ids through V into T (ids allocated here), unknown
 * bytes handled as OPT says. */
static int text_ids(const char *path, const FileBytes *fb, const RnnVocab *v, int max_vocab,
                    const RnnLoadOptions *opt, RnnText *t, RnnError *err) {
  int unknown_id = rnn_vocab_unknown_id(v, max_vocab);
  int32_t *ids = alloc_array(fb->len, sizeof *ids);
  if (ids == NULL) return out_of_memory(path, err);
  size_t n = 0;
  for (size_t i = 0; i < fb->len; i++) {
    int32_t id = v->id[fb->data[i]];
    if (id < 0 && opt->unknown == RNN_UNKNOWN_SKIP) {
      t->skipped++;
      continue;
    }
    if (id < 0 && opt->unknown == RNN_UNKNOWN_MAP && unknown_id < 0) {
      free(ids);
      return vocab_full_error(path, v, max_vocab, err);
    }
    if (id < 0 && opt->unknown == RNN_UNKNOWN_ERROR) {
      free(ids);
      byte_not_in_vocab_error(path, i, fb->data[i], err);
      return -1;
    }
    if (id < 0) {
      id = unknown_byte_id(opt, unknown_id);
      t->mapped++;
    }
    ids[n++] = id;
  }
  if (n == 0) {
    free(ids);
    rnn_error_set(err,
                  "%s: the model's vocabulary has none of the file's bytes: nothing is left; is "
                  "this the data the model was trained for?",
                  path);
    return -1;
  }
  t->ids = ids;
  t->len = n;
  return 0;
}

/* Reads PATH's bytes as token ids. With V->size == 0 V is built from them,
 * reserving V->padding_id as set by the caller (-1: none, as for seed
 * 000, whose vocab should not lose an id to padding a corpus never has);
 * otherwise a byte V lacks is refused, skipped or mapped (OPT). */
int rnn_text_load(const char *path, RnnVocab *v, int max_vocab, const RnnLoadOptions *opt,
                  RnnText *t, RnnError *err) {
  memset(t, 0, sizeof *t);
  FileBytes fb;
  if (read_whole_file(path, "a text corpus", &fb, err) != 0) return -1;
  if (v->size == 0 &&
      rnn_vocab_build(v, fb.data, fb.len, max_vocab, v->padding_id, path, err) != 0) {
    free(fb.data);
    return -1;
  }
  int rc = text_ids(path, &fb, v, max_vocab, options_or_default(opt), t, err);
  free(fb.data);
  return rc;
}

/* Ids one batch needs: each of the B rows reads T+1 of them. */
static size_t ids_per_batch(int steps, int batch) {
  return mul_size((size_t)batch, (size_t)steps + 1);
}

/* Keras' validation_split rule: the first int(n * (1 - fraction)) items
 * train, the rest validate. */
static size_t training_part(size_t n, double fraction) {
  return (size_t)((double)n * (1.0 - fraction));
}

static int check_fraction(double fraction, RnnError *err) {
  if (fraction >= 0 && fraction < 1) return 0;
  rnn_error_set(err, "validation_split %g is outside [0, 1): give a fraction such as 0.1",
                fraction);
  return -1;
}

/* Splits T at Keras' point into training text and the validation text
 * after it, sharing T's memory. Each part that is not empty must hold at
 * least one batch (batch * (steps + 1) ids, one round of seed 000's
 * layout); fraction 0 leaves VALID empty. Messages name no file (the
 * caller knows it). */
int rnn_text_split(const RnnText *t, double fraction, int steps, int batch, RnnText *train,
                   RnnText *valid, RnnError *err) {
  if (check_fraction(fraction, err) != 0) return -1;
  size_t need = ids_per_batch(steps, batch);
  size_t split = fraction > 0 ? training_part(t->len, fraction) : t->len;
  if (split < need) {
    rnn_error_set(
        err,
        "the training text has %zu bytes but one batch needs %zu (batch %d x (length %d + "
        "1)): use a longer text or a smaller 'batch' or 'length'",
        split, need, batch, steps);
    return -1;
  }
  if (fraction > 0 && t->len - split < need) {
    rnn_error_set(
        err,
        "the validation text has %zu bytes but one batch needs %zu (batch %d x (length %d "
        "+ 1)): raise validation_split or use a longer text",
        t->len - split, need, batch, steps);
    return -1;
  }
  train->ids = t->ids;
  train->len = split;
  valid->ids = t->ids + split;
  valid->len = t->len - split;
  return 0;
}

/* Rounds per pass: segments of len / B ids, each round advancing T ids
 * and reading T+1, so (segment - 1) / T rounds fit. 0 when not one fits. */
long rnn_text_rounds(const RnnText *t, int steps, int batch) {
  if (steps < 1 || batch < 1) return 0;
  size_t segment = t->len / (size_t)batch;
  if (segment < 1) return 0;
  return (long)((segment - 1) / (size_t)steps);
}

/* Round r of seed 000's layout: row b reads ids segment*b + r*T + t for
 * inputs and the id after each for targets, so a row continues where it
 * stopped in the round before (the state carried by stateful training
 * matches the text). Writes nothing when no round fits. */
void rnn_text_batch(const RnnText *t, int steps, int batch, long round, int32_t *x,
                    int32_t *y) {
  long rounds = rnn_text_rounds(t, steps, batch);
  if (rounds < 1) return;
  long r = round % rounds;
  if (r < 0) r += rounds;
  size_t segment = t->len / (size_t)batch;
  for (int b = 0; b < batch; b++) {
    const int32_t *row = t->ids + segment * (size_t)b + (size_t)r * (size_t)steps;
    for (int s = 0; s < steps; s++) {
      x[(size_t)s * (size_t)batch + (size_t)b] = row[s];
      y[(size_t)s * (size_t)batch + (size_t)b] = row[s + 1];
    }
  }
}

/* Frees T's ids (not those of parts made by rnn_text_split). */
void rnn_text_free(RnnText *t) {
  free(t->ids);
  t->ids = NULL;
  t->len = 0;
}

/* ====================================================================== */
/* Examples: shared pieces                                                 */
/* ====================================================================== */

/* Allocates EX's arrays for N examples of the shape already in EX (steps,
 * features, tokens, per_step, out, classes). */
static int examples_alloc(RnnExamples *ex, size_t n) {
  size_t steps = (size_t)ex->steps;
  size_t per_example_targets = ex->per_step ? steps : 1;
  ex->n = n;
  if (ex->tokens)
    ex->ids = alloc_array(mul_size(n, steps), sizeof *ex->ids);
  else
    ex->x = alloc_array(mul_size(mul_size(n, steps), (size_t)ex->features), sizeof *ex->x);
  ex->lengths = alloc_array(n, sizeof *ex->lengths);
  if (ex->classes > 0)
    ex->label = alloc_array(mul_size(n, per_example_targets), sizeof *ex->label);
  else
    ex->target = alloc_array(mul_size(mul_size(n, per_example_targets), (size_t)ex->out),
                             sizeof *ex->target);
  int inputs_ok = ex->tokens ? ex->ids != NULL : ex->x != NULL;
  int targets_ok = ex->classes > 0 ? ex->label != NULL : ex->target != NULL;
  if (inputs_ok && targets_ok && ex->lengths != NULL) return 0;
  rnn_examples_free(ex);
  return -1;
}

/* Frees EX's arrays and leaves it empty. */
void rnn_examples_free(RnnExamples *ex) {
  free(ex->ids);
  free(ex->x);
  free(ex->lengths);
  free(ex->label);
  free(ex->target);
  memset(ex, 0, sizeof *ex);
}

/* One label per example (IDX, labelled): a class id for cross-entropy, or
 * a 0/1 target of width 1 for binary cross-entropy. Other models fail
 * with a message that says what the data needs. */
static int setup_class_targets(const RnnModelDesc *d, const char *path, const char *format,
                               RnnExamples *ex, RnnError *err) {
  if (d->out_per_step) {
    rnn_error_set(err,
                  "%s: %s data has one label per sequence: the model's output must not be "
                  "'per_step'",
                  path, format);
    return -1;
  }
  ex->per_step = 0;
  ex->out = 1;
  if (d->loss == RNN_LOSS_XENT) {
    ex->classes = d->out_units;
    return 0;
  }
  if (d->loss == RNN_LOSS_BCE && d->out_units == 1) {
    ex->classes = 0;
    return 0;
  }
  rnn_error_set(err,
                "%s: %s labels are class ids: the model needs loss cross_entropy, or "
                "binary_cross_entropy with 1 output",
                path, format);
  return -1;
}

/* The largest label an example may carry under EX's loss. */
static long max_label(const RnnExamples *ex) { return ex->classes > 0 ? ex->classes - 1 : 1; }

static void store_class_target(RnnExamples *ex, size_t i, long label) {
  if (ex->classes > 0)
    ex->label[i] = (int32_t)label;
  else
    ex->target[i] = (float)label;
}

/* ====================================================================== */
/* IDX                                                                     */
/* ====================================================================== */

typedef struct IdxFile {
  gzFile gz;
  const char *path;
  size_t offset; /* uncompressed bytes read so far */
} IdxFile;

static int idx_open(const char *path, IdxFile *f, RnnError *err) {
  f->path = path;
  f->offset = 0;
  errno = 0;
  f->gz = gzopen(path, "rb");
  if (f->gz != NULL) return 0;
  if (errno != 0) return open_error(path, errno, err);
  return out_of_memory(path, err);
}

/* Reads up to WANT bytes (fewer only at the end of the file) into BUF;
 * *got says how many. Fails on unreadable or corrupt gzip data. */
static int idx_read(IdxFile *f, void *buf, size_t want, size_t *got, RnnError *err) {
  uint8_t *out = buf;
  *got = 0;
  while (*got < want) {
    size_t chunk = want - *got > (1u << 30) ? (1u << 30) : want - *got;
    int n = gzread(f->gz, out + *got, (unsigned)chunk);
    if (n < 0) {
      int code = Z_OK;
      const char *why = gzerror(f->gz, &code);
      if (code == Z_BUF_ERROR) break; /* a truncated gzip stream: the caller says so */
      char sys[128];
      if (code == Z_ERRNO) describe_errno(errno, sys, sizeof sys);
      rnn_error_set(err, "%s: offset %zu: cannot read the data (%s): download the file again",
                    f->path, f->offset + *got, code == Z_ERRNO ? sys : why);
      return -1;
    }
    if (n == 0) break;
    *got += (size_t)n;
  }
  f->offset += *got;
  return 0;
}

static uint32_t big_endian_u32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Reads and checks an IDX header of SIZE bytes with magic MAGIC into
 * HEADER; WHAT is "image" or "label". */
static int idx_read_header(IdxFile *f, uint32_t magic, const char *what, uint8_t *header,
                           size_t size, RnnError *err) {
  size_t got = 0;
  if (idx_read(f, header, size, &got, err) != 0) return -1;
  if (got == 0) {
    rnn_error_set(err, "%s: the file is empty; expected an IDX %s file", f->path, what);
    return -1;
  }
  if (got >= 4 && big_endian_u32(header) != magic) {
    rnn_error_set(err, "%s: offset 0: not an IDX %s file (magic 0x%08x; expected 0x%08x)", f->path,
                  what, (unsigned)big_endian_u32(header), (unsigned)magic);
    return -1;
  }
  if (got < size) {
    rnn_error_set(err,
                  "%s: offset %zu: the file ends inside the IDX header (%zu of %zu bytes): it is "
                  "truncated; download it again",
                  f->path, got, got, size);
    return -1;
  }
  return 0;
}

static int idx_check_model(const RnnModelDesc *d, const char *images, RnnExamples *ex,
                           RnnError *err) {
  if (d->tokens) {
    rnn_error_set(err,
                  "%s: IDX images are real-valued steps: the model needs 'features' input, not "
                  "'vocab'",
                  images);
    return -1;
  }
  return setup_class_targets(d, images, "IDX", ex, err);
}

/* Image rows are the model's steps, columns its features. */
static int idx_check_dims(const char *path, uint32_t count, uint32_t rows, uint32_t cols,
                          const RnnModelDesc *d, RnnError *err) {
  if (count == 0) {
    rnn_error_set(err, "%s: offset 4: the file holds no images; expected at least one", path);
    return -1;
  }
  if (rows != (uint32_t)d->length) {
    rnn_error_set(err,
                  "%s: offset 8: the images have %u rows but the model's length is %d: set "
                  "'length %u' in the spec",
                  path, (unsigned)rows, d->length, (unsigned)rows);
    return -1;
  }
  if (cols != (uint32_t)d->features) {
    rnn_error_set(err,
                  "%s: offset 12: the images have %u columns but the model has %d features: set "
                  "'features %u' in the spec",
                  path, (unsigned)cols, d->features, (unsigned)cols);
    return -1;
  }
  return 0;
}

/* Reads KEEP images of IMAGE_BYTES bytes each into a malloc'd *PIXELS.
 * The buffer grows with what the file really holds (16 MiB at a time), so
 * a damaged header claiming billions of images costs a "truncated" error,
 * not an allocation of the claimed size. */
static int idx_read_pixels(IdxFile *f, size_t keep, size_t image_bytes, uint8_t **pixels,
                           RnnError *err) {
  const size_t chunk = (size_t)1 << 24;
  size_t total = mul_size(keep, image_bytes), got = 0, cap = 0;
  uint8_t *buf = NULL;
  while (got < total) {
    size_t want = total - got < chunk ? total - got : chunk;
    if (got + want > cap) {
      cap = got + want > 2 * cap ? got + want : (2 * cap < total ? 2 * cap : total);
      uint8_t *bigger = realloc(buf, cap);
      if (bigger == NULL) {
        free(buf);
        return out_of_memory(f->path, err);
      }
      buf = bigger;
    }
    size_t n = 0;
    if (idx_read(f, buf + got, want, &n, err) != 0) {
      free(buf);
      return -1;
    }
    got += n;
    if (n < want) break; /* the end of the file */
  }
  if (got < total) {
    rnn_error_set(err,
                  "%s: offset %zu: the file ends after %zu of %zu images: it is truncated; "
                  "download it again",
                  f->path, f->offset, got / image_bytes, keep);
    free(buf);
    return -1;
  }
  *pixels = buf;
  return 0;
}

static int idx_label_range_error(const char *path, size_t offset, int label, int top,
                                 const RnnExamples *ex, const RnnModelDesc *d, RnnError *err) {
  if (ex->classes > 0)
    rnn_error_set(err,
                  "%s: offset %zu: label %d is out of range: the labels go up to %d but the model "
                  "has %d outputs; give the output layer %d units",
                  path, offset, label, top, d->out_units, top + 1);
  else
    rnn_error_set(err,
                  "%s: offset %zu: label %d is out of range: binary cross-entropy takes labels 0 "
                  "and 1",
                  path, offset, label);
  return -1;
}

/* Checks every label against the model and stores them in EX. */
static int idx_store_labels(const char *path, const uint8_t *labels, size_t keep,
                            const RnnModelDesc *d, RnnExamples *ex, RnnError *err) {
  int top = 0;
  for (size_t i = 0; i < keep; i++)
    if (labels[i] > top) top = labels[i];
  for (size_t i = 0; i < keep; i++) {
    if (labels[i] > max_label(ex))
      return idx_label_range_error(path, IDX_LABELS_HEADER + i, labels[i], top, ex, d, err);
    store_class_target(ex, i, labels[i]);
  }
  return 0;
}

static int idx_read_labels(IdxFile *f, uint32_t images_count, const char *images, size_t keep,
                           const RnnModelDesc *d, RnnExamples *ex, RnnError *err) {
  uint8_t header[IDX_LABELS_HEADER];
  if (idx_read_header(f, IDX_LABELS_MAGIC, "label", header, sizeof header, err) != 0) return -1;
  uint32_t count = big_endian_u32(header + 4);
  if (count != images_count) {
    rnn_error_set(err,
                  "%s: offset 4: %u labels but %s has %u images: pass the label file that belongs "
                  "to the images",
                  f->path, (unsigned)count, images, (unsigned)images_count);
    return -1;
  }
  uint8_t *labels = alloc_array(keep, 1);
  if (labels == NULL) return out_of_memory(f->path, err);
  size_t got = 0;
  int rc = idx_read(f, labels, keep, &got, err);
  if (rc == 0 && got < keep) {
    rnn_error_set(err,
                  "%s: offset %zu: the file ends after %zu of %zu labels: it is truncated; "
                  "download it again",
                  f->path, f->offset, got, keep);
    rc = -1;
  }
  if (rc == 0) rc = idx_store_labels(f->path, labels, keep, d, ex, err);
  free(labels);
  return rc;
}

static void fill_full_lengths(RnnExamples *ex) {
  for (size_t i = 0; i < ex->n; i++) ex->lengths[i] = ex->steps;
}

/* Loads IMAGES and LABELS once both files are open. */
static int idx_load_open(IdxFile *img, IdxFile *lab, const RnnModelDesc *d, size_t max,
                         RnnExamples *ex, RnnError *err) {
  uint8_t header[IDX_IMAGES_HEADER];
  if (idx_read_header(img, IDX_IMAGES_MAGIC, "image", header, sizeof header, err) != 0)
    return -1;
  uint32_t count = big_endian_u32(header + 4);
  uint32_t rows = big_endian_u32(header + 8), cols = big_endian_u32(header + 12);
  if (idx_check_dims(img->path, count, rows, cols, d, err) != 0) return -1;
  size_t keep = max > 0 && max < count ? max : count;
  ex->steps = (int)rows;
  ex->features = (int)cols;
  ex->tokens = 0;
  size_t image_bytes = (size_t)rows * cols;
  uint8_t *pixels = NULL;
  if (idx_read_pixels(img, keep, image_bytes, &pixels, err) != 0) return -1;
  if (examples_alloc(ex, keep) != 0) {
    free(pixels);
    return out_of_memory(img->path, err);
  }
  fill_full_lengths(ex);
  for (size_t i = 0; i < keep * image_bytes; i++) ex->x[i] = (float)pixels[i] / 255.0f;
  free(pixels);
  return idx_read_labels(lab, count, img->path, keep, d, ex, err);
}

/* IDX images (magic 0x803: count, rows, cols) and labels (magic 0x801:
 * count), each gzip'd or not (zlib reads both): pixels / 255 as steps x
 * features, labels as class ids (or 0/1 targets for binary cross-entropy).
 * OPT->max > 0 keeps the first MAX examples. */
int rnn_idx_load(const char *images, const char *labels, const RnnModelDesc *d,
                 const RnnLoadOptions *opt, RnnExamples *ex, RnnError *err) {
  size_t max = options_or_default(opt)->max;
  memset(ex, 0, sizeof *ex);
  if (idx_check_model(d, images, ex, err) != 0) return -1;
  IdxFile img, lab;
  if (idx_open(images, &img, err) != 0) return -1;
  if (idx_open(labels, &lab, err) != 0) {
    gzclose(img.gz);
    return -1;
  }
  int rc = idx_load_open(&img, &lab, d, max, ex, err);
  gzclose(img.gz);
  gzclose(lab.gz);
  if (rc != 0) rnn_examples_free(ex);
  return rc;
}

/* ====================================================================== */
/* CSV series                                                              */
/* ====================================================================== */

static int count_cells(const uint8_t *line, size_t len) {
  int cells = 1;
  for (size_t i = 0; i < len; i++) cells += line[i] == ',';
  return cells;
}

/* Walks the comma-separated cells of one line. */
typedef struct CellCursor {
  const uint8_t *pos, *end;
} CellCursor;

/* The next cell with the spaces and tabs around it cut; valid for as many
 * calls as count_cells says. */
static void next_cell(CellCursor *c, const uint8_t **cell, size_t *len) {
  const uint8_t *start = c->pos;
  const uint8_t *comma = memchr(start, ',', (size_t)(c->end - start));
  const uint8_t *stop = comma != NULL ? comma : c->end;
  c->pos = comma != NULL ? comma + 1 : c->end;
  while (start < stop && (*start == ' ' || *start == '\t')) start++;
  while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t')) stop--;
  *cell = start;
  *len = (size_t)(stop - start);
}

typedef enum CellParse { CELL_NUMBER, CELL_NOT_NUMBER, CELL_NOT_FINITE, CELL_TOO_LARGE } CellParse;

/* strtod on a copy (the file's bytes are not NUL-terminated per cell, and
 * strtod would skip a newline as space); the whole cell must be used. */
static CellParse parse_cell(const uint8_t *text, size_t len, float *value) {
  char buf[64];
  if (len == 0 || len >= sizeof buf) return CELL_NOT_NUMBER;
  memcpy(buf, text, len);
  buf[len] = '\0';
  char *end = NULL;
  double v = strtod(buf, &end);
  if (end != buf + len || memchr(buf, '\0', len) != NULL) return CELL_NOT_NUMBER;
  if (!isfinite(v)) return CELL_NOT_FINITE;
  if (fabs(v) > (double)FLT_MAX) return CELL_TOO_LARGE;
  *value = (float)v;
  return CELL_NUMBER;
}

/* A header names the columns: none of its cells is a number. */
static int is_header(const uint8_t *line, size_t len) {
  CellCursor cur = {line, line + len};
  int cells = count_cells(line, len);
  for (int c = 0; c < cells; c++) {
    const uint8_t *cell;
    size_t cell_len;
    float ignored;
    next_cell(&cur, &cell, &cell_len);
    if (parse_cell(cell, cell_len, &ignored) == CELL_NUMBER) return 0;
  }
  return 1;
}

static int csv_column_count_error(const char *path, long number, int count, int features,
                                  int header, RnnError *err) {
  if (header)
    rnn_error_set(err,
                  "%s:%ld: the header names %d columns but the model has %d features: give one "
                  "column per feature",
                  path, number, count, features);
  else
    rnn_error_set(err,
                  "%s:%ld: %d values but the model has %d features: every line needs %d "
                  "comma-separated numbers",
                  path, number, count, features, features);
  return -1;
}

static int csv_cell_error(const char *path, long number, const uint8_t *cell, size_t len,
                          int column, CellParse why, RnnError *err) {
  char shown[200];
  quote_for_message(cell, len, shown, sizeof shown);
  const char *what = why == CELL_NOT_FINITE  ? "is not a finite number"
                     : why == CELL_TOO_LARGE ? "is too large for a float"
                                             : "is not a number";
  rnn_error_set(err, "%s:%ld: '%s' %s (column %d)", path, number, shown, what, column + 1);
  return -1;
}

/* Parses the FEATURES numbers of one data line into ROW. */
static int parse_csv_row(const char *path, long number, const uint8_t *line, size_t len,
                         int features, float *row, RnnError *err) {
  int cells = count_cells(line, len);
  if (cells != features) return csv_column_count_error(path, number, cells, features, 0, err);
  CellCursor cur = {line, line + len};
  for (int c = 0; c < features; c++) {
    const uint8_t *cell;
    size_t cell_len;
    next_cell(&cur, &cell, &cell_len);
    CellParse why = parse_cell(cell, cell_len, &row[c]);
    if (why != CELL_NUMBER) return csv_cell_error(path, number, cell, cell_len, c, why, err);
  }
  return 0;
}

/* A growing [rows][features] array of floats. */
typedef struct Series {
  float *values;
  size_t rows, cap;
} Series;

static float *series_new_row(Series *s, int features) {
  if (s->rows == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    float *bigger = realloc(s->values, mul_size(mul_size(cap, (size_t)features), sizeof(float)));
    if (bigger == NULL) return NULL;
    s->values = bigger;
    s->cap = cap;
  }
  return s->values + s->rows++ * (size_t)features;
}

/* Parses the lines of FB into S, up to MAX_ROWS data rows (0: all): blank
 * lines are skipped, the first non-blank line may be a header. */
static int parse_csv_lines(const char *path, const FileBytes *fb, int features, size_t max_rows,
                           Series *s, RnnError *err) {
  LineCursor cur;
  start_lines(&cur, fb);
  const uint8_t *line;
  size_t len;
  int first = 1;
  while ((max_rows == 0 || s->rows < max_rows) && next_line(&cur, &line, &len)) {
    if (check_line_length(path, cur.number, len, err) != 0) return -1;
    if (is_blank(line, len)) continue;
    if (first && is_header(line, len)) {
      first = 0;
      int cells = count_cells(line, len);
      if (cells != features)
        return csv_column_count_error(path, cur.number, cells, features, 1, err);
      continue;
    }
    first = 0;
    float *row = series_new_row(s, features);
    if (row == NULL) return out_of_memory(path, err);
    if (parse_csv_row(path, cur.number, line, len, features, row, err) != 0) return -1;
  }
  if (s->rows > 0) return 0;
  rnn_error_set(err, "%s: no data lines; expected %d comma-separated numbers per line", path,
                features);
  return -1;
}

/* Reads PATH as a series of FEATURES numbers per line (header allowed,
 * blank lines skipped) into a malloc'd [rows][features] array: the first
 * MAX_ROWS rows (0: all). */
static int read_series(const char *path, int features, size_t max_rows, float **values,
                       size_t *rows, RnnError *err) {
  *values = NULL;
  *rows = 0;
  if (features < 1) {
    rnn_error_set(err, "%s: a series needs at least 1 number per step, not %d", path, features);
    return -1;
  }
  FileBytes fb;
  if (read_whole_file(path, "comma-separated numbers, one step per line", &fb, err) != 0)
    return -1;
  Series s = {0};
  int rc = parse_csv_lines(path, &fb, features, max_rows, &s, err);
  free(fb.data);
  if (rc != 0) {
    free(s.values);
    return -1;
  }
  *values = s.values;
  *rows = s.rows;
  return 0;
}

int rnn_csv_read_series(const char *path, int features, float **values, size_t *rows,
                        RnnError *err) {
  return read_series(path, features, 0, values, rows, err);
}

static int csv_check_model(const RnnModelDesc *d, const char *path, RnnError *err) {
  if (d->tokens) {
    rnn_error_set(err,
                  "%s: a CSV series is real-valued: the model needs 'features' input, not 'vocab'",
                  path);
    return -1;
  }
  if (!d->out_per_step) {
    rnn_error_set(err,
                  "%s: CSV windows have a target for every step: the model's output needs "
                  "'per_step true'",
                  path);
    return -1;
  }
  if (d->loss == RNN_LOSS_XENT) {
    rnn_error_set(err,
                  "%s: CSV targets are the next step's numbers: the model needs loss mse, not "
                  "cross_entropy",
                  path);
    return -1;
  }
  if (d->out_units != d->features) {
    rnn_error_set(err,
                  "%s: the next step has %d numbers (the model's features) but the model has %d "
                  "outputs: give the output layer %d units",
                  path, d->features, d->out_units, d->features);
    return -1;
  }
  return 0;
}

/* Window i: steps i..i+T-1 of the series as inputs, i+1..i+T as targets. */
static void fill_windows(const float *series, int features, RnnExamples *ex) {
  size_t step_values = (size_t)ex->steps * (size_t)features;
  for (size_t i = 0; i < ex->n; i++) {
    memcpy(ex->x + i * step_values, series + i * (size_t)features,
           step_values * sizeof(float));
    memcpy(ex->target + i * step_values, series + (i + 1) * (size_t)features,
           step_values * sizeof(float));
    ex->lengths[i] = ex->steps;
  }
}

/* Every window of T steps with next-step targets (seed 001): rows - T
 * examples of a series of ROWS lines; OPT->max windows need only the
 * first max + T rows. */
int rnn_csv_load(const char *path, const RnnModelDesc *d, const RnnLoadOptions *opt,
                 RnnExamples *ex, RnnError *err) {
  memset(ex, 0, sizeof *ex);
  if (csv_check_model(d, path, err) != 0) return -1;
  size_t max = options_or_default(opt)->max;
  float *series = NULL;
  size_t rows = 0;
  if (read_series(path, d->features, max > 0 ? max + (size_t)d->length : 0, &series, &rows,
                  err) != 0)
    return -1;
  if (rows < (size_t)d->length + 1) {
    rnn_error_set(err,
                  "%s: %zu rows make no window: length %d needs at least %d rows (length + 1); use "
                  "a longer series or a smaller 'length'",
                  path, rows, d->length, d->length + 1);
    free(series);
    return -1;
  }
  ex->steps = d->length;
  ex->features = d->features;
  ex->per_step = 1;
  ex->out = d->features;
  if (examples_alloc(ex, rows - (size_t)d->length) != 0) {
    free(series);
    return out_of_memory(path, err);
  }
  fill_windows(series, d->features, ex);
  free(series);
  return 0;
}

/* ====================================================================== */
/* Labelled sequences                                                      */
/* ====================================================================== */

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
  quote_for_message(s, len, shown, sizeof shown);
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
  if (out->label < 0 || out->label > max_label(ex))
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
    return vocab_full_error(where, p->v, p->max_vocab, err);
  }
  return unknown_in_line_error(p->path, number, l, (size_t)(l->text - line - 1), at, err);
}

/* First pass: checks the lines up to the OPT->max'th kept one, counts the
 * kept examples and the ones left out, and marks their text bytes (for a
 * vocabulary built from the file). */
static int scan_labelled(const LabelledPass *p, const FileBytes *fb, size_t *count, long *skipped,
                         unsigned char present[256], RnnError *err) {
  LineCursor cur;
  start_lines(&cur, fb);
  const uint8_t *line;
  size_t len;
  LabelledLine l;
  *count = 0;
  *skipped = 0;
  while ((p->opt->max == 0 || *count < p->opt->max) && next_line(&cur, &line, &len)) {
    if (check_line_length(p->path, cur.number, len, err) != 0) return -1;
    if (len == 0) continue;
    if (parse_labelled_line(p->path, cur.number, line, len, p->ex, &l, err) != 0) return -1;
    int keep = keep_labelled(p, cur.number, line, &l, err);
    if (keep < 0) return -1;
    if (keep > 0) {
      (*skipped)++;
      continue;
    }
    mark_bytes(l.text, l.text_len, present);
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
  store_class_target(ex, i, l->label);
}

/* Second pass over the lines the first pass kept (EX->n of them). */
static void fill_labelled(const LabelledPass *p, const FileBytes *fb, int32_t padding_id,
                          RnnExamples *ex) {
  LineCursor cur;
  start_lines(&cur, fb);
  const uint8_t *line;
  size_t len, i = 0;
  LabelledLine l;
  while (i < ex->n && next_line(&cur, &line, &len)) {
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
  return setup_class_targets(d, path, "LABEL<TAB>TEXT", ex, err);
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
    vocab_clear(v, d->padding_id);
    if (vocab_add_present(v, present, d->vocab, path, err) != 0) {
      vocab_clear(v, -1); /* size 0 again: the caller may retry with another file */
      return -1;
    }
  }
  ex->steps = d->length;
  ex->tokens = 1;
  if (examples_alloc(ex, count) != 0) return out_of_memory(path, err);
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
  if (read_whole_file(path, "LABEL<TAB>TEXT lines", &fb, err) != 0) return -1;
  int rc = labelled_load_bytes(path, &fb, d, v, options_or_default(opt), ex, err);
  free(fb.data);
  if (rc != 0) rnn_examples_free(ex);
  return rc;
}

/* ====================================================================== */
/* Split                                                                   */
/* ====================================================================== */

/* Uniform in [0, bound) without modulo bias: draws above the largest
 * multiple of BOUND are rejected. */
static size_t uniform_below(RnnRng *rng, size_t bound) {
  uint64_t b = (uint64_t)bound;
  uint64_t limit = UINT64_MAX - UINT64_MAX % b;
  uint64_t r;
  do {
    r = rnn_rng_next(rng);
  } while (r >= limit);
  return (size_t)(r % b);
}

/* Fisher-Yates from the last position down: position i swaps with a
 * uniform j in [0, i]. */
static void shuffle_order(size_t *order, size_t n, uint64_t seed) {
  RnnRng rng;
  rnn_rng_seed(&rng, seed);
  for (size_t i = n; i > 1; i--) {
    size_t j = uniform_below(&rng, i);
    size_t tmp = order[i - 1];
    order[i - 1] = order[j];
    order[j] = tmp;
  }
}

/* Copies COUNT elements of SIZE bytes per example from example SRC_I of
 * SRC to example DST_I of DST (NULL arrays: nothing to copy). */
static void copy_example_part(void *dst, size_t dst_i, const void *src, size_t src_i,
                              size_t per_example) {
  if (dst == NULL || src == NULL) return;
  memcpy((char *)dst + dst_i * per_example, (const char *)src + src_i * per_example,
         per_example);
}

/* DST = the examples ORDER[0..n) of SRC, in that order, in new memory. */
static int examples_gather(const RnnExamples *src, const size_t *order, size_t n,
                           RnnExamples *dst) {
  memset(dst, 0, sizeof *dst);
  dst->steps = src->steps;
  dst->features = src->features;
  dst->tokens = src->tokens;
  dst->per_step = src->per_step;
  dst->out = src->out;
  dst->classes = src->classes;
  if (examples_alloc(dst, n) != 0) return -1;
  size_t steps = (size_t)src->steps, targets = src->per_step ? steps : 1;
  for (size_t i = 0; i < n; i++) {
    size_t k = order[i];
    copy_example_part(dst->ids, i, src->ids, k, steps * sizeof(int32_t));
    copy_example_part(dst->x, i, src->x, k, steps * (size_t)src->features * sizeof(float));
    copy_example_part(dst->lengths, i, src->lengths, k, sizeof(int32_t));
    copy_example_part(dst->label, i, src->label, k, targets * sizeof(int32_t));
    copy_example_part(dst->target, i, src->target, k, targets * (size_t)src->out * sizeof(float));
  }
  return 0;
}

static int split_size_error(size_t n, double fraction, size_t train, RnnError *err) {
  if (train == 0)
    rnn_error_set(err,
                  "the data has %zu examples: validation_split %g leaves none for training; use "
                  "more data or a smaller validation_split",
                  n, fraction);
  else
    rnn_error_set(err,
                  "the data has %zu examples: validation_split %g leaves none for validation; use "
                  "more data or a larger validation_split",
                  n, fraction);
  return -1;
}

/* Optionally shuffles EX by SEED (Fisher-Yates over xoshiro256**), then
 * moves its last part (Keras' rule: the first int(n * (1 - fraction))
 * stay) into VALID, which owns its memory. Fraction 0 leaves VALID empty.
 * The truncation count stays with EX (it describes the loaded file). */
int rnn_examples_split(RnnExamples *ex, double fraction, int shuffle, uint64_t seed,
                       RnnExamples *valid, RnnError *err) {
  memset(valid, 0, sizeof *valid);
  if (check_fraction(fraction, err) != 0) return -1;
  size_t n = ex->n;
  size_t train = fraction > 0 ? training_part(n, fraction) : n;
  if (train == 0 || (fraction > 0 && train == n))
    return split_size_error(n, fraction, train, err);
  if (fraction == 0 && !shuffle) return 0; /* nothing moves */
  size_t *order = alloc_array(n, sizeof *order);
  if (order == NULL) {
    rnn_error_set(err, "out of memory while splitting the data: use a smaller data set");
    return -1;
  }
  for (size_t i = 0; i < n; i++) order[i] = i;
  if (shuffle) shuffle_order(order, n, seed);
  RnnExamples kept;
  int rc = examples_gather(ex, order, train, &kept);
  if (rc == 0 && examples_gather(ex, order + train, n - train, valid) != 0) {
    rnn_examples_free(&kept);
    rc = -1;
  }
  free(order);
  if (rc != 0) {
    rnn_error_set(err, "out of memory while splitting the data: use a smaller data set");
    return -1;
  }
  kept.truncated = ex->truncated;
  rnn_examples_free(ex);
  *ex = kept;
  return 0;
}

/* ====================================================================== */
/* Batches                                                                 */
/* ====================================================================== */

static void *batch_member(void *batch, size_t offset) { return (char *)batch + offset; }

static const void *batch_member_const(const void *batch, size_t offset) {
  return (const char *)batch + offset;
}

/* Example E's inputs into column B of the time-major x. */
static void write_inputs(const RnnModelDesc *d, const RnnExamples *ex, size_t e, int b,
                         void *batch) {
  size_t T = (size_t)d->length, B = (size_t)d->batch;
  if (d->tokens) {
    int32_t *x = batch_member(batch, d->batch_x); /* [T][B] */
    for (size_t t = 0; t < T; t++) x[t * B + (size_t)b] = ex->ids[e * T + t];
    return;
  }
  size_t F = (size_t)d->features;
  rnn_real *x = batch_member(batch, d->batch_x); /* [T][B][F] */
  for (size_t t = 0; t < T; t++)
    for (size_t f = 0; f < F; f++)
      x[(t * B + (size_t)b) * F + f] = (rnn_real)ex->x[(e * T + t) * F + f];
}

/* Example E's targets into row B: y[T][B](/[OUT]) or y[B](/[OUT]). */
static void write_targets(const RnnModelDesc *d, const RnnExamples *ex, size_t e, int b,
                          void *batch) {
  size_t T = (size_t)d->length, B = (size_t)d->batch, OUT = (size_t)d->out_units;
  size_t steps = d->out_per_step ? T : 1;
  size_t stride = d->out_per_step ? B : 1; /* between one step's rows and the next */
  if (d->loss == RNN_LOSS_XENT) {
    int32_t *y = batch_member(batch, d->batch_y);
    for (size_t t = 0; t < steps; t++) y[t * stride + (size_t)b] = ex->label[e * steps + t];
    return;
  }
  rnn_real *y = batch_member(batch, d->batch_y);
  for (size_t t = 0; t < steps; t++)
    for (size_t o = 0; o < OUT; o++)
      y[(t * stride + (size_t)b) * OUT + o] = (rnn_real)ex->target[(e * steps + t) * OUT + o];
}

/* Row b of the batch is example IDX[b] for b < COUNT and IDX[0] after
 * (full-size batches keep the model's shapes; rnn_eval_rows skips the
 * extra rows). COUNT < 1 zeroes the batch. */
void rnn_examples_batch(const RnnModelDesc *d, const RnnExamples *ex, const size_t *idx,
                        int count, void *batch) {
  if (count < 1) {
    memset(batch, 0, d->batch_size);
    return;
  }
  int32_t *lengths =
      d->batch_lengths >= 0 ? batch_member(batch, (size_t)d->batch_lengths) : NULL; /* [B] */
  for (int b = 0; b < d->batch; b++) {
    size_t e = idx[b < count ? b : 0];
    write_inputs(d, ex, e, b, batch);
    write_targets(d, ex, e, b, batch);
    if (lengths != NULL) lengths[b] = ex->lengths[e];
  }
}

/* ====================================================================== */
/* Exact evaluation                                                        */
/* ====================================================================== */

/* The floor PyTorch puts under log in BCELoss, and rnn_loss_xent too. */
static double clamped_log(double p) {
  if (!(p > 0)) return -100.0;
  double l = log(p);
  return l > -100.0 ? l : -100.0;
}

/* Whether step T of row B is real: the model's own mask (seq_mask of the
 * generated forward pass), recomputed from the batch. */
static int step_is_real(const RnnModelDesc *d, const void *batch, int t, int b) {
  size_t B = (size_t)d->batch;
  if (d->mask == RNN_MASK_PADDING && d->tokens) {
    const int32_t *x = batch_member_const(batch, d->batch_x); /* [T][B] */
    return x[(size_t)t * B + (size_t)b] != d->padding_id;
  }
  if (d->mask == RNN_MASK_LENGTHS && d->batch_lengths >= 0) {
    const int32_t *lengths = batch_member_const(batch, (size_t)d->batch_lengths); /* [B] */
    return t < lengths[b];
  }
  return 1;
}

static int argmax(const rnn_real *p, int n) {
  int best = 0;
  for (int j = 1; j < n; j++)
    if (p[j] > p[best]) best = j;
  return best;
}

static void add_xent_row(const rnn_real *p, int classes, int32_t target, RnnEvalSums *s) {
  double pt = target >= 0 && target < classes ? (double)p[target] : 0.0;
  s->loss -= clamped_log(pt);
  s->elements += 1;
  s->predicted += 1;
  s->correct += argmax(p, classes) == target;
}

static void add_bce_row(const rnn_real *p, const rnn_real *y, int cols, RnnEvalSums *s) {
  for (int j = 0; j < cols; j++) {
    double pj = (double)p[j], yj = (double)y[j];
    s->loss -= yj * clamped_log(pj) + (1.0 - yj) * clamped_log(1.0 - pj);
    s->elements += 1;
    s->predicted += 1;
    s->correct += (pj >= 0.5) == (yj >= 0.5);
  }
}

static void add_mse_row(const rnn_real *out, const rnn_real *y, int cols, RnnEvalSums *s) {
  for (int j = 0; j < cols; j++) {
    double diff = (double)out[j] - (double)y[j];
    s->loss += diff * diff;
    s->elements += 1;
  }
}

/* Adds output row ROW (and its target, target row ROW) to S. */
static void add_row(const RnnModelDesc *d, const rnn_real *out, const void *batch, size_t row,
                    RnnEvalSums *s) {
  size_t OUT = (size_t)d->out_units;
  const rnn_real *p = out + row * OUT;
  if (d->loss == RNN_LOSS_XENT) {
    const int32_t *y = batch_member_const(batch, d->batch_y);
    add_xent_row(p, d->out_units, y[row], s);
    return;
  }
  const rnn_real *y = (const rnn_real *)batch_member_const(batch, d->batch_y) + row * OUT;
  if (d->loss == RNN_LOSS_BCE)
    add_bce_row(p, y, d->out_units, s);
  else
    add_mse_row(p, y, d->out_units, s);
}

/* Adds to SUMS this batch's sums over rows b < COUNT (and, per step, over
 * the steps the model's mask keeps), with the loss's own terms:
 * -log p[target] (xent, clamped at -100), BCE per element (clamped),
 * squared error per element (mse). elements: rows (xent) or rows * out;
 * correct/predicted: argmax (xent) or p >= 0.5 against y >= 0.5 (bce),
 * both 0 for mse. */
void rnn_eval_rows(const RnnModelDesc *d, const void *ws, const void *batch, int count,
                   RnnEvalSums *sums) {
  const rnn_real *out = batch_member_const(ws, d->output_offset);
  if (count > d->batch) count = d->batch;
  if (!d->out_per_step) {
    for (int b = 0; b < count; b++) add_row(d, out, batch, (size_t)b, sums);
    return;
  }
  for (int t = 0; t < d->length; t++)
    for (int b = 0; b < count; b++)
      if (step_is_real(d, batch, t, b))
        add_row(d, out, batch, (size_t)t * (size_t)d->batch + (size_t)b, sums);
}
