/*
 * stats.c - prints what a model costs: parameters, FLOPs, memory.
 *
 * Column widths come from the data (names can be up to IR_NAME_MAX - 1
 * characters), so the tables stay aligned for any model. Sizes are in
 * elements in the IR; bytes here assume the default rnn_real = float.
 */
#include "stats.h"

#include <string.h>

/* sizeof(float): the emitted code's default rnn_real. */
enum { REAL_BYTES = 4 };

/* One row of the layer table; the embedding gets a row of its own. */
typedef struct LayerRow {
  const char *name;
  const char *kind;
  int in, out;
  int per_step;
  size_t params;
} LayerRow;

/* The widest the layer table can get: every layer plus the embedding. */
enum { MAX_ROWS = IR_MAX_LAYERS + 1 };

typedef struct LayerWidths {
  int name, kind, in, out, params;
} LayerWidths;

size_t stats_layer_params(const IrModel *m, int layer) {
  size_t total = 0;
  for (int i = 0; i < m->n_params; i++)
    if (m->params[i].layer == layer) total += m->params[i].count;
  return total;
}

static int max_int(int a, int b) { return a > b ? a : b; }

static int digits_of_int(int v) {
  char text[16];
  return snprintf(text, sizeof text, "%d", v);
}

static int digits_of_size(size_t v) {
  char text[32];
  return snprintf(text, sizeof text, "%zu", v);
}

static const char *steps_word(int per_step) {
  return per_step ? "each" : "last";
}

/* ---- heading ---- */

static void print_heading(const IrModel *m, const char *spec_hash, FILE *out) {
  fprintf(out, "model %s", m->name);
  if (spec_hash != NULL) fprintf(out, "  (sha256 %s)", spec_hash);
  fputc('\n', out);
}

static void print_mask(const IrInput *in, FILE *out) {
  if (in->mask == IR_MASK_NONE) return;
  fprintf(out, ", mask %s", ir_mask_name(in->mask));
  if (in->mask == IR_MASK_PADDING) fprintf(out, " (id %d)", in->padding_id);
}

static void print_input(const IrModel *m, FILE *out) {
  const IrInput *in = &m->input;
  fputs("input   ", out);
  if (in->kind == IR_INPUT_TOKENS) {
    fprintf(out, "tokens, vocab %d, ", in->vocab);
    if (in->embedding > 0)
      fprintf(out, "embedding %d", in->embedding);
    else
      fputs("one-hot", out);
  } else {
    fprintf(out, "features %d", in->features);
  }
  fprintf(out, ", length %d", in->length);
  print_mask(in, out);
  fprintf(out, ", batch %d\n", m->train.batch);
}

static void print_output(const IrModel *m, FILE *out) {
  fprintf(out, "output  %d %s, loss %s\n", m->output_units,
          m->output_per_step ? "per step" : "per example",
          ir_loss_name(m->train.loss));
}

/* ---- layer table ---- */

static int collect_layer_rows(const IrModel *m, LayerRow rows[MAX_ROWS]) {
  int n = 0;
  if (m->input.kind == IR_INPUT_TOKENS && m->input.embedding > 0) {
    /* The embedding is a per-step lookup: vocab ids in, E reals out. */
    LayerRow r = {"embedding", "embedding", m->input.vocab,
                  m->input.embedding, 1, stats_layer_params(m, -1)};
    rows[n++] = r;
  }
  for (int i = 0; i < m->n_layers && i < IR_MAX_LAYERS; i++) {
    const IrLayer *l = &m->layers[i];
    LayerRow r = {l->name,  ir_layer_kind_name(l->kind), l->in_size,
                  l->units, l->per_step, stats_layer_params(m, i)};
    rows[n++] = r;
  }
  return n;
}

static size_t sum_row_params(const LayerRow *rows, int n) {
  size_t total = 0;
  for (int i = 0; i < n; i++) total += rows[i].params;
  return total;
}

static LayerWidths measure_layer_rows(const LayerRow *rows, int n,
                                      size_t total) {
  LayerWidths w = {(int)strlen("layer"), (int)strlen("kind"), 0, 0,
                   max_int((int)strlen("parameters"), digits_of_size(total))};
  for (int i = 0; i < n; i++) {
    w.name = max_int(w.name, (int)strlen(rows[i].name));
    w.kind = max_int(w.kind, (int)strlen(rows[i].kind));
    w.in = max_int(w.in, digits_of_int(rows[i].in));
    w.out = max_int(w.out, digits_of_int(rows[i].out));
  }
  /* "in -> out" as a header must fit over the in/out columns. */
  w.in = max_int(w.in, (int)strlen("in"));
  w.out = max_int(w.out, (int)strlen("out"));
  return w;
}

static void print_layer_row(const LayerRow *r, const LayerWidths *w,
                            FILE *out) {
  fprintf(out, "%-*s  %-*s  %*d -> %-*d  %-5s  %*zu\n", w->name, r->name,
          w->kind, r->kind, w->in, r->in, w->out, r->out,
          steps_word(r->per_step), w->params, r->params);
}

static void print_layer_table(const IrModel *m, FILE *out) {
  LayerRow rows[MAX_ROWS];
  int n = collect_layer_rows(m, rows);
  size_t total = sum_row_params(rows, n);
  LayerWidths w = measure_layer_rows(rows, n, total);

  fprintf(out, "%-*s  %-*s  %*s -> %-*s  %-5s  %*s\n", w.name, "layer",
          w.kind, "kind", w.in, "in", w.out, "out", "steps", w.params,
          "parameters");
  for (int i = 0; i < n; i++) print_layer_row(&rows[i], &w, out);
  /* Everything between the name and parameter columns is blank here. */
  int gap = w.kind + w.in + w.out + 5 + (int)strlen("  ") * 3 +
            (int)strlen(" -> ");
  fprintf(out, "%-*s  %*s%*zu\n", w.name, "total", gap, "", w.params, total);
}

/* ---- parameter tensors ---- */

static int is_vector_role(IrParamRole role) {
  return role == IR_P_BIAS_IH || role == IR_P_BIAS_HH ||
         role == IR_P_PEEPHOLE || role == IR_P_DENSE_B;
}

/* "[rows, cols]", or "[rows]" for a bias or peephole vector (their cols is
 * 1, but so is a weight matrix with one input, hence the role test). */
static void format_shape(const IrParam *p, char *text, size_t size) {
  if (is_vector_role(p->role))
    snprintf(text, size, "[%d]", p->rows);
  else
    snprintf(text, size, "[%d, %d]", p->rows, p->cols);
}

static void print_param_table(const IrModel *m, FILE *out) {
  int name_w = 0, shape_w = 0, count_w = 0, offset_w = 0;
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    char shape[32];
    format_shape(p, shape, sizeof shape);
    name_w = max_int(name_w, (int)strlen(p->name));
    shape_w = max_int(shape_w, (int)strlen(shape));
    count_w = max_int(count_w, digits_of_size(p->count));
    offset_w = max_int(offset_w, digits_of_size(p->offset));
  }
  fputs("parameter tensors\n", out);
  for (int i = 0; i < m->n_params; i++) {
    const IrParam *p = &m->params[i];
    char shape[32];
    format_shape(p, shape, sizeof shape);
    fprintf(out, "  %-*s  %-*s  %*zu  offset %-*zu  init %s\n", name_w,
            p->name, shape_w, shape, count_w, p->count, offset_w, p->offset,
            ir_init_name(p->init));
  }
}

/* ---- training step ---- */

/* FLOPs with 3 significant digits in the largest unit that keeps the value
 * at least 1 ("1.23 GFLOP"); plain integers below 1000. */
static void format_flops(double flops, char *text, size_t size) {
  static const char *const units[] = {"FLOP",  "kFLOP", "MFLOP",
                                      "GFLOP", "TFLOP", "PFLOP"};
  const int last = (int)(sizeof units / sizeof units[0]) - 1;
  double v = flops;
  int u = 0;
  /* 999.5 rounds to 1000 at 3 digits, so it already belongs to the next
   * unit. */
  while (v >= 999.5 && u < last) {
    v /= 1000.0;
    u++;
  }
  int decimals = u == 0 ? 0 : v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
  snprintf(text, size, "%.*f %s", decimals, v, units[u]);
}

/* "N bytes (x.y MiB)", or "N bytes" below one KiB. */
static void format_bytes(double bytes, char *text, size_t size) {
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  const int last = (int)(sizeof units / sizeof units[0]) - 1;
  if (bytes < 1024.0) {
    snprintf(text, size, "%.0f bytes", bytes);
    return;
  }
  double v = bytes / 1024.0;
  int u = 0;
  while (v >= 1023.95 && u < last) {
    v /= 1024.0;
    u++;
  }
  snprintf(text, size, "%.0f bytes (%.1f %s)", bytes, v, units[u]);
}

static void print_flops_line(const char *label, double flops,
                             const char *note, FILE *out) {
  char text[48];
  format_flops(flops, text, sizeof text);
  fprintf(out, "  %-16s  %s (%.0f)", label, text, flops);
  if (note != NULL) fprintf(out, "   %s", note);
  fputc('\n', out);
}

static void print_optimizer_note(const IrModel *m, char *text, size_t size) {
  int slots = ir_optimizer_slots(m);
  const char *opt = ir_opt_name(m->train.optimizer);
  if (slots == 0)
    snprintf(text, size, "%s, no state", opt);
  else
    snprintf(text, size, "%s, %d slot%s per parameter", opt, slots,
             slots == 1 ? "" : "s");
}

static void print_training_step(const IrModel *m, FILE *out) {
  /* Byte counts as doubles: exact far beyond any model that fits in memory,
   * and free of size_t overflow in the products. */
  double param_bytes = (double)m->param_count * REAL_BYTES;
  int slots = ir_optimizer_slots(m);
  double opt_bytes = slots * param_bytes;
  double work_bytes = (double)m->workspace_count * REAL_BYTES;
  char params[64], opt[64], work[64], opt_note[64], work_note[32];
  format_bytes(param_bytes, params, sizeof params);
  format_bytes(opt_bytes, opt, sizeof opt);
  format_bytes(work_bytes, work, sizeof work);
  print_optimizer_note(m, opt_note, sizeof opt_note);
  snprintf(work_note, sizeof work_note, "%d buffer%s", m->n_buffers,
           m->n_buffers == 1 ? "" : "s");
  int bytes_w = max_int((int)strlen(params),
                        max_int((int)strlen(opt), (int)strlen(work)));

  fprintf(out, "training step (batch %d, length %d)\n", m->train.batch,
          m->input.length);
  print_flops_line("forward GEMMs", ir_forward_flops(m), NULL, out);
  print_flops_line("training GEMMs", ir_train_flops(m), "forward + backward",
                   out);
  fprintf(out, "  %-16s  %s\n", "parameters", params);
  fprintf(out, "  %-16s  %-*s   %s\n", "optimizer state", bytes_w, opt,
          opt_note);
  fprintf(out, "  %-16s  %-*s   %s\n", "workspace", bytes_w, work, work_note);
  fprintf(out, "  bytes assume rnn_real = float (%d bytes)\n", REAL_BYTES);
}

void stats_print(const IrModel *m, const char *spec_hash, FILE *out) {
  print_heading(m, spec_hash, out);
  print_input(m, out);
  print_output(m, out);
  fputc('\n', out);
  print_layer_table(m, out);
  fputc('\n', out);
  print_param_table(m, out);
  fputc('\n', out);
  print_training_step(m, out);
}
