/*
 * rnn_data.h - data loaders and batching for generated programs.
 *
 * Four formats, all read fully into caller-owned structures (data sets for
 * these models are megabytes, not gigabytes):
 *   text      a corpus of bytes (seed 000): tokens, seed 000's batch layout
 *   idx       IDX images + labels, gzip or not (Fashion-MNIST): rows = steps
 *   csv       numeric series, one step per line, F comma-separated values:
 *             sliding windows with next-step targets (seed 001)
 *   labelled  "LABEL<TAB>TEXT" per line: variable-length token sequences
 *             with a class label (seed 002), padded and masked
 *
 * Token ids come from a byte vocabulary built from the training data (or
 * read back from a checkpoint). Every error names the file and the line or
 * byte offset, and says what to do; loaders never exit.
 */
#ifndef RNN_DATA_H
#define RNN_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "rnn_model.h"

/* ---------------------------------------------------------------------- */
/* Byte vocabulary                                                         */
/* ---------------------------------------------------------------------- */

/* RnnVocab is rnn_model.h's: the weight files carry it too. */

/* Builds the vocabulary of DATA: its distinct bytes in ascending byte order
 * get ids 0, 1, ..., skipping PADDING_ID (-1 for none). Fails when more than
 * MAX_SIZE ids would be needed ("the data has 97 distinct bytes; the model's
 * vocab is 96: raise 'vocab' in the spec to at least 97"). */
int rnn_vocab_build(RnnVocab *v, const uint8_t *data, size_t len, int max_size,
                    int padding_id, const char *path, RnnError *err);

/* Adds the bytes of DATA missing from V (a second file, a prime text);
 * fails like rnn_vocab_build past MAX_SIZE. */
int rnn_vocab_extend(RnnVocab *v, const uint8_t *data, size_t len, int max_size,
                     const char *path, RnnError *err);

/* The id for bytes V lacks (RNN_UNKNOWN_MAP): the lowest id below MAX_SIZE
 * that no byte holds and that is not the padding id; -1 when V fills the
 * model's vocab. A function of V alone, so the same after a checkpoint. */
int rnn_vocab_unknown_id(const RnnVocab *v, int max_size);

/* ---------------------------------------------------------------------- */
/* Load options                                                            */
/* ---------------------------------------------------------------------- */

/* What a loader does with a byte its given vocabulary lacks (data the
 * model was not trained on: a test word with a letter no training word
 * has). Training data builds the vocabulary, so this only matters for
 * eval and predict. */
typedef enum RnnUnknown {
  RNN_UNKNOWN_ERROR, /* refuse the file, naming the line or offset (the default) */
  RNN_UNKNOWN_SKIP,  /* leave out the example (labelled) or the byte (text) */
  RNN_UNKNOWN_MAP    /* read it as rnn_vocab_unknown_id: an embedding row no
                        training step touched, as Keras's OOV index */
} RnnUnknown;

/* Zero-initialized: every example, unknown bytes refused. */
typedef struct RnnLoadOptions {
  size_t max;         /* keep the first MAX examples (0: all); the lines after
                         them are not parsed, nor checked (not for text) */
  RnnUnknown unknown; /* labelled and text files with a given vocabulary */
} RnnLoadOptions;

/* ---------------------------------------------------------------------- */
/* Text corpus, seed 000's batch layout                                    */
/* ---------------------------------------------------------------------- */

typedef struct RnnText {
  int32_t *ids;   /* [len] */
  size_t len;
  size_t skipped; /* bytes left out (RNN_UNKNOWN_SKIP) */
  size_t mapped;  /* bytes read as the unknown id (RNN_UNKNOWN_MAP) */
} RnnText;

/* Reads PATH's bytes; builds V from them when V->size == 0, else a byte V
 * lacks is handled as OPT says (NULL: refused, "byte 0xc3 at offset 1234
 * is not in the model's vocabulary"). Empty or missing files are errors. */
int rnn_text_load(const char *path, RnnVocab *v, int max_vocab, const RnnLoadOptions *opt,
                  RnnText *t, RnnError *err);

/* Splits off the last FRACTION of T (at least one round, batch * (steps +
 * 1) ids, each side; fraction 0: VALID empty) as validation text; both
 * share T's memory (free only T). */
int rnn_text_split(const RnnText *t, double fraction, int steps, int batch, RnnText *train,
                   RnnText *valid, RnnError *err);

/* Rounds per pass over T in seed 000's layout: the B rows start B evenly
 * spaced segments of T; a round reads T+1 ids per row (inputs and
 * next-id targets) and the next round starts at the last of them. */
long rnn_text_rounds(const RnnText *t, int steps, int batch);

/* Fills x[T][B] and y[T][B] (time-major, the generated batch layout) with
 * round ROUND (taken modulo rnn_text_rounds). */
void rnn_text_batch(const RnnText *t, int steps, int batch, long round, int32_t *x,
                    int32_t *y);

/* The same for rows FIRST .. FIRST+B-1 of a layout of STREAMS rows: the
 * part of a global batch of STREAMS rows one rank of data-parallel
 * training reads (dist.h), so that N ranks with B rows each read what one
 * process with N*B rows would. rnn_text_batch is STREAMS = B, FIRST = 0. */
void rnn_text_batch_rows(const RnnText *t, int steps, int streams, int first, int batch,
                         long round, int32_t *x, int32_t *y);

void rnn_text_free(RnnText *t);

/* ---------------------------------------------------------------------- */
/* Examples: IDX, CSV windows, labelled sequences                          */
/* ---------------------------------------------------------------------- */

typedef struct RnnExamples {
  size_t n;          /* examples */
  int steps;         /* T */
  int features;      /* F per step; 0 for tokens */
  int tokens;        /* 1: ids, 0: reals */
  int32_t *ids;      /* [n][T] token ids (padded with the padding id) */
  float *x;          /* [n][T][F] */
  int32_t *lengths;  /* [n] real steps of each example (T when full) */
  int per_step;      /* targets for every step, else one per example */
  int out;           /* target width: 1 for class ids */
  int classes;       /* class ids are in [0, classes) (xent); 0 otherwise */
  int32_t *label;    /* xent: [n] or [n][T] class ids */
  float *target;     /* bce/mse: [n][out] or [n][T][out] */
  long truncated;    /* labelled: examples cut to T steps */
  long skipped;      /* labelled: examples left out (RNN_UNKNOWN_SKIP) */
  long mapped;       /* labelled: bytes read as the unknown id (RNN_UNKNOWN_MAP) */
} RnnExamples;

/* IDX image and label files (gzip or not, by content): each image's rows
 * are its steps and its columns the features, scaled to [0, 1]; labels are
 * class ids. The model must take features == columns, length == rows and
 * give OUT_UNITS classes ("labels go up to 9 but the model has 5 outputs").
 * OPT->max (0 = all) keeps the first MAX examples (OPT may be NULL). */
int rnn_idx_load(const char *images, const char *labels, const RnnModelDesc *d,
                 const RnnLoadOptions *opt, RnnExamples *ex, RnnError *err);

/* A numeric series: one step per line, F comma-separated numbers (a header
 * line of names is allowed). Window i is steps i..i+T-1 with targets
 * i+1..i+T (next-step prediction, seed 001): per-step targets of width F.
 * OPT->max keeps the first MAX windows: only MAX + T rows are parsed. */
int rnn_csv_load(const char *path, const RnnModelDesc *d, const RnnLoadOptions *opt,
                 RnnExamples *ex, RnnError *err);

/* The raw series of a CSV file (for priming free-running generation):
 * *values is [rows][features], malloc'd. */
int rnn_csv_read_series(const char *path, int features, float **values, size_t *rows,
                        RnnError *err);

/* "LABEL<TAB>TEXT" per line: TEXT's bytes become ids through V (built from
 * the file when V->size == 0, skipping the model's padding id), padded to T
 * (post-padding) or cut to T; LABEL is a class id for cross-entropy or 0/1
 * for binary cross-entropy. Empty TEXT, a label out of range, a missing tab,
 * a line longer than 64 KiB: errors with the line number. OPT (may be NULL)
 * keeps the first OPT->max examples (a vocabulary built here has only
 * their bytes) and says what to do with bytes a given V lacks. */
int rnn_labelled_load(const char *path, const RnnModelDesc *d, RnnVocab *v,
                      const RnnLoadOptions *opt, RnnExamples *ex, RnnError *err);

/* Moves the last FRACTION of EX (after an optional deterministic shuffle by
 * SEED; shuffle 0 keeps order, as for a time series) into VALID. */
int rnn_examples_split(RnnExamples *ex, double fraction, int shuffle, uint64_t seed,
                       RnnExamples *valid, RnnError *err);

/* Fills the model's batch (layout from D: x/y/lengths offsets, time-major)
 * from examples IDX[0..count); rows count..B-1 repeat example IDX[0] (the
 * caller ignores them: see rnn_eval_rows). */
void rnn_examples_batch(const RnnModelDesc *d, const RnnExamples *ex, const size_t *idx,
                        int count, void *batch);

void rnn_examples_free(RnnExamples *ex);

/* ---------------------------------------------------------------------- */
/* Exact evaluation                                                        */
/* ---------------------------------------------------------------------- */

/* Per-batch sums for evaluation that counts every example exactly once:
 * from the model's output rows (the workspace at D->output_offset) and the
 * batch targets, for the first COUNT rows only, over real steps only. */
typedef struct RnnEvalSums {
  double loss;      /* summed loss (the loss's own per-element terms) */
  double elements;  /* what the loss is a mean over */
  double correct;   /* classification: correct predictions */
  double predicted; /* classification: predictions made */
} RnnEvalSums;

/* Adds one batch's sums to *SUMS (zero it before the first batch). */
void rnn_eval_rows(const RnnModelDesc *d, const void *ws, const void *batch, int count,
                   RnnEvalSums *sums);

#endif
