/*
 * rnn_ckpt.h - checkpoints: everything needed to resume training exactly.
 *
 * A checkpoint is one binary file, little-endian, written to PATH.tmp,
 * flushed, fsync'd and renamed over PATH, so a crash or a kill at any moment
 * leaves either the old file or the new one, never half of one:
 *
 *   magic "RNNCKPT\0" | u32 version (1) | u32 sizeof(rnn_real)
 *   then sections, each: u32 tag | u64 byte length | bytes
 *     MODL  model name, spec hash (64 hex), T, B, n_params, n_slots
 *     TENS  the tensor table: count, then name, rows, cols, offset each
 *     PARM  parameters [n_params]            (rnn_real)
 *     OPTS  optimizer step, last norm, slots [n_slots][n_params]
 *     STAT  the carried recurrent state (the state struct, value by value)
 *     RNGS  the dropout RNG and the data-order RNG
 *     VOCB  the byte vocabulary (size, padding id, id of each byte)
 *     CURS  the data cursor: epoch, position, examples seen
 *     LOGS  training step, best validation loss
 *   u32 CRC-32 (zlib's) of every byte before it.
 * The container and MODL/TENS/PARM are runtime/kernels/rnn_format.h's,
 * which the kernels' own loader (rnn_weights.h) reads too.
 *
 * Loading checks the magic, the version (a newer one: "written by a newer
 * rnnc"), the precision, the CRC (corruption, truncation), and that the
 * spec hash and the tensor table match the program's model ("this
 * checkpoint is for model 'chargen' (sha256 3f2a...), not 'series'").
 * Beside each checkpoint, PATH.yaml (libyaml's emitter) describes it for
 * people and tools; it is informative only, never read back.
 */
#ifndef RNN_CKPT_H
#define RNN_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "rnn_data.h"
#include "rnn_model.h"
#include "rnn_weights.h" /* RNN_CKPT_VERSION, and the loader of the kernels */

/* What a checkpoint holds besides the model's identity; every pointer is
 * caller-owned and sized from the description table. */
typedef struct RnnCkpt {
  rnn_real *params;       /* [n_params] */
  rnn_real *slots;        /* [n_slots][n_params] */
  long opt_step;          /* optimizer updates done */
  double last_norm;
  void *state;            /* the model's state struct (d->state_size bytes) */
  RnnRng dropout_rng;
  RnnRng data_rng;
  RnnVocab vocab;
  long epoch;             /* data cursor: passes completed */
  long position;          /* data cursor: batches of B into the epoch (text: rounds) */
  long examples_seen;
  long step;              /* training steps done */
  double best_valid;      /* best validation loss so far (HUGE_VAL: none) */
} RnnCkpt;

/* Writes C for model D to PATH atomically (PATH.tmp, fsync, rename), then
 * PATH.yaml. Returns 0, or -1 with ERR set and no PATH.tmp left behind. */
int rnn_ckpt_save(const char *path, const RnnModelDesc *d, const RnnCkpt *c, RnnError *err);

/* Reads PATH into C (whose buffers are sized for D). Every check above is
 * an error with a message naming PATH and, for structural damage, the
 * offset; C is unchanged on failure. */
int rnn_ckpt_load(const char *path, const RnnModelDesc *d, RnnCkpt *c, RnnError *err);

/* Reads only the identity of PATH, a checkpoint or a parameter file (name,
 * hash, step, sizes) for `info`, whatever model wrote it; prints it to
 * OUT. */
int rnn_ckpt_describe(const char *path, void *out_file, RnnError *err);

/* Writes PATH.yaml (through PATH.yaml.tmp) describing the checkpoint C of
 * model D just saved at PATH (manifest.c). */
int rnn_ckpt_save_manifest(const char *path, const RnnModelDesc *d, const RnnCkpt *c,
                           RnnError *err);

/* Writes the parameter file PATH ("RNNCPARM": MODL, TENS, PARM, VOCB and
 * the CRC, as in a checkpoint) for model D's PARAMS [n_params] and the
 * byte vocabulary VOCAB (size 0: none), atomically: what `NAME export`
 * writes and rnn_weights_load reads. Returns 0, or -1 with ERR and no
 * PATH.tmp left. */
int rnn_params_save(const char *path, const RnnModelDesc *d, const rnn_real *params,
                    const RnnVocab *vocab, RnnError *err);

#endif
