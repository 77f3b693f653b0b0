/*
 * rnn_weights.h - a trained model's parameters, read into a program that
 * embeds the model (runtime/kernels/weights.c; kernels library only).
 *
 * Two files hold parameters, both little-endian with the same container
 * (docs/embedding.md; the byte layout in runtime/program/rnn_ckpt.h):
 *
 *   checkpoint      "RNNCKPT\0"  everything training needs to resume
 *                                (`NAME train --checkpoint`)
 *   parameter file  "RNNCPARM"   the parameters and the byte vocabulary:
 *                                MODL, TENS, PARM, VOCB
 *                                (`NAME export --checkpoint C --out FILE`)
 *
 * after the magic: u32 format version | u32 sizeof(rnn_real) | sections
 * (u32 tag | u64 length | bytes) | u32 CRC-32 of every byte before it.
 *
 * The loader accepts either file for a model of the same name whose
 * tensor table (names, shapes, offsets) is the model's: T, B, the training
 * block and dropout may differ (a model trained with batch 32 runs with
 * batch 1), and float parameters load into a double build and back.
 */
#ifndef RNN_WEIGHTS_H
#define RNN_WEIGHTS_H

#include <stddef.h>

#include "rnn_model.h"

#define RNN_CKPT_VERSION 1   /* the checkpoint format this runtime writes */
#define RNN_PARAMS_VERSION 1 /* the parameter file format */

/* Reads the parameters in the checkpoint or parameter file PATH into
 * PARAMS (the model's NAME_params struct: D->n_params reals) and, unless
 * VOCAB is NULL, the byte vocabulary its training built (a token model's
 * byte <-> id tables; size 0 for a model of real-valued inputs), after
 * checking the whole file: magic, version, CRC, sections, the model's
 * name, tensor table and vocabulary size. Returns 0, or -1 with ERR
 * naming PATH and what to do; PARAMS and VOCAB are unchanged on failure.
 * Allocates a buffer of the file's size for the duration of the call. */
int rnn_weights_load(const char *path, const RnnModelDesc *d, void *params, RnnVocab *vocab,
                     RnnError *err);

/* The same for a file already in memory (SIZE bytes at BYTES: a blob
 * linked into the program, a flash partition); NAME stands for the path
 * in messages. Allocates nothing. */
int rnn_weights_read(const void *bytes, size_t size, const char *name, const RnnModelDesc *d,
                     void *params, RnnVocab *vocab, RnnError *err);

#endif
