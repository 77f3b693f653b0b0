/*
 * emit_desc.c - NAME_desc, the description table generic tools (the
 * driver, checkpoints, the weight loader, the tests) see the model
 * through, and the void-pointer adapters it points to.
 */
#include <math.h>
#include <string.h>

#include "emitter.h"

/* void-pointer adapters, so generic tools can call the typed functions. */
void emit_desc(Emitter *e) {
  const IrModel *m = e->m;
  EmitBuf *o = e->out;
  const char *n = m->name;
  const char *U = e->up;
  emit_printf(o, "/* ---- the description table ---- */\n\n");
  emit_printf(o, "static const RnnTensorDesc %s_tensors[] = {\n", n);
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    char rows[EMIT_SIZE_EXPR], cols[EMIT_SIZE_EXPR], member[IR_NAME_MAX + 16];
    emit_param_dims(e, p, rows, cols, sizeof rows);
    emit_param_member(p, member, sizeof member);
    /* the offset in elements: where the struct puts the member (a
     * _Static_assert in NAME.h keeps the struct one flat array) */
    emit_printf(o, "    {\"%s\", %s, %s, offsetof(%s_params, %s) / sizeof(rnn_real)},\n", p->name,
                rows, cols, n, member);
  }
  emit_printf(o, "};\n\n");
  emit_printf(o,
              "static void desc_init(void *p, uint64_t seed) { %s_init(p, seed); }\n"
              "static void desc_reset_state(void *s) { %s_reset_state(s); }\n"
              "static rnn_real desc_forward(const void *p, void *s, void *ws, const void *b, "
              "RnnRng *rng) {\n"
              "  return %s_forward(p, s, ws, b, rng);\n}\n"
              "static void desc_backward(const void *p, void *ws, const void *b, void *g) {\n"
              "  %s_backward(p, ws, b, g);\n}\n"
              "static void desc_optim_init(void *o) { %s_optim_init(o); }\n"
              "static rnn_real desc_train_step(void *p, void *g, void *o, void *s, void *ws, "
              "const void *b, RnnRng *rng) {\n"
              "  return %s_train_step(p, g, o, s, ws, b, rng);\n}\n"
              "static void desc_step_reset(void *s) { %s_step_reset(s); }\n",
              n, n, n, n, n, n, n);
  if (m->input.kind == IR_INPUT_TOKENS)
    emit_printf(o,
                "static const rnn_real *desc_step(const void *p, void *s, int32_t token, "
                "const rnn_real *x) {\n"
                "  (void)x;\n  return %s_step(p, s, token);\n}\n\n",
                n);
  else
    emit_printf(o,
                "static const rnn_real *desc_step(const void *p, void *s, int32_t token, "
                "const rnn_real *x) {\n"
                "  (void)token;\n  return %s_step(p, s, x);\n}\n\n",
                n);
  char out[192], dout[192];
  emit_output_refs(e, out, dout, sizeof out);
  const char *member = out + strlen("ws->");
  char member_name[192];
  snprintf(member_name, sizeof member_name, "%s", member);
  char *bracket = strchr(member_name, '[');
  if (bracket)
    *bracket = '\0';
  /* the output's first row in its member: h[1], h[T], or out's first */
  char *out_row = strchr(out, '[');
  if (out_row && strcmp(out_row, "[0]") == 0)
    out_row = NULL;
  static const char *const loss_enum[] = {"RNN_LOSS_XENT", "RNN_LOSS_BCE", "RNN_LOSS_MSE"};
  static const char *const mask_enum[] = {"RNN_MASK_NONE", "RNN_MASK_PADDING", "RNN_MASK_LENGTHS"};
  emit_printf(o, "const RnnModelDesc %s_desc = {\n", n);
  emit_printf(o, "    .abi = RNN_ABI,\n    .name = \"%s\",\n    .spec_hash = %s_SPEC_HASH,\n", n, U);
  emit_printf(o, "    .length = %s_T,\n    .batch = %s_B,\n", U, U);
  if (m->input.kind == IR_INPUT_TOKENS)
    emit_printf(o, "    .tokens = 1,\n    .vocab = %s_VOCAB,\n    .features = 0,\n", U);
  else
    emit_printf(o, "    .tokens = 0,\n    .vocab = 0,\n    .features = %s_F,\n", U);
  emit_printf(o, "    .out_units = %s_OUT,\n    .out_per_step = %d,\n", U, m->output_per_step);
  emit_printf(o, "    .loss = %s,\n    .mask = %s,\n    .padding_id = %d,\n",
              loss_enum[m->train.loss], mask_enum[m->input.mask], m->input.padding_id);
  emit_printf(o, "    .stateful = %d,\n    .can_sample = %d,\n", m->train.stateful, m->can_sample);
  emit_printf(o,
              "    .n_params = %s_N_PARAMS,\n"
              "    .n_tensors = (int)(sizeof %s_tensors / sizeof %s_tensors[0]),\n"
              "    .tensors = %s_tensors,\n",
              U, n, n, n);
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
  if (out_row) /* "[1]" or "[NAME_T]" */
    emit_printf(
        o,
        "    .output_offset = offsetof(%s_workspace, %s) + %.*s * sizeof(((%s_workspace *)0)->%s[0]),\n",
        n, member_name, (int)strlen(out_row) - 2, out_row + 1, n, member_name);
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
