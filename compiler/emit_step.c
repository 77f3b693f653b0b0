/*
 * emit_step.c - the rest of NAME.c: initialization, the optimizer and the
 * training step, one-step inference for sampling, and the description
 * table (NAME_desc) that generic tools use.
 */
#include <math.h>
#include <string.h>

#include "emit.h"

static const char *init_enum(IrInit i) {
  static const char *const names[] = {"RNN_INIT_GLOROT_UNIFORM", "RNN_INIT_GLOROT_NORMAL",
                                      "RNN_INIT_ORTHOGONAL",     "RNN_INIT_TORCH_UNIFORM",
                                      "RNN_INIT_NORMAL",         "RNN_INIT_UNIFORM",
                                      "RNN_INIT_ZEROS"};
  return names[i];
}

void emit_source_prologue(Emitter *e) {
  char file[IR_NAME_MAX + 8];
  snprintf(file, sizeof file, "%s.c", e->m->name);
  emit_banner(e, file, "forward, backward through time, training step and one-step inference");
  emit_printf(e->out, "#include <stddef.h>\n#include <string.h>\n\n#include \"%s.h\"\n\n",
              e->m->name);
}

/* Gate blocks and rows per block of a tensor, for per-gate initialization. */
static void init_blocks(const IrModel *m, const IrParam *p, int *blocks, int *rows) {
  *blocks = 1;
  *rows = p->rows;
  if (p->layer < 0)
    return;
  const IrLayer *l = &m->layers[p->layer];
  if (emit_is_recurrent(l) && p->role != IR_P_PEEPHOLE) {
    *blocks = l->gates;
    *rows = l->units;
  } else if (p->role == IR_P_PEEPHOLE) {
    *blocks = 3;
    *rows = l->units;
  }
}

static void emit_init(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  emit_printf(o, "void %s_init(%s_params *p, uint64_t seed) {\n", m->name, m->name);
  emit_printf(o, "  RnnRng rng;\n  rnn_rng_seed(&rng, seed);\n");
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    char ref[128];
    emit_param_ref(m, p->layer, p->role, "p", ref, sizeof ref);
    int blocks, rows;
    init_blocks(m, p, &blocks, &rows);
    /* torch_uniform's bound: 1/sqrt(H) in a cell (PyTorch's RNN modules),
     * 1/sqrt(fan_in) in a dense layer (nn.Linear) */
    double fan = p->layer >= 0 && emit_is_recurrent(&m->layers[p->layer])
                     ? m->layers[p->layer].units
                     : p->role == IR_P_DENSE_B ? m->layers[p->layer].in_size : p->cols;
    if (p->cols == 1)
      emit_printf(o, "  /* %s [%d]: %s */\n", p->name, p->rows, ir_init_name(p->init));
    else
      emit_printf(o, "  /* %s [%d][%d]: %s */\n", p->name, p->rows, p->cols, ir_init_name(p->init));
    emit_printf(o, "  rnn_init_fill(&rng, %s, %d, %d, %d, ", init_enum(p->init), blocks, rows,
                p->cols);
    if (p->init == IR_INIT_TORCH_UNIFORM) {
      emit_printf(o, "(rnn_real)");
      emit_number(o, 1.0 / sqrt(fan)); /* the bound, 1/sqrt(fan) */
    } else {
      emit_printf(o, "0");
    }
    emit_printf(o, ", %s);\n", ref);
  }
  for (int i = 0; i < m->n_layers; i++) {
    const IrLayer *l = &m->layers[i];
    if (l->kind != IR_LSTM || m->train.forget_bias == 0)
      continue;
    char ref[128];
    emit_param_ref(m, i, IR_P_BIAS_IH, "p", ref, sizeof ref);
    emit_printf(o, "  /* forget-gate bias (Keras's unit_forget_bias): b_if += ");
    emit_number(o, m->train.forget_bias);
    emit_printf(o, " */\n  for (int j = 0; j < %d; j++)\n    %s[%d + j] += (rnn_real)", l->units,
                ref, l->units);
    emit_number(o, m->train.forget_bias);
    emit_printf(o, ";\n");
  }
  emit_printf(o, "}\n\n");
  emit_printf(o, "void %s_reset_state(%s_state *s) {\n  memset(s, 0, sizeof *s);\n}\n\n", m->name,
              m->name);
}

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

static void emit_optimizer(Emitter *e) {
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
              "rnn_real %s_train_step(%s_params *p, %s_params *g, %s_optim *o, %s_state *s,\n"
              "                       %s_workspace *ws, const %s_batch *b, RnnRng *dropout_rng) {\n"
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

/* One-step inference: each layer on one step of one sequence. */
static void emit_step_fn(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  const char *n = m->name;
  const char *U = e->up;
  emit_printf(o, "void %s_step_reset(%s_step_state *s) {\n  memset(s, 0, sizeof *s);\n}\n\n", n, n);
  if (m->input.kind == IR_INPUT_TOKENS)
    emit_printf(o, "const rnn_real *%s_step(const %s_params *p, %s_step_state *s, int32_t token) {\n",
                n, n, n);
  else
    emit_printf(o,
                "const rnn_real *%s_step(const %s_params *p, %s_step_state *s,\n"
                "                        const rnn_real x[%s_F]) {\n",
                n, n, n, U);
  char cur[128];
  if (m->input.kind == IR_INPUT_FEATURES) {
    snprintf(cur, sizeof cur, "x");
  } else if (m->input.embedding) {
    char tab[128];
    emit_param_ref(m, -1, IR_P_EMBEDDING, "p", tab, sizeof tab);
    emit_printf(o, "  rnn_gather_rows(1, %s_E, &token, %s, s->embedding_out);\n", U, tab);
    snprintf(cur, sizeof cur, "s->embedding_out");
  } else {
    snprintf(cur, sizeof cur, "&token");
  }
  for (int i = 0; i < m->n_layers; i++) {
    const IrLayer *l = &m->layers[i];
    char lu[IR_NAME_MAX];
    emit_upper(lu, l->name, sizeof lu);
    if (l->kind == IR_DROPOUT) {
      emit_printf(o, "  /* %s: dropout is off at inference */\n", l->name);
      continue;
    }
    if (l->kind == IR_DENSE) {
      char w[128], bias[128];
      emit_param_ref(m, i, IR_P_DENSE_W, "p", w, sizeof w);
      emit_param_ref(m, i, IR_P_DENSE_B, "p", bias, sizeof bias);
      emit_printf(o, "  rnn_linear_fwd(1, %d, %d, %s, %s, %s, NULL, s->%s_out); /* %s */\n",
                  l->in_size, l->units, cur, w, bias, l->name, l->name);
      if (l->act != IR_ACT_LINEAR)
        emit_printf(o, "  rnn_act_fwd(%s, 1, %d, s->%s_out, s->%s_out);\n", emit_act_enum(l->act),
                    l->units, l->name, l->name);
      snprintf(cur, sizeof cur, "s->%s_out", l->name);
      continue;
    }
    int gh = l->gates * l->units;
    int fold = !(l->kind == IR_GRU && l->reset_after);
    char wih[128], whh[128], bih[128], bhh[128], peep[128];
    emit_param_ref(m, i, IR_P_WEIGHT_IH, "p", wih, sizeof wih);
    emit_param_ref(m, i, IR_P_WEIGHT_HH, "p", whh, sizeof whh);
    emit_param_ref(m, i, IR_P_BIAS_IH, "p", bih, sizeof bih);
    emit_param_ref(m, i, IR_P_BIAS_HH, "p", bhh, sizeof bhh);
    emit_param_ref(m, i, IR_P_PEEPHOLE, "p", peep, sizeof peep);
    /* A dense input and a cell whose whole recurrent product sits in its
     * pre-activations (not a GRU's candidate): one pass over both weights. */
    int one_pass = strcmp(cur, "&token") != 0 && (l->kind == IR_LSTM || l->kind == IR_SIMPLE_RNN);
    if (one_pass) {
      emit_printf(o, "  /* %s: batch 1 streams each row of W_ih and W_hh once, in one pass */\n",
                  l->name);
      emit_printf(o, "  const RnnRecurrent %s_whh = {NULL, NULL, NULL}; /* in xproj */\n", l->name);
      emit_printf(o, "  rnn_step_preact(%d, %d, %s, %s, %s_%s_H, %s, s->%s_h, %s, %s, s->%s_xproj);\n",
                  gh, l->in_size, wih, cur, U, lu, whh, l->name, bih, bhh, l->name);
    } else {
      emit_printf(o, "  /* %s: batch 1 reads W_hh row by row (a GEMV streams it once) */\n", l->name);
      emit_printf(o, "  const RnnRecurrent %s_whh = {%s, NULL, NULL};\n", l->name, whh);
      if (strcmp(cur, "&token") == 0)
        emit_printf(o, "  rnn_gather_cols(1, %d, %s_VOCAB, &token, %s, %s, %s, s->%s_xproj);\n",
                    gh, U, wih, bih, fold ? bhh : "NULL", l->name);
      else
        emit_printf(o, "  rnn_linear_fwd(1, %d, %d, %s, %s, %s, %s, s->%s_xproj);\n", l->in_size,
                    gh, cur, wih, bih, fold ? bhh : "NULL", l->name);
    }
    snprintf(whh, sizeof whh, "&%s_whh", l->name);
    switch (l->kind) {
    case IR_SIMPLE_RNN:
      emit_printf(o, "  rnn_simple_fwd_step(1, %s_%s_H, %d, s->%s_xproj, s->%s_h, %s, NULL, NULL, NULL, s->%s_hnext);\n",
                  U, lu, l->act == IR_ACT_RELU, l->name, l->name, whh, l->name);
      break;
    case IR_LSTM:
      emit_printf(o, "  rnn_lstm_fwd_step(1, %s_%s_H, s->%s_xproj, s->%s_h, s->%s_c, %s, %s, NULL, NULL, NULL, s->%s_gates, s->%s_cnext, s->%s_hnext);\n",
                  U, lu, l->name, l->name, l->name, whh, peep, l->name, l->name, l->name);
      emit_printf(o, "  memcpy(s->%s_c, s->%s_cnext, sizeof s->%s_c);\n", l->name, l->name, l->name);
      break;
    case IR_GRU:
      if (l->reset_after)
        emit_printf(o, "  rnn_gru_fwd_step(1, %s_%s_H, s->%s_xproj, s->%s_h, %s, %s, NULL, NULL, NULL, s->%s_gates, s->%s_hn, s->%s_hnext);\n",
                    U, lu, l->name, l->name, whh, bhh, l->name, l->name, l->name);
      else
        emit_printf(o, "  rnn_gru0_fwd_step(1, %s_%s_H, s->%s_xproj, s->%s_h, %s, NULL, NULL, NULL, s->%s_gates, s->%s_rh, s->%s_hnext);\n",
                    U, lu, l->name, l->name, whh, l->name, l->name, l->name);
      break;
    default:
      break;
    }
    emit_printf(o, "  memcpy(s->%s_h, s->%s_hnext, sizeof s->%s_h);\n", l->name, l->name, l->name);
    snprintf(cur, sizeof cur, "s->%s_h", l->name);
  }
  emit_printf(o, "  return %s;\n}\n\n", cur);
}

/* void-pointer adapters, so generic tools can call the typed functions. */
static void emit_desc(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  const char *n = m->name;
  const char *U = e->up;
  emit_printf(o, "/* ---- the description table ---- */\n\n");
  emit_printf(o, "static const RnnTensorDesc %s_tensors[] = {\n", n);
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    emit_printf(o, "    {\"%s\", %d, %d, %zu},\n", p->name, p->rows, p->cols, p->offset);
  }
  emit_printf(o, "};\n\n");
  emit_printf(o,
              "static void desc_init(void *p, uint64_t seed) { %s_init(p, seed); }\n"
              "static void desc_reset_state(void *s) { %s_reset_state(s); }\n"
              "static rnn_real desc_forward(const void *p, void *s, void *ws, const void *b,\n"
              "                             RnnRng *rng) {\n"
              "  return %s_forward(p, s, ws, b, rng);\n}\n"
              "static void desc_backward(const void *p, void *ws, const void *b, void *g) {\n"
              "  %s_backward(p, ws, b, g);\n}\n"
              "static void desc_optim_init(void *o) { %s_optim_init(o); }\n"
              "static rnn_real desc_train_step(void *p, void *g, void *o, void *s, void *ws,\n"
              "                                const void *b, RnnRng *rng) {\n"
              "  return %s_train_step(p, g, o, s, ws, b, rng);\n}\n"
              "static void desc_step_reset(void *s) { %s_step_reset(s); }\n",
              n, n, n, n, n, n, n);
  if (m->input.kind == IR_INPUT_TOKENS)
    emit_printf(o,
                "static const rnn_real *desc_step(const void *p, void *s, int32_t token,\n"
                "                                 const rnn_real *x) {\n"
                "  (void)x;\n  return %s_step(p, s, token);\n}\n\n",
                n);
  else
    emit_printf(o,
                "static const rnn_real *desc_step(const void *p, void *s, int32_t token,\n"
                "                                 const rnn_real *x) {\n"
                "  (void)token;\n  return %s_step(p, s, x);\n}\n\n",
                n);
  char out[128], dout[128];
  emit_output_refs(e, out, dout, sizeof out);
  const char *member = out + strlen("ws->");
  char member_name[128];
  snprintf(member_name, sizeof member_name, "%s", member);
  char *bracket = strchr(member_name, '[');
  if (bracket)
    *bracket = '\0';
  const IrLayer *last = &m->layers[m->n_layers - 1];
  int out_row = emit_is_recurrent(last) ? (last->return_sequences ? 1 : m->input.length) : 0;
  static const char *const loss_enum[] = {"RNN_LOSS_XENT", "RNN_LOSS_BCE", "RNN_LOSS_MSE"};
  static const char *const mask_enum[] = {"RNN_MASK_NONE", "RNN_MASK_PADDING", "RNN_MASK_LENGTHS"};
  emit_printf(o, "const RnnModelDesc %s_desc = {\n", n);
  emit_printf(o, "    .abi = RNN_ABI,\n    .name = \"%s\",\n    .spec_hash = %s_SPEC_HASH,\n", n, U);
  emit_printf(o, "    .length = %s_T,\n    .batch = %s_B,\n", U, U);
  emit_printf(o, "    .tokens = %d,\n    .vocab = %d,\n    .features = %d,\n",
              m->input.kind == IR_INPUT_TOKENS, m->input.vocab, m->input.features);
  emit_printf(o, "    .out_units = %s_OUT,\n    .out_per_step = %d,\n", U, m->output_per_step);
  emit_printf(o, "    .loss = %s,\n    .mask = %s,\n    .padding_id = %d,\n",
              loss_enum[m->train.loss], mask_enum[m->input.mask], m->input.padding_id);
  emit_printf(o, "    .stateful = %d,\n    .can_sample = %d,\n", m->train.stateful, m->can_sample);
  emit_printf(o, "    .n_params = %s_N_PARAMS,\n    .n_tensors = %d,\n    .tensors = %s_tensors,\n",
              U, m->n_params, n);
  emit_printf(o, "    .n_slots = %s_N_SLOTS,\n", U);
  emit_printf(o,
              "    .params_size = sizeof(%s_params),\n    .state_size = sizeof(%s_state),\n"
              "    .workspace_size = sizeof(%s_workspace),\n    .batch_size = sizeof(%s_batch),\n"
              "    .optim_size = sizeof(%s_optim),\n    .step_size = sizeof(%s_step_state),\n",
              n, n, n, n, n, n);
  emit_printf(o,
              "    .optim_step_offset = offsetof(%s_optim, step),\n"
              "    .optim_norm_offset = offsetof(%s_optim, last_norm),\n"
              "    .optim_slots_offset = offsetof(%s_optim, slots),\n",
              n, n, n);
  emit_printf(o, "    .batch_x = offsetof(%s_batch, x),\n    .batch_y = offsetof(%s_batch, y),\n", n, n);
  if (m->input.mask == IR_MASK_LENGTHS)
    emit_printf(o, "    .batch_lengths = (long)offsetof(%s_batch, lengths),\n", n);
  else
    emit_printf(o, "    .batch_lengths = -1,\n");
  if (out_row)
    emit_printf(o, "    .output_offset = offsetof(%s_workspace, %s) + %d * sizeof(((%s_workspace *)0)->%s[0]),\n",
                n, member_name, out_row, n, member_name);
  else
    emit_printf(o, "    .output_offset = offsetof(%s_workspace, %s),\n", n, member_name);
  emit_printf(o, "    .forward_flops = %.0f,\n    .train_flops = %.0f,\n", ir_forward_flops(m),
              ir_train_flops(m));
  emit_printf(o,
              "    .init = desc_init,\n    .reset_state = desc_reset_state,\n"
              "    .forward = desc_forward,\n    .backward = desc_backward,\n"
              "    .optim_init = desc_optim_init,\n    .train_step = desc_train_step,\n"
              "    .step_reset = desc_step_reset,\n    .step = desc_step,\n"
              "    .optim_config = &%s_optim_config,\n",
              n);
  emit_printf(o, "    .epochs = %ld,\n    .steps = %ld,\n    .validation_split = ", m->train.epochs,
              m->train.steps);
  emit_number(o, m->train.validation_split);
  emit_printf(o, ",\n    .seed = %lluu,\n", (unsigned long long)m->train.seed);
  emit_printf(o, "    .temperature = ");
  emit_number(o, m->sample.temperature);
  emit_printf(o, ",\n    .top_k = %d,\n    .sample_length = %d,\n", m->sample.top_k,
              m->sample.length);
  emit_printf(o, "    .prime = \"");
  for (size_t i = 0; i < m->sample.prime_len; i++) {
    unsigned char c = (unsigned char)m->sample.prime[i];
    if (c == '"' || c == '\\')
      emit_printf(o, "\\%c", c);
    else if (c < 0x20 || c >= 0x7f)
      emit_printf(o, "\\%03o", c);
    else
      emit_printf(o, "%c", c);
  }
  emit_printf(o, "\",\n    .prime_len = %zu,\n};\n", m->sample.prime_len);
}

void emit_init_and_step(Emitter *e) {
  emit_init(e);
  emit_optimizer(e);
  emit_step_fn(e);
  emit_desc(e);
  emit_printf(e->out, "\n");
}
