/*
 * infer.c - the commands that run a trained model: eval (loss and
 * accuracy, every example counted once), predict (one line per example)
 * and sample (text from a prime, or a series fed back into itself).
 */
#include "driver_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_report.h"

/* ---------------------------------------------------------------------- */
/* eval, predict                                                           */
/* ---------------------------------------------------------------------- */

static int load_eval_data(const Options *o, const RnnModelDesc *d, Progress *p, Data *data) {
  RnnError err;
  if (rnn_driver_data_load(o, d, rnn_driver_pick_format(d, o, o->n_data), o->data, o->n_data,
                           &p->vocab, o->max_examples, data, &err) != 0) {
    rnn_driver_fail(o, "%s", err.msg);
    return EXIT_FAIL;
  }
  return 0;
}

/* NAME eval DATA...: loss (and accuracy), every example counted once. */
int rnn_driver_cmd_eval(const RnnModelDesc *d, Options *o) {
  if (o->n_data == 0) /* a usage error before any file is read */
    return rnn_driver_usage_fail(o, "needs DATA; see '%s %s --help'", o->prog, o->cmd);
  Model m;
  Progress p;
  Data data = {0};
  memset(&p, 0, sizeof p);
  if (rnn_driver_model_alloc(&m, d) != 0) {
    rnn_driver_fail(o, "out of memory");
    return EXIT_FAIL;
  }
  int rc = EXIT_FAIL;
  if (rnn_driver_load_for_inference(o, &m, &p) != 0)
    goto done;
  if ((rc = load_eval_data(o, d, &p, &data)) != 0)
    goto done;
  rc = EXIT_FAIL;
  rnn_set_threads(o->threads); /* 0 (no --threads): one per core */
  RnnEvalSums sums;
  if (rnn_driver_evaluate(&m, &data, &sums) != 0) {
    rnn_driver_fail(o, "out of memory");
    goto done;
  }
  size_t n = data.format == FORMAT_TEXT ? (size_t)sums.elements : data.ex.n;
  printf("loss %.6f", rnn_driver_mean_loss(&sums));
  if (d->loss != RNN_LOSS_MSE)
    printf("  accuracy %.4f", rnn_driver_accuracy(d, &sums));
  printf("  %s %zu\n", data.format == FORMAT_TEXT ? "predictions" : "examples", n);
  rc = EXIT_OK;
done:
  rnn_driver_data_free(&data);
  rnn_driver_model_free(&m);
  return rc;
}

/* One line per example: the class and its probability (softmax), the
 * probability of class 1 (sigmoid), or the values of the last step. */
static void print_prediction(const RnnModelDesc *d, const rnn_real *out) {
  int n = d->out_units;
  if (d->loss == RNN_LOSS_XENT) {
    int best = 0;
    for (int k = 1; k < n; k++)
      if (out[k] > out[best])
        best = k;
    printf("%d %.6f\n", best, (double)out[best]);
    return;
  }
  for (int k = 0; k < n; k++)
    printf("%s%.6g", k ? "," : "", (double)out[k]);
  printf("\n");
}

/* NAME predict DATA...: one line per example. */
int rnn_driver_cmd_predict(const RnnModelDesc *d, Options *o) {
  if (o->n_data == 0) /* a usage error before any file is read */
    return rnn_driver_usage_fail(o, "needs DATA; see '%s %s --help'", o->prog, o->cmd);
  Model m;
  Progress p;
  Data data = {0};
  memset(&p, 0, sizeof p);
  if (rnn_driver_model_alloc(&m, d) != 0) {
    rnn_driver_fail(o, "out of memory");
    return EXIT_FAIL;
  }
  int rc = EXIT_FAIL;
  size_t *order = NULL;
  if (rnn_driver_load_for_inference(o, &m, &p) != 0)
    goto done;
  if ((rc = load_eval_data(o, d, &p, &data)) != 0)
    goto done;
  rc = EXIT_FAIL;
  if (data.format == FORMAT_TEXT) {
    rnn_driver_fail(o, "predict takes examples; for text, use 'sample --prime TEXT'");
    goto done;
  }
  order = rnn_driver_make_order(data.ex.n, 0, 0);
  if (!order) {
    rnn_driver_fail(o, "out of memory");
    goto done;
  }
  const rnn_real *out = (const rnn_real *)((const char *)m.ws + d->output_offset);
  size_t batches = (data.ex.n + (size_t)d->batch - 1) / (size_t)d->batch;
  for (size_t i = 0; i < batches; i++) {
    int count = rnn_driver_fill_batch(d, &data, order, (long)i, m.batch);
    d->reset_state(m.eval_state);
    d->forward(m.params, m.eval_state, m.ws, m.batch, NULL);
    for (int r = 0; r < count; r++) {
      /* per-step outputs are [T][B][OUT]: the prediction is the last step */
      size_t row = d->out_per_step ? (size_t)(d->length - 1) * (size_t)d->batch + (size_t)r
                                   : (size_t)r;
      print_prediction(d, out + row * (size_t)d->out_units);
    }
  }
  rc = EXIT_OK;
done:
  free(order);
  rnn_driver_data_free(&data);
  rnn_driver_model_free(&m);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* sample                                                                  */
/* ---------------------------------------------------------------------- */

static int sample_tokens(const RnnModelDesc *d, Options *o, Model *m, const RnnVocab *v) {
  const char *prime = o->prime_set ? o->prime : d->prime;
  size_t prime_len = o->prime_set ? strlen(o->prime) : d->prime_len;
  long length = o->length_set ? o->length : d->sample_length;
  double temperature = o->temperature_set ? o->temperature : d->temperature;
  int top_k = o->top_k_set ? o->top_k : d->top_k;
  RnnRng rng;
  rnn_rng_seed(&rng, o->seed_set ? o->seed : (uint64_t)d->seed);
  d->step_reset(m->step_state);
  const rnn_real *probs = NULL;
  for (size_t i = 0; i < prime_len; i++) {
    unsigned char c = (unsigned char)prime[i];
    if (v->id[c] < 0) {
      rnn_driver_fail(o,
                      "the prime text's byte 0x%02x ('%c') never occurs in the training data; "
                      "the model cannot read it",
                      c, c >= 0x20 && c < 0x7f ? c : '?');
      return EXIT_FAIL;
    }
    probs = d->step(m->params, m->step_state, v->id[c], NULL);
    putchar(c);
  }
  int32_t token = 0;
  if (!probs) { /* no prime: start from the first id's output */
    while (token < v->size && v->byte[token] < 0)
      token++;
    probs = d->step(m->params, m->step_state, token, NULL);
  }
  for (long i = 0; i < length; i++) {
    do {
      token = rnn_sample_index(probs, v->size, temperature, top_k, &rng);
    } while (v->byte[token] < 0 && v->size > 1); /* never emit the padding id */
    putchar(v->byte[token]);
    probs = d->step(m->params, m->step_state, token, NULL);
  }
  putchar('\n');
  return ferror(stdout) ? EXIT_FAIL : EXIT_OK;
}

static int sample_series(const RnnModelDesc *d, Options *o, Model *m) {
  long length = o->length_set ? o->length : d->sample_length;
  int F = d->features, T = d->length;
  size_t total = (size_t)T + (size_t)length;
  float *series = calloc(total * (size_t)F, sizeof *series);
  rnn_real *x = calloc((size_t)F, sizeof *x);
  int rc = EXIT_FAIL;
  if (!series || !x) {
    rnn_driver_fail(o, "out of memory");
    goto done;
  }
  if (o->seed_series) { /* the first T steps of a real series */
    float *values = NULL;
    size_t rows = 0;
    RnnError err;
    if (rnn_csv_read_series(o->seed_series, F, &values, &rows, &err) != 0) {
      rnn_driver_fail(o, "%s", err.msg);
      goto done;
    }
    if (rows < (size_t)T) {
      rnn_driver_fail(o, "%s has %zu steps; the seed needs %d", o->seed_series, rows, T);
      free(values);
      goto done;
    }
    memcpy(series, values, (size_t)T * (size_t)F * sizeof *series);
    free(values);
  }
  d->step_reset(m->step_state);
  const rnn_real *y = NULL;
  for (size_t t = 0; t < total - 1; t++) {
    for (int f = 0; f < F; f++)
      x[f] = (rnn_real)series[t * (size_t)F + (size_t)f];
    y = d->step(m->params, m->step_state, 0, x);
    if (t + 1 >= (size_t)T) /* past the seed: the prediction is the next step */
      for (int f = 0; f < F; f++)
        series[(t + 1) * (size_t)F + (size_t)f] = (float)y[f];
  }
  FILE *out = o->csv_out ? fopen(o->csv_out, "w") : stdout;
  if (!out) {
    rnn_driver_fail(o, "cannot write '%s': %s", o->csv_out, strerror(errno));
    goto done;
  }
  for (size_t t = 0; t < total; t++) {
    for (int f = 0; f < F; f++)
      fprintf(out, "%s%.6g", f ? "," : "", (double)series[t * (size_t)F + (size_t)f]);
    fputc('\n', out);
  }
  if (out != stdout && fclose(out) != 0) {
    rnn_driver_fail(o, "cannot write '%s': %s", o->csv_out, strerror(errno));
    goto done;
  }
  if (o->svg_out) {
    RnnError err;
    if (F != 1) {
      rnn_driver_fail(o, "--svg plots one feature; this model has %d", F);
      goto done;
    }
    if (rnn_plot_series(o->svg_out, d->name, series, (size_t)T, series + T, (size_t)length,
                        (size_t)T, &err) != 0) {
      rnn_driver_fail(o, "%s", err.msg);
      goto done;
    }
  }
  rc = EXIT_OK;
done:
  free(series);
  free(x);
  return rc;
}

/* NAME sample: generation from the checkpoint, text or a series. */
int rnn_driver_cmd_sample(const RnnModelDesc *d, Options *o) {
  if (!d->can_sample) {
    rnn_driver_fail(o, "model '%s' cannot sample: its output is not fed back as its input",
                    d->name);
    return EXIT_FAIL;
  }
  if (o->n_data > 0)
    return rnn_driver_usage_fail(o, "takes no DATA (unexpected '%s')", o->data[0]);
  if (rnn_driver_check_outputs(o, 2, (const char *[]){o->csv_out, o->svg_out},
                               (const char *[]){"--csv", "--svg"}) != 0)
    return EXIT_FAIL;
  Model m;
  Progress p;
  memset(&p, 0, sizeof p);
  if (rnn_driver_model_alloc(&m, d) != 0) {
    rnn_driver_fail(o, "out of memory");
    return EXIT_FAIL;
  }
  int rc = EXIT_FAIL;
  rnn_set_threads(o->threads); /* 0 (no --threads): one per core */
  if (rnn_driver_load_for_inference(o, &m, &p) == 0)
    rc = d->tokens ? sample_tokens(d, o, &m, &p.vocab) : sample_series(d, o, &m);
  rnn_driver_model_free(&m);
  return rc;
}
