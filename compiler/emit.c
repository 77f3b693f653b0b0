/*
 * emit.c - the printer, the banner and the files: the parts of code
 * generation that are not about any one function of the model.
 */
#include "emit.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "version.h"

void emit_printf(EmitBuf *b, const char *fmt, ...) {
  if (b->failed)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = 1;
    return;
  }
  if (b->len + (size_t)n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + (size_t)n + 1)
      cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data) {
      b->failed = 1;
      return;
    }
    b->data = data;
    b->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void emit_number(EmitBuf *b, double v) {
  char text[IR_NUMBER_CHARS];
  ir_format_double(v, text);
  emit_printf(b, "%s", text);
}

const char *emit_act_enum(IrAct a) {
  static const char *const names[] = {"RNN_ACT_LINEAR", "RNN_ACT_RELU", "RNN_ACT_TANH",
                                      "RNN_ACT_SIGMOID", "RNN_ACT_SOFTMAX"};
  return names[a];
}

int emit_is_recurrent(const IrLayer *l) {
  return l->kind == IR_SIMPLE_RNN || l->kind == IR_LSTM || l->kind == IR_GRU;
}

void emit_upper(char *dst, const char *src, size_t size) {
  size_t i = 0;
  for (; src[i] && i + 1 < size; i++)
    dst[i] = (char)toupper((unsigned char)src[i]);
  dst[i] = '\0';
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
  if (l->per_step || emit_is_recurrent(l))
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
  int wants_steps = emit_is_recurrent(l) || l->per_step;
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
  if (emit_is_recurrent(j)) {
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
    emit_printf(o, "    rnn_real (*gt)[%s_B * %d] = ws->%s_gates; /* [T][B][%dH] */\n", U, gh,
                l->name, l->gates);
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

long emit_unroll_count(const IrModel *m) {
  return (long)m->input.length * m->n_recurrent;
}

/* Banner: the contract of a generated file. No date, no absolute path. */
void emit_banner(Emitter *e, const char *file, const char *what) {
  emit_printf(e->out,
              "/*\n"
              " * %s - %s\n"
              " *\n"
              " * Generated by rnnc %s from %s\n"
              " * spec sha256 %s\n"
              " * DO NOT EDIT: change the spec and run `rnnc emit` again.\n"
              " */\n",
              file, what, RNNC_VERSION, e->opt->spec_path, e->opt->spec_hash);
}

/* Writes TEXT to TMP; on failure removes it and says why. */
static int write_temp(const char *tmp, const EmitBuf *text) {
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    fprintf(stderr, "rnnc: error: cannot write '%s': %s\n", tmp, strerror(errno));
    return -1;
  }
  size_t n = fwrite(text->data, 1, text->len, f);
  int bad = n != text->len || fflush(f) != 0 || ferror(f);
  int saved = errno;
  if (fclose(f) != 0 || bad) {
    fprintf(stderr, "rnnc: error: cannot write '%s': %s\n", tmp,
            strerror(bad ? saved : errno));
    remove(tmp);
    return -1;
  }
  return 0;
}

/* Writes the N files as DIR/.NAME.tmp, then renames them all into place:
 * an error before the renames leaves nothing behind, so readers never see
 * a half-written file or a header that does not match its source. */
static int write_files(const char *dir, int n, char names[][IR_NAME_MAX + 16],
                       const EmitBuf *texts) {
  char tmp[3][4096], path[4096];
  int written = 0, rc = 0;
  for (; written < n; written++) {
    snprintf(tmp[written], sizeof tmp[written], "%s/.%s.tmp", dir, names[written]);
    if (write_temp(tmp[written], &texts[written]) != 0) {
      rc = -1;
      break;
    }
  }
  for (int i = 0; i < written; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (rc == 0 && rename(tmp[i], path) != 0) {
      fprintf(stderr, "rnnc: error: cannot rename '%s' to '%s': %s\n", tmp[i], path,
              strerror(errno));
      rc = -1;
    }
    if (rc != 0)
      remove(tmp[i]);
  }
  return rc;
}

static int check_out_dir(const char *dir) {
  struct stat st;
  if (stat(dir, &st) != 0) {
    fprintf(stderr, "rnnc: error: output directory '%s': %s\n", dir, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    fprintf(stderr, "rnnc: error: '%s' is not a directory\n", dir);
    return -1;
  }
  if (access(dir, W_OK) != 0) {
    fprintf(stderr, "rnnc: error: output directory '%s' is not writable\n", dir);
    return -1;
  }
  return 0;
}

int emit_model(const IrModel *m, const EmitOptions *opt) {
  long unroll = emit_unroll_count(m);
  if (unroll > opt->max_unroll) {
    fprintf(stderr,
            "rnnc: error: model '%s' unrolls to %ld layer-timesteps (%d steps x %d "
            "recurrent layers); the limit is %ld\n"
            "  hint: generated code grows with every unrolled step; raise the limit with "
            "--max-unroll %ld if you mean it\n",
            m->name, unroll, m->input.length, m->n_recurrent, opt->max_unroll, unroll);
    return -1;
  }
  if (check_out_dir(opt->out_dir))
    return -1;
  EmitBuf texts[3] = {{0}, {0}, {0}};
  Emitter e = {m, opt, {0}, NULL};
  emit_upper(e.up, m->name, sizeof e.up);
  e.out = &texts[0];
  emit_header_file(&e);
  e.out = &texts[1];
  emit_source_prologue(&e);
  emit_init_and_step(&e);
  emit_forward(&e);
  emit_backward(&e);
  e.out = &texts[2];
  emit_main_file(&e);
  int rc = 0;
  if (texts[0].failed || texts[1].failed || texts[2].failed) {
    fprintf(stderr, "rnnc: error: out of memory while generating code\n");
    rc = -1;
  }
  char names[3][IR_NAME_MAX + 16];
  snprintf(names[0], sizeof names[0], "%s.h", m->name);
  snprintf(names[1], sizeof names[1], "%s.c", m->name);
  snprintf(names[2], sizeof names[2], "%s_main.c", m->name);
  if (rc == 0)
    rc = write_files(opt->out_dir, 3, names, texts);
  for (int i = 0; i < 3; i++)
    free(texts[i].data);
  return rc;
}
