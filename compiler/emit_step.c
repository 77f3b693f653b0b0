/*
 * emit_step.c - NAME_step_reset and NAME_step: one-step inference, batch
 * 1 with carried state, for sampling and embedding.
 */
#include <math.h>
#include <string.h>

#include "emitter.h"

/* One-step inference: each layer on one step of one sequence. */
void emit_step_fn(Emitter *e) {
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
                "const rnn_real *%s_step(const %s_params *p, %s_step_state *s, "
                "const rnn_real x[%s_F]) {\n",
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
    char lu[IR_NAME_MAX], in[EMIT_SIZE_NAME], width[EMIT_SIZE_NAME];
    emit_upper(lu, l->name, sizeof lu);
    emit_in_name(e, i, in, sizeof in);
    emit_width_name(e, i, width, sizeof width);
    if (l->kind == IR_DROPOUT) {
      emit_printf(o, "  /* %s: dropout is off at inference */\n", l->name);
      continue;
    }
    if (l->kind == IR_DENSE) {
      char w[128], bias[128];
      emit_param_ref(m, i, IR_P_DENSE_W, "p", w, sizeof w);
      emit_param_ref(m, i, IR_P_DENSE_B, "p", bias, sizeof bias);
      emit_printf(o, "  rnn_linear_fwd(1, %s, %s, %s, %s, %s, NULL, s->%s_out); /* %s */\n", in,
                  width, cur, w, bias, l->name, l->name);
      if (l->act != IR_ACT_LINEAR)
        emit_printf(o, "  rnn_act_fwd(%s, 1, %s, s->%s_out, s->%s_out);\n", emit_act_enum(l->act),
                    width, l->name, l->name);
      snprintf(cur, sizeof cur, "s->%s_out", l->name);
      continue;
    }
    char gh[EMIT_SIZE_EXPR];
    emit_gate_expr(e, i, gh, sizeof gh);
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
      emit_printf(o,
                  "  rnn_step_preact(%s, %s, %s, %s, %s_%s_H, %s, s->%s_h, %s, %s, s->%s_xproj);\n",
                  gh, in, wih, cur, U, lu, whh, l->name, bih, bhh, l->name);
    } else {
      emit_printf(o, "  /* %s: batch 1 reads W_hh row by row (a GEMV streams it once) */\n", l->name);
      emit_printf(o, "  const RnnRecurrent %s_whh = {%s, NULL, NULL};\n", l->name, whh);
      if (strcmp(cur, "&token") == 0)
        emit_printf(o, "  rnn_gather_cols(1, %s, %s_VOCAB, &token, %s, %s, %s, s->%s_xproj);\n", gh,
                    U, wih, bih, fold ? bhh : "NULL", l->name);
      else
        emit_printf(o, "  rnn_linear_fwd(1, %s, %s, %s, %s, %s, %s, s->%s_xproj);\n", in, gh, cur,
                    wih, bih, fold ? bhh : "NULL", l->name);
    }
    snprintf(whh, sizeof whh, "&%s_whh", l->name);
    /* no dropout and no mask at inference */
    const char *off = "/*drop_h=*/NULL, /*seq_mask_t=*/NULL, /*hd_t=*/NULL";
    char arg[sizeof peep + 16];
    switch (l->kind) {
    case IR_SIMPLE_RNN:
      emit_printf(
          o, "  rnn_simple_fwd_step(1, %s_%s_H, %s, s->%s_xproj, s->%s_h, %s, %s, s->%s_hnext);\n",
          U, lu, emit_arg(arg, sizeof arg, "relu", l->act == IR_ACT_RELU ? "1" : "0"), l->name,
          l->name, whh, off, l->name);
      break;
    case IR_LSTM:
      emit_printf(
          o,
          "  rnn_lstm_fwd_step(1, %s_%s_H, s->%s_xproj, s->%s_h, s->%s_c, %s, %s, %s, s->%s_gates, s->%s_cnext, s->%s_hnext);\n",
          U, lu, l->name, l->name, l->name, whh, emit_arg(arg, sizeof arg, "peep", peep), off,
          l->name, l->name, l->name);
      emit_printf(o, "  memcpy(s->%s_c, s->%s_cnext, sizeof s->%s_c);\n", l->name, l->name, l->name);
      break;
    case IR_GRU:
      if (l->reset_after)
        emit_printf(
            o,
            "  rnn_gru_fwd_step(1, %s_%s_H, s->%s_xproj, s->%s_h, %s, %s, %s, s->%s_gates, s->%s_hn, s->%s_hnext);\n",
            U, lu, l->name, l->name, whh, emit_arg(arg, sizeof arg, "b_hh", bhh), off, l->name,
            l->name, l->name);
      else
        emit_printf(
            o,
            "  rnn_gru0_fwd_step(1, %s_%s_H, s->%s_xproj, s->%s_h, %s, %s, s->%s_gates, s->%s_rh, s->%s_hnext);\n",
            U, lu, l->name, l->name, whh, off, l->name, l->name, l->name);
      break;
    default:
      break;
    }
    emit_printf(o, "  memcpy(s->%s_h, s->%s_hnext, sizeof s->%s_h);\n", l->name, l->name, l->name);
    snprintf(cur, sizeof cur, "s->%s_h", l->name);
  }
  emit_printf(o, "  return %s;\n}\n\n", cur);
}
