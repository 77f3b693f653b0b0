/*
 * train.c - the train command: data and validation data, the loop of
 * training steps, and every --eval-every steps validation, a log row, the
 * plot and a checkpoint.
 *
 * Ctrl-C: while training, SIGINT and SIGTERM only set a flag that the loop
 * reads between steps, so the program stops at a step boundary, saves and
 * exits. That flag is the runtime's one piece of global state, and it has
 * to be: a signal arrives on whatever thread it likes (OpenBLAS starts its
 * workers before main, so blocking the signal in main is not enough) and
 * no handle can be passed to a handler.
 */
#define _DEFAULT_SOURCE
#include "driver_internal.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rnn_report.h"
#include "rnn_weights.h"

/* Set by the handler, read between steps (see the comment at the top). */
static volatile sig_atomic_t interrupt_requested;

static void on_interrupt(int sig) {
  (void)sig;
  interrupt_requested = 1;
}

/* Routes SIGINT and SIGTERM to the flag; OLD keeps the previous actions. */
static void catch_interrupts(struct sigaction old[2]) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; /* a write in progress completes */
  interrupt_requested = 0;
  sigaction(SIGINT, &sa, &old[0]);
  sigaction(SIGTERM, &sa, &old[1]);
}

static void restore_interrupts(const struct sigaction old[2]) {
  sigaction(SIGINT, &old[0], NULL);
  sigaction(SIGTERM, &old[1], NULL);
}

typedef struct Curves {
  RnnLogRow *rows;
  size_t n, cap;
} Curves;

static void curves_add(Curves *c, const RnnLogRow *row) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    RnnLogRow *rows = realloc(c->rows, cap * sizeof *rows);
    if (!rows)
      return; /* the plot loses a point; training goes on */
    c->rows = rows;
    c->cap = cap;
  }
  c->rows[c->n++] = *row;
}

/* Validation, log row, plot and checkpoint: everything done every
 * --eval-every steps and at the end. */
static int checkpoint_point(const Options *o, Model *m, Progress *p, const Data *valid,
                            double train_loss, long skipped, RnnLog *log, Curves *curves,
                            double t0) {
  const RnnModelDesc *d = m->d;
  RnnLogRow row = {p->step,
                   p->epoch,
                   NOT_MEASURED,
                   train_loss,
                   NOT_MEASURED,
                   NOT_MEASURED,
                   *rnn_driver_optim_norm(m),
                   rnn_now() - t0,
                   skipped};
  row.lr = rnn_schedule_lr(d->optim_config, *rnn_driver_optim_step(m));
  if (valid->loaded) {
    RnnEvalSums sums;
    if (rnn_driver_evaluate(m, valid, &sums) != 0) {
      rnn_driver_fail(o, "out of memory");
      return -1;
    }
    row.valid_loss = rnn_driver_mean_loss(&sums);
    row.valid_accuracy = rnn_driver_accuracy(d, &sums);
    if (row.valid_loss < p->best_valid)
      p->best_valid = row.valid_loss;
  }
  if (log->f)
    rnn_log_row(log, &row);
  curves_add(curves, &row);
  if (o->plot) {
    RnnError err;
    if (rnn_plot_curves(o->plot, d->name, curves->rows, curves->n, &err) != 0)
      rnn_driver_fail(o, "%s", err.msg); /* a plot is not worth stopping for */
  }
  if (!o->quiet && valid->loaded) {
    fprintf(stderr, "%sstep %ld  epoch %ld  train loss %.4f  valid loss %.4f", isatty(2) ? "\n" : "",
            p->step, p->epoch, train_loss, row.valid_loss);
    if (!isnan(row.valid_accuracy))
      fprintf(stderr, "  valid accuracy %.4f", row.valid_accuracy);
    fputc('\n', stderr);
  }
  /* A checkpoint counts the epoch's position in batches of B, whatever the
   * number of ranks, so that any number can resume it (rank_share). */
  Progress saved = *p;
  saved.position *= o->dist->size;
  return rnn_driver_save_checkpoint(o, m, &saved);
}

/* The training data and validation data: from --valid, else a split of the
 * training data (text: its end; examples: shuffled for labelled and IDX,
 * the end for a time series). */
static int load_train_data(const Options *o, const RnnModelDesc *d, Progress *p, Data *train,
                           Data *valid) {
  RnnError err;
  Format format = rnn_driver_pick_format(d, o, o->n_data);
  memset(valid, 0, sizeof *valid);
  if (rnn_driver_data_load(o, d, format, o->data, o->n_data, &p->vocab, o->max_examples, train,
                           &err) != 0) {
    rnn_driver_fail(o, "%s", err.msg);
    return -1;
  }
  if (o->n_valid > 0) {
    if (rnn_driver_data_load(o, d, format, o->valid, o->n_valid, &p->vocab, 0, valid, &err) != 0) {
      rnn_driver_fail(o, "%s", err.msg);
      return -1;
    }
    return 0;
  }
  double split = o->val_split_set ? o->val_split : d->validation_split;
  if (split <= 0)
    return 0;
  valid->format = format;
  if (format == FORMAT_TEXT) {
    if (rnn_text_split(&train->text, split, d->length, d->batch, &train->part, &valid->part,
                       &err) != 0) {
      rnn_driver_fail(o, "%s", err.msg);
      return -1;
    }
    valid->text = train->text;
    valid->loaded = 1; /* borrows train's memory: freed once, through train */
    valid->owner = 0;
    return 0;
  }
  RnnRng split_rng = p->data_rng;
  if (rnn_examples_split(&train->ex, split, format != FORMAT_CSV, rnn_rng_next(&split_rng),
                         &valid->ex, &err) != 0) {
    rnn_driver_fail(o, "%s", err.msg);
    return -1;
  }
  valid->loaded = 1;
  valid->owner = 1;
  return 0;
}

/* What a step did: its mean loss over the ranks, whether any rank was
 * interrupted, and, when the loss or the gradient was not finite (and so
 * nothing was updated), the first parameter tensor whose gradient went
 * bad (-1: the loss itself, or none). */
typedef struct StepOutcome {
  double loss, grad_norm;
  int stop, faulty, bad_tensor;
} StepOutcome;

/* The first tensor of D whose gradient in G holds a NaN or an infinity. */
static int first_bad_tensor(const RnnModelDesc *d, const rnn_real *g) {
  for (int t = 0; t < d->n_tensors; t++) {
    const RnnTensorDesc *td = &d->tensors[t];
    size_t n = (size_t)td->rows * (size_t)td->cols;
    for (size_t i = 0; i < n; i++)
      if (!isfinite(g[td->offset + i]))
        return t;
  }
  return -1;
}

/* One training step of every rank together (dist.h). Each computes the
 * gradient of its share of the global batch; one allreduce over the flat
 * gradient array sums them (nothing to sum for one process), and their
 * mean makes the same update on every rank: that of one process with the
 * whole batch, to float summation order (with masking, each rank's loss is
 * a mean over its own rows, as in PyTorch's DistributedDataParallel). The
 * update is NAME_train_step's (compiler/emit_optim.c), bit for bit, after
 * a check that the loss and the gradient's norm are finite: a step that
 * fails it changes no parameter and no optimizer state. The loss and the
 * interrupt flag are summed with the gradient's allreduce's companion so
 * that every rank stops at the same step. */
static StepOutcome step_all(const RnnDist *w, Model *m, Progress *p) {
  const RnnModelDesc *d = m->d;
  StepOutcome r = {0, 0, 0, 0, -1};
  double loss = (double)d->forward(m->params, m->state, m->ws, m->batch, &p->dropout_rng);
  d->backward(m->params, m->ws, m->batch, m->grads);
  size_t n = d->n_params;
  rnn_real *g = m->grads; /* [n_params] */
  double shared[2] = {loss, interrupt_requested != 0};
  if (w->size > 1) {
    rnn_dist_sum_reals(w, g, n);
    rnn_real mean = (rnn_real)(1.0 / w->size);
    for (size_t i = 0; i < n; i++)
      g[i] *= mean;
    rnn_dist_sum_doubles(w, shared, 2);
  }
  r.loss = shared[0] / w->size;
  r.stop = shared[1] > 0;
  const RnnOptConfig *c = d->optim_config;
  r.grad_norm = rnn_clip_global_norm(n, g, c->clip_norm);
  if (!isfinite(r.loss) || !isfinite(r.grad_norm)) {
    r.faulty = 1;
    r.bad_tensor = first_bad_tensor(d, g);
    return r;
  }
  *rnn_driver_optim_norm(m) = r.grad_norm;
  long *step = rnn_driver_optim_step(m);
  double lr = rnn_schedule_lr(c, *step);
  (*step)++;
  rnn_opt_step(c, *step, lr, n, m->params, g, rnn_driver_optim_slots(m));
  return r;
}

/* The message for a step whose loss or gradient is not finite: where, what
 * went bad first, and what to change. */
static void report_fault(const Options *o, const RnnModelDesc *d, const StepOutcome *r,
                         long step) {
  const RnnOptConfig *c = d->optim_config;
  char what[160], hint[160];
  if (!isfinite(r->loss) && r->bad_tensor >= 0)
    snprintf(what, sizeof what, "the loss is %g, the gradient of %s the first not finite",
             r->loss, d->tensors[r->bad_tensor].name);
  else if (!isfinite(r->loss))
    snprintf(what, sizeof what, "the loss is %g", r->loss);
  else if (r->bad_tensor >= 0)
    snprintf(what, sizeof what, "the gradient of %s is not finite (its norm is %g)",
             d->tensors[r->bad_tensor].name, r->grad_norm);
  else
    snprintf(what, sizeof what, "the gradient's norm overflows (%g)", r->grad_norm);
  if (c->clip_norm > 0)
    snprintf(hint, sizeof hint, "lower the learning rate (lr %g) or clip_norm (%g)", c->lr,
             c->clip_norm);
  else
    snprintf(hint, sizeof hint, "lower the learning rate (lr %g) or set clip_norm (e.g. 5)",
             c->lr);
  rnn_driver_fail(o, "step %ld: %s; %s in the spec, or pass --on-nan skip; the last checkpoint "
                     "is kept", step, what, hint);
}

/* Rank R's own part of a run of N ranks: its dropout stream (rank 0's
 * jumped R times, so it can be rebuilt from rank 0's at any step: every
 * rank draws as many masks), where the epoch stands in global batches (a
 * checkpoint counts batches of B: rounded up, a resume with another N
 * starts at the first batch not yet begun), and, for a stateful model
 * resumed by several ranks, a fresh carried state: the checkpoint holds
 * rank 0's alone. */
static void rank_share(const Options *o, const RnnModelDesc *d, Model *m, Progress *p,
                       long per_epoch) {
  const RnnDist *w = o->dist;
  for (int r = 0; r < w->rank; r++)
    rnn_rng_jump(&p->dropout_rng);
  if (!o->resume || w->size == 1)
    return;
  p->position = (p->position + w->size - 1) / w->size;
  if (p->position >= per_epoch) {
    p->position = 0;
    p->epoch++;
  }
  if (d->stateful) {
    d->reset_state(m->state);
    if (w->rank == 0)
      fprintf(stderr, "%s: note: the carried state starts from zeros: a checkpoint holds one "
                      "rank's (docs/scaling.md)\n", o->prog);
  }
}

/* Threads for each of the W->local_size ranks on this machine: its share
 * of the cores unless --threads says otherwise (0: one per core). */
static int rank_threads(const Options *o) {
  if (o->threads || o->dist->local_size <= 1)
    return o->threads;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  long share = cores / o->dist->local_size;
  return share > 1 ? (int)share : 1;
}

/* --init FILE: the weights (and a token model's vocabulary) of a
 * checkpoint or parameter file of this model, over the initialization. */
static int init_weights(const Options *o, const RnnModelDesc *d, Model *m, Progress *p) {
  RnnError err;
  if (rnn_weights_load(o->init, d, m->params, &p->vocab, &err) != 0) {
    rnn_driver_fail(o, "--init: %s", err.msg);
    return -1;
  }
  if (p->vocab.size == 0) /* none in FILE: the training data builds it */
    p->vocab.padding_id = d->mask == RNN_MASK_PADDING ? d->padding_id : -1;
  return 0;
}

/* NAME train DATA...: see print_command_help (options.c). */
int rnn_driver_cmd_train(const RnnModelDesc *d, Options *o) {
  if (o->n_data == 0)
    return rnn_driver_usage_fail(o, "needs DATA; see '%s train --help'", o->prog);
  const RnnDist *w = o->dist;
  if (w->rank > 0) /* rank 0 alone reports and writes files */
    o->quiet = 1;
  else if (rnn_driver_check_outputs(o, 3, (const char *[]){o->checkpoint, o->log, o->plot},
                                    (const char *[]){"--checkpoint", "--log", "--plot"}) != 0)
    return EXIT_FAIL; /* a wrong directory fails now, not at the first checkpoint */
  Model m;
  if (rnn_driver_model_alloc(&m, d) != 0) {
    rnn_driver_fail(o, "out of memory");
    return EXIT_FAIL;
  }
  Progress p;
  memset(&p, 0, sizeof p);
  p.best_valid = HUGE_VAL;
  p.vocab.padding_id = d->mask == RNN_MASK_PADDING ? d->padding_id : -1;
  uint64_t seed = o->seed_set ? o->seed : d->seed;
  int rc = EXIT_FAIL;
  Data train = {0}, valid = {0};
  RnnLog log = {0};
  Curves curves = {0};
  size_t *order = NULL;
  if (o->resume) {
    d->optim_init(m.optim);
    if (rnn_driver_load_checkpoint(o, &m, &p) != 0)
      goto done;
  } else {
    d->init(m.params, seed);
    d->optim_init(m.optim);
    d->reset_state(m.state);
    rnn_rng_seed(&p.dropout_rng, seed ^ 0x5bd1e995u);
    rnn_rng_seed(&p.data_rng, seed);
    if (o->init && init_weights(o, d, &m, &p) != 0)
      goto done;
  }
  if (load_train_data(o, d, &p, &train, &valid) != 0)
    goto done;
  size_t per_epoch = rnn_driver_global_batches(&train, d, w->size);
  if (per_epoch == 0) {
    rnn_driver_fail(o, "%s holds too little data for one batch of %d %s%s: use more data, or a "
                       "smaller --val-split or --max-examples", o->data[0], w->size * d->batch,
                    train.format == FORMAT_TEXT ? "rows of length+1 bytes" : "examples",
                    w->size > 1 ? " (batch x processes)" : "");
    goto done;
  }
  rank_share(o, d, &m, &p, (long)per_epoch);
  long total = o->steps                ? o->steps
               : o->epochs             ? o->epochs * (long)per_epoch
               : d->steps ? d->steps   : d->epochs * (long)per_epoch;
  long eval_every = o->eval_every ? o->eval_every : (long)per_epoch < total ? (long)per_epoch : total;
  rnn_set_threads(rank_threads(o)); /* 0: one per core */
  RnnError log_err;
  if (w->rank == 0 && o->log && rnn_log_open(&log, o->log, o->resume, &log_err) != 0) {
    rnn_driver_fail(o, "%s", log_err.msg);
    goto done;
  }
  if (!o->quiet && w->size > 1)
    fprintf(stderr, "%s: %d processes, a global batch of %d\n", d->name, w->size,
            w->size * d->batch);
  if (!o->quiet)
    fprintf(stderr, "%s: %zu %s per epoch, training to step %ld%s\n", d->name, per_epoch,
            train.format == FORMAT_TEXT ? "rounds" : "batches", total,
            o->resume ? " (resumed)" : "");
  struct sigaction old_actions[2];
  catch_interrupts(old_actions);
  RnnProgress bar;
  if (!o->quiet)
    rnn_progress_start(&bar, stderr, total, p.step);
  double t0 = rnn_now(), loss = NOT_MEASURED, window = 0;
  long in_window = 0, skipped = 0;
  int interrupted = 0;
  while (p.step < total) {
    if (train.format != FORMAT_TEXT && (order == NULL || p.position == 0)) {
      free(order);
      RnnRng epoch_rng = p.data_rng; /* the order of epoch e depends on e only */
      uint64_t s = rnn_rng_next(&epoch_rng) ^ (uint64_t)(p.epoch + 1) * 0x9E3779B97F4A7C15u;
      order = rnn_driver_make_order(train.ex.n, 1, s); /* every format: a new order per epoch */
      if (!order) {
        rnn_driver_fail(o, "out of memory for the order of %zu examples at step %ld (the last "
                           "checkpoint is kept)", train.ex.n, p.step);
        goto done_unblock; /* exit 1: not "trained" */
      }
    }
    rnn_driver_fill_share(d, &train, order, p.position, w->rank, w->size, m.batch);
    StepOutcome r = step_all(w, &m, &p);
    interrupted = r.stop;
    if (r.faulty && !o->on_nan_skip) {
      report_fault(o, d, &r, p.step + 1);
      goto done_unblock;
    }
    if (r.faulty) { /* --on-nan skip: the batch is consumed, nothing learnt */
      skipped++;
      if (d->stateful)
        d->reset_state(m.state); /* the carried state went bad with it */
    } else {
      loss = r.loss;
      window += loss;
      in_window++;
    }
    p.step++;
    p.examples_seen += (long)w->size * d->batch;
    if (++p.position == (long)per_epoch) {
      p.position = 0;
      p.epoch++;
      d->reset_state(m.state); /* a new pass starts new sequences */
    }
    if (!o->quiet)
      rnn_progress_update(&bar, p.step, loss);
    if (p.step % eval_every == 0 || p.step == total || interrupted) {
      if (w->rank == 0 &&
          checkpoint_point(o, &m, &p, &valid, window / (double)in_window, skipped, &log, &curves,
                           t0) != 0)
        goto done_unblock;
      window = 0;
      in_window = 0;
    }
    if (interrupted)
      break;
  }
  if (!o->quiet)
    rnn_progress_finish(&bar, p.step);
  if (interrupted && w->rank > 0) {
    rc = EXIT_INTERRUPTED;
  } else if (interrupted) {
    fprintf(stderr, "%s: interrupted at step %ld; checkpoint saved to %s (continue with --resume)\n",
            o->prog, p.step, o->checkpoint);
    rc = EXIT_INTERRUPTED;
  } else {
    if (w->rank == 0 && skipped > 0)
      fprintf(stderr, "%s: trained %ld step%s, %ld of them skipped (a loss or gradient not "
                      "finite); checkpoint %s\n", o->prog, p.step, p.step == 1 ? "" : "s", skipped,
              o->checkpoint);
    else if (w->rank == 0)
      fprintf(stderr, "%s: trained %ld step%s; checkpoint %s\n", o->prog, p.step,
              p.step == 1 ? "" : "s", o->checkpoint);
    rc = EXIT_OK;
  }
done_unblock:
  restore_interrupts(old_actions);
done:
  free(order);
  free(curves.rows);
  rnn_log_close(&log);
  rnn_driver_data_free(&valid);
  rnn_driver_data_free(&train);
  rnn_driver_model_free(&m);
  return rc;
}
