/*
 * bad_model.h - not generated: a model with bare sizes, which
 * tests/size_literals.c must report (generated/size_literals/detects).
 */
/* ---- sizes ---- */
#define BAD_MODEL_T 64     /* steps per sequence */
#define BAD_MODEL_B 32     /* sequences per training batch */
#define BAD_MODEL_L1_H 128 /* lstm l1: units */

typedef struct bad_model_state {
  rnn_real l1_h[32 * BAD_MODEL_L1_H]; /* [B][H]: a bare B */
} bad_model_state;
