/*
 * emit_header.c - NAME.h: sizes as named constants, the caller-owned
 * structs (parameters, batch, carried state, workspace, optimizer, one-step
 * state) with a shape comment on every member, and the API.
 */
#include <string.h>

#include "emitter.h"

static const char *role_comment(const IrParam *p, const IrLayer *l) {
  switch (p->role) {
  case IR_P_EMBEDDING: return "[vocab][E] one row per token id";
  case IR_P_WEIGHT_IH:
    return l->kind == IR_LSTM  ? "[4H][I] W_ii | W_if | W_ig | W_io"
           : l->kind == IR_GRU ? "[3H][I] W_ir | W_iz | W_in"
                               : "[H][I]";
  case IR_P_WEIGHT_HH:
    return l->kind == IR_LSTM  ? "[4H][H] W_hi | W_hf | W_hg | W_ho"
           : l->kind == IR_GRU ? "[3H][H] W_hr | W_hz | W_hn"
                               : "[H][H]";
  case IR_P_BIAS_IH: return l->kind == IR_SIMPLE_RNN ? "[H]" : "[GH] per gate, same order";
  case IR_P_BIAS_HH: return l->kind == IR_SIMPLE_RNN ? "[H]" : "[GH] per gate, same order";
  case IR_P_PEEPHOLE: return "[3H] p_i | p_f | p_o (diagonal)";
  case IR_P_DENSE_W: return "[N][in]";
  case IR_P_DENSE_B: return "[N]";
  }
  return "";
}

static void emit_sizes(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  const char *U = e->up;
  emit_printf(o, "/* ---- sizes ---- */\n");
  emit_printf(o, "#define %s_T %d /* steps per sequence */\n", U, m->input.length);
  emit_printf(o, "#define %s_B %d /* sequences per training batch */\n", U, m->train.batch);
  if (m->input.kind == IR_INPUT_TOKENS) {
    emit_printf(o, "#define %s_VOCAB %d /* input token ids are in [0, VOCAB) */\n", U,
                m->input.vocab);
    if (m->input.embedding)
      emit_printf(o, "#define %s_E %d /* embedding width */\n", U, m->input.embedding);
  } else {
    emit_printf(o, "#define %s_F %d /* input features per step */\n", U, m->input.features);
  }
  for (int i = 0; i < m->n_layers; i++) {
    const IrLayer *l = &m->layers[i];
    char name[EMIT_SIZE_NAME], in[EMIT_SIZE_NAME];
    emit_width_name(e, i, name, sizeof name);
    if (l->kind == IR_DROPOUT) /* as wide as its input, and named so */
      emit_printf(o, "#define %s %s /* dropout %s: width, its input's */\n", name,
                  emit_in_name(e, i, in, sizeof in), l->name);
    else
      emit_printf(o, "#define %s %d /* %s %s: %s */\n", name, l->units, ir_layer_kind_name(l->kind),
                  l->name, ir_is_recurrent(l->kind) ? "units" : "width");
  }
  emit_printf(o, "#define %s_OUT %d /* output width */\n", U, m->output_units);
  emit_printf(o, "#define %s_N_PARAMS %zu /* parameters */\n", U, m->param_count);
  int slots = ir_optimizer_slots(m);
  emit_printf(o, "#define %s_N_SLOTS %d /* optimizer state per parameter (%s) */\n\n", U,
              slots, ir_opt_name(m->train.optimizer));
}

static void emit_params_struct(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  emit_printf(o,
              "/* Parameters, named and laid out as in PyTorch. The members are\n"
              " * contiguous (asserted below), so the optimizer and checkpoints see one\n"
              " * flat array of %s_N_PARAMS; gradients have the same layout. */\n",
              e->up);
  emit_printf(o, "typedef struct %s_params {\n", m->name);
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    char member[IR_NAME_MAX + 16];
    emit_param_member(p, member, sizeof member);
    const IrLayer *l = p->layer >= 0 ? &m->layers[p->layer] : NULL;
    char rows[EMIT_SIZE_EXPR], cols[EMIT_SIZE_EXPR];
    emit_param_dims(e, p, rows, cols, sizeof rows);
    if (p->cols == 1)
      emit_printf(o, "  rnn_real %s[%s]; /* %s */\n", member, rows, role_comment(p, l));
    else
      emit_printf(o, "  rnn_real %s[%s][%s]; /* %s */\n", member, rows, cols, role_comment(p, l));
  }
  emit_printf(o, "} %s_params;\n", m->name);
  emit_printf(o,
              "_Static_assert(sizeof(%s_params) == %s_N_PARAMS * sizeof(rnn_real), "
              "\"parameters must be one flat array\");\n\n",
              m->name, e->up);
}

static int target_is_class(const IrModel *m) {
  return m->train.loss == IR_LOSS_CROSS_ENTROPY;
}

static void emit_batch_struct(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  const char *U = e->up;
  emit_printf(o, "/* One training batch, time-major: x[t][b] is step t of sequence b. */\n");
  emit_printf(o, "typedef struct %s_batch {\n", m->name);
  if (m->input.kind == IR_INPUT_TOKENS)
    emit_printf(o, "  int32_t x[%s_T][%s_B]; /* [T][B] token ids */\n", U, U);
  else
    emit_printf(o, "  rnn_real x[%s_T][%s_B][%s_F]; /* [T][B][F] */\n", U, U, U);
  const char *steps = m->output_per_step ? "[T]" : "";
  if (target_is_class(m)) {
    if (m->output_per_step)
      emit_printf(o, "  int32_t y[%s_T][%s_B]; /* [T][B] class ids, per step */\n", U, U);
    else
      emit_printf(o, "  int32_t y[%s_B]; /* [B] class ids */\n", U);
  } else if (m->output_per_step) {
    emit_printf(o, "  rnn_real y[%s_T][%s_B][%s_OUT]; /* %s[B][OUT] targets */\n", U, U, U,
                steps);
  } else {
    emit_printf(o, "  rnn_real y[%s_B][%s_OUT]; /* [B][OUT] targets */\n", U, U);
  }
  if (m->input.mask == IR_MASK_LENGTHS)
    emit_printf(o, "  int32_t lengths[%s_B]; /* [B] real steps of each sequence */\n", U);
  emit_printf(o, "} %s_batch;\n\n", m->name);
}

static void emit_state_struct(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  emit_printf(o, "/* The recurrent state a forward pass starts from; with stateful\n"
                 " * training it carries the last state of one batch into the next. */\n");
  emit_printf(o, "typedef struct %s_state {\n", m->name);
  for (int i = 0; i < m->n_layers; i++) {
    const IrLayer *l = &m->layers[i];
    if (!ir_is_recurrent(l->kind))
      continue;
    char h[EMIT_SIZE_NAME];
    emit_width_name(e, i, h, sizeof h);
    emit_printf(o, "  rnn_real %s_h[%s_B * %s]; /* [B][H] */\n", l->name, e->up, h);
    if (l->kind == IR_LSTM)
      emit_printf(o, "  rnn_real %s_c[%s_B * %s]; /* [B][H] */\n", l->name, e->up, h);
  }
  emit_printf(o, "} %s_state;\n\n", m->name);
}

static void emit_workspace_struct(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  emit_printf(o, "/* Everything one training step keeps between forward and backward.\n"
                 " * Large: allocate it once (it never needs zeroing). */\n");
  emit_printf(o, "typedef struct %s_workspace {\n", m->name);
  for (int i = 0; i < m->n_buffers; i++) {
    const IrBuffer *b = &m->buffers[i];
    char steps[EMIT_SIZE_NAME], row[EMIT_SIZE_ROW];
    emit_buffer_dims(e, b, steps, row, sizeof row);
    if (b->size_macro) { /* the runtime's formula, so the sizes cannot drift apart */
      const IrLayer *l = &m->layers[b->layer];
      char lu[IR_NAME_MAX];
      emit_upper(lu, l->name, sizeof lu);
      emit_printf(o, "  rnn_real %s[%s(%d, %s_%s_H)]; /* %s */\n", b->name, b->size_macro, l->gates,
                  e->up, lu, b->what);
    } else if (b->steps)
      emit_printf(o, "  rnn_real %s[%s][%s]; /* %s %s */\n", b->name, steps, row, b->shape,
                  b->what);
    else
      emit_printf(o, "  rnn_real %s[%s]; /* %s %s */\n", b->name, row, b->shape, b->what);
  }
  emit_printf(o, "} %s_workspace;\n\n", m->name);
}

static void emit_optim_struct(Emitter *e) {
  EmitBuf *o = e->out;
  const char *n = e->m->name;
  int slots = ir_optimizer_slots(e->m);
  emit_printf(o, "/* Optimizer: its settings from the spec, its state, the step count. */\n");
  emit_printf(o, "typedef struct %s_optim {\n", n);
  emit_printf(o, "  RnnOptConfig config;\n");
  emit_printf(o, "  long step;          /* updates done */\n");
  emit_printf(o, "  double last_norm;   /* gradient norm of the last step, before clipping */\n");
  if (slots > 0)
    emit_printf(o, "  rnn_real slots[%s_N_SLOTS][%s_N_PARAMS]; /* [S][N_PARAMS] */\n", e->up,
                e->up);
  else
    emit_printf(
        o, "  rnn_real slots[1][%s_N_PARAMS]; /* [S][N_PARAMS] (unused by this optimizer) */\n",
        e->up);
  emit_printf(o, "} %s_optim;\n\n", n);
}

static void emit_step_struct(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  emit_printf(o, "/* One-step inference with batch 1 and carried state (sampling). */\n");
  emit_printf(o, "typedef struct %s_step_state {\n", m->name);
  if (m->input.kind == IR_INPUT_TOKENS && m->input.embedding)
    emit_printf(o, "  rnn_real embedding_out[%s_E]; /* [E] */\n", e->up);
  for (int i = 0; i < m->n_layers; i++) {
    const IrLayer *l = &m->layers[i];
    char h[EMIT_SIZE_NAME], gh[EMIT_SIZE_EXPR];
    emit_width_name(e, i, h, sizeof h);
    if (ir_is_recurrent(l->kind)) {
      emit_gate_expr(e, i, gh, sizeof gh);
      emit_printf(o, "  rnn_real %s_h[%s];     /* [H] state */\n", l->name, h);
      emit_printf(o, "  rnn_real %s_hnext[%s]; /* [H] */\n", l->name, h);
      if (l->kind == IR_LSTM) {
        emit_printf(o, "  rnn_real %s_c[%s];     /* [H] cell state */\n", l->name, h);
        emit_printf(o, "  rnn_real %s_cnext[%s]; /* [H] */\n", l->name, h);
      }
      emit_printf(o, "  rnn_real %s_xproj[%s]; /* [%s] */\n", l->name, gh, emit_gates_width(l));
      if (l->kind != IR_SIMPLE_RNN)
        emit_printf(o, "  rnn_real %s_gates[%s]; /* [%s] */\n", l->name, gh, emit_gates_width(l));
      if (l->kind == IR_GRU)
        emit_printf(o, "  rnn_real %s_%s[%s];    /* [H] */\n", l->name,
                    l->reset_after ? "hn" : "rh", h);
    } else if (l->kind == IR_DENSE) {
      emit_printf(o, "  rnn_real %s_out[%s]; /* [N] */\n", l->name, h);
    }
  }
  emit_printf(o, "} %s_step_state;\n\n", m->name);
}

static void emit_prototypes(Emitter *e) {
  EmitBuf *o = e->out;
  const char *n = e->m->name;
  emit_printf(o,
              "/* Fills P with the spec's initializers, from SEED. */\n"
              "void %s_init(%s_params *p, uint64_t seed);\n\n"
              "/* Sets the carried state to zeros (a new sequence). */\n"
              "void %s_reset_state(%s_state *s);\n\n",
              n, n, n, n);
  emit_printf(o,
              "/* Forward pass over batch B from state S, keeping what backward needs in\n"
              " * WS; returns the mean loss and leaves its gradient in WS. DROPOUT_RNG\n"
              " * draws the dropout masks (training); NULL turns dropout off (eval).\n"
              " * Stateful models leave their last state in S. */\n"
              "rnn_real %s_forward(const %s_params *p, %s_state *s, %s_workspace *ws, "
              "const %s_batch *b, RnnRng *dropout_rng);\n\n",
              n, n, n, n, n);
  emit_printf(o,
              "/* Backward through time after %s_forward: G = dLoss/dP (overwritten). */\n"
              "void %s_backward(const %s_params *p, %s_workspace *ws, const %s_batch *b, "
              "%s_params *g);\n\n",
              n, n, n, n, n, n);
  emit_printf(o,
              "/* Sets the optimizer to the spec's settings with empty state. */\n"
              "void %s_optim_init(%s_optim *o);\n\n"
              "/* One training step: forward, loss, backward, clipping, update.\n"
              " * Returns the loss before the update. */\n"
              "rnn_real %s_train_step(%s_params *p, %s_params *g, %s_optim *o, %s_state *s, "
              "%s_workspace *ws, const %s_batch *b, RnnRng *dropout_rng);\n\n",
              n, n, n, n, n, n, n, n, n);
  emit_printf(o,
              "/* One-step inference (batch 1): zero state, then feed one step at a\n"
              " * time; returns the output [OUT] (probabilities for a softmax). */\n"
              "void %s_step_reset(%s_step_state *s);\n",
              n, n);
  if (e->m->input.kind == IR_INPUT_TOKENS)
    emit_printf(o, "const rnn_real *%s_step(const %s_params *p, %s_step_state *s, int32_t token);\n\n",
                n, n, n);
  else
    emit_printf(o,
                "const rnn_real *%s_step(const %s_params *p, %s_step_state *s, "
                "const rnn_real x[%s_F]);\n\n",
                n, n, n, e->up);
  emit_printf(o, "/* The model for generic tools: driver, checkpoints, tests. */\n"
                 "extern const RnnModelDesc %s_desc;\n\n",
              n);
}

void emit_header_file(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  char file[IR_NAME_MAX + 8];
  snprintf(file, sizeof file, "%s.h", m->name);
  emit_banner(e, file, "sizes, structs and API of the model");
  emit_printf(o, "#ifndef %s_H\n#define %s_H\n\n", e->up, e->up);
  emit_printf(o, "#include <stdint.h>\n\n#include \"rnn.h\"\n#include \"rnn_model.h\"\n\n");
  emit_printf(o,
              "#if RNN_ABI != 1\n"
              "#error \"%s.h needs runtime ABI 1: regenerate it with the rnnc that matches rnn.h\"\n"
              "#endif\n\n",
              m->name);
  emit_printf(o, "#define %s_SPEC_HASH \"%s\"\n\n", e->up, e->opt->spec_hash);
  emit_sizes(e);
  emit_params_struct(e);
  emit_batch_struct(e);
  emit_state_struct(e);
  emit_workspace_struct(e);
  emit_optim_struct(e);
  emit_step_struct(e);
  emit_prototypes(e);
  emit_printf(o, "#endif\n");
}
