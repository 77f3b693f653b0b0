/*
 * rnn_report.h - what a training run shows and leaves behind: a progress
 * bar (rate and ETA on a terminal, plain lines otherwise), a log of every
 * evaluation as CSV or JSON lines, and SVG plots of the curves and of
 * predicted series. Plus the token sampler.
 */
#ifndef RNN_REPORT_H
#define RNN_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "rnn.h"
#include "rnn_data.h"

/* ---- progress ---- */

typedef struct RnnProgress {
  FILE *out;
  int tty;            /* redraw one line in place (\r); else plain lines */
  long total;         /* steps planned */
  double start;       /* monotonic seconds at start */
  double last_draw;   /* when the line was last drawn/printed */
  long start_done;    /* steps already done at start (resume) */
} RnnProgress;

/* Starts a progress display on OUT for TOTAL steps, DONE of them already
 * done (a resumed run). A terminal is detected with isatty. */
void rnn_progress_start(RnnProgress *p, FILE *out, long total, long done);

/* Shows step DONE with the loss: on a terminal at most 10 redraws a
 * second, "[=====>    ] 1200/5000  24%  loss 1.873  85.2 step/s  ETA 0:44";
 * otherwise a plain line at most every 10 seconds (and at the end). */
void rnn_progress_update(RnnProgress *p, long done, double loss);

/* Ends the line (terminal) and prints the total time and rate. */
void rnn_progress_finish(RnnProgress *p, long done);

/* Monotonic seconds (CLOCK_MONOTONIC). */
double rnn_now(void);

/* ---- log ---- */

typedef struct RnnLog {
  FILE *f;
  int jsonl;          /* 1: JSON lines; 0: CSV with a header row */
} RnnLog;

/* One evaluation point; NAN for "not measured" (an empty CSV cell, JSON null). */
typedef struct RnnLogRow {
  long step, epoch;
  double lr, train_loss, valid_loss, valid_accuracy, grad_norm, seconds;
  long skipped; /* batches --on-nan skip left out since the run started */
} RnnLogRow;

/* Opens PATH for the log: JSON lines when it ends in .jsonl or .json, CSV
 * otherwise; APPEND keeps existing rows (a resumed run), but drops a last
 * row cut short (no newline: a kill or a full disk while it was written). */
int rnn_log_open(RnnLog *log, const char *path, int append, RnnError *err);
void rnn_log_row(RnnLog *log, const RnnLogRow *row);
void rnn_log_close(RnnLog *log);

/* ---- plots ---- */

/* Loss (and accuracy, right axis) against steps as a standalone SVG: train
 * loss, validation loss and validation accuracy, each skipped when all NAN.
 * Written to PATH.tmp and renamed. */
int rnn_plot_curves(const char *path, const char *title, const RnnLogRow *rows, size_t n,
                    RnnError *err);

/* A series and a prediction as an SVG line plot: TRUTH[0..n_truth) and
 * PRED[0..n_pred) drawn from x = PRED_OFFSET; either may be NULL. Used for
 * prediction against truth and for free-running generation (seed 001). */
int rnn_plot_series(const char *path, const char *title, const float *truth, size_t n_truth,
                    const float *pred, size_t n_pred, size_t pred_offset, RnnError *err);

/* ---- sampling ---- */

/* Draws an index from the distribution PROBS[0..n) (a softmax output)
 * reshaped by TEMPERATURE (p^(1/t), renormalized: the same as dividing the
 * logits by t) and restricted to the TOP_K most likely (0 = all). */
int rnn_sample_index(const rnn_real *probs, int n, double temperature, int top_k,
                     RnnRng *rng);

#endif
