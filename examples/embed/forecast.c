/*
 * forecast.c - a generated model inside a program of your own: the
 * time-series predictor of specs/series.rnn (20 steps of one value, a
 * SimpleRNN of 100 ReLU units, one output per step), its weights trained
 * by the model's own program, loaded and run through the kernels library
 * alone (no libyaml, no zlib, no program library).
 *
 *   forecast WEIGHTS SERIES.csv [PREDICTIONS]
 *
 * WEIGHTS is a checkpoint (`series train --checkpoint F`) or a parameter
 * file (`series export --checkpoint F -o P`); SERIES.csv holds one value
 * per line. Three uses of the model's API, all on memory allocated once:
 *
 *   predict   every window of SERIES_T values, SERIES_B windows per
 *             series_forward (no dropout): the value after each window.
 *             With PREDICTIONS, one per line there (what `series predict`
 *             prints for the same file).
 *   stream    the same windows one value at a time through series_step
 *             with carried state, series_step_reset between windows, as a
 *             sensor loop would; after a window's last value it predicts
 *             what series_forward did (the largest difference is printed).
 *   generate  from the first window, each prediction fed back as the next
 *             input, GENERATE_STEPS times.
 *
 * The last lines are machine-readable:
 *   RESULT forecast predict_mse 0.001351
 *   RESULT forecast stream_max_diff 4.7e-07
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rnn_weights.h"
#include "series.h"

enum {
  MAX_VALUES = 100000, /* a bound for the example's input */
  GENERATE_STEPS = 40
};

/* The model's structs, allocated once. */
typedef struct Model {
  series_params *p;
  series_state *s;
  series_workspace *ws;
  series_batch *b;
  series_step_state *st;
} Model;

/* Reads one value per line of PATH into V (at most MAX_VALUES); returns
 * the count, or -1 with a message. */
static long read_series(const char *path, double *v) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    return -1;
  }
  long n = 0;
  while (n < MAX_VALUES && fscanf(f, "%lf", &v[n]) == 1) n++;
  int bad = !feof(f) && n < MAX_VALUES;
  fclose(f);
  if (bad || n <= SERIES_T) {
    fprintf(stderr, "%s: %s\n", path,
            bad ? "not one number per line" : "fewer values than one window and its target");
    return -1;
  }
  return n;
}

/* predict: windows FIRST .. FIRST+COUNT-1 (COUNT <= SERIES_B) through one
 * series_forward; the prediction after window FIRST+b goes to OUT[b]. */
static void predict_batch(Model *m, const double *v, long first, int count, double *out) {
  for (int t = 0; t < SERIES_T; t++)
    for (int b = 0; b < SERIES_B; b++) {
      m->b->x[t][b][0] = b < count ? (rnn_real)v[first + b + t] : 0;
      m->b->y[t][b][0] = 0; /* the loss is not used here */
    }
  series_reset_state(m->s);
  series_forward(m->p, m->s, m->ws, m->b, NULL);
  for (int b = 0; b < count; b++) out[b] = m->ws->out_out[SERIES_T - 1][b * SERIES_OUT];
}

/* stream: the window at FIRST, one value at a time from a fresh state;
 * returns the prediction after its last value. */
static double stream_window(Model *m, const double *v, long first) {
  const rnn_real *y = NULL;
  series_step_reset(m->st);
  for (int t = 0; t < SERIES_T; t++) {
    rnn_real x[SERIES_F] = {(rnn_real)v[first + t]};
    y = series_step(m->p, m->st, x);
  }
  return y[0];
}

/* generate: warm up on the first window, then feed predictions back. */
static void generate(Model *m, const double *v) {
  double next = stream_window(m, v, 0);
  printf("generate: after the first %d values:", SERIES_T);
  for (int i = 0; i < GENERATE_STEPS; i++) {
    printf("%s%.4f", i % 10 ? " " : "\n  ", next);
    rnn_real x[SERIES_F] = {(rnn_real)next};
    next = series_step(m->p, m->st, x)[0];
  }
  printf("\n");
}

static int run(Model *m, const double *v, long n, FILE *predictions) {
  long windows = n - SERIES_T; /* each window's target is the value after it */
  double sq = 0, worst = 0, out[SERIES_B];
  for (long first = 0; first < windows; first += SERIES_B) {
    int count = windows - first < SERIES_B ? (int)(windows - first) : SERIES_B;
    predict_batch(m, v, first, count, out);
    for (int b = 0; b < count; b++) {
      double err = out[b] - v[first + b + SERIES_T];
      double diff = fabs(stream_window(m, v, first + b) - out[b]);
      sq += err * err;
      worst = diff > worst ? diff : worst;
      if (predictions)
        fprintf(predictions, "%.6g\n", out[b]);
    }
  }
  printf("predict: %ld windows of %d values, one-step-ahead MSE %.6f\n", windows, SERIES_T,
         sq / windows);
  printf("stream:  the same windows a value at a time; largest difference %.2g\n", worst);
  generate(m, v);
  printf("RESULT forecast predict_mse %.6f\n", sq / windows);
  printf("RESULT forecast stream_max_diff %.2g\n", worst);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s WEIGHTS SERIES.csv [PREDICTIONS]\n", argv[0]);
    return 2;
  }
  Model m = {rnn_alloc(sizeof *m.p), rnn_alloc(sizeof *m.s), rnn_alloc(sizeof *m.ws),
             rnn_alloc(sizeof *m.b), rnn_alloc(sizeof *m.st)};
  double *v = malloc(MAX_VALUES * sizeof *v);
  int rc = 1;
  RnnError err;
  FILE *predictions = NULL;
  if (!m.p || !m.s || !m.ws || !m.b || !m.st || !v)
    fprintf(stderr, "%s: out of memory\n", argv[0]);
  else if (rnn_weights_load(argv[1], &series_desc, m.p, NULL, &err) != 0)
    fprintf(stderr, "%s\n", err.msg);
  else if (argc == 4 && !(predictions = fopen(argv[3], "w")))
    perror(argv[3]);
  else {
    long n = read_series(argv[2], v);
    rc = n < 0 ? 1 : run(&m, v, n, predictions);
  }
  if (predictions && fclose(predictions) != 0) {
    perror(argv[3]);
    rc = 1;
  }
  free(m.p), free(m.s), free(m.ws), free(m.b), free(m.st), free(v);
  return rc;
}
