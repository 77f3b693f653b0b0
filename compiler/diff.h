/*
 * diff.h - `rnnc diff OLD NEW`: what changed between two checked models,
 * for a reviewer.
 *
 * Stage prefix: diff_. It reads two IR models (never the spec text): the
 * keys of their canonical forms (canon.h), every default spelled out, so
 * a key left implicit in one spec and written in the other is no change;
 * their sizes (parameters, GEMM FLOPs, bytes); their parameter tensors.
 */
#ifndef RNNC_DIFF_H
#define RNNC_DIFF_H

#include <stdio.h>

#include "ir.h"

/* Prints to OUT, for models A (from A_PATH) and B:
 *   - layers added, removed, or changed (each changed key old -> new, a
 *     new kind), matched by name, and a change of their order;
 *   - every other changed key (input, train, sample), as section.key;
 *   - parameters, forward and training FLOPs, parameter, optimizer and
 *     workspace bytes, old -> new with the change;
 *   - which parameter tensors keep their shape (a checkpoint's values for
 *     them can be reused), which change shape, which are new or gone.
 * Returns 0 when the two are the same model, 1 when they differ, -1 when
 * out of memory (after saying so on stderr). */
int diff_models(const IrModel *a, const char *a_path, const IrModel *b, const char *b_path,
                FILE *out);

/* The names of the layers diff_models reports as added, removed or
 * changed in B (or A, for removed ones), for `rnnc diff --c`: writes at
 * most CAP names into NAMES and returns how many there are. */
int diff_changed_layers(const IrModel *a, const IrModel *b, const char *names[], int cap);

/* `rnnc diff --c` (diff_c.c): emits A and B into temporary directories
 * and prints the unified diff of their NAME.h and NAME.c (labelled
 * a/NAME.c, b/NAME.c), keeping only the hunks whose changed lines name one
 * of the N_NAMES layers in NAMES, then a count of those left out. Returns
 * 0, or -1 after saying why on stderr. Nothing is left on disk. */
int diff_generated(const IrModel *a, const char *a_path, const IrModel *b, const char *b_path,
                   const char *const names[], int n_names, FILE *out);

#endif
