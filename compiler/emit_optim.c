/*
 * emit_optim.c - NAME_optim_init (the spec's optimizer and schedule as an
 * RnnOptConfig) and NAME_train_step: forward, backward, clipping, update.
 */
#include <math.h>
#include <string.h>

#include "emitter.h"

static const char *opt_enum(IrOptKind k) {
  static const char *const names[] = {"RNN_OPT_SGD", "RNN_OPT_RMSPROP", "RNN_OPT_ADAM",
                                      "RNN_OPT_ADAGRAD"};
  return names[k];
}

static const char *sched_enum(IrSchedKind k) {
  static const char *const names[] = {"RNN_SCHED_CONSTANT", "RNN_SCHED_STEP",
                                      "RNN_SCHED_EXPONENTIAL", "RNN_SCHED_COSINE"};
  return names[k];
}

static void field(EmitBuf *o, const char *name, double v) {
  emit_printf(o, "    .%s = ", name);
  emit_number(o, v);
  emit_printf(o, ",\n");
}

void emit_optimizer(Emitter *e) {
  const IrModel *m = e->m;
  const IrTrain *t = &m->train;
  EmitBuf *o = e->out;
  const char *n = m->name;
  emit_printf(o, "/* The spec's train block: %s, %s schedule. */\n", ir_opt_name(t->optimizer),
              ir_sched_name(t->schedule));
  emit_printf(o, "static const RnnOptConfig %s_optim_config = {\n", n);
  emit_printf(o, "    .kind = %s,\n", opt_enum(t->optimizer));
  field(o, "lr", t->lr);
  field(o, "momentum", t->momentum);
  field(o, "beta1", t->beta1);
  field(o, "beta2", t->beta2);
  field(o, "eps", t->eps);
  field(o, "rho", t->rho);
  field(o, "weight_decay", t->weight_decay);
  field(o, "initial_accumulator", t->initial_accumulator);
  emit_printf(o, "    .nesterov = %d,\n    .centered = %d,\n", t->nesterov, t->centered);
  emit_printf(o, "    .schedule = %s,\n", sched_enum(t->schedule));
  emit_printf(o, "    .sched_every = %ld,\n    .sched_steps = %ld,\n    .warmup = %ld,\n",
              t->sched_every, t->sched_steps, t->warmup);
  field(o, "sched_gamma", t->sched_gamma);
  field(o, "sched_min_lr", t->sched_min_lr);
  field(o, "clip_norm", t->clip_norm);
  emit_printf(o, "};\n\n");
  emit_printf(o,
              "void %s_optim_init(%s_optim *o) {\n"
              "  o->config = %s_optim_config;\n"
              "  o->step = 0;\n"
              "  o->last_norm = 0;\n"
              "  rnn_opt_init(&o->config, %s_N_PARAMS, &o->slots[0][0]);\n"
              "}\n\n",
              n, n, n, e->up);
  emit_printf(o,
              "rnn_real %s_train_step(%s_params *p, %s_params *g, %s_optim *o, %s_state *s, "
              "%s_workspace *ws, const %s_batch *b, RnnRng *dropout_rng) {\n"
              "  rnn_real loss = %s_forward(p, s, ws, b, dropout_rng);\n"
              "  %s_backward(p, ws, b, g);\n"
              "  rnn_real *flat_p = (rnn_real *)p, *flat_g = (rnn_real *)g; /* [N_PARAMS] */\n",
              n, n, n, n, n, n, n, n, n);
  if (t->clip_norm > 0)
    emit_printf(o, "  /* clip by global norm, as torch.nn.utils.clip_grad_norm_ */\n"
                   "  o->last_norm = rnn_clip_global_norm(%s_N_PARAMS, flat_g, o->config.clip_norm);\n",
                e->up);
  else
    emit_printf(o, "  o->last_norm = rnn_clip_global_norm(%s_N_PARAMS, flat_g, 0); /* measure only */\n",
                e->up);
  emit_printf(o,
              "  double lr = rnn_schedule_lr(&o->config, o->step);\n"
              "  o->step++;\n"
              "  rnn_opt_step(&o->config, o->step, lr, %s_N_PARAMS, flat_p, flat_g, &o->slots[0][0]);\n"
              "  return loss;\n}\n\n",
              e->up);
}
