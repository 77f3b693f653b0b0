/*
 * rnn_model.h - the description table every generated model exports.
 *
 * Generated code has fixed shapes and named structs; tools that work with
 * any model (the program driver, checkpoints, the gradient-check and parity
 * tests) see it through this table: sizes, the parameter tensors with their
 * offsets into the flat parameter array, the byte layout of the batch, and
 * the model's functions behind void pointers.
 */
#ifndef RNN_MODEL_H
#define RNN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "rnn.h"

/* The runtime's one error type, for both libraries: a message for the
 * user, "FILE:LINE: what is wrong; what to do" (or FILE: at byte N...). */
typedef struct RnnError {
  char msg[512];
} RnnError;

/* Sets ERR's message (printf-style; ERR may be NULL) and returns -1, so a
 * failing function can `return rnn_error_set(err, ...)`. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int rnn_error_set(RnnError *err, const char *fmt, ...);

/* A token model's byte vocabulary, as its training built it from the data
 * (rnn_vocab_build): the distinct bytes in ascending order get ids 0, 1,
 * ..., skipping the padding id. Checkpoints and parameter files keep it. */
typedef struct RnnVocab {
  int size;          /* ids in use: [0, size) (including the padding id) */
  int32_t id[256];   /* byte -> id; -1: the byte is not in the vocabulary */
  int16_t byte[256]; /* id -> byte; -1: the padding id (or unused) */
  int padding_id;    /* reserved for padding, never a byte; -1: none */
} RnnVocab;

typedef enum RnnLossKind { RNN_LOSS_XENT, RNN_LOSS_BCE, RNN_LOSS_MSE } RnnLossKind;
typedef enum RnnMaskKind { RNN_MASK_NONE, RNN_MASK_PADDING, RNN_MASK_LENGTHS } RnnMaskKind;

/* One parameter tensor: name as in PyTorch behind the layer name
 * ("lstm1.weight_ih"), shape (cols 1 for vectors), place in the flat array. */
typedef struct RnnTensorDesc {
  const char *name;
  int rows, cols;
  size_t offset;
} RnnTensorDesc;

typedef struct RnnModelDesc {
  int abi;                       /* RNN_ABI the model was generated for */
  const char *name;
  const char *spec_hash;         /* sha256 of the canonical spec */
  int length, batch;             /* T, B */
  int tokens;                    /* 1: int32 token ids in; 0: real features */
  int vocab, features;           /* input width (one of them) */
  int out_units;                 /* width of the output */
  int out_per_step;              /* targets for every step (else per sequence) */
  RnnLossKind loss;
  RnnMaskKind mask;
  int padding_id;
  int stateful;
  int can_sample;
  size_t n_params;
  int n_tensors;
  const RnnTensorDesc *tensors;
  int n_slots;                   /* optimizer slots per parameter */
  /* byte sizes of the model's structs, for allocation by generic tools */
  size_t params_size, state_size, workspace_size, batch_size, optim_size, step_size;
  /* where the optimizer struct keeps its step count (long), last gradient
   * norm (double) and slots (rnn_real [n_slots][n_params]) */
  size_t optim_step_offset, optim_norm_offset, optim_slots_offset;
  /* where the batch keeps inputs, targets and lengths (-1: none) */
  size_t batch_x, batch_y;
  long batch_lengths;
  size_t output_offset;          /* the output rows inside the workspace */
  /* multiply-add FLOPs the GEMMs of one forward pass and of one training
   * step (forward + backward) perform: what `rnnc stats` reports */
  double forward_flops, train_flops;
  /* the model's functions; see NAME.h for what each does */
  void (*init)(void *params, uint64_t seed);
  void (*reset_state)(void *state);
  rnn_real (*forward)(const void *params, void *state, void *ws, const void *batch,
                      RnnRng *dropout_rng);
  void (*backward)(const void *params, void *ws, const void *batch, void *grads);
  void (*optim_init)(void *optim);
  rnn_real (*train_step)(void *params, void *grads, void *optim, void *state, void *ws,
                         const void *batch, RnnRng *dropout_rng);
  void (*step_reset)(void *step_state);
  const rnn_real *(*step)(const void *params, void *step_state, int32_t token,
                          const rnn_real *x);
  const RnnOptConfig *optim_config;
  /* the spec's training plan: one of epochs/steps is non-zero */
  long epochs, steps;
  double validation_split;
  uint64_t seed;
  /* sampling defaults from the spec */
  double temperature;
  int top_k, sample_length;
  const char *prime;
  size_t prime_len;
} RnnModelDesc;

#endif
