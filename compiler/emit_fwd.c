/*
 * emit_fwd.c - NAME_forward: the unrolled forward pass and the loss.
 *
 * Time-parallel work is one call over all T*B rows (input projections,
 * embeddings, dense heads); only the recurrence is emitted per step, one
 * runtime call per layer-timestep with constant offsets, under the cell's
 * equations.
 */
#include <string.h>

#include "emitter.h"

/* The equations of a cell, in PyTorch's gate order, as a comment. */
static void emit_equations(EmitBuf *o, const IrLayer *l) {
  switch (l->kind) {
  case IR_SIMPLE_RNN:
    emit_printf(o, "    /* h[t] = %s(W_ih x[t] + b_ih + W_hh h[t-1] + b_hh) */\n",
                l->act == IR_ACT_RELU ? "relu" : "tanh");
    break;
  case IR_LSTM:
    emit_printf(o, "    /* i = sig(W_ii x + b_ii + W_hi h' + b_hi%s)\n", l->peephole ? " + p_i*c'" : "");
    emit_printf(o, "     * f = sig(W_if x + b_if + W_hf h' + b_hf%s)\n", l->peephole ? " + p_f*c'" : "");
    emit_printf(o, "     * g = tanh(W_ig x + b_ig + W_hg h' + b_hg)\n");
    emit_printf(o, "     * o = sig(W_io x + b_io + W_ho h' + b_ho%s)\n", l->peephole ? " + p_o*c" : "");
    emit_printf(o, "     * c = f*c' + i*g    h = o*tanh(c) */\n");
    break;
  case IR_GRU:
    emit_printf(o, "    /* r = sig(W_ir x + b_ir + W_hr h' + b_hr)\n");
    emit_printf(o, "     * z = sig(W_iz x + b_iz + W_hz h' + b_hz)\n");
    if (l->reset_after)
      emit_printf(o, "     * n = tanh(W_in x + b_in + r*(W_hn h' + b_hn))\n");
    else
      emit_printf(o, "     * n = tanh(W_in x + b_in + W_hn (r*h') + b_hn)\n");
    emit_printf(o, "     * h = (1-z)*n + z*h' */\n");
    break;
  default:
    break;
  }
}

static void emit_real(EmitBuf *o, double v) {
  emit_printf(o, "(rnn_real)");
  emit_number(o, v);
}

/* The unrolled recurrence of layer I: one kernel call per step. */
static void emit_recurrent_steps(Emitter *e, int i) {
  const IrModel *m = e->m;
  const IrLayer *l = &m->layers[i];
  EmitBuf *o = e->out;
  const char *U = e->up;
  char lu[IR_NAME_MAX];
  emit_upper(lu, l->name, sizeof lu);
  int masked = m->input.mask != IR_MASK_NONE;
  int rdrop = l->recurrent_dropout > 0;
  char relu[32];
  emit_arg(relu, sizeof relu, "relu", l->act == IR_ACT_RELU ? "1" : "0");
  for (int t = 1; t <= m->input.length; t++) {
    char sm[32], hd[32], at[16];
    snprintf(at, sizeof at, "sm[%d]", t - 1);
    emit_arg(sm, sizeof sm, "seq_mask_t", masked ? at : "NULL");
    snprintf(at, sizeof at, "hd[%d]", t - 1);
    emit_arg(hd, sizeof hd, "hd_t", rdrop ? at : "NULL");
    switch (l->kind) {
    case IR_SIMPLE_RNN:
      emit_printf(
          o,
          "    rnn_simple_fwd_step(%s_B, %s_%s_H, %s, xp[%d], h[%d], u, hmask, %s, %s, h[%d]);\n",
          U, U, lu, relu, t - 1, t - 1, sm, hd, t);
      break;
    case IR_LSTM:
      emit_printf(o, "    rnn_lstm_fwd_step(%s_B, %s_%s_H, xp[%d], h[%d], c[%d], u, peep, hmask, %s, %s, gt[%d], c[%d], h[%d]);\n",
                  U, U, lu, t - 1, t - 1, t - 1, sm, hd, t - 1, t, t);
      break;
    case IR_GRU:
      if (l->reset_after)
        emit_printf(o, "    rnn_gru_fwd_step(%s_B, %s_%s_H, xp[%d], h[%d], u, bhh, hmask, %s, %s, gt[%d], hn[%d], h[%d]);\n",
                    U, U, lu, t - 1, t - 1, sm, hd, t - 1, t - 1, t);
      else
        emit_printf(o, "    rnn_gru0_fwd_step(%s_B, %s_%s_H, xp[%d], h[%d], u, hmask, %s, %s, gt[%d], rh[%d], h[%d]);\n",
                    U, U, lu, t - 1, t - 1, sm, hd, t - 1, t - 1, t);
      break;
    default:
      break;
    }
  }
}

static void emit_recurrent_fwd(Emitter *e, int i) {
  const IrModel *m = e->m;
  const IrLayer *l = &m->layers[i];
  EmitBuf *o = e->out;
  const char *U = e->up;
  char lu[IR_NAME_MAX];
  emit_upper(lu, l->name, sizeof lu);
  EmitSource src;
  emit_source_of(e, i, &src);
  char gh[EMIT_SIZE_EXPR], in[EMIT_SIZE_NAME];
  emit_gate_expr(e, i, gh, sizeof gh);
  emit_in_name(e, i, in, sizeof in);
  char wih[128], bih[128], bhh[128], whh[128], peep[128];
  emit_param_ref(m, i, IR_P_WEIGHT_IH, "p", wih, sizeof wih);
  emit_param_ref(m, i, IR_P_WEIGHT_HH, "p", whh, sizeof whh);
  emit_param_ref(m, i, IR_P_BIAS_IH, "p", bih, sizeof bih);
  emit_param_ref(m, i, IR_P_BIAS_HH, "p", bhh, sizeof bhh);
  emit_param_ref(m, i, IR_P_PEEPHOLE, "p", peep, sizeof peep);
  /* gru reset_after keeps b_hh out of the projection: b_hn sits inside r*(.) */
  int fold_bhh = !(l->kind == IR_GRU && l->reset_after);
  emit_printf(o, "  /* ---- %s: %s, %d -> %d, %s ---- */\n  {\n", l->name,
              ir_layer_kind_name(l->kind), l->in_size, l->units,
              l->return_sequences ? "every step" : "last step");
  emit_printf(o, "    /* W_hh packed once for the %d per-step products (rnn.h) */\n", m->input.length);
  emit_printf(o, "    rnn_pack_recurrent(%d, %s_%s_H, %s, ws->%s_whh_fwd, NULL);\n", l->gates, U, lu,
              whh, l->name);
  emit_printf(o, "    const RnnRecurrent whh = {%s, ws->%s_whh_fwd, NULL}, *u = &whh;\n", whh,
              l->name);
  if (l->kind == IR_LSTM)
    emit_printf(o, "    const rnn_real *peep = %s; /* [3H] */\n", peep);
  if (l->kind == IR_GRU && l->reset_after)
    emit_printf(o, "    const rnn_real *bhh = %s; /* [3H] */\n", bhh);
  emit_printf(o, "    const rnn_real *hmask = NULL; /* [B][H] recurrent dropout */\n");
  emit_printf(o, "    rnn_real (*xp)[%s_B * %s] = ws->%s_xproj; /* [T][B][%s] */\n", U, gh, l->name,
              emit_gates_width(l));
  emit_layer_views(e, i);
  if (src.one_hot) {
    emit_printf(o, "    /* input projection of every step at once: a row gather of W_ih^T */\n");
    emit_printf(o, "    rnn_transpose(%s, %s_VOCAB, %s, ws->%s_wih_t);\n", gh, U, wih, l->name);
    const char *indent = "    ";
    if (l->dropout > 0) {
      emit_printf(o, "    if (dropout_rng) { /* Keras: one mask per sequence and token id */\n");
      emit_printf(o, "      rnn_dropout_mask(dropout_rng, %s_B * %s_VOCAB, ", U, U);
      emit_real(o, l->dropout);
      emit_printf(o, ", ws->%s_xmask);\n", l->name);
      emit_printf(o, "      rnn_gather_token_rows_masked(%s_T * %s_B, %s, %s, ws->%s_wih_t, %s, %s, "
                     "%s_B, %s_VOCAB, ws->%s_xmask, xp[0]);\n",
                  U, U, gh, src.x, l->name, bih, fold_bhh ? bhh : "NULL", U, U, l->name);
      emit_printf(o, "    } else {\n");
      indent = "      ";
    }
    emit_printf(o, "%srnn_gather_token_rows(%s_T * %s_B, %s, %s, ws->%s_wih_t, %s, %s, xp[0]);\n",
                indent, U, U, gh, src.x, l->name, bih, fold_bhh ? bhh : "NULL");
    if (l->dropout > 0)
      emit_printf(o, "    }\n");
  } else {
    emit_printf(o, "    const rnn_real *x = %s; /* [T][B][%d] */\n", src.x, l->in_size);
    if (l->dropout > 0) {
      emit_printf(o, "    if (dropout_rng) { /* Gal dropout: one mask per sequence */\n");
      emit_printf(o, "      rnn_dropout_mask(dropout_rng, %s_B * %s, ", U, in);
      emit_real(o, l->dropout);
      emit_printf(o, ", ws->%s_xmask);\n", l->name);
      emit_printf(o, "      rnn_mask_mul(%s_T * %s_B, %s, x, ws->%s_xmask, %s_B, ws->%s_xin[0]);\n",
                  U, U, in, l->name, U, l->name);
      emit_printf(o, "      x = ws->%s_xin[0];\n    }\n", l->name);
    }
    emit_printf(o, "    /* input projection of every step at once: one GEMM */\n");
    emit_printf(o, "    rnn_linear_fwd(%s_T * %s_B, %s, %s, x, %s, %s, %s, xp[0]);\n", U, U, in, gh,
                wih, bih, fold_bhh ? bhh : "NULL");
  }
  if (l->recurrent_dropout > 0) {
    emit_printf(o, "    if (dropout_rng) {\n      rnn_dropout_mask(dropout_rng, %s_B * %s_%s_H, ",
                U, U, lu);
    emit_real(o, l->recurrent_dropout);
    emit_printf(o, ", ws->%s_hmask);\n      hmask = ws->%s_hmask;\n    }\n", l->name, l->name);
  }
  emit_printf(o, "    memcpy(h[0], s->%s_h, sizeof s->%s_h);\n", l->name, l->name);
  if (l->kind == IR_LSTM)
    emit_printf(o, "    memcpy(c[0], s->%s_c, sizeof s->%s_c);\n", l->name, l->name);
  emit_equations(o, l);
  emit_recurrent_steps(e, i);
  if (m->train.stateful) {
    emit_printf(o, "    memcpy(s->%s_h, h[%s_T], sizeof s->%s_h); /* carried to the next batch */\n",
                l->name, U, l->name);
    if (l->kind == IR_LSTM)
      emit_printf(o, "    memcpy(s->%s_c, c[%s_T], sizeof s->%s_c);\n", l->name, U, l->name);
  }
  emit_printf(o, "  }\n");
}

static void emit_dropout_fwd(Emitter *e, int i) {
  const IrLayer *l = &e->m->layers[i];
  EmitBuf *o = e->out;
  EmitSource src;
  emit_source_of(e, i, &src);
  char rows[160], n[EMIT_SIZE_NAME];
  emit_rows(e, l, rows, sizeof rows);
  emit_width_name(e, i, n, sizeof n);
  const char *at = l->per_step ? "[0]" : "";
  emit_printf(o, "  /* ---- %s: dropout %g, a new mask for every element and step ---- */\n",
              l->name, l->rate);
  emit_printf(o, "  if (dropout_rng) {\n    rnn_dropout_mask(dropout_rng, (size_t)%s * %s, ", rows,
              n);
  emit_real(o, l->rate);
  emit_printf(o, ", ws->%s_mask%s);\n", l->name, at);
  emit_printf(o, "    rnn_mask_mul(%s, %s, %s, ws->%s_mask%s, %s, ws->%s_out%s);\n", rows, n, src.x,
              l->name, at, rows, l->name, at);
  emit_printf(o, "  } else {\n    memcpy(ws->%s_out%s, %s, sizeof(rnn_real) * %s * %s);\n  }\n",
              l->name, at, src.x, rows, n);
}

static void emit_dense_fwd(Emitter *e, int i) {
  const IrModel *m = e->m;
  const IrLayer *l = &m->layers[i];
  EmitBuf *o = e->out;
  EmitSource src;
  emit_source_of(e, i, &src);
  char rows[160], w[128], bias[128], in[EMIT_SIZE_NAME], n[EMIT_SIZE_NAME];
  emit_rows(e, l, rows, sizeof rows);
  emit_in_name(e, i, in, sizeof in);
  emit_width_name(e, i, n, sizeof n);
  emit_param_ref(m, i, IR_P_DENSE_W, "p", w, sizeof w);
  emit_param_ref(m, i, IR_P_DENSE_B, "p", bias, sizeof bias);
  const char *at = l->per_step ? "[0]" : "";
  emit_printf(o, "  /* ---- %s: dense %d -> %d, %s, %s ---- */\n", l->name, l->in_size, l->units,
              ir_act_name(l->act), l->per_step ? "every step" : "last step");
  emit_printf(o, "  /* y = %s(x W^T + b) */\n", ir_act_name(l->act));
  emit_printf(o, "  rnn_linear_fwd(%s, %s, %s, %s, %s, %s, NULL, ws->%s_out%s);\n", rows, in, n,
              src.x, w, bias, l->name, at);
  if (l->act != IR_ACT_LINEAR)
    emit_printf(o, "  rnn_act_fwd(%s, %s, %s, ws->%s_out%s, ws->%s_out%s);\n",
                emit_act_enum(l->act), rows, n, l->name, at, l->name, at);
}

static void emit_loss(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  const char *U = e->up;
  char out[192], dout[192], rows[160];
  emit_output_refs(e, out, dout, sizeof out);
  emit_rows(e, &m->layers[m->n_layers - 1], rows, sizeof rows);
  if (!m->output_per_step)
    snprintf(rows, sizeof rows, "%s_B", U);
  const char *weights = m->output_per_step && m->input.mask != IR_MASK_NONE
                            ? "&ws->seq_mask[0][0]"
                            : "NULL";
  const char *y = m->output_per_step ? (m->train.loss == IR_LOSS_CROSS_ENTROPY ? "&b->y[0][0]"
                                                                                : "&b->y[0][0][0]")
                                     : (m->train.loss == IR_LOSS_CROSS_ENTROPY ? "b->y"
                                                                                : "&b->y[0][0]");
  emit_printf(o, "  /* ---- loss: %s over %s, mean%s ---- */\n", ir_loss_name(m->train.loss),
              m->output_per_step ? "every step" : "each sequence",
              strcmp(weights, "NULL") ? " over real (unpadded) steps" : "");
  const char *fn = m->train.loss == IR_LOSS_CROSS_ENTROPY          ? "rnn_loss_xent"
                   : m->train.loss == IR_LOSS_BINARY_CROSS_ENTROPY ? "rnn_loss_bce"
                                                                   : "rnn_loss_mse";
  emit_printf(o, "  return %s(%s, %s_OUT, %s, %s, %s, %s);\n", fn, rows, U, out, y, weights,
              dout);
}

static void emit_seq_mask(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  const char *U = e->up;
  if (m->input.mask == IR_MASK_PADDING) {
    emit_printf(o, "  /* seq_mask: 1 for a real step, 0 where the token is padding (id %d) */\n",
                m->input.padding_id);
    emit_printf(o, "  for (int t = 0; t < %s_T; t++)\n    for (int i = 0; i < %s_B; i++)\n"
                   "      ws->seq_mask[t][i] = b->x[t][i] != %d;\n",
                U, U, m->input.padding_id);
  } else if (m->input.mask == IR_MASK_LENGTHS) {
    emit_printf(o, "  /* seq_mask: 1 for the first lengths[i] steps of sequence i */\n");
    emit_printf(o, "  for (int t = 0; t < %s_T; t++)\n    for (int i = 0; i < %s_B; i++)\n"
                   "      ws->seq_mask[t][i] = t < b->lengths[i];\n",
                U, U);
  }
}

void emit_forward(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  const char *n = m->name;
  const char *U = e->up;
  emit_printf(o, "/* ======================================================================== */\n");
  emit_printf(o, "/* Forward                                                                  */\n");
  emit_printf(o, "/* ======================================================================== */\n\n");
  emit_printf(o,
              "rnn_real %s_forward(const %s_params *p, %s_state *s, %s_workspace *ws, "
              "const %s_batch *b, RnnRng *dropout_rng) {\n",
              n, n, n, n, n);
  if (emit_find_buffer(m, -1, "on"))
    emit_printf(o, "  ws->dropout_on[0] = dropout_rng != NULL;\n");
  else
    emit_printf(o, "  (void)dropout_rng; /* no dropout in this model */\n");
  size_t body = o->len;
  emit_seq_mask(e);
  if (m->input.kind == IR_INPUT_TOKENS && m->input.embedding) {
    char tab[128];
    emit_param_ref(m, -1, IR_P_EMBEDDING, "p", tab, sizeof tab);
    emit_printf(o, "  /* ---- embedding: a row gather per token ---- */\n");
    emit_printf(o, "  rnn_gather_rows(%s_T * %s_B, %s_E, &b->x[0][0], %s, ws->embedding_out[0]);\n",
                U, U, U, tab);
  }
  for (int i = 0; i < m->n_layers; i++) {
    const IrLayer *l = &m->layers[i];
    if (ir_is_recurrent(l->kind))
      emit_recurrent_fwd(e, i);
    else if (l->kind == IR_DROPOUT)
      emit_dropout_fwd(e, i);
    else
      emit_dense_fwd(e, i);
  }
  emit_loss(e);
  if (!emit_mentions(o, body, "s->"))
    emit_printf(o, "  (void)s;\n");
  emit_printf(o, "}\n\n");
}
