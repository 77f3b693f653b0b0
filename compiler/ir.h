/*
 * ir.h - the checked model: the only input of stats, canon and emit.
 *
 * check.c builds an IrModel from an AST; after that no stage looks at syntax.
 * Every default is filled in, every size is known, and the parameter table
 * gives each tensor a name, a PyTorch-compatible shape and an offset into one
 * flat parameter buffer (llm.c's fill_in_parameter_sizes, as a table).
 */
#ifndef RNNC_IR_H
#define RNNC_IR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IR_NAME_MAX 64
#define IR_MAX_LAYERS 32
#define IR_MAX_PARAMS (IR_MAX_LAYERS * 5 + 1)
#define IR_MAX_BUFFERS (IR_MAX_LAYERS * 24 + 8)

typedef enum IrInputKind { IR_INPUT_TOKENS, IR_INPUT_FEATURES } IrInputKind;
typedef enum IrMask { IR_MASK_NONE, IR_MASK_PADDING, IR_MASK_LENGTHS } IrMask;

typedef enum IrLayerKind {
  IR_SIMPLE_RNN,
  IR_LSTM,
  IR_GRU,
  IR_DROPOUT,
  IR_DENSE
} IrLayerKind;

typedef enum IrAct {
  IR_ACT_LINEAR,
  IR_ACT_RELU,
  IR_ACT_TANH,
  IR_ACT_SIGMOID,
  IR_ACT_SOFTMAX
} IrAct;

typedef enum IrLoss {
  IR_LOSS_CROSS_ENTROPY,        /* softmax output, integer class targets */
  IR_LOSS_BINARY_CROSS_ENTROPY, /* sigmoid output, 0/1 targets */
  IR_LOSS_MSE                   /* real targets */
} IrLoss;

typedef enum IrOptKind { IR_OPT_SGD, IR_OPT_RMSPROP, IR_OPT_ADAM, IR_OPT_ADAGRAD } IrOptKind;

typedef enum IrSchedKind {
  IR_SCHED_CONSTANT,
  IR_SCHED_STEP,        /* lr * gamma^floor(step / every) */
  IR_SCHED_EXPONENTIAL, /* lr * gamma^step */
  IR_SCHED_COSINE       /* min_lr + (lr - min_lr) * (1 + cos(pi * step / steps)) / 2 */
} IrSchedKind;

typedef enum IrInit {
  IR_INIT_GLOROT_UNIFORM, /* U(-a, a), a = sqrt(6 / (fan_in + fan_out)) */
  IR_INIT_GLOROT_NORMAL,  /* N(0, 2 / (fan_in + fan_out)) */
  IR_INIT_ORTHOGONAL,     /* per gate block, Saxe et al. (Keras default) */
  IR_INIT_TORCH_UNIFORM,  /* U(-1/sqrt(H), 1/sqrt(H)), PyTorch's RNN default */
  IR_INIT_NORMAL,         /* N(0, 1): embeddings (PyTorch nn.Embedding) */
  IR_INIT_UNIFORM,        /* U(-0.05, 0.05): embeddings (Keras default) */
  IR_INIT_ZEROS
} IrInit;

/* What a parameter tensor is; the emitter and initializers key on this. */
typedef enum IrParamRole {
  IR_P_EMBEDDING, /* [vocab, E] */
  IR_P_WEIGHT_IH, /* [G*H, I]   gates stacked in PyTorch order */
  IR_P_WEIGHT_HH, /* [G*H, H] */
  IR_P_BIAS_IH,   /* [G*H] */
  IR_P_BIAS_HH,   /* [G*H] */
  IR_P_PEEPHOLE,  /* [3*H]      p_i, p_f, p_o */
  IR_P_DENSE_W,   /* [out, in] */
  IR_P_DENSE_B    /* [out] */
} IrParamRole;

typedef struct IrParam {
  char name[IR_NAME_MAX + 16]; /* "lstm1.weight_ih" */
  int layer;                   /* index into IrModel.layers; -1: embedding */
  IrParamRole role;
  int rows, cols;              /* cols == 1 for vectors */
  size_t offset;               /* elements from the start of the buffer */
  size_t count;                /* rows * cols */
  IrInit init;
} IrParam;

typedef struct IrLayer {
  IrLayerKind kind;
  char name[IR_NAME_MAX];
  int in_size;                 /* features per step (or per example) coming in */
  int units;                   /* output width (dropout: == in_size) */
  int gates;                   /* 1 simple_rnn, 4 lstm, 3 gru, 0 otherwise */
  IrAct act;                   /* simple_rnn: tanh/relu; dense: its activation */
  double dropout;              /* recurrent: Gal mask on inputs */
  double recurrent_dropout;    /* recurrent: Gal mask on the state */
  double rate;                 /* dropout layer: per-element, per-step */
  int return_sequences;        /* recurrent: outputs every step */
  int peephole;                /* lstm */
  int reset_after;             /* gru: 1 = PyTorch/cuDNN form */
  int biases;                  /* recurrent: 2 (PyTorch) or 1 (bias_hh fixed at 0) */
  int per_step;                /* output has T steps (else one row per example) */
  int param_first, param_count;
} IrLayer;

typedef struct IrInput {
  IrInputKind kind;
  int vocab;                   /* tokens: ids in [0, vocab) */
  int features;                /* features: reals per step */
  int embedding;               /* tokens: embedding dims, 0 = one-hot */
  int length;                  /* T */
  IrMask mask;
  int padding_id;              /* IR_MASK_PADDING */
} IrInput;

typedef struct IrTrain {
  int batch;
  IrLoss loss;
  IrOptKind optimizer;
  double lr, momentum, beta1, beta2, eps, rho, weight_decay, initial_accumulator;
  int nesterov, centered;
  IrSchedKind schedule;
  long sched_every;            /* step */
  double sched_gamma;          /* step, exponential */
  long sched_steps;            /* cosine */
  double sched_min_lr;         /* cosine */
  long warmup;                 /* linear warm-up steps, any schedule */
  double clip_norm;            /* 0 = no clipping */
  IrInit kernel_init, recurrent_init, bias_init, embedding_init;
  double forget_bias;          /* lstm forget-gate bias at init */
  int stateful;
  uint64_t seed;
  long epochs, steps;          /* exactly one is non-zero */
  double validation_split;
} IrTrain;

typedef struct IrSample {
  double temperature;
  int top_k;                   /* 0 = off */
  int length;
  char *prime;                 /* owned; bytes */
  size_t prime_len;
} IrSample;

/* A training-workspace buffer: the emitter declares exactly these, so the
 * bytes `rnnc stats` reports are the bytes of the emitted workspace struct.
 * Shape: [steps][batch rows][width], steps 0 = no time axis, batched 0 = no
 * batch axis. */
typedef struct IrBuffer {
  char name[IR_NAME_MAX + 16]; /* C identifier: "lstm1_xproj" */
  int layer;                   /* -1: model-level */
  int steps;                   /* 0, T or T+1 */
  int batched;                 /* 1: one row per sequence of the batch */
  size_t width;                /* elements per row */
  size_t count;                /* elements of rnn_real */
  char shape[48];              /* "[T+1][B][H]" for the shape comment */
  const char *what;            /* one-line description for the comment */
  const char *size_macro;      /* packed weights: rnn.h's size macro, taking (G, H); else NULL */
} IrBuffer;

typedef struct IrModel {
  char name[IR_NAME_MAX];
  IrInput input;
  IrLayer layers[IR_MAX_LAYERS];
  int n_layers;
  int n_recurrent;
  int output_units;            /* width of the last dense layer */
  int output_per_step;         /* targets per step (else per example) */
  int can_sample;              /* output can be fed back as the next input */
  IrParam params[IR_MAX_PARAMS];
  int n_params;
  size_t param_count;          /* total elements */
  IrBuffer buffers[IR_MAX_BUFFERS];
  int n_buffers;
  size_t workspace_count;      /* total elements of training workspace */
  IrTrain train;
  IrSample sample;
} IrModel;

/* Frees what the model owns (the prime text); the struct itself is the
 * caller's. */
void ir_free(IrModel *m);

/* Stable names used by canon, stats and diagnostics. */
const char *ir_layer_kind_name(IrLayerKind k);

/* Whether layers of kind K carry state from step to step (SimpleRNN, LSTM,
 * GRU), as opposed to dense and dropout layers. */
int ir_is_recurrent(IrLayerKind k);
const char *ir_act_name(IrAct a);
const char *ir_loss_name(IrLoss l);
const char *ir_opt_name(IrOptKind o);
const char *ir_sched_name(IrSchedKind s);
const char *ir_init_name(IrInit i);
const char *ir_mask_name(IrMask m);
const char *ir_role_name(IrParamRole r);

/* Fills in per-layer parameter entries, offsets and the workspace buffer
 * table from the layers and input; called by check once layers are final. */
void ir_layout(IrModel *m);

/* Multiply-add FLOPs of one training step (forward + backward GEMMs), and of
 * the forward pass alone; see docs/language.md "stats". */
double ir_train_flops(const IrModel *m);
double ir_forward_flops(const IrModel *m);

/* Bytes of optimizer state per parameter element, in units of parameters. */
int ir_optimizer_slots(const IrModel *m);

/* The shortest decimal text (%.15g..%.17g) that reads back as exactly V,
 * always with a '.' as decimal point: canonical YAML and emitted C. */
#define IR_NUMBER_CHARS 32
void ir_format_double(double v, char out[IR_NUMBER_CHARS]);

/* Prints every field of the model, one per line: the IR's identity for the
 * round-trip test (.rnn -> IR equals .rnn -> yaml -> IR). */
void ir_dump(const IrModel *m, FILE *out);

#endif
