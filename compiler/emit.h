/*
 * emit.h - checked IR -> C: NAME.h, NAME.c and NAME_main.c.
 *
 * Stage prefix: emit_. The emitter reads only the IR (never the AST or the
 * spec text) and produces deterministic bytes: spec order, no dates, no
 * absolute paths, numbers in the C locale. One printer (EmitBuf) owns the
 * text; each file is written to a temporary name and renamed into place, so
 * an error never leaves a partial file.
 */
#ifndef RNNC_EMIT_H
#define RNNC_EMIT_H

#include <stddef.h>

#include "ir.h"

/* Layer-timesteps a spec may unroll to by default (`rnnc emit --max-unroll`
 * raises it). Each costs a few lines of C in forward and backward; 20000
 * keeps a model's C around 100k lines, which gcc -O2 compiles in about a
 * minute. */
#define EMIT_DEFAULT_MAX_UNROLL 20000

typedef struct EmitOptions {
  const char *spec_path;  /* as the user gave it, for the banner */
  const char *spec_hash;  /* sha256 of the canonical form */
  const char *out_dir;
  long max_unroll;
} EmitOptions;

/* A growable text buffer with printf; `failed` is set on out-of-memory and
 * makes every later call a no-op. */
typedef struct EmitBuf {
  char *data;
  size_t len, cap;
  int failed;
} EmitBuf;

#if defined(__GNUC__)
#define EMIT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define EMIT_PRINTF(a, b)
#endif

void emit_printf(EmitBuf *b, const char *fmt, ...) EMIT_PRINTF(2, 3);

/* Everything the file emitters share about one model. */
typedef struct Emitter {
  const IrModel *m;
  const EmitOptions *opt;
  char up[IR_NAME_MAX];   /* model name in upper case: macro prefix */
  EmitBuf *out;
} Emitter;

/* Writes the three files into opt->out_dir. Returns 0, or -1 after printing
 * `rnnc: error: ...` to stderr (nothing is left behind on failure). */
int emit_model(const IrModel *m, const EmitOptions *opt);

/* Layer-timesteps the model unrolls to: T times the recurrent layers. */
long emit_unroll_count(const IrModel *m);

/* The per-file emitters (emit_header.c, emit_fwd.c, emit_bwd.c, emit_step.c,
 * emit_main.c). */
void emit_banner(Emitter *e, const char *file, const char *what);
void emit_header_file(Emitter *e);
void emit_source_prologue(Emitter *e);
void emit_forward(Emitter *e);
void emit_backward(Emitter *e);
void emit_init_and_step(Emitter *e);
void emit_main_file(Emitter *e);

/* Where layer I reads its input and sends the gradient of that input:
 * C expressions for the first row of each, and what else must be zeroed. */
typedef struct EmitSource {
  char x[128];      /* input rows, e.g. "ws->lstm1_h[1]" */
  char dx[128];     /* gradient rows, "" when no gradient is needed */
  char zero[192];   /* statement zeroing the rest of the gradient target, or "" */
  int one_hot;      /* the input is token ids (x is the id array) */
  int ids;          /* token ids feed an embedding: x is the embedded rows */
} EmitSource;
void emit_source_of(const Emitter *e, int i, EmitSource *src);

/* Rows a layer's output has: T*B when it has every step, else B. */
const char *emit_rows(const Emitter *e, const IrLayer *l, char *buf, size_t size);

/* "&p->lstm1_weight_ih[0][0]" (or "p->lstm1_bias_ih" for vectors): the
 * first element of LAYER's tensor of ROLE in the params struct BASE
 * ("p" or "g"); "NULL" when the layer has no such tensor. */
void emit_param_ref(const IrModel *m, int layer, IrParamRole role, const char *base,
                    char *out, size_t size);

/* The model's output rows and the slot for their gradient. */
void emit_output_refs(const Emitter *e, char *out, char *dout, size_t size);

/* The views of layer I's workspace that its forward and backward blocks
 * both use: h, and as the cell needs them gt, c, hn or rh, hd, sm. */
void emit_layer_views(const Emitter *e, int i);

/* Helpers shared by the file emitters. */
const char *emit_act_enum(IrAct a);         /* "RNN_ACT_SOFTMAX" */
const IrBuffer *emit_find_buffer(const IrModel *m, int layer, const char *suffix);
void emit_number(EmitBuf *b, double v);      /* shortest round-trip literal */
int emit_is_recurrent(const IrLayer *l);
void emit_upper(char *dst, const char *src, size_t size);

#endif
