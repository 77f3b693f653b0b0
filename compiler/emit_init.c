/*
 * emit_init.c - the start of NAME.c: its banner and includes, NAME_init
 * (the spec's initializers, gate block by gate block) and
 * NAME_reset_state.
 */
#include <math.h>
#include <string.h>

#include "emitter.h"

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

/* Gate blocks of a tensor, for per-gate initialization: a cell's tensors
 * are G blocks (a peephole 3) of H rows each, which go to ROWS; any other
 * tensor is one block and keeps its ROWS. */
static int init_blocks(const Emitter *e, const IrParam *p, char *rows, size_t size) {
  const IrLayer *l = p->layer >= 0 ? &e->m->layers[p->layer] : NULL;
  if (!l || !ir_is_recurrent(l->kind))
    return 1;
  emit_width_name(e, p->layer, rows, size);
  return p->role == IR_P_PEEPHOLE ? 3 : l->gates;
}

void emit_init(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  emit_printf(o, "void %s_init(%s_params *p, uint64_t seed) {\n", m->name, m->name);
  emit_printf(o, "  RnnRng rng;\n  rnn_rng_seed(&rng, seed);\n");
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    char ref[128], rows[EMIT_SIZE_EXPR], cols[EMIT_SIZE_EXPR];
    emit_param_ref(m, p->layer, p->role, "p", ref, sizeof ref);
    emit_param_dims(e, p, rows, cols, sizeof rows);
    int blocks = init_blocks(e, p, rows, sizeof rows);
    /* torch_uniform's bound: 1/sqrt(H) in a cell (PyTorch's RNN modules),
     * 1/sqrt(fan_in) in a dense layer (nn.Linear) */
    double fan = p->layer >= 0 && ir_is_recurrent(m->layers[p->layer].kind)
                     ? m->layers[p->layer].units
                     : p->role == IR_P_DENSE_B ? m->layers[p->layer].in_size : p->cols;
    if (p->cols == 1)
      emit_printf(o, "  /* %s [%d]: %s */\n", p->name, p->rows, ir_init_name(p->init));
    else
      emit_printf(o, "  /* %s [%d][%d]: %s */\n", p->name, p->rows, p->cols, ir_init_name(p->init));
    emit_printf(o, "  rnn_init_fill(&rng, %s, %d, %s, %s, ", init_enum(p->init), blocks, rows,
                cols);
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
    char ref[128], h[EMIT_SIZE_NAME];
    emit_param_ref(m, i, IR_P_BIAS_IH, "p", ref, sizeof ref);
    emit_width_name(e, i, h, sizeof h);
    emit_printf(o, "  /* forget-gate bias (Keras's unit_forget_bias): b_if += ");
    emit_number(o, m->train.forget_bias);
    emit_printf(o, " */\n  for (int j = 0; j < %s; j++)\n    %s[%s + j] += (rnn_real)", h, ref, h);
    emit_number(o, m->train.forget_bias);
    emit_printf(o, ";\n");
  }
  emit_printf(o, "}\n\n");
  emit_printf(o, "void %s_reset_state(%s_state *s) {\n  memset(s, 0, sizeof *s);\n}\n\n", m->name,
              m->name);
}
