/*
 * model.c - the model's memory (parameters, gradients, optimizer, states,
 * workspace, batch) and the glue between it, the run's progress and a
 * checkpoint (rnn_ckpt.h).
 */
#include "driver_internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rnn_ckpt.h"

/* Every buffer of model D; -1 when one is missing (free M either way). */
int rnn_driver_model_alloc(Model *m, const RnnModelDesc *d) {
  memset(m, 0, sizeof *m);
  m->d = d;
  m->params = rnn_alloc(d->params_size);
  m->grads = rnn_alloc(d->params_size);
  m->optim = rnn_alloc(d->optim_size);
  m->state = rnn_alloc(d->state_size);
  m->eval_state = rnn_alloc(d->state_size);
  m->ws = rnn_alloc(d->workspace_size);
  m->batch = rnn_alloc(d->batch_size);
  m->step_state = rnn_alloc(d->step_size);
  return m->params && m->grads && m->optim && m->state && m->eval_state && m->ws && m->batch &&
                 m->step_state
             ? 0
             : -1;
}

/* Frees what rnn_driver_model_alloc allocated. */
void rnn_driver_model_free(Model *m) {
  free(m->params);
  free(m->grads);
  free(m->optim);
  free(m->state);
  free(m->eval_state);
  free(m->ws);
  free(m->batch);
  free(m->step_state);
}

/* ---------------------------------------------------------------------- */
/* Checkpoints                                                             */
/* ---------------------------------------------------------------------- */

static void ckpt_view(Model *m, Progress *p, RnnCkpt *c) {
  memset(c, 0, sizeof *c);
  c->params = m->params;
  c->slots = rnn_driver_optim_slots(m);
  c->opt_step = *rnn_driver_optim_step(m);
  c->last_norm = *rnn_driver_optim_norm(m);
  c->state = m->state;
  c->dropout_rng = p->dropout_rng;
  c->data_rng = p->data_rng;
  c->vocab = p->vocab;
  c->epoch = p->epoch;
  c->position = p->position;
  c->examples_seen = p->examples_seen;
  c->step = p->step;
  c->best_valid = p->best_valid;
}

/* M and P into O->checkpoint; -1 after saying why not. */
int rnn_driver_save_checkpoint(const Options *o, Model *m, Progress *p) {
  RnnCkpt c;
  RnnError err;
  ckpt_view(m, p, &c);
  if (rnn_ckpt_save(o->checkpoint, m->d, &c, &err) != 0) {
    rnn_driver_fail(o, "%s", err.msg);
    return -1;
  }
  return 0;
}

/* O->checkpoint into M and P; -1 after saying why not. */
int rnn_driver_load_checkpoint(const Options *o, Model *m, Progress *p) {
  RnnCkpt c;
  RnnError err;
  ckpt_view(m, p, &c);
  if (rnn_ckpt_load(o->checkpoint, m->d, &c, &err) != 0) {
    rnn_driver_fail(o, "%s", err.msg);
    return -1;
  }
  *rnn_driver_optim_step(m) = c.opt_step;
  *rnn_driver_optim_norm(m) = c.last_norm;
  p->dropout_rng = c.dropout_rng;
  p->data_rng = c.data_rng;
  p->vocab = c.vocab;
  p->epoch = c.epoch;
  p->position = c.position;
  p->examples_seen = c.examples_seen;
  p->step = c.step;
  p->best_valid = c.best_valid;
  return 0;
}

/* Whether PATH starts with a parameter file's magic (rnn_weights.h). */
static int is_parameter_file(const char *path) {
  char magic[8] = {0};
  FILE *f = fopen(path, "rb");
  if (!f)
    return 0;
  size_t n = fread(magic, 1, sizeof magic, f);
  fclose(f);
  return n == sizeof magic && memcmp(magic, "RNNCPARM", sizeof magic) == 0;
}

/* Loads the checkpoint, or a parameter file (`export`; the state then
 * starts from zeros), for eval/predict/sample; the optimizer is unused. */
int rnn_driver_load_for_inference(const Options *o, Model *m, Progress *p) {
  struct stat st;
  if (stat(o->checkpoint, &st) != 0) {
    rnn_driver_fail(o, "no checkpoint '%s'; train first, or give --checkpoint PATH", o->checkpoint);
    return -1;
  }
  m->d->optim_init(m->optim);
  if (!is_parameter_file(o->checkpoint))
    return rnn_driver_load_checkpoint(o, m, p);
  RnnError err;
  if (rnn_weights_load(o->checkpoint, m->d, m->params, &p->vocab, &err) != 0) {
    rnn_driver_fail(o, "%s", err.msg);
    return -1;
  }
  m->d->reset_state(m->state);
  return 0;
}
