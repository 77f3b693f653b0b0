/*
 * diff.c - `rnnc diff` (diff.h): two checked models compared key by key,
 * size by size and tensor by tensor.
 *
 * The keys come from each model's canonical YAML (canon.c), read back as
 * flat entries: "train.optimizer.lr: 0.001", or for a layer its name, its
 * kind and "units: 64". Reading the canonical text rather than the IR's
 * fields keeps one list of what a spec can say (canon.c's) and makes a
 * new key show up here without touching this file.
 */
#include "diff.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"

enum { KEY_MAX = 96, VALUE_MAX = 160, MAX_DEPTH = 8 };

/* One "key: value" of a canonical form. LAYER is the layer it belongs to
 * ("" outside the layers), SECTION the top-level group ("input", "train",
 * "sample"; "layers" for a layer's keys; "model" for the name). */
typedef struct Entry {
  char section[16];
  char layer[IR_NAME_MAX];
  char key[KEY_MAX];
  char value[VALUE_MAX];
} Entry;

typedef struct Entries {
  Entry *e;
  int n, cap;
} Entries;

static int add_entry(Entries *list, const char *section, const char *layer, const char *key,
                     const char *value) {
  if (list->n == list->cap) {
    int cap = list->cap ? 2 * list->cap : 64;
    Entry *e = realloc(list->e, (size_t)cap * sizeof *e);
    if (!e)
      return -1;
    list->e = e;
    list->cap = cap;
  }
  Entry *x = &list->e[list->n++];
  snprintf(x->section, sizeof x->section, "%s", section);
  snprintf(x->layer, sizeof x->layer, "%s", layer);
  snprintf(x->key, sizeof x->key, "%s", key);
  snprintf(x->value, sizeof x->value, "%s", value);
  return 0;
}

/* The group labels above the current line, by indentation. */
typedef struct Path {
  int indent[MAX_DEPTH];
  char label[MAX_DEPTH][KEY_MAX];
  int depth;
} Path;

/* "optimizer.lr" from the labels below the section (depth 2 on) and KEY. */
static void join_key(const Path *p, int from, const char *key, char *out, size_t size) {
  out[0] = '\0';
  for (int d = from; d < p->depth; d++)
    snprintf(out + strlen(out), size - strlen(out), "%s.", p->label[d]);
  snprintf(out + strlen(out), size - strlen(out), "%s", key);
}

/* One line of the canonical form into LIST. LAYER holds the current
 * layer's name between its "- kind name:" line and the next one. */
static int read_line(const char *line, Path *p, char *layer, Entries *list) {
  int indent = 0;
  while (line[indent] == ' ')
    indent++;
  const char *text = line + indent;
  while (p->depth > 0 && p->indent[p->depth - 1] >= indent)
    p->depth--;
  const char *section = p->depth > 1 ? p->label[1] : "";
  char kind[KEY_MAX], name[KEY_MAX], key[KEY_MAX * 2], value[VALUE_MAX];
  if (indent == 0 && sscanf(text, "model %95[^:]:", name) == 1) {
    p->indent[0] = 0; /* the labels below: [0] model, [1] its section */
    snprintf(p->label[0], KEY_MAX, "model");
    p->depth = 1;
    return add_entry(list, "model", "", "name", name);
  }
  if (sscanf(text, "- %95s %95[^:]:", kind, name) == 2) { /* a layer */
    snprintf(layer, IR_NAME_MAX, "%.*s", IR_NAME_MAX - 1, name);
    return add_entry(list, "layers", layer, "kind", kind);
  }
  const char *colon = strstr(text, ":");
  if (!colon || p->depth >= MAX_DEPTH)
    return 0;
  snprintf(kind, sizeof kind, "%.*s", (int)(colon - text), text);
  int is_group = colon[1] == '\0';
  snprintf(value, sizeof value, "%s", is_group ? "" : colon + 2);
  char *space = strchr(kind, ' '); /* "optimizer adam": a key and its kind */
  if (space) {
    *space = '\0';
    snprintf(value, sizeof value, "%s", space + 1);
  }
  int in_layer = strcmp(section, "layers") == 0 && layer[0];
  join_key(p, 2, kind, key, sizeof key);
  int rc = 0;
  if (p->depth >= 1 && (!is_group || space))
    rc = add_entry(list, in_layer ? "layers" : section, in_layer ? layer : "", key, value);
  if (is_group) {
    p->indent[p->depth] = indent;
    snprintf(p->label[p->depth], KEY_MAX, "%s", kind);
    p->depth++;
    if (p->depth == 2)
      layer[0] = '\0';
  }
  return rc;
}

/* The canonical form of M as entries. */
static int read_entries(const IrModel *m, Entries *list) {
  size_t len;
  char *text = canon_yaml(m, &len);
  if (!text)
    return -1;
  Path p = {{0}, {{0}}, 0};
  char layer[IR_NAME_MAX] = "";
  int rc = 0;
  for (char *line = text; rc == 0 && line < text + len;) {
    char *end = strchr(line, '\n');
    if (end)
      *end = '\0';
    rc = read_line(line, &p, layer, list);
    line = end ? end + 1 : text + len;
  }
  free(text);
  return rc;
}

static const Entry *find_entry(const Entries *list, const char *section, const char *layer,
                               const char *key) {
  for (int i = 0; i < list->n; i++) {
    const Entry *x = &list->e[i];
    if (strcmp(x->section, section) == 0 && strcmp(x->layer, layer) == 0 &&
        strcmp(x->key, key) == 0)
      return x;
  }
  return NULL;
}

static int layer_index(const IrModel *m, const char *name) {
  for (int i = 0; i < m->n_layers; i++)
    if (strcmp(m->layers[i].name, name) == 0)
      return i;
  return -1;
}

/* ---------------------------------------------------------------------- */
/* Keys                                                                   */
/* ---------------------------------------------------------------------- */

/* fprintf to OUT, or nothing when OUT is NULL: the same walk counts the
 * changes and prints them. */
static void say(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *out, const char *fmt, ...) {
  if (!out)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(out, fmt, ap);
  va_end(ap);
}

/* The keys of LAYER (or of SECTION outside the layers) that differ, one
 * line each, indented by INDENT (OUT NULL: counted only); returns how
 * many. */
static int print_key_changes(const Entries *a, const Entries *b, const char *section,
                             const char *layer, const char *indent, FILE *out) {
  int n = 0;
  for (int i = 0; i < a->n; i++) {
    const Entry *x = &a->e[i];
    if (strcmp(x->section, section) || strcmp(x->layer, layer) || !strcmp(x->key, "kind"))
      continue;
    const Entry *y = find_entry(b, section, layer, x->key);
    if (!y)
      say(out, "%s%s: %s -> (none)\n", indent, x->key, x->value), n++;
    else if (strcmp(x->value, y->value) != 0)
      say(out, "%s%s: %s -> %s\n", indent, x->key, x->value, y->value), n++;
  }
  for (int i = 0; i < b->n; i++) {
    const Entry *y = &b->e[i];
    if (strcmp(y->section, section) || strcmp(y->layer, layer) || !strcmp(y->key, "kind"))
      continue;
    if (!find_entry(a, section, layer, y->key))
      say(out, "%s%s: (none) -> %s\n", indent, y->key, y->value), n++;
  }
  return n;
}

/* "lstm 64 -> 128, every step, 49664 parameters": what a layer is and
 * costs, in the words of `rnnc stats`. */
static void layer_summary(const IrModel *m, int i, char *out, size_t size) {
  const IrLayer *l = &m->layers[i];
  size_t params = 0;
  for (int k = 0; k < m->n_params; k++)
    if (m->params[k].layer == i)
      params += (size_t)m->params[k].rows * (size_t)m->params[k].cols;
  int every = ir_is_recurrent(l->kind) ? l->return_sequences : l->per_step;
  snprintf(out, size, "%s %d -> %d, %s, %zu parameters", ir_layer_kind_name(l->kind), l->in_size,
           l->units, every ? "every step" : "last step", params);
}

/* Whether layer NAME differs between A and B (kind, a key, its sizes). */
static int layer_changed(const Entries *ea, const Entries *eb, const IrModel *a, const IrModel *b,
                         const char *name) {
  char sa[160], sb[160];
  layer_summary(a, layer_index(a, name), sa, sizeof sa);
  layer_summary(b, layer_index(b, name), sb, sizeof sb);
  return print_key_changes(ea, eb, "layers", name, "", NULL) > 0 || strcmp(sa, sb) != 0;
}

static int print_layers(const Entries *ea, const Entries *eb, const IrModel *a, const IrModel *b,
                        FILE *out) {
  int changes = 0;
  char sa[160], sb[160];
  for (int i = 0; i < b->n_layers; i++) {
    const char *name = b->layers[i].name;
    int j = layer_index(a, name);
    layer_summary(b, i, sb, sizeof sb);
    if (j < 0) {
      say(out, "  + %s: %s\n", name, sb), changes++;
      continue;
    }
    if (!layer_changed(ea, eb, a, b, name))
      continue;
    layer_summary(a, j, sa, sizeof sa);
    say(out, "  ~ %s: %s\n", name, sb), changes++;
    if (a->layers[j].kind != b->layers[i].kind)
      say(out, "      kind: %s -> %s\n", ir_layer_kind_name(a->layers[j].kind),
          ir_layer_kind_name(b->layers[i].kind));
    int keys = print_key_changes(ea, eb, "layers", name, "      ", out);
    if (a->layers[j].in_size != b->layers[i].in_size)
      say(out, "      input width: %d -> %d (the layer before changed)\n", a->layers[j].in_size,
          b->layers[i].in_size);
    else if (keys == 0 && strcmp(sa, sb) != 0)
      say(out, "      was: %s\n", sa);
  }
  for (int j = 0; j < a->n_layers; j++)
    if (layer_index(b, a->layers[j].name) < 0) {
      layer_summary(a, j, sa, sizeof sa);
      say(out, "  - %s: %s\n", a->layers[j].name, sa), changes++;
    }
  return changes;
}

/* The layers both have, in A's order and in B's: different orders are a
 * change of their own. */
static int print_order(const IrModel *a, const IrModel *b, FILE *out) {
  char oa[1024] = "", ob[1024] = "";
  for (int i = 0; i < a->n_layers; i++)
    if (layer_index(b, a->layers[i].name) >= 0)
      snprintf(oa + strlen(oa), sizeof oa - strlen(oa), " %s", a->layers[i].name);
  for (int i = 0; i < b->n_layers; i++)
    if (layer_index(a, b->layers[i].name) >= 0)
      snprintf(ob + strlen(ob), sizeof ob - strlen(ob), " %s", b->layers[i].name);
  if (strcmp(oa, ob) == 0)
    return 0;
  say(out, "  order:%s ->%s\n", oa, ob);
  return 1;
}

/* ---------------------------------------------------------------------- */
/* Sizes and tensors                                                      */
/* ---------------------------------------------------------------------- */

/* V in UNIT with a binary (bytes) or decimal prefix, 3 significant
 * digits: "1.28 GFLOP", "125 MiB", "330225" for a plain count. */
static void human(double v, const char *unit, char *out, size_t size) {
  static const char *const dec[] = {"", "k", "M", "G", "T"}, *const bin[] = {"", "Ki", "Mi", "Gi",
                                                                             "Ti"};
  int bytes = strcmp(unit, "B") == 0, k = 0;
  double base = bytes ? 1024 : 1000;
  if (!unit[0]) {
    snprintf(out, size, "%.0f", v);
    return;
  }
  while (v >= base && k < 4)
    v /= base, k++;
  snprintf(out, size, "%.3g %s%s", v, bytes ? bin[k] : dec[k], unit);
}

static void print_size_line(const char *label, double old, double new_, const char *unit,
                            FILE *out) {
  char a[32], b[32];
  human(old, unit, a, sizeof a);
  human(new_, unit, b, sizeof b);
  fprintf(out, "  %-17s %s -> %s", label, a, b);
  if (old == new_)
    fprintf(out, "  (same)\n");
  else if (!unit[0] && old > 0)
    fprintf(out, "  (%+.0f, %+.1f%%)\n", new_ - old, 100.0 * (new_ - old) / old);
  else if (old > 0)
    fprintf(out, "  (%+.1f%%)\n", 100.0 * (new_ - old) / old);
  else
    fprintf(out, "\n");
}

static void print_sizes(const IrModel *a, const IrModel *b, FILE *out) {
  const double real = 4; /* bytes of a float rnn_real, as `rnnc stats` */
  fprintf(out, "size\n");
  print_size_line("parameters", (double)a->param_count, (double)b->param_count, "", out);
  print_size_line("forward GEMMs", ir_forward_flops(a), ir_forward_flops(b), "FLOP", out);
  print_size_line("training GEMMs", ir_train_flops(a), ir_train_flops(b), "FLOP", out);
  print_size_line("optimizer state", real * (double)a->param_count * ir_optimizer_slots(a),
                  real * (double)b->param_count * ir_optimizer_slots(b), "B", out);
  print_size_line("workspace", real * (double)a->workspace_count, real * (double)b->workspace_count,
                  "B", out);
}

static const IrParam *find_param(const IrModel *m, const char *name) {
  for (int i = 0; i < m->n_params; i++)
    if (strcmp(m->params[i].name, name) == 0)
      return &m->params[i];
  return NULL;
}

/* "[64, 32]", or "[64]" for a vector, as `rnnc stats` writes shapes. */
static const char *shape(const IrParam *p, char out[48]) {
  if (p->cols == 1)
    snprintf(out, 48, "[%d]", p->rows);
  else
    snprintf(out, 48, "[%d, %d]", p->rows, p->cols);
  return out;
}

/* Which of A's tensors B keeps as they are (a checkpoint's values for
 * them fit), which it reshapes, adds or drops. */
static void print_tensors(const IrModel *a, const IrModel *b, FILE *out) {
  char sp[48], sq[48];
  int kept = 0;
  fprintf(out, "tensors\n");
  for (int i = 0; i < b->n_params; i++) {
    const IrParam *q = &b->params[i], *p = find_param(a, q->name);
    if (p && p->rows == q->rows && p->cols == q->cols)
      kept++;
  }
  fprintf(out, "  same shape: %d of %d (a checkpoint's values for these fit the new model)\n", kept,
          b->n_params);
  for (int i = 0; i < b->n_params; i++) {
    const IrParam *q = &b->params[i], *p = find_param(a, q->name);
    if (!p)
      fprintf(out, "  + %s %s\n", q->name, shape(q, sq));
    else if (p->rows != q->rows || p->cols != q->cols)
      fprintf(out, "  ~ %s %s -> %s\n", q->name, shape(p, sp), shape(q, sq));
  }
  for (int i = 0; i < a->n_params; i++)
    if (!find_param(b, a->params[i].name))
      fprintf(out, "  - %s %s\n", a->params[i].name, shape(&a->params[i], sp));
}

/* ---------------------------------------------------------------------- */
/* The report                                                             */
/* ---------------------------------------------------------------------- */

/* Keys outside the layers, section by section. */
static int print_sections(const Entries *ea, const Entries *eb, FILE *out) {
  static const char *const sections[] = {"model", "input", "train", "sample"};
  int changes = 0;
  for (int s = 0; s < 4; s++) {
    if (print_key_changes(ea, eb, sections[s], "", "", NULL) == 0)
      continue;
    fprintf(out, "%s\n", sections[s]);
    changes += print_key_changes(ea, eb, sections[s], "", "  ", out);
  }
  return changes;
}

int diff_models(const IrModel *a, const char *a_path, const IrModel *b, const char *b_path,
                FILE *out) {
  Entries ea = {NULL, 0, 0}, eb = {NULL, 0, 0};
  if (read_entries(a, &ea) != 0 || read_entries(b, &eb) != 0) {
    free(ea.e);
    free(eb.e);
    fprintf(stderr, "rnnc: error: out of memory\n");
    return -1;
  }
  char ha[65], hb[65];
  canon_hash(a, ha);
  canon_hash(b, hb);
  fprintf(out, "--- %s  (model %s, spec %.12s)\n", a_path, a->name, ha);
  fprintf(out, "+++ %s  (model %s, spec %.12s)\n", b_path, b->name, hb);
  if (strcmp(ha, hb) == 0) {
    fprintf(out, "the same model: every key, default included, is equal\n");
    free(ea.e);
    free(eb.e);
    return 0;
  }
  if (print_layers(&ea, &eb, a, b, NULL) + print_order(a, b, NULL) > 0) {
    fprintf(out, "layers\n");
    print_layers(&ea, &eb, a, b, out);
    print_order(a, b, out);
  }
  print_sections(&ea, &eb, out);
  print_sizes(a, b, out);
  print_tensors(a, b, out);
  free(ea.e);
  free(eb.e);
  return 1;
}

int diff_changed_layers(const IrModel *a, const IrModel *b, const char *names[], int cap) {
  Entries ea = {NULL, 0, 0}, eb = {NULL, 0, 0};
  int n = 0;
  if (read_entries(a, &ea) == 0 && read_entries(b, &eb) == 0) {
    for (int i = 0; i < b->n_layers; i++) {
      const char *name = b->layers[i].name;
      if (layer_index(a, name) < 0 || layer_changed(&ea, &eb, a, b, name))
        n < cap ? (void)(names[n++] = name) : (void)n++;
    }
    for (int j = 0; j < a->n_layers; j++)
      if (layer_index(b, a->layers[j].name) < 0)
        n < cap ? (void)(names[n++] = a->layers[j].name) : (void)n++;
  }
  free(ea.e);
  free(eb.e);
  return n;
}
