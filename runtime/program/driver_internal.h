/*
 * driver_internal.h - what the driver's files (rnn_driver.h) share: the
 * parsed command line, the model's memory, the run's progress, a loaded
 * data set, and the commands. The runtime's own header, never installed.
 *
 *   options.c  command line, help, failure messages
 *   model.c    the model's memory, checkpoints
 *   dataset.c  loading data, batches, evaluation
 *   train.c    train
 *   infer.c    eval, predict, sample
 *   driver.c   info, bench, and the table of commands
 *
 * A new command: its function (declared below with the others), a line
 * in driver.c's table, its options in options.c's option_allowed, and its
 * help in options.c (print_main_help's list, print_command_help).
 */
#ifndef RNN_DRIVER_INTERNAL_H
#define RNN_DRIVER_INTERNAL_H

#include <math.h>
#include <stdint.h>

#include "dist.h"
#include "rnn_data.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

/* "not measured" in logs and plots (NAN is a float constant) */
#define NOT_MEASURED ((double)NAN)

/* ---------------------------------------------------------------------- */
/* Options (options.c)                                                     */
/* ---------------------------------------------------------------------- */

#define MAX_FILES 4

typedef struct Options {
  const char *prog;             /* the program's name, for messages */
  const char *cmd;
  const char *data[MAX_FILES];
  int n_data;
  const char *valid[MAX_FILES];
  int n_valid;
  const char *checkpoint;
  char default_checkpoint[256];
  const char *log, *plot, *format, *prime, *csv_out, *svg_out, *seed_series;
  const char *json, *config, *run;  /* bench */
  const char *out;                  /* export */
  const char *init;                 /* train: weights to start from */
  const RnnDist *dist;              /* the processes training together */
  char rank_prog[128];              /* prog of a rank > 0: "NAME (rank R)" */
  long steps, epochs, eval_every, length, max_examples;
  long warmup, sample_chars, sample_reps; /* bench */
  double val_split, temperature;
  int top_k, threads, resume, quiet;
  int on_nan_skip;                  /* train --on-nan skip */
  RnnUnknown unknown;
  int val_split_set, seed_set, temperature_set, top_k_set, length_set, prime_set;
  int warmup_set, sample_reps_set;
  uint64_t seed;
} Options;

/* "PROG: error: MESSAGE" on stderr: a runtime or data error (exit 1). */
void rnn_driver_fail(const Options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether each of the N files PATHS (NULL: not asked for; WHAT[i] names
 * its option) can be written, checked before the work whose result it
 * will hold; -1 after saying which cannot and why. */
int rnn_driver_check_outputs(const Options *o, int n, const char *const *paths,
                             const char *const *what);

/* "PROG CMD: MESSAGE" and a pointer to --help on stderr; returns EXIT_USAGE. */
int rnn_driver_usage_fail(const Options *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The program's --help: its commands, for model D, on stdout. */
void rnn_driver_main_help(const RnnModelDesc *d, const char *prog);

/* Reads ARGV[2..] (after the command, O->cmd) into O: 0 when they are
 * fine, -1 after printing the command's --help, EXIT_USAGE after a usage
 * message (an unknown or misplaced option, a bad value). */
int rnn_driver_parse_options(const RnnModelDesc *d, int argc, char **argv, Options *o);

/* ---------------------------------------------------------------------- */
/* The model's memory and checkpoints (model.c)                            */
/* ---------------------------------------------------------------------- */

typedef struct Model {
  const RnnModelDesc *d;
  void *params, *grads, *optim, *state, *eval_state, *ws, *batch, *step_state;
} Model;

/* What a checkpoint holds beside the model's memory. */
typedef struct Progress {
  long step, epoch, position, examples_seen;
  double best_valid;
  RnnRng dropout_rng, data_rng;
  RnnVocab vocab;
} Progress;

/* Allocates every buffer of M for model D; -1 when out of memory (free M
 * with rnn_driver_model_free either way). */
int rnn_driver_model_alloc(Model *m, const RnnModelDesc *d);

void rnn_driver_model_free(Model *m);

/* The optimizer's step counter, last gradient norm and slots in M->optim. */
static inline long *rnn_driver_optim_step(const Model *m) {
  return (long *)((char *)m->optim + m->d->optim_step_offset);
}
static inline double *rnn_driver_optim_norm(const Model *m) {
  return (double *)((char *)m->optim + m->d->optim_norm_offset);
}
static inline rnn_real *rnn_driver_optim_slots(const Model *m) {
  return (rnn_real *)((char *)m->optim + m->d->optim_slots_offset);
}

/* Saves M and P to O->checkpoint; -1 after printing the error. */
int rnn_driver_save_checkpoint(const Options *o, Model *m, Progress *p);

/* Loads O->checkpoint into M (optimizer initialized by the caller) and P;
 * -1 after printing the error. */
int rnn_driver_load_checkpoint(const Options *o, Model *m, Progress *p);

/* Loads the checkpoint for eval/predict/sample ("no checkpoint ...: train
 * first" when there is none); -1 after printing the error. */
int rnn_driver_load_for_inference(const Options *o, Model *m, Progress *p);

/* ---------------------------------------------------------------------- */
/* Data sets (dataset.c)                                                   */
/* ---------------------------------------------------------------------- */

typedef enum Format { FORMAT_TEXT, FORMAT_LABELLED, FORMAT_IDX, FORMAT_CSV } Format;

typedef struct Data {
  Format format;
  RnnText text;       /* FORMAT_TEXT: the whole file */
  RnnText part;       /* FORMAT_TEXT: the part used (train or valid view) */
  RnnExamples ex;     /* other formats */
  int loaded;         /* holds data */
  int owner;          /* frees it (a text validation split borrows) */
} Data;

/* --format, else what model D reads from N_FILES files. */
Format rnn_driver_pick_format(const RnnModelDesc *d, const Options *o, int n_files);

/* Rounds in one pass over text DATA, or DATA's number of examples. */
size_t rnn_driver_data_count(const Data *data, const RnnModelDesc *d);

/* Frees DATA's memory if it owns it. */
void rnn_driver_data_free(Data *data);

/* Loads FILES in FORMAT (the first MAX examples; 0: all) under O's
 * --unknown, building V from them when it is empty; notes on stderr what
 * --unknown left out or mapped. -1 with the message in ERR. */
int rnn_driver_data_load(const Options *o, const RnnModelDesc *d, Format format,
                         const char *const *files, int n, RnnVocab *v, long max, Data *data,
                         RnnError *err);

/* Fills BATCH with batch number POS of DATA in ORDER (examples) or round
 * POS (text); returns the rows that are real examples. */
int rnn_driver_fill_batch(const RnnModelDesc *d, const Data *data, const size_t *order, long pos,
                          void *batch);

/* Fills BATCH with rank R's share of global batch POS of N ranks (dist.h):
 * the examples R*B .. R*B+B-1 of the N*B at POS*N*B in ORDER, or rows
 * R*B .. of text round POS in a layout of N*B rows. N = 1 is
 * rnn_driver_fill_batch of a whole batch. */
void rnn_driver_fill_share(const RnnModelDesc *d, const Data *data, const size_t *order, long pos,
                           int r, int n, void *batch);

/* Global batches of N ranks (N*B examples, or text rounds of N*B rows) in
 * one pass over DATA. */
size_t rnn_driver_global_batches(const Data *data, const RnnModelDesc *d, int n);

/* Identity order 0..n-1, or a shuffle of it from SEED; malloc'd, NULL
 * when out of memory. */
size_t *rnn_driver_make_order(size_t n, int shuffle, uint64_t seed);

/* Loss and accuracy sums of M on DATA, every example (every text round)
 * counted once, in M's evaluation state; -1 when out of memory. */
int rnn_driver_evaluate(Model *m, const Data *data, RnnEvalSums *sums);

/* The mean loss, and the accuracy (not for mse), of S; NOT_MEASURED when
 * there is nothing to average. */
double rnn_driver_mean_loss(const RnnEvalSums *s);
double rnn_driver_accuracy(const RnnModelDesc *d, const RnnEvalSums *s);

/* ---------------------------------------------------------------------- */
/* Commands (train.c, infer.c, driver.c)                                   */
/* ---------------------------------------------------------------------- */

/* Each command runs model D as O says and returns the exit status. */

/* train.c: trains on O->data, validates, logs, plots, saves checkpoints. */
int rnn_driver_cmd_train(const RnnModelDesc *d, Options *o);

/* infer.c: loss and accuracy on O->data; one prediction per example;
 * generation from the checkpoint. */
int rnn_driver_cmd_eval(const RnnModelDesc *d, Options *o);
int rnn_driver_cmd_predict(const RnnModelDesc *d, Options *o);
int rnn_driver_cmd_sample(const RnnModelDesc *d, Options *o);

#endif
