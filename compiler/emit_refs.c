/*
 * emit_refs.c - the C expressions that name the model's pieces in
 * generated code: a layer's input and output rows, a parameter tensor,
 * a workspace buffer, the views a cell's blocks share, an activation.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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

const char *emit_width_name(const Emitter *e, int i, char *buf, size_t size) {
  const IrLayer *l = &e->m->layers[i];
  char lu[IR_NAME_MAX];
  emit_upper(lu, l->name, sizeof lu);
  snprintf(buf, size, "%s_%s_%s", e->up, lu, ir_is_recurrent(l->kind) ? "H" : "N");
  return buf;
}

const char *emit_in_name(const Emitter *e, int i, char *buf, size_t size) {
  const IrInput *in = &e->m->input;
  if (i > 0)
    return emit_width_name(e, i - 1, buf, size);
  if (in->kind == IR_INPUT_FEATURES)
    snprintf(buf, size, "%s_F", e->up);
  else if (in->embedding)
    snprintf(buf, size, "%s_E", e->up);
  else
    snprintf(buf, size, "%s_VOCAB", e->up); /* one-hot */
  return buf;
}

const char *emit_gate_expr(const Emitter *e, int i, char *buf, size_t size) {
  const IrLayer *l = &e->m->layers[i];
  char h[EMIT_SIZE_NAME];
  emit_width_name(e, i, h, sizeof h);
  if (l->gates > 1)
    snprintf(buf, size, "%d * %s", l->gates, h);
  else
    snprintf(buf, size, "%s", h);
  return buf;
}

void emit_param_dims(const Emitter *e, const IrParam *p, char *rows, char *cols, size_t size) {
  snprintf(cols, size, "1");
  switch (p->role) {
  case IR_P_EMBEDDING:
    snprintf(rows, size, "%s_VOCAB", e->up);
    snprintf(cols, size, "%s_E", e->up);
    break;
  case IR_P_WEIGHT_IH:
    emit_gate_expr(e, p->layer, rows, size);
    emit_in_name(e, p->layer, cols, size);
    break;
  case IR_P_WEIGHT_HH:
    emit_gate_expr(e, p->layer, rows, size);
    emit_width_name(e, p->layer, cols, size);
    break;
  case IR_P_BIAS_IH:
  case IR_P_BIAS_HH:
    emit_gate_expr(e, p->layer, rows, size);
    break;
  case IR_P_PEEPHOLE: {
    char h[EMIT_SIZE_NAME];
    snprintf(rows, size, "3 * %s", emit_width_name(e, p->layer, h, sizeof h));
    break;
  }
  case IR_P_DENSE_W:
    emit_width_name(e, p->layer, rows, size);
    emit_in_name(e, p->layer, cols, size);
    break;
  case IR_P_DENSE_B:
    emit_width_name(e, p->layer, rows, size);
    break;
  }
}

/* One symbol of a buffer's shape ("B", "4H", "I", ...) of LAYER as a C
 * expression, and its value; -1 for a symbol it does not know. */
static long shape_symbol(const Emitter *e, int layer, const char *sym, char *out, size_t size) {
  const IrModel *m = e->m;
  if (strcmp(sym, "B") == 0 || strcmp(sym, "VOCAB") == 0 || strcmp(sym, "E") == 0) {
    snprintf(out, size, "%s_%s", e->up, sym);
    return sym[0] == 'B' ? m->train.batch : sym[0] == 'V' ? m->input.vocab : m->input.embedding;
  }
  if (strcmp(sym, "1") == 0) {
    snprintf(out, size, "1");
    return 1;
  }
  const char *s = sym;
  long mult = 1;
  if (isdigit((unsigned char)*s)) { /* "4H": four gates of H */
    char *end;
    mult = strtol(s, &end, 10);
    s = end;
  }
  if (layer < 0 || s[1] != '\0' || !strchr("HIN", s[0]))
    return -1;
  char name[EMIT_SIZE_NAME];
  const IrLayer *l = &m->layers[layer];
  long v = s[0] == 'I' ? l->in_size : l->units;
  if (s[0] == 'I')
    emit_in_name(e, layer, name, sizeof name);
  else
    emit_width_name(e, layer, name, sizeof name);
  if (mult > 1)
    snprintf(out, size, "%ld * %s", mult, name);
  else
    snprintf(out, size, "%s", name);
  return mult * v;
}

void emit_buffer_dims(const Emitter *e, const IrBuffer *b, char *steps, char *row, size_t size) {
  const IrModel *m = e->m;
  if (b->steps)
    snprintf(steps, size, "%s_T%s", e->up, b->steps > m->input.length ? " + 1" : "");
  else
    steps[0] = '\0';
  /* the symbols of the shape after its time axis, multiplied */
  const char *p = b->shape;
  if (b->steps)
    p = strchr(p, ']') ? strchr(p, ']') + 1 : "";
  size_t want = (size_t)(b->batched ? m->train.batch : 1) * b->width;
  double value = 1; /* a double: rows past INT_MAX are seen, not wrapped */
  char text[3 * EMIT_SIZE_EXPR] = "";
  size_t used = 0;
  int known = *p == '[';
  while (known && *p == '[') {
    const char *close = strchr(p, ']');
    char sym[32], expr[EMIT_SIZE_EXPR];
    if (!close || (size_t)(close - p) > sizeof sym)
      break;
    memcpy(sym, p + 1, (size_t)(close - p - 1));
    sym[close - p - 1] = '\0';
    long v = shape_symbol(e, b->layer, sym, expr, sizeof expr);
    if (v < 0 || used >= sizeof text)
      break;
    value *= (double)v;
    used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", used ? " * " : "", expr);
    p = close + 1;
  }
  /* the symbols must multiply to the buffer's row, else it gets its number */
  if (!known || *p != '\0' || value != (double)want || used >= sizeof text)
    snprintf(row, size, "%zu", want);
  else
    snprintf(row, size, "%s%s", value > INT_MAX ? "(size_t)" : "", text);
}

/* Layer I's input is the output of layer I-1, or the model's input. A
 * consumer without steps reads only the last step of a source that has
 * them, so only that step receives a gradient. */
void emit_source_of(const Emitter *e, int i, EmitSource *src) {
  const IrModel *m = e->m;
  memset(src, 0, sizeof *src);
  const IrLayer *l = &m->layers[i];
  int wants_steps = ir_is_recurrent(l->kind) || l->per_step;
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
  const char *U = e->up;
  if (ir_is_recurrent(j->kind)) {
    if (wants_steps) {
      snprintf(src->x, sizeof src->x, "ws->%s_h[1]", j->name);
      snprintf(src->dx, sizeof src->dx, "ws->%s_dh[1]", j->name);
      snprintf(src->zero, sizeof src->zero, "memset(ws->%s_dh[0], 0, sizeof ws->%s_dh[0]);",
               j->name, j->name);
    } else {
      snprintf(src->x, sizeof src->x, "ws->%s_h[%s_T]", j->name, U);
      snprintf(src->dx, sizeof src->dx, "ws->%s_dh[%s_T]", j->name, U);
      snprintf(src->zero, sizeof src->zero, "memset(ws->%s_dh[0], 0, %s_T * sizeof ws->%s_dh[0]);",
               j->name, U, j->name);
    }
    return;
  }
  if (!j->per_step) {
    snprintf(src->x, sizeof src->x, "ws->%s_out", j->name);
    snprintf(src->dx, sizeof src->dx, "ws->%s_dout", j->name);
  } else if (wants_steps) {
    snprintf(src->x, sizeof src->x, "ws->%s_out[0]", j->name);
    snprintf(src->dx, sizeof src->dx, "ws->%s_dout[0]", j->name);
  } else {
    snprintf(src->x, sizeof src->x, "ws->%s_out[%s_T - 1]", j->name, U);
    snprintf(src->dx, sizeof src->dx, "ws->%s_dout[%s_T - 1]", j->name, U);
    snprintf(src->zero, sizeof src->zero,
             "memset(ws->%s_dout[0], 0, (%s_T - 1) * sizeof ws->%s_dout[0]);", j->name, U, j->name);
  }
}

const char *emit_arg(char *buf, size_t size, const char *name, const char *value) {
  if (strcmp(value, "NULL") == 0 || strcmp(value, "0") == 0 || strcmp(value, "1") == 0)
    snprintf(buf, size, "/*%s=*/%s", name, value);
  else
    snprintf(buf, size, "%s", value);
  return buf;
}

void emit_param_member(const IrParam *p, char *out, size_t size) {
  snprintf(out, size, "%s", p->name);
  for (char *c = out; *c; c++)
    if (*c == '.')
      *c = '_';
}

void emit_param_ref(const IrModel *m, int layer, IrParamRole role, const char *base,
                    char *out, size_t size) {
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    if (p->layer != layer || p->role != role)
      continue;
    char member[IR_NAME_MAX + 16];
    emit_param_member(p, member, sizeof member);
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
  char gh[EMIT_SIZE_EXPR];
  emit_gate_expr(e, i, gh, sizeof gh);
  emit_printf(o, "    rnn_real (*h)[%s_B * %s_%s_H] = ws->%s_h; /* [T+1][B][H] */\n", U, U, lu,
              l->name);
  if (l->kind != IR_SIMPLE_RNN)
    emit_printf(o, "    rnn_real (*gt)[%s_B * %s] = ws->%s_gates; /* [T][B][%s] */\n", U, gh,
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
    char at[IR_NAME_MAX + 8] = "1"; /* every step from h[1], or the last, h[T] */
    if (!l->return_sequences)
      snprintf(at, sizeof at, "%s_T", e->up);
    snprintf(out, size, "ws->%s_h[%s]", l->name, at);
    snprintf(dout, size, "ws->%s_dh[%s]", l->name, at);
  } else {
    snprintf(out, size, "ws->%s_out%s", l->name, l->per_step ? "[0]" : "");
    snprintf(dout, size, "ws->%s_dout%s", l->name, l->per_step ? "[0]" : "");
  }
}
