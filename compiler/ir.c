/*
 * ir.c - the checked model: names of its enums, the parameter table, the
 * workspace table and the FLOP count, all derived from layers and input.
 */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

void ir_free(IrModel *m) {
  free(m->sample.prime);
  m->sample.prime = NULL;
  m->sample.prime_len = 0;
}

const char *ir_layer_kind_name(IrLayerKind k) {
  static const char *const names[] = {"simple_rnn", "lstm", "gru", "dropout", "dense"};
  return names[k];
}

const char *ir_act_name(IrAct a) {
  static const char *const names[] = {"linear", "relu", "tanh", "sigmoid", "softmax"};
  return names[a];
}

const char *ir_loss_name(IrLoss l) {
  static const char *const names[] = {"cross_entropy", "binary_cross_entropy", "mse"};
  return names[l];
}

const char *ir_opt_name(IrOptKind o) {
  static const char *const names[] = {"sgd", "rmsprop", "adam", "adagrad"};
  return names[o];
}

const char *ir_sched_name(IrSchedKind s) {
  static const char *const names[] = {"constant", "step", "exponential", "cosine"};
  return names[s];
}

const char *ir_init_name(IrInit i) {
  static const char *const names[] = {"glorot_uniform", "glorot_normal", "orthogonal",
                                      "torch_uniform",  "normal",        "uniform",
                                      "zeros"};
  return names[i];
}

const char *ir_mask_name(IrMask m) {
  static const char *const names[] = {"none", "padding", "lengths"};
  return names[m];
}

const char *ir_role_name(IrParamRole r) {
  static const char *const names[] = {"weight", "weight_ih", "weight_hh", "bias_ih",
                                      "bias_hh", "peephole",  "weight",    "bias"};
  return names[r];
}

/* Contract: see ir.h. */
int ir_is_recurrent(IrLayerKind k) {
  return k == IR_SIMPLE_RNN || k == IR_LSTM || k == IR_GRU;
}

/* ---------------------------------------------------------------------- */
/* Parameter table                                                        */
/* ---------------------------------------------------------------------- */

/* Appends one tensor at the end of the flat buffer. Names follow PyTorch's
 * (weight_ih, bias_hh, ...) behind the spec's layer name. */
static void add_param(IrModel *m, int layer, const char *prefix, IrParamRole role,
                      int rows, int cols, IrInit init) {
  IrParam *p = &m->params[m->n_params++];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s.%s", prefix, ir_role_name(role));
  p->layer = layer;
  p->role = role;
  p->rows = rows;
  p->cols = cols;
  p->count = (size_t)rows * (size_t)cols;
  p->offset = m->param_count;
  p->init = init;
  m->param_count += p->count;
}

static void layout_params(IrModel *m) {
  const IrTrain *t = &m->train;
  m->n_params = 0;
  m->param_count = 0;
  if (m->input.kind == IR_INPUT_TOKENS && m->input.embedding > 0)
    add_param(m, -1, "embedding", IR_P_EMBEDDING, m->input.vocab, m->input.embedding,
              t->embedding_init);
  for (int i = 0; i < m->n_layers; i++) {
    IrLayer *l = &m->layers[i];
    l->param_first = m->n_params;
    if (ir_is_recurrent(l->kind)) {
      int gh = l->gates * l->units;
      add_param(m, i, l->name, IR_P_WEIGHT_IH, gh, l->in_size, t->kernel_init);
      add_param(m, i, l->name, IR_P_WEIGHT_HH, gh, l->units, t->recurrent_init);
      add_param(m, i, l->name, IR_P_BIAS_IH, gh, 1, t->bias_init);
      if (l->biases == 2)
        add_param(m, i, l->name, IR_P_BIAS_HH, gh, 1, t->bias_init);
      if (l->kind == IR_LSTM && l->peephole)
        add_param(m, i, l->name, IR_P_PEEPHOLE, 3 * l->units, 1, t->kernel_init);
    } else if (l->kind == IR_DENSE) {
      add_param(m, i, l->name, IR_P_DENSE_W, l->units, l->in_size, t->kernel_init);
      add_param(m, i, l->name, IR_P_DENSE_B, l->units, 1, t->bias_init);
    }
    l->param_count = m->n_params - l->param_first;
  }
}

/* ---------------------------------------------------------------------- */
/* Workspace table: what one training step keeps for backward, per layer  */
/* ---------------------------------------------------------------------- */

/* Appends one buffer of [steps][B if batched][width] elements. SHAPE is the
 * symbolic form for the comment ("[T][B][4H]"). */
static void add_buffer(IrModel *m, int layer, const char *prefix, const char *suffix,
                       int steps, int batched, size_t width, const char *shape,
                       const char *what) {
  IrBuffer *b = &m->buffers[m->n_buffers++];
  memset(b, 0, sizeof *b);
  snprintf(b->name, sizeof b->name, "%s_%s", prefix, suffix);
  b->layer = layer;
  b->steps = steps;
  b->batched = batched;
  b->width = width;
  b->count = (size_t)(steps ? steps : 1) * (size_t)(batched ? m->train.batch : 1) * width;
  snprintf(b->shape, sizeof b->shape, "%s", shape);
  b->what = what;
  m->workspace_count += b->count;
}

/* "[T][B][4H]"-style text for a width of MULT x SYM. */
static void shape_text(char *buf, size_t size, const char *steps, int batched, int mult,
                       const char *sym) {
  char w[16];
  if (mult == 1)
    snprintf(w, sizeof w, "%s", sym);
  else
    snprintf(w, sizeof w, "%d%s", mult, sym);
  snprintf(buf, size, "%s%s[%s]", steps, batched ? "[B]" : "", w);
}

/* Recurrent layer: input projections for all steps (one GEMM), activated
 * gates, states with the initial one at step 0, Gal masks, and the matching
 * gradients. */
static void layout_recurrent(IrModel *m, int i) {
  const IrLayer *l = &m->layers[i];
  int T = m->input.length;
  size_t H = (size_t)l->units, G = (size_t)l->gates, I = (size_t)l->in_size;
  char s[48];
  int one_hot = i == 0 && m->input.kind == IR_INPUT_TOKENS && m->input.embedding == 0;
  if (l->dropout > 0 && one_hot) /* the gather scales each token's column: no xin */
    add_buffer(m, i, l->name, "xmask", 0, 1, I, "[B][V]",
               "Keras input dropout on one-hot ids: a mask per sequence and token id");
  else if (l->dropout > 0) {
    add_buffer(m, i, l->name, "xmask", 0, 1, I, "[B][I]", "Gal dropout mask on the inputs, one per sequence");
    add_buffer(m, i, l->name, "xin", T, 1, I, "[T][B][I]", "inputs after the dropout mask");
  }
  if (l->recurrent_dropout > 0)
    add_buffer(m, i, l->name, "hmask", 0, 1, H, "[B][H]", "Gal dropout mask on the state, one per sequence");
  shape_text(s, sizeof s, "[T]", 1, (int)G, "H");
  add_buffer(m, i, l->name, "xproj", T, 1, G * H, s, "input projections of every step: x W_ih^T + biases");
  if (l->kind != IR_SIMPLE_RNN) /* a simple_rnn's only "gate" is h itself */
    add_buffer(m, i, l->name, "gates", T, 1, G * H, s, "activated gates");
  add_buffer(m, i, l->name, "h", T + 1, 1, H, "[T+1][B][H]", "states; h[0] is the initial state");
  if (l->kind == IR_LSTM)
    add_buffer(m, i, l->name, "c", T + 1, 1, H, "[T+1][B][H]", "cell states; c[0] is the initial one");
  if (l->kind == IR_GRU && l->reset_after)
    add_buffer(m, i, l->name, "hn", T, 1, H, "[T][B][H]", "U_n h' + b_hn, kept for backward");
  if (l->kind == IR_GRU && !l->reset_after)
    add_buffer(m, i, l->name, "rh", T, 1, H, "[T][B][H]", "r * h', the input of U_n");
  if (l->recurrent_dropout > 0)
    add_buffer(m, i, l->name, "hd", T, 1, H, "[T][B][H]", "h' after the recurrent dropout mask");
  add_buffer(m, i, l->name, "dxproj", T, 1, G * H, s, "gradient of the input projections");
  if (l->kind == IR_GRU && l->reset_after)
    add_buffer(m, i, l->name, "dhp", T, 1, G * H, s, "gradient of h' U^T + b_hh");
  add_buffer(m, i, l->name, "dh", T + 1, 1, H, "[T+1][B][H]", "gradient of the states");
  if (l->kind == IR_LSTM)
    add_buffer(m, i, l->name, "dc", 0, 1, H, "[B][H]", "gradient of the cell state, carried back one step at a time");
  add_buffer(m, i, l->name, "scratch", 0, 1, H, "[B][H]", "scratch of the backward kernels");
  if (i == 0 && m->input.kind == IR_INPUT_TOKENS && m->input.embedding == 0) {
    /* one-hot tokens: W_ih^T, so a token's weights are one contiguous row */
    shape_text(s, sizeof s, "[VOCAB]", 0, (int)G, "H");
    add_buffer(m, i, l->name, "wih_t", 0, 0, (size_t)m->input.vocab * G * H, s,
               "W_ih^T, transposed once per forward: a token's weights as one row");
    add_buffer(m, i, l->name, "dwih_t", 0, 0, (size_t)m->input.vocab * G * H, s,
               "gradient of W_ih^T, summed by token before one transpose into dW_ih");
  }
  /* W_hh packed for the per-step products: forward (U^T per gate) and
   * backward (U); both are G*H*pad16(H) elements (rnn.h's RNN_PACKED_*). */
  size_t packed = G * H * ((H + 15) / 16 * 16);
  add_buffer(m, i, l->name, "whh_fwd", 0, 0, packed, "", "W_hh^T per gate, packed once per forward");
  m->buffers[m->n_buffers - 1].size_macro = "RNN_PACKED_FWD_SIZE";
  add_buffer(m, i, l->name, "whh_bwd", 0, 0, packed, "", "W_hh packed once per backward");
  m->buffers[m->n_buffers - 1].size_macro = "RNN_PACKED_BWD_SIZE";
}

static void layout_buffers(IrModel *m) {
  int T = m->input.length;
  m->n_buffers = 0;
  m->workspace_count = 0;
  int any_dropout = 0;
  for (int i = 0; i < m->n_layers; i++)
    any_dropout |= m->layers[i].dropout > 0 || m->layers[i].recurrent_dropout > 0 ||
                   m->layers[i].kind == IR_DROPOUT;
  if (any_dropout) /* backward must know whether forward drew masks */
    add_buffer(m, -1, "dropout", "on", 0, 0, 1, "[1]", "1 when the last forward applied dropout");
  if (m->input.mask != IR_MASK_NONE)
    add_buffer(m, -1, "seq", "mask", T, 1, 1, "[T][B]", "1 for a real step, 0 for padding");
  if (m->input.kind == IR_INPUT_TOKENS && m->input.embedding > 0) {
    size_t E = (size_t)m->input.embedding;
    add_buffer(m, -1, "embedding", "out", T, 1, E, "[T][B][E]", "embedded tokens");
    add_buffer(m, -1, "embedding", "dout", T, 1, E, "[T][B][E]", "gradient of the embedded tokens");
  }
  for (int i = 0; i < m->n_layers; i++) {
    const IrLayer *l = &m->layers[i];
    size_t n = (size_t)l->units;
    int steps = l->per_step ? T : 0;
    char s[48];
    shape_text(s, sizeof s, l->per_step ? "[T]" : "", 1, 1, "N");
    if (ir_is_recurrent(l->kind)) {
      layout_recurrent(m, i);
    } else if (l->kind == IR_DROPOUT) {
      add_buffer(m, i, l->name, "mask", steps, 1, n, s, "dropout mask, one per element and step");
      add_buffer(m, i, l->name, "out", steps, 1, n, s, "outputs");
      add_buffer(m, i, l->name, "dout", steps, 1, n, s, "gradient of the outputs");
    } else {
      add_buffer(m, i, l->name, "out", steps, 1, n, s, "outputs, after the activation");
      add_buffer(m, i, l->name, "dout", steps, 1, n, s, "gradient of the outputs, then of the pre-activations");
    }
  }
}

void ir_layout(IrModel *m) {
  layout_params(m);
  layout_buffers(m);
}

/* ---------------------------------------------------------------------- */
/* FLOPs: 2*M*N*K per GEMM, the work the emitted code hands to BLAS        */
/* ---------------------------------------------------------------------- */

/* Does layer I's input come from a one-hot token encoding (a row gather
 * rather than a GEMM)? */
static int one_hot_input(const IrModel *m, int i) {
  if (m->input.kind != IR_INPUT_TOKENS || m->input.embedding > 0)
    return 0;
  for (int j = 0; j < i; j++)
    if (m->layers[j].kind != IR_DROPOUT)
      return 0;
  return 1;
}

/* Does anything below layer I have parameters (so its input gradient is
 * needed)? */
static int needs_input_grad(const IrModel *m, int i) {
  if (m->input.kind == IR_INPUT_TOKENS && m->input.embedding > 0)
    return 1;
  for (int j = 0; j < i; j++)
    if (m->layers[j].kind != IR_DROPOUT)
      return 1;
  return 0;
}

static double layer_forward_flops(const IrModel *m, int i) {
  const IrLayer *l = &m->layers[i];
  double T = m->input.length, B = m->train.batch;
  double rows = l->per_step ? T * B : B;
  if (ir_is_recurrent(l->kind)) {
    double gh = (double)l->gates * l->units;
    double proj = one_hot_input(m, i) ? 0 : 2 * T * B * l->in_size * gh;
    return proj + 2 * T * B * l->units * gh;
  }
  if (l->kind == IR_DENSE)
    return 2 * rows * l->in_size * l->units;
  return 0;
}

static double layer_backward_flops(const IrModel *m, int i) {
  const IrLayer *l = &m->layers[i];
  double T = m->input.length, B = m->train.batch;
  double rows = l->per_step ? T * B : B;
  double dx = needs_input_grad(m, i) ? 1 : 0;
  if (ir_is_recurrent(l->kind)) {
    double gh = (double)l->gates * l->units;
    double in_gemm = one_hot_input(m, i) ? 0 : 2 * T * B * l->in_size * gh;
    return in_gemm * (1 + dx)               /* dW_ih and dx */
           + 2 * T * B * l->units * gh      /* dW_hh, one GEMM after the sweep */
           + 2 * T * B * gh * l->units;     /* dh through W_hh, per step */
  }
  if (l->kind == IR_DENSE)
    return 2 * rows * l->in_size * l->units * (1 + dx);
  return 0;
}

double ir_forward_flops(const IrModel *m) {
  double f = 0;
  for (int i = 0; i < m->n_layers; i++)
    f += layer_forward_flops(m, i);
  return f;
}

double ir_train_flops(const IrModel *m) {
  double f = ir_forward_flops(m);
  for (int i = 0; i < m->n_layers; i++)
    f += layer_backward_flops(m, i);
  return f;
}

int ir_optimizer_slots(const IrModel *m) {
  const IrTrain *t = &m->train;
  switch (t->optimizer) {
  case IR_OPT_SGD: return t->momentum > 0 ? 1 : 0;
  case IR_OPT_RMSPROP: return 1 + (t->momentum > 0) + (t->centered != 0);
  case IR_OPT_ADAM: return 2;
  case IR_OPT_ADAGRAD: return 1;
  }
  return 0;
}

void ir_format_double(double v, char out[IR_NUMBER_CHARS]) {
  if (v == 0)
    v = 0; /* -0 reads back equal to 0 and must print (and hash) the same */
  for (int precision = 15; precision <= 17; precision++) {
    snprintf(out, IR_NUMBER_CHARS, "%.*g", precision, v);
    if (strtod(out, NULL) == v)
      break; /* %.17g always round-trips, so the loop ends by then */
  }
  /* A decimal comma can only come from a non-C LC_NUMERIC; rnnc never
   * calls setlocale, but the spec hash must not depend on that promise. */
  for (char *p = out; *p != '\0'; p++)
    if (*p == ',')
      *p = '.';
}

/* ---------------------------------------------------------------------- */
/* Dump                                                                   */
/* ---------------------------------------------------------------------- */

void ir_dump(const IrModel *m, FILE *out) {
  const IrInput *ip = &m->input;
  const IrTrain *t = &m->train;
  fprintf(out, "model %s\n", m->name);
  fprintf(out, "input kind=%s vocab=%d features=%d embedding=%d length=%d mask=%s "
               "padding_id=%d\n",
          ip->kind == IR_INPUT_TOKENS ? "tokens" : "features", ip->vocab, ip->features,
          ip->embedding, ip->length, ir_mask_name(ip->mask), ip->padding_id);
  for (int i = 0; i < m->n_layers; i++) {
    const IrLayer *l = &m->layers[i];
    fprintf(out, "layer %d %s %s in=%d units=%d gates=%d act=%s dropout=%.17g "
                 "recurrent_dropout=%.17g rate=%.17g return_sequences=%d peephole=%d "
                 "reset_after=%d biases=%d per_step=%d params=%d+%d\n",
            i, ir_layer_kind_name(l->kind), l->name, l->in_size, l->units, l->gates,
            ir_act_name(l->act), l->dropout, l->recurrent_dropout, l->rate,
            l->return_sequences, l->peephole, l->reset_after, l->biases, l->per_step,
            l->param_first, l->param_count);
  }
  fprintf(out, "output units=%d per_step=%d recurrent=%d can_sample=%d\n",
          m->output_units, m->output_per_step, m->n_recurrent, m->can_sample);
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    fprintf(out, "param %s layer=%d [%d,%d] offset=%zu count=%zu init=%s\n", p->name,
            p->layer, p->rows, p->cols, p->offset, p->count, ir_init_name(p->init));
  }
  fprintf(out, "params total=%zu\n", m->param_count);
  for (int i = 0; i < m->n_buffers; i++) {
    const IrBuffer *b = &m->buffers[i];
    fprintf(out, "buffer %s layer=%d steps=%d batched=%d width=%zu %s count=%zu\n", b->name,
            b->layer, b->steps, b->batched, b->width, b->shape, b->count);
  }
  fprintf(out, "workspace total=%zu\n", m->workspace_count);
  fprintf(out, "train batch=%d loss=%s optimizer=%s lr=%.17g momentum=%.17g beta1=%.17g "
               "beta2=%.17g eps=%.17g rho=%.17g weight_decay=%.17g "
               "initial_accumulator=%.17g nesterov=%d centered=%d\n",
          t->batch, ir_loss_name(t->loss), ir_opt_name(t->optimizer), t->lr, t->momentum,
          t->beta1, t->beta2, t->eps, t->rho, t->weight_decay, t->initial_accumulator,
          t->nesterov, t->centered);
  fprintf(out, "schedule %s every=%ld gamma=%.17g steps=%ld min_lr=%.17g warmup=%ld\n",
          ir_sched_name(t->schedule), t->sched_every, t->sched_gamma, t->sched_steps,
          t->sched_min_lr, t->warmup);
  fprintf(out, "init kernel=%s recurrent=%s bias=%s embedding=%s forget_bias=%.17g\n",
          ir_init_name(t->kernel_init), ir_init_name(t->recurrent_init),
          ir_init_name(t->bias_init), ir_init_name(t->embedding_init), t->forget_bias);
  fprintf(out, "train clip_norm=%.17g stateful=%d seed=%llu epochs=%ld steps=%ld "
               "validation_split=%.17g\n",
          t->clip_norm, t->stateful, (unsigned long long)t->seed, t->epochs, t->steps,
          t->validation_split);
  fprintf(out, "sample temperature=%.17g top_k=%d length=%d prime=", m->sample.temperature,
          m->sample.top_k, m->sample.length);
  for (size_t i = 0; i < m->sample.prime_len; i++)
    fprintf(out, "%02x", (unsigned char)m->sample.prime[i]);
  fprintf(out, "\n");
}
