/*
 * stats.h - the report of `rnnc stats SPEC`.
 *
 * Stage prefix: stats_. Reads only the checked IrModel: per-layer parameter
 * counts, the parameter table, FLOPs and memory of one training step. The
 * output is deterministic (fixed order, C-locale numbers) so it can be
 * diffed in tests.
 */
#ifndef RNNC_STATS_H
#define RNNC_STATS_H

#include <stddef.h>
#include <stdio.h>

#include "ir.h"

/* Elements in the parameter tensors of layer LAYER (an index into
 * M->layers), or of the embedding when LAYER is -1; 0 for a layer that owns
 * none (dropout) or an index no tensor refers to. */
size_t stats_layer_params(const IrModel *m, int layer);

/* Prints the stats report of M to OUT. SPEC_HASH is the 64-digit spec hash
 * (canon_hash) shown in the heading; NULL leaves it out. Byte counts assume
 * rnn_real = float (4 bytes), and the report says so. */
void stats_print(const IrModel *m, const char *spec_hash, FILE *out);

#endif
