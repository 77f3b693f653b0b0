/*
 * driver.c - the program every generated model becomes:
 *
 *   NAME train DATA...    train, with validation, logs, plots, checkpoints
 *   NAME eval DATA...     loss and accuracy, every example counted once
 *   NAME predict DATA...  one line of output per example
 *   NAME sample           generate from a trained model
 *   NAME export           a checkpoint's parameters alone (rnn_weights.h)
 *   NAME info             the model, and a checkpoint's metadata
 *   NAME bench            time a training step, a forward pass, sampling
 *
 * It works on any model through its description table (rnn_model.h). Exit
 * status: 0 success, 1 runtime or data error, 2 usage error, 130 when
 * interrupted (after saving a checkpoint).
 *
 * This file holds export, info, bench and the dispatch; the other commands and
 * what they share live beside it (driver_internal.h): options.c, model.c,
 * dataset.c, train.c, infer.c.
 */
#include "rnn_driver.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "driver_internal.h"
#include "rnn_bench.h"
#include "rnn_ckpt.h"

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* ---------------------------------------------------------------------- */
/* export                                                                  */
/* ---------------------------------------------------------------------- */

/* The checkpoint's parameters and vocabulary to a parameter file. */
static int cmd_export(const RnnModelDesc *d, Options *o) {
  if (o->n_data > 0)
    return rnn_driver_usage_fail(o, "takes no DATA (unexpected '%s')", o->data[0]);
  char default_out[sizeof o->default_checkpoint];
  snprintf(default_out, sizeof default_out, "%s.params", d->name);
  const char *out = o->out ? o->out : default_out;
  struct stat a, b;
  if (strcmp(out, o->checkpoint) == 0 ||
      (stat(out, &a) == 0 && stat(o->checkpoint, &b) == 0 && a.st_dev == b.st_dev &&
       a.st_ino == b.st_ino))
    return rnn_driver_usage_fail(o, "--out '%s' is the checkpoint itself; give another path",
                                 out);
  Model m;
  Progress p;
  memset(&p, 0, sizeof p);
  int rc = EXIT_FAIL;
  RnnError err;
  if (rnn_driver_model_alloc(&m, d) != 0)
    rnn_driver_fail(o, "out of memory for the model");
  else if (rnn_driver_load_for_inference(o, &m, &p) == 0) {
    if (rnn_params_save(out, d, m.params, &p.vocab, &err) != 0)
      rnn_driver_fail(o, "%s", err.msg);
    else {
      printf("%s: %zu parameters of step %ld of %s\n", out, d->n_params, p.step, o->checkpoint);
      rc = EXIT_OK;
    }
  }
  rnn_driver_model_free(&m);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* info                                                                    */
/* ---------------------------------------------------------------------- */

static int cmd_info(const RnnModelDesc *d, Options *o) {
  static const char *const losses[] = {"cross_entropy", "binary_cross_entropy", "mse"};
  printf("model %s\nspec sha256 %s\n", d->name, d->spec_hash);
  if (d->tokens)
    printf("input tokens, vocab %d, length %d\n", d->vocab, d->length);
  else
    printf("input %d features, length %d\n", d->features, d->length);
  printf("output %d %s, loss %s\nbatch %d\nparameters %zu\n", d->out_units,
         d->out_per_step ? "per step" : "per sequence", losses[d->loss], d->batch, d->n_params);
  for (int i = 0; i < d->n_tensors; i++) {
    const RnnTensorDesc *t = &d->tensors[i];
    if (t->cols == 1)
      printf("  %-28s [%d]\n", t->name, t->rows);
    else
      printf("  %-28s [%d, %d]\n", t->name, t->rows, t->cols);
  }
  struct stat st;
  if (stat(o->checkpoint, &st) != 0) {
    if (o->checkpoint != o->default_checkpoint) {
      rnn_driver_fail(o, "no checkpoint '%s': check the path given to --checkpoint", o->checkpoint);
      return EXIT_FAIL;
    }
    printf("checkpoint %s: none yet\n", o->checkpoint);
    return EXIT_OK;
  }
  printf("checkpoint %s:\n", o->checkpoint);
  RnnError err;
  if (rnn_ckpt_describe(o->checkpoint, stdout, &err) != 0) {
    rnn_driver_fail(o, "%s", err.msg);
    return EXIT_FAIL;
  }
  return EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* bench                                                                   */
/* ---------------------------------------------------------------------- */

/* Appends one JSON line: the fields ../shared/bench/summarize.py reads
 * (impl, config, threads, run and the metrics), beside the peer's. */
static int write_bench_json(const RnnModelDesc *d, const Options *o, int threads,
                            const RnnBenchResult *r) {
  FILE *f = fopen(o->json, "a");
  if (!f) {
    rnn_driver_fail(o, "cannot append to '%s': %s", o->json, strerror(errno));
    return -1;
  }
  double seqs = d->batch, steps = (double)d->batch * d->length;
  fprintf(f, "{\"impl\": \"rnnc\", \"config\": \"%s\", \"desc\": \"rnnc model %s (spec %.12s)\", "
          "\"threads\": \"%d\", \"run\": \"%s\", \"T\": %d, \"B\": %d, \"params\": %zu, "
          "\"openblas_core\": \"%s\", \"train_flops_per_step\": %.6g, "
          "\"train_step_ms_median\": %.6g, \"train_step_ms_min\": %.6g, "
          "\"train_step_ms_max\": %.6g, \"train_steps_measured\": %ld, "
          "\"train_seq_per_s\": %.6g, \"train_timesteps_per_s\": %.6g, \"train_gflops\": %.6g, "
          "\"infer_ms_median\": %.6g, \"infer_seq_per_s\": %.6g, \"infer_timesteps_per_s\": %.6g, "
          "\"final_loss\": %.6g",
          o->config ? o->config : d->name, d->name, d->spec_hash, threads, o->run ? o->run : "1",
          d->length, d->batch, d->n_params, openblas_get_corename(), d->train_flops,
          r->train_ms_median, r->train_ms_min, r->train_ms_max, o->steps,
          seqs / r->train_ms_median * 1e3, steps / r->train_ms_median * 1e3,
          d->train_flops / r->train_ms_median * 1e-6, r->infer_ms_median,
          seqs / r->infer_ms_median * 1e3, steps / r->infer_ms_median * 1e3, r->last_loss);
  if (!isnan(r->sample_us_median))
    fprintf(f, ", \"sample_us_per_char_median\": %.6g", r->sample_us_median);
  fprintf(f, "}\n");
  if (fclose(f) != 0) {
    rnn_driver_fail(o, "cannot write '%s': %s", o->json, strerror(errno));
    return -1;
  }
  return 0;
}

static int cmd_bench(const RnnModelDesc *d, Options *o) {
  if (o->n_data > 0)
    return rnn_driver_usage_fail(o, "takes no DATA (unexpected '%s')", o->data[0]);
  if (rnn_driver_check_outputs(o, 1, (const char *[]){o->json}, (const char *[]){"--json"}) != 0)
    return EXIT_FAIL;
  if (!o->steps)
    o->steps = 20;
  RnnBenchOptions opt = {o->warmup_set ? (int)o->warmup : 3, (int)o->steps,
                         o->sample_chars ? (int)o->sample_chars : 1000,
                         o->sample_reps_set ? (int)o->sample_reps : 3,
                         o->seed_set ? o->seed : d->seed};
  rnn_set_threads(o->threads); /* 0 (no --threads): one per core */
  int threads = rnn_get_threads();
  RnnBenchResult r;
  RnnError err;
  if (rnn_bench_run(d, &opt, &r, &err) != 0) {
    rnn_driver_fail(o, "%s", err.msg);
    return EXIT_FAIL;
  }
  printf("%s: B=%d T=%d, %zu parameters, OpenBLAS %s, %d thread%s\n", d->name, d->batch,
         d->length, d->n_params, openblas_get_corename(), threads, threads == 1 ? "" : "s");
  printf("train   %9.3f ms/step (median of %d; min %.3f, max %.3f)  %.0f timesteps/s  "
         "%.2f GFLOP/s  loss %.4f\n",
         r.train_ms_median, opt.steps, r.train_ms_min, r.train_ms_max,
         (double)d->batch * d->length / r.train_ms_median * 1e3,
         d->train_flops / r.train_ms_median * 1e-6, r.last_loss);
  printf("infer   %9.3f ms/batch  %.0f timesteps/s\n", r.infer_ms_median,
         (double)d->batch * d->length / r.infer_ms_median * 1e3);
  if (!isnan(r.sample_us_median))
    printf("sample  %9.3f us/char (median of %d runs of %d)\n", r.sample_us_median,
           opt.sample_reps, opt.sample_chars);
  if (!isfinite(r.last_loss)) {
    rnn_driver_fail(o, "the training loss is %g: the timings are of a broken run", r.last_loss);
    return EXIT_FAIL;
  }
  if (o->json && write_bench_json(d, o, threads, &r) != 0)
    return EXIT_FAIL;
  return EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* The commands                                                            */
/* ---------------------------------------------------------------------- */

/* Every command, by the name it is called with. A new one is a line here,
 * its options in option_allowed and its help in options.c. */
static const struct {
  const char *name;
  int (*run)(const RnnModelDesc *d, Options *o);
} commands[] = {
    {"train", rnn_driver_cmd_train},
    {"eval", rnn_driver_cmd_eval},
    {"predict", rnn_driver_cmd_predict},
    {"sample", rnn_driver_cmd_sample},
    {"export", cmd_export},
    {"info", cmd_info},
    {"bench", cmd_bench},
};

/* Runs command C of the table for model D in the process group W: train
 * is the one command that runs as several processes (dist.h). */
static int run_command(const RnnModelDesc *d, size_t c, const RnnDist *w, Options *o) {
  if (w->size > 1 && strcmp(commands[c].name, "train") != 0) /* rank 0 says it, once */
    return w->rank > 0 ? EXIT_USAGE
                       : rnn_driver_usage_fail(o, "runs in one process: run it without mpirun "
                                                  "(only train runs as several)");
  if (w->rank > 0) { /* messages say which rank they come from */
    snprintf(o->rank_prog, sizeof o->rank_prog, "%s (rank %d)", o->prog, w->rank);
    o->prog = o->rank_prog;
  }
  o->dist = w;
  return commands[c].run(d, o);
}

int rnn_driver_main(const RnnModelDesc *d, int argc, char **argv) {
  Options o;
  memset(&o, 0, sizeof o);
  o.prog = base_name(argc > 0 ? argv[0] : d->name);
  if (d->abi != RNN_ABI) {
    fprintf(stderr, "%s: error: model built for runtime ABI %d, this runtime is %d: regenerate it\n",
            o.prog, d->abi, RNN_ABI);
    return EXIT_FAIL;
  }
  if (argc < 2) {
    rnn_driver_main_help(d, o.prog);
    return EXIT_USAGE;
  }
  o.cmd = argv[1];
  if (strcmp(o.cmd, "-h") == 0 || strcmp(o.cmd, "--help") == 0 || strcmp(o.cmd, "help") == 0) {
    rnn_driver_main_help(d, o.prog);
    return EXIT_OK;
  }
  size_t c = 0, n_commands = sizeof commands / sizeof commands[0];
  while (c < n_commands && strcmp(o.cmd, commands[c].name) != 0)
    c++;
  if (c == n_commands) {
    fprintf(stderr, "%s: unknown command '%s'\ntry '%s --help'\n", o.prog, o.cmd, o.prog);
    return EXIT_USAGE;
  }
  snprintf(o.default_checkpoint, sizeof o.default_checkpoint, "%s.ckpt", d->name);
  o.checkpoint = o.default_checkpoint;
  int rc = rnn_driver_parse_options(d, argc, argv, &o);
  if (rc < 0)
    return EXIT_OK; /* --help */
  if (rc > 0)
    return rc;
  RnnDist w;
  RnnError err;
  if (rnn_dist_init(&w, &argc, &argv, &err) != 0) {
    fprintf(stderr, "%s: error: %s\n", o.prog, err.msg);
    return EXIT_FAIL;
  }
  rc = run_command(d, c, &w, &o);
  if (rc != EXIT_OK && rc != EXIT_INTERRUPTED)
    rnn_dist_abort(&w, rc); /* the other ranks would wait for this one */
  rnn_dist_finish(&w);
  return rc;
}
