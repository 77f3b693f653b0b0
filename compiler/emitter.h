/*
 * emitter.h - what the file emitters share (internal to the emit stage;
 * main.c sees emit.h only): the printer, the per-model state, and the
 * helpers that name the model's pieces in C.
 *
 *   emit.c         the stage's entry point: runs the emitters, writes files
 *   emit_print.c   the printer, numbers, the banner
 *   emit_refs.c    C expressions for inputs, outputs, tensors, buffers
 *   emit_header.c  NAME.h
 *   emit_init.c    NAME.c's start, NAME_init, NAME_reset_state
 *   emit_optim.c   NAME_optim_init, NAME_train_step
 *   emit_step.c    NAME_step_reset, NAME_step
 *   emit_desc.c    NAME_desc
 *   emit_fwd.c     NAME_forward
 *   emit_bwd.c     NAME_backward
 *   emit_main.c    NAME_main.c
 *
 * Calls go one way: emit.c calls the file emitters, they call the printer
 * and the helpers, nothing calls back into emit.c.
 */
#ifndef RNNC_EMITTER_H
#define RNNC_EMITTER_H

#include <stddef.h>

#include "emit.h"

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

/* The generated files' line length, and the one pass that holds them to
 * it: emit_layout rewrites B so that a line over EMIT_COLUMNS breaks
 * between the arguments of its first multi-argument bracket, aligned one
 * past it; a comment that ends a long line moves above it; a long
 * one-line comment becomes a block. The emitters write logical lines and
 * never count continuation spaces. */
#define EMIT_COLUMNS 100
void emit_layout(EmitBuf *b);

/* Whether NEEDLE ("s->") occurs in B's text from byte FROM on, not as the
 * tail of a longer name ("ws->"): a function body checks whether it used
 * a parameter before it emits a `(void)` for it. */
int emit_mentions(const EmitBuf *b, size_t from, const char *needle);

/* Everything the file emitters share about one model. */
typedef struct Emitter {
  const IrModel *m;
  const EmitOptions *opt;
  char up[IR_NAME_MAX];   /* model name in upper case: macro prefix */
  EmitBuf *out;
} Emitter;

/* The file emitters, in the order emit.c runs them: NAME.h
 * (emit_header.c), NAME.c from its banner to its description table
 * (emit_init.c, emit_optim.c, emit_step.c, emit_desc.c, emit_fwd.c,
 * emit_bwd.c), NAME_main.c (emit_main.c). Each appends to e->out. */
void emit_header_file(Emitter *e);
void emit_source_prologue(Emitter *e); /* NAME.c's banner and includes */
void emit_init(Emitter *e);            /* NAME_init, NAME_reset_state */
void emit_optimizer(Emitter *e);       /* NAME_optim_init, NAME_train_step */
void emit_step_fn(Emitter *e);         /* NAME_step_reset, NAME_step */
void emit_desc(Emitter *e);            /* NAME_desc and its adapters */
void emit_forward(Emitter *e);
void emit_backward(Emitter *e);
void emit_main_file(Emitter *e);

/* The banner of FILE: what it is, the rnnc and spec it comes from. */
void emit_banner(Emitter *e, const char *file, const char *what);

/* Where layer I reads its input and sends the gradient of that input:
 * C expressions for the first row of each, and what else must be zeroed. */
typedef struct EmitSource {
  char x[192];      /* input rows, e.g. "ws->lstm1_h[1]", "ws->lstm1_h[CHARGEN_T]" */
  char dx[192];     /* gradient rows, "" when no gradient is needed */
  char zero[320];   /* statement zeroing the rest of the gradient target, or "" */
  int one_hot;      /* the input is token ids (x is the id array) */
  int ids;          /* token ids feed an embedding: x is the embedded rows */
} EmitSource;
void emit_source_of(const Emitter *e, int i, EmitSource *src);

/* Rows a layer's output has: T*B when it has every step, else B. */
const char *emit_rows(const Emitter *e, const IrLayer *l, char *buf, size_t size);

/* Sizes by name: generated code spells every size with the defines of
 * NAME.h's sizes block, never as a bare number (tests/size_literals.c).
 * Each writes a C expression into BUF and returns BUF. Room for a define
 * ("NAME_LAYER_H") and for a small expression of them ("4 * NAME_LAYER_H"): */
#define EMIT_SIZE_NAME (2 * IR_NAME_MAX + 8)
#define EMIT_SIZE_EXPR (EMIT_SIZE_NAME + 24)
#define EMIT_SIZE_ROW (3 * EMIT_SIZE_EXPR + 16) /* a workspace buffer's row */

/* Layer I's output width: "CHARGEN_LSTM1_H" (recurrent), "CHARGEN_LOGITS_N"
 * (dense or dropout). */
const char *emit_width_name(const Emitter *e, int i, char *buf, size_t size);

/* Layer I's input width: the previous layer's width, or for the first layer
 * NAME_F (features), NAME_E (embedded tokens) or NAME_VOCAB (one-hot). */
const char *emit_in_name(const Emitter *e, int i, char *buf, size_t size);

/* Layer I's gate width G*H: "4 * CHARGEN_LSTM1_H", "3 * ..._H" for a GRU,
 * "..._H" for a SimpleRNN. */
const char *emit_gate_expr(const Emitter *e, int i, char *buf, size_t size);

/* The shape of parameter P: ROWS and COLS ("1" for a vector). */
void emit_param_dims(const Emitter *e, const IrParam *p, char *rows, char *cols, size_t size);

/* The extents of workspace buffer B as declared: STEPS ("NAME_T",
 * "NAME_T + 1", or "" without a time axis) and ROW, the elements of one
 * step ("NAME_B * 4 * NAME_L_H"), both from the symbols of its shape. */
void emit_buffer_dims(const Emitter *e, const IrBuffer *b, char *steps, char *row, size_t size);

/* "lstm1_weight_ih": the params struct's member of tensor P ("lstm1.weight_ih"). */
void emit_param_member(const IrParam *p, char *out, size_t size);

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

/* An argument of a runtime call, so that a reader can follow it: VALUE, with
 * the parameter's name as a comment in front when VALUE is a bare NULL, 0
 * or 1 (seq_mask_t= before a NULL). NAME must be rnn.h's: clang-tidy's
 * bugprone-argument-comment compares them. Returns BUF. */
const char *emit_arg(char *buf, size_t size, const char *name, const char *value);

/* Helpers shared by the file emitters. */
const char *emit_act_enum(IrAct a);         /* "RNN_ACT_SOFTMAX" */
/* The width of a layer's pre-activations in comments: "4H" for an LSTM's
 * four gates, "3H" for a GRU's three, "H" for a SimpleRNN (no gates). */
const char *emit_gates_width(const IrLayer *l);
const IrBuffer *emit_find_buffer(const IrModel *m, int layer, const char *suffix);
void emit_number(EmitBuf *b, double v);      /* shortest round-trip literal */
void emit_upper(char *dst, const char *src, size_t size);


#endif
