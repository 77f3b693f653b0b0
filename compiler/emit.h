/*
 * emit.h - the emit stage: checked IR -> C, NAME.h, NAME.c and
 * NAME_main.c (what main.c calls; the emitters' own header is emitter.h).
 *
 * Stage prefix: emit_. The emitter reads only the IR (never the AST or the
 * spec text) and produces deterministic bytes: spec order, no dates, no
 * absolute paths, numbers in the C locale. Each file is written to a
 * temporary name and renamed into place, so an error never leaves a
 * partial file.
 */
#ifndef RNNC_EMIT_H
#define RNNC_EMIT_H

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

/* Writes the three files into opt->out_dir. Returns 0, or -1 after printing
 * `rnnc: error: ...` to stderr (nothing is left behind on failure). */
int emit_model(const IrModel *m, const EmitOptions *opt);

/* Layer-timesteps the model unrolls to: T times the recurrent layers. */
long emit_unroll_count(const IrModel *m);

#endif
