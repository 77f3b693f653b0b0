/*
 * data_internal.h - what the data loaders (rnn_data.h) share among their
 * files; the runtime's own header, never installed.
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
#ifndef RNN_DATA_INTERNAL_H
#define RNN_DATA_INTERNAL_H

#include "rnn_data.h"

/* ---------------------------------------------------------------------- */
/* data_file.c: whole files, lines, sizes, messages                        */
/* ---------------------------------------------------------------------- */

typedef struct FileBytes {
  uint8_t *data; /* [len + 1], NUL-terminated for convenience */
  size_t len;
} FileBytes;

/* Walks the lines of a text file; the last line may lack its newline. */
typedef struct LineCursor {
  const uint8_t *pos, *end;
  long number; /* 1-based number of the line last returned */
} LineCursor;

/* strerror's text for ERRNUM in BUF, with a lowercase first letter. */
void rnn_data_describe_errno(int errnum, char *buf, size_t size);

/* "PATH: cannot open the file (WHY): check the path"; returns -1. */
int rnn_data_open_error(const char *path, int errnum, RnnError *err);

/* "PATH: out of memory while loading the data: ..."; returns -1. */
int rnn_data_out_of_memory(const char *path, RnnError *err);

/* TEXT[0..len) into BUF for a message in quotes: non-printable bytes and
 * quotes as \xNN, cut after 40 bytes with "...". */
void rnn_data_quote(const uint8_t *text, size_t len, char *buf, size_t size);

/* a * b, or SIZE_MAX when it overflows (malloc then fails cleanly). */
size_t rnn_data_mul_size(size_t a, size_t b);

/* malloc of COUNT elements of SIZE bytes, never of 0 bytes: NULL always
 * means failure (or overflow). */
void *rnn_data_alloc_array(size_t count, size_t size);

/* Reads PATH completely into FB (malloc'd, NUL-terminated). Missing,
 * unreadable and (when EXPECTED is not NULL) empty files are errors;
 * EXPECTED names what the file should hold. */
int rnn_data_read_file(const char *path, const char *expected, FileBytes *fb, RnnError *err);

/* Puts C before the first line of FB, past a UTF-8 byte order mark. */
void rnn_data_start_lines(LineCursor *c, const FileBytes *fb);

/* The next line without its '\n' and a '\r' before it; 0 at the end. */
int rnn_data_next_line(LineCursor *c, const uint8_t **line, size_t *len);

/* Fails ("PATH:NUMBER: the line is longer than 64 KiB ...") for a line of
 * more than 64 KiB: almost certainly a binary or wrongly split file. */
int rnn_data_check_line_length(const char *path, long number, size_t len, RnnError *err);

/* ---------------------------------------------------------------------- */
/* vocab.c: the vocabulary's pieces, load options, unknown bytes           */
/* ---------------------------------------------------------------------- */

/* Empties V of bytes; PADDING_ID (-1: none) is reserved, SIZE covers it. */
void rnn_data_vocab_clear(RnnVocab *v, int padding_id);

/* Sets PRESENT[b] for every byte b of DATA. */
void rnn_data_mark_bytes(const uint8_t *data, size_t len, unsigned char present[256]);

/* Gives the bytes of PRESENT that V lacks the lowest free ids, in
 * ascending byte order; fails without changing V past MAX_SIZE ids
 * (PATH, which may be NULL, names the data in the message). */
int rnn_data_vocab_add(RnnVocab *v, const unsigned char present[256], int max_size,
                       const char *path, RnnError *err);

/* OPT, or the defaults (every example, unknown bytes refused) for NULL. */
const RnnLoadOptions *rnn_data_options(const RnnLoadOptions *opt);

/* RNN_UNKNOWN_MAP with no free id: the message for WHERE ("FILE" or
 * "FILE:LINE"); returns -1. */
int rnn_data_vocab_full_error(const char *where, const RnnVocab *v, int max_size, RnnError *err);

/* ---------------------------------------------------------------------- */
/* data_text.c: the validation split's rule (examples.c uses it too)       */
/* ---------------------------------------------------------------------- */

/* Keras' validation_split rule: the first int(n * (1 - fraction)) of N
 * items train, the rest validate. */
size_t rnn_data_training_part(size_t n, double fraction);

/* Fails unless FRACTION is in [0, 1). */
int rnn_data_check_fraction(double fraction, RnnError *err);

/* ---------------------------------------------------------------------- */
/* examples.c: RnnExamples' memory and class labels                        */
/* ---------------------------------------------------------------------- */

/* Allocates EX's arrays for N examples of the shape already in EX (steps,
 * features, tokens, per_step, out, classes); -1 when out of memory (EX is
 * then empty). */
int rnn_data_examples_alloc(RnnExamples *ex, size_t n);

/* Sets up EX for one label per example in FORMAT ("IDX", ...): class ids
 * for cross-entropy, 0/1 targets of width 1 for binary cross-entropy;
 * other models fail with a message that says what the data needs. */
int rnn_data_class_targets(const RnnModelDesc *d, const char *path, const char *format,
                           RnnExamples *ex, RnnError *err);

/* The largest label an example may carry under EX's loss. */
long rnn_data_max_label(const RnnExamples *ex);

/* Stores LABEL as example I's class id (or 0/1 target). */
void rnn_data_store_class(RnnExamples *ex, size_t i, long label);

/* ---------------------------------------------------------------------- */
/* batch.c, eval.c: members of the model's structs by byte offset          */
/* ---------------------------------------------------------------------- */

static inline void *rnn_data_member(void *batch, size_t offset) { return (char *)batch + offset; }

static inline const void *rnn_data_member_const(const void *batch, size_t offset) {
  return (const char *)batch + offset;
}

#endif
