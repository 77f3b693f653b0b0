/*
 * emit_bwd.c - NAME_backward: backpropagation through time, layer by layer
 * in reverse, each beside the forward it undoes (emit_fwd.c).
 *
 * Per step only the recurrence runs (one kernel call per layer-timestep:
 * gate gradients and dL/dh' through W_hh). Every weight gradient is one GEMM
 * over all T*B rows after the sweep, the recurrent one included:
 * dW_hh = sum_t dgates[t]^T h[t-1] is a single [GH x TB] x [TB x H] product.
 * Above each sweep stand the cell's gradient equations.
 */
#include <string.h>

#include "emitter.h"

/* The gradient equations of a cell, above its backward sweep: what each
 * step's kernel computes (dh: dL/dh[t], from the layer above and from step
 * t+1; ' marks step t-1), then what the GEMMs after the sweep add up. */
static void emit_gradient_equations(EmitBuf *o, const IrLayer *l, int masked) {
  switch (l->kind) {
  case IR_SIMPLE_RNN:
    emit_printf(o, "    /* da = dh * %s    dh' += W_hh^T da\n",
                l->act == IR_ACT_RELU ? "[h > 0]" : "(1 - h^2)");
    emit_printf(o, "     * then dW_hh += sum_t da[t]^T h[t-1], db_hh += sum_t da[t] */\n");
    break;
  case IR_LSTM:
    emit_printf(o, "    /* do = dh*tanh(c) * o(1-o)    dc += dh*o*(1 - tanh(c)^2)%s\n",
                l->peephole ? " + p_o*do" : "");
    emit_printf(o, "     * di = dc*g * i(1-i)    df = dc*c' * f(1-f)    dg = dc*i * (1 - g^2)\n");
    emit_printf(o, "     * dh' += W_hh^T [di df dg do]    dc' = dc*f%s\n",
                l->peephole ? " + p_i*di + p_f*df" : "");
    if (l->peephole)
      emit_printf(o, "     * dp_i += di*c'    dp_f += df*c'    dp_o += do*c\n");
    emit_printf(o, "     * then dW_hh += sum_t [di df dg do][t]^T h[t-1], db_hh += their sums */\n");
    break;
  case IR_GRU:
    emit_printf(o, "    /* dn = dh*(1-z) * (1 - n^2)    dz = dh*(h' - n) * z(1-z)\n");
    if (l->reset_after) {
      emit_printf(o, "     * dr = dn*(W_hn h' + b_hn) * r(1-r)\n");
      emit_printf(o, "     * dh' += dh*z + W_hh^T [dr dz r*dn]\n");
      emit_printf(o, "     * then dW_hh += sum_t [dr dz r*dn][t]^T h[t-1], db_hh += their sums */\n");
    } else {
      emit_printf(o, "     * d(r*h') = W_hn^T dn    dr = d(r*h')*h' * r(1-r)\n");
      emit_printf(o, "     * dh' += dh*z + d(r*h')*r + W_h[rz]^T [dr dz]\n");
      emit_printf(o, "     * then dW_h[rz] += sum_t [dr dz][t]^T h[t-1], dW_hn += sum_t dn[t]^T (r*h')[t]"
                     " */\n");
    }
    break;
  default:
    break;
  }
  if (l->recurrent_dropout > 0)
    emit_printf(o, "    /* recurrent dropout: the products read h'*m, so their dh' terms are * m */\n");
  if (masked)
    emit_printf(o, "    /* padding (sm[t] = 0): h[t] = h[t-1], so dh passes to dh' untouched */\n");
}

/* The sweep from the last step back to the first. */
static void emit_recurrent_sweep(Emitter *e, int i) {
  const IrModel *m = e->m;
  const IrLayer *l = &m->layers[i];
  EmitBuf *o = e->out;
  const char *U = e->up;
  char lu[IR_NAME_MAX];
  emit_upper(lu, l->name, sizeof lu);
  int masked = m->input.mask != IR_MASK_NONE;
  char relu[32];
  emit_arg(relu, sizeof relu, "relu", l->act == IR_ACT_RELU ? "1" : "0");
  for (int t = m->input.length; t >= 1; t--) {
    char sm[32], at[16];
    snprintf(at, sizeof at, "sm[%d]", t - 1);
    emit_arg(sm, sizeof sm, "seq_mask_t", masked ? at : "NULL");
    switch (l->kind) {
    case IR_SIMPLE_RNN:
      emit_printf(
          o,
          "    rnn_simple_bwd_step(%s_B, %s_%s_H, %s, h[%d], u, hmask, %s, dh[%d], dxp[%d], dh[%d], sc);\n",
          U, U, lu, relu, t, sm, t, t - 1, t - 1);
      break;
    case IR_LSTM:
      emit_printf(o, "    rnn_lstm_bwd_step(%s_B, %s_%s_H, gt[%d], c[%d], c[%d], u, peep, hmask, %s, dh[%d], dc, dxp[%d], dh[%d], dpeep, sc);\n",
                  U, U, lu, t - 1, t - 1, t, sm, t, t - 1, t - 1);
      break;
    case IR_GRU:
      if (l->reset_after)
        emit_printf(o, "    rnn_gru_bwd_step(%s_B, %s_%s_H, gt[%d], hn[%d], h[%d], u, hmask, %s, dh[%d], dxp[%d], dhp[%d], dh[%d], sc);\n",
                    U, U, lu, t - 1, t - 1, t - 1, sm, t, t - 1, t - 1, t - 1);
      else
        emit_printf(o, "    rnn_gru0_bwd_step(%s_B, %s_%s_H, gt[%d], rh[%d], h[%d], u, hmask, %s, dh[%d], dxp[%d], dh[%d], sc);\n",
                    U, U, lu, t - 1, t - 1, t - 1, sm, t, t - 1, t - 1);
      break;
    default:
      break;
    }
  }
}

/* dW_hh (and db_hh) after the sweep: one GEMM over every step. */
static void emit_recurrent_weight_grads(Emitter *e, int i) {
  const IrModel *m = e->m;
  const IrLayer *l = &m->layers[i];
  EmitBuf *o = e->out;
  const char *U = e->up;
  char lu[IR_NAME_MAX], dwhh[128], dbhh[128];
  emit_upper(lu, l->name, sizeof lu);
  emit_param_ref(m, i, IR_P_WEIGHT_HH, "g", dwhh, sizeof dwhh);
  emit_param_ref(m, i, IR_P_BIAS_HH, "g", dbhh, sizeof dbhh);
  char gh[EMIT_SIZE_EXPR];
  emit_gate_expr(e, i, gh, sizeof gh);
  /* The recurrent product's input: h' (h[0..T-1]), or h'~ after dropout. */
  const char *hin = l->recurrent_dropout > 0 ? "(hmask ? hd[0] : h[0])" : "h[0]";
  if (l->kind == IR_GRU && !l->reset_after) {
    emit_printf(o, "    /* dW_hr|dW_hz += d[r|z]^T h'  and  dW_hn += dn^T (r*h'): two GEMMs over all steps */\n");
    emit_printf(
        o,
        "    rnn_gemm(1, 0, 2 * %s_%s_H, %s_%s_H, %s_T * %s_B, 1, dxp[0], %s, %s, %s_%s_H, 1, %s, %s_%s_H);\n",
        U, lu, U, lu, U, U, gh, hin, U, lu, dwhh, U, lu);
    emit_printf(
        o,
        "    rnn_gemm(1, 0, %s_%s_H, %s_%s_H, %s_T * %s_B, 1, dxp[0] + 2 * %s_%s_H, %s, rh[0], %s_%s_H, 1, %s + 2 * %s_%s_H * %s_%s_H, %s_%s_H);\n",
        U, lu, U, lu, U, U, U, lu, gh, U, lu, dwhh, U, lu, U, lu, U, lu);
  } else {
    const char *dg = l->kind == IR_GRU ? "dhp" : "dxp";
    emit_printf(o, "    /* dW_hh += sum_t d%s[t]^T h[t-1]: one GEMM over all steps */\n",
                l->kind == IR_GRU ? "hp" : l->kind == IR_LSTM ? "gates" : "a");
    emit_printf(
        o,
        "    rnn_gemm(1, 0, %s, %s_%s_H, %s_T * %s_B, 1, %s[0], %s, %s, %s_%s_H, 1, %s, %s_%s_H);\n",
        gh, U, lu, U, U, dg, gh, hin, U, lu, dwhh, U, lu);
  }
  if (l->biases == 2)
    emit_printf(o, "    rnn_col_sums(%s_T * %s_B, %s, %s[0], %s, %s);\n", U, U, gh,
                l->kind == IR_GRU && l->reset_after ? "dhp" : "dxp", gh, dbhh);
}

static void emit_recurrent_bwd(Emitter *e, int i) {
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
  char wih[128], whh[128], peep[128], dwih[128], dbih[128], dpeep[128];
  emit_param_ref(m, i, IR_P_WEIGHT_IH, "p", wih, sizeof wih);
  emit_param_ref(m, i, IR_P_WEIGHT_HH, "p", whh, sizeof whh);
  emit_param_ref(m, i, IR_P_PEEPHOLE, "p", peep, sizeof peep);
  emit_param_ref(m, i, IR_P_WEIGHT_IH, "g", dwih, sizeof dwih);
  emit_param_ref(m, i, IR_P_BIAS_IH, "g", dbih, sizeof dbih);
  emit_param_ref(m, i, IR_P_PEEPHOLE, "g", dpeep, sizeof dpeep);
  emit_printf(o, "  /* ---- %s: backward through time ---- */\n  {\n", l->name);
  emit_printf(o, "    /* W_hh packed once for the %d per-step products (rnn.h) */\n", m->input.length);
  emit_printf(o, "    rnn_pack_recurrent(%d, %s_%s_H, %s, NULL, ws->%s_whh_bwd);\n", l->gates, U, lu,
              whh, l->name);
  emit_printf(o, "    const RnnRecurrent whh = {%s, NULL, ws->%s_whh_bwd}, *u = &whh;\n", whh,
              l->name);
  if (l->kind == IR_LSTM) {
    emit_printf(o, "    const rnn_real *peep = %s; /* [3H] */\n", peep);
    emit_printf(o, "    rnn_real *dpeep = %s; /* [3H] */\n", dpeep);
    emit_printf(o, "    rnn_real *dc = ws->%s_dc; /* [B][H] */\n", l->name);
  }
  if (l->recurrent_dropout > 0) /* the mask applies only if forward drew it */
    emit_printf(o, "    const rnn_real *hmask = ws->dropout_on[0] ? ws->%s_hmask : NULL; /* [B][H] */\n",
                l->name);
  else
    emit_printf(o, "    const rnn_real *hmask = NULL; /* no recurrent dropout */\n");
  emit_printf(o, "    rnn_real *sc = ws->%s_scratch; /* [B][H] */\n", l->name);
  emit_printf(o, "    rnn_real (*dxp)[%s_B * %s] = ws->%s_dxproj; /* [T][B][%s] */\n", U, gh,
              l->name, emit_gates_width(l));
  emit_printf(o, "    rnn_real (*dh)[%s_B * %s_%s_H] = ws->%s_dh; /* [T+1][B][H] */\n", U, U, lu,
              l->name);
  if (l->kind == IR_GRU && l->reset_after)
    emit_printf(o, "    rnn_real (*dhp)[%s_B * %s] = ws->%s_dhp; /* [T][B][3H] */\n", U, gh,
                l->name);
  emit_layer_views(e, i);
  if (l->kind == IR_LSTM)
    emit_printf(o, "    memset(dc, 0, sizeof ws->%s_dc);\n", l->name);
  emit_gradient_equations(o, l, m->input.mask != IR_MASK_NONE);
  emit_recurrent_sweep(e, i);
  emit_recurrent_weight_grads(e, i);
  /* input weights, biases and the input's gradient: time-parallel */
  if (src.one_hot && l->dropout > 0) {
    emit_printf(o, "    /* dW_ih[:, token] += mask[b][token] * dxproj (the mask of the forward when it\n"
                   "     * dropped, else 1): summed by token as rows, then transposed */\n");
    emit_printf(o, "    if (ws->dropout_on[0])\n");
    emit_printf(o, "      rnn_scatter_add_token_rows_masked(%s_T * %s_B, %s, %s_VOCAB, %s, %s_B, "
                   "ws->%s_xmask, dxp[0], ws->%s_dwih_t, %s, %s);\n",
                U, U, gh, U, src.x, U, l->name, l->name, dwih, dbih);
    emit_printf(o, "    else\n");
    emit_printf(o, "      rnn_scatter_add_token_rows(%s_T * %s_B, %s, %s_VOCAB, %s, dxp[0], "
                   "ws->%s_dwih_t, %s, %s);\n",
                U, U, gh, U, src.x, l->name, dwih, dbih);
  } else if (src.one_hot) {
    emit_printf(o, "    /* dW_ih[:, token] += dxproj: summed by token as rows, then transposed */\n");
    emit_printf(
        o,
        "    rnn_scatter_add_token_rows(%s_T * %s_B, %s, %s_VOCAB, %s, dxp[0], ws->%s_dwih_t, %s, %s);\n",
        U, U, gh, U, src.x, l->name, dwih, dbih);
  } else {
    const char *x = src.x;
    char xin[sizeof src.x + IR_NAME_MAX + 48];
    if (l->dropout > 0) {
      snprintf(xin, sizeof xin, "ws->dropout_on[0] ? ws->%s_xin[0] : %s", l->name, src.x);
      x = xin;
    }
    emit_printf(o, "    /* dW_ih += dxproj^T x, db_ih += sums, dx = dxproj W_ih: GEMMs over all steps */\n");
    emit_printf(o, "    rnn_linear_bwd(%s_T * %s_B, %s, %s, %s, %s, dxp[0], %s, %s, %s);\n", U, U,
                in, gh, x, wih, src.dx[0] ? src.dx : "NULL", dwih, dbih);
    if (src.dx[0] && l->dropout > 0)
      emit_printf(
          o,
          "    if (ws->dropout_on[0])\n      rnn_mask_mul(%s_T * %s_B, %s, %s, ws->%s_xmask, %s_B, %s);\n",
          U, U, in, src.dx, l->name, U, src.dx);
    if (src.zero[0])
      emit_printf(o, "    %s\n", src.zero);
  }
  emit_printf(o, "  }\n");
}

static void emit_dropout_bwd(Emitter *e, int i) {
  const IrLayer *l = &e->m->layers[i];
  EmitBuf *o = e->out;
  EmitSource src;
  emit_source_of(e, i, &src);
  char rows[160], n[EMIT_SIZE_NAME];
  emit_rows(e, l, rows, sizeof rows);
  emit_width_name(e, i, n, sizeof n);
  const char *at = l->per_step ? "[0]" : "";
  emit_printf(o, "  /* ---- %s: dropout backward, dx = dy * mask ---- */\n", l->name);
  emit_printf(
      o,
      "  if (ws->dropout_on[0])\n    rnn_mask_mul(%s, %s, ws->%s_dout%s, ws->%s_mask%s, %s, %s);\n",
      rows, n, l->name, at, l->name, at, rows, src.dx);
  emit_printf(o, "  else\n    memcpy(%s, ws->%s_dout%s, sizeof(rnn_real) * %s * %s);\n", src.dx,
              l->name, at, rows, n);
  if (src.zero[0])
    emit_printf(o, "  %s\n", src.zero);
}

static void emit_dense_bwd(Emitter *e, int i) {
  const IrModel *m = e->m;
  const IrLayer *l = &m->layers[i];
  EmitBuf *o = e->out;
  EmitSource src;
  emit_source_of(e, i, &src);
  char rows[160], w[128], dw[128], db[128], in[EMIT_SIZE_NAME], n[EMIT_SIZE_NAME];
  emit_rows(e, l, rows, sizeof rows);
  emit_in_name(e, i, in, sizeof in);
  emit_width_name(e, i, n, sizeof n);
  emit_param_ref(m, i, IR_P_DENSE_W, "p", w, sizeof w);
  emit_param_ref(m, i, IR_P_DENSE_W, "g", dw, sizeof dw);
  emit_param_ref(m, i, IR_P_DENSE_B, "g", db, sizeof db);
  const char *at = l->per_step ? "[0]" : "";
  int is_output = i == m->n_layers - 1;
  /* softmax + cross-entropy and sigmoid + binary cross-entropy are fused in
   * the loss, which already left dL/dz in dout */
  int fused = is_output && m->train.loss != IR_LOSS_MSE;
  emit_printf(o, "  /* ---- %s: dense backward ---- */\n", l->name);
  if (l->act != IR_ACT_LINEAR && !fused)
    emit_printf(o, "  rnn_act_bwd(%s, %s, %s, ws->%s_out%s, ws->%s_dout%s, ws->%s_dout%s);\n",
                emit_act_enum(l->act), rows, n, l->name, at, l->name, at, l->name, at);
  emit_printf(o, "  rnn_linear_bwd(%s, %s, %s, %s, %s, ws->%s_dout%s, %s, %s, %s);\n", rows, in, n,
              src.x, w, l->name, at, src.dx[0] ? src.dx : "NULL", dw, db);
  if (src.zero[0])
    emit_printf(o, "  %s\n", src.zero);
}

void emit_backward(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  const char *n = m->name;
  const char *U = e->up;
  emit_printf(o, "/* ======================================================================== */\n");
  emit_printf(o, "/* Backward                                                                 */\n");
  emit_printf(o, "/* ======================================================================== */\n\n");
  emit_printf(o,
              "void %s_backward(const %s_params *p, %s_workspace *ws, const %s_batch *b, "
              "%s_params *g) {\n",
              n, n, n, n, n);
  size_t body = o->len;
  emit_printf(o, "  memset(g, 0, sizeof *g);\n");
  const IrLayer *out = &m->layers[m->n_layers - 1];
  if (ir_is_recurrent(out->kind)) {
    /* the loss wrote dL/dh into the output steps; the rest starts at zero */
    if (out->return_sequences)
      emit_printf(o, "  memset(ws->%s_dh[0], 0, sizeof ws->%s_dh[0]);\n", out->name, out->name);
    else
      emit_printf(o, "  memset(ws->%s_dh[0], 0, %s_T * sizeof ws->%s_dh[0]);\n", out->name, U,
                  out->name);
  }
  for (int i = m->n_layers - 1; i >= 0; i--) {
    const IrLayer *l = &m->layers[i];
    if (ir_is_recurrent(l->kind))
      emit_recurrent_bwd(e, i);
    else if (l->kind == IR_DROPOUT)
      emit_dropout_bwd(e, i);
    else
      emit_dense_bwd(e, i);
  }
  if (m->input.kind == IR_INPUT_TOKENS && m->input.embedding) {
    char dtab[128];
    emit_param_ref(m, -1, IR_P_EMBEDDING, "g", dtab, sizeof dtab);
    emit_printf(o, "  /* ---- embedding: dE[token] += dx, a row scatter ---- */\n");
    emit_printf(o, "  rnn_scatter_add_rows(%s_T * %s_B, %s_E, &b->x[0][0], ws->embedding_dout[0], %s);\n",
                U, U, U, dtab);
  }
  if (!emit_mentions(o, body, "b->")) /* (every model reads it; kept honest) */
    emit_printf(o, "  (void)b;\n");
  emit_printf(o, "}\n\n");
}
