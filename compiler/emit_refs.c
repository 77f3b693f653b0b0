/*
 * emit_refs.c - the C expressions that name the model's pieces in
 * generated code: a layer's input and output rows, a parameter tensor,
 * a workspace buffer, the views a cell's blocks share, an activation.
 */
#include <stdio.h>
#include <string.h>

#include "emitter.h"

const char *emit_gates_width(const IrLayer *l) {
  return l->gates == 4 ? "4H" : l->gates == 3 ? "3H" : "H";
}

const char *emit_act_enum(IrAct a) {
  static const char *const names[] = {"RNN_ACT_LINEAR", "RNN_ACT_RELU", "RNN_ACT_TANH",
                                      "RNN_ACT_SIGMOID", "RNN_ACT_SOFTMAX"};
  return names[a];
}

const IrBuffer *emit_find_buffer(const IrModel *m, int layer, const char *suffix) {
  const char *prefix = layer >= 0 ? m->layers[layer].name : NULL;
  for (int i = 0; i < m->n_buffers; i++) {
    const IrBuffer *b = &m->buffers[i];
    if (b->layer != layer)
      continue;
    size_t pl = prefix ? strlen(prefix) : 0;
    const char *tail = prefix ? b->name + pl + 1 : strchr(b->name, '_') + 1;
    if (prefix && (strncmp(b->name, prefix, pl) != 0 || b->name[pl] != '_'))
      continue;
    if (strcmp(tail, suffix) == 0)
      return b;
  }
  return NULL;
}

const char *emit_rows(const Emitter *e, const IrLayer *l, char *buf, size_t size) {
  if (l->per_step || ir_is_recurrent(l->kind))
    snprintf(buf, size, "%s_T * %s_B", e->up, e->up);
  else
    snprintf(buf, size, "%s_B", e->up);
  return buf;
}

/* Layer I's input is the output of layer I-1, or the model's input. A
 * consumer without steps reads only the last step of a source that has
 * them, so only that step receives a gradient. */
void emit_source_of(const Emitter *e, int i, EmitSource *src) {
  const IrModel *m = e->m;
  memset(src, 0, sizeof *src);
  const IrLayer *l = &m->layers[i];
  int wants_steps = ir_is_recurrent(l->kind) || l->per_step;
  int T = m->input.length;
  if (i == 0) {
    if (m->input.kind == IR_INPUT_FEATURES) {
      snprintf(src->x, sizeof src->x, "&b->x[0][0][0]");
    } else if (m->input.embedding) {
      snprintf(src->x, sizeof src->x, "ws->embedding_out[0]");
      snprintf(src->dx, sizeof src->dx, "ws->embedding_dout[0]");
      src->ids = 1;
    } else {
      snprintf(src->x, sizeof src->x, "&b->x[0][0]");
      src->one_hot = 1;
    }
    return;
  }
  const IrLayer *j = &m->layers[i - 1];
  if (ir_is_recurrent(j->kind)) {
    int at = wants_steps ? 1 : T;
    snprintf(src->x, sizeof src->x, "ws->%s_h[%d]", j->name, at);
    snprintf(src->dx, sizeof src->dx, "ws->%s_dh[%d]", j->name, at);
    if (at == 1)
      snprintf(src->zero, sizeof src->zero, "memset(ws->%s_dh[0], 0, sizeof ws->%s_dh[0]);",
               j->name, j->name);
    else
      snprintf(src->zero, sizeof src->zero,
               "memset(ws->%s_dh[0], 0, %d * sizeof ws->%s_dh[0]);", j->name, T, j->name);
    return;
  }
  if (!j->per_step) {
    snprintf(src->x, sizeof src->x, "ws->%s_out", j->name);
    snprintf(src->dx, sizeof src->dx, "ws->%s_dout", j->name);
  } else if (wants_steps) {
    snprintf(src->x, sizeof src->x, "ws->%s_out[0]", j->name);
    snprintf(src->dx, sizeof src->dx, "ws->%s_dout[0]", j->name);
  } else {
    snprintf(src->x, sizeof src->x, "ws->%s_out[%d]", j->name, T - 1);
    snprintf(src->dx, sizeof src->dx, "ws->%s_dout[%d]", j->name, T - 1);
    snprintf(src->zero, sizeof src->zero,
             "memset(ws->%s_dout[0], 0, %d * sizeof ws->%s_dout[0]);", j->name, T - 1,
             j->name);
  }
}

void emit_param_ref(const IrModel *m, int layer, IrParamRole role, const char *base,
                    char *out, size_t size) {
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    if (p->layer != layer || p->role != role)
      continue;
    char member[IR_NAME_MAX + 16];
    snprintf(member, sizeof member, "%s", p->name);
    for (char *c = member; *c; c++)
      if (*c == '.')
        *c = '_';
    if (p->cols == 1)
      snprintf(out, size, "%s->%s", base, member);
    else
      snprintf(out, size, "&%s->%s[0][0]", base, member);
    return;
  }
  snprintf(out, size, "NULL");
}

void emit_layer_views(const Emitter *e, int i) {
  const IrModel *m = e->m;
  const IrLayer *l = &m->layers[i];
  EmitBuf *o = e->out;
  const char *U = e->up;
  char lu[IR_NAME_MAX];
  emit_upper(lu, l->name, sizeof lu);
  int gh = l->gates * l->units;
  emit_printf(o, "    rnn_real (*h)[%s_B * %s_%s_H] = ws->%s_h; /* [T+1][B][H] */\n", U, U, lu,
              l->name);
  if (l->kind != IR_SIMPLE_RNN)
    emit_printf(o, "    rnn_real (*gt)[%s_B * %d] = ws->%s_gates; /* [T][B][%s] */\n", U, gh,
                l->name, emit_gates_width(l));
  if (l->kind == IR_LSTM)
    emit_printf(o, "    rnn_real (*c)[%s_B * %s_%s_H] = ws->%s_c; /* [T+1][B][H] */\n", U, U, lu,
                l->name);
  if (l->kind == IR_GRU) {
    const char *v = l->reset_after ? "hn" : "rh";
    emit_printf(o, "    rnn_real (*%s)[%s_B * %s_%s_H] = ws->%s_%s; /* [T][B][H] */\n", v, U, U,
                lu, l->name, v);
  }
  if (l->recurrent_dropout > 0)
    emit_printf(o, "    rnn_real (*hd)[%s_B * %s_%s_H] = ws->%s_hd; /* [T][B][H] */\n", U, U, lu,
                l->name);
  if (m->input.mask != IR_MASK_NONE)
    emit_printf(o, "    rnn_real (*sm)[%s_B] = ws->seq_mask; /* [T][B] */\n", U);
}

void emit_output_refs(const Emitter *e, char *out, char *dout, size_t size) {
  const IrModel *m = e->m;
  const IrLayer *l = &m->layers[m->n_layers - 1];
  if (ir_is_recurrent(l->kind)) {
    int at = l->return_sequences ? 1 : m->input.length;
    snprintf(out, size, "ws->%s_h[%d]", l->name, at);
    snprintf(dout, size, "ws->%s_dh[%d]", l->name, at);
  } else {
    snprintf(out, size, "ws->%s_out%s", l->name, l->per_step ? "[0]" : "");
    snprintf(dout, size, "ws->%s_dout%s", l->name, l->per_step ? "[0]" : "");
  }
}
