/*
 * parity_states.h - where a generated model keeps each recurrent layer's
 * states, for parity.c.
 *
 * The description table does not name workspace buffers, so CMakeLists.txt
 * writes a small file per model (NAME_states.c) that lists its recurrent
 * layers with these macros; offsetof and sizeof on the generated workspace
 * struct give the place and shape of LAYER_h ([T+1][B*H]) and LAYER_c.
 */
#ifndef PARITY_STATES_H
#define PARITY_STATES_H

#include <stddef.h>

typedef struct ParityState {
  const char *layer;
  size_t h_offset;      /* bytes into the workspace of LAYER_h[0][0] */
  size_t c_offset;      /* LAYER_c (lstm), when has_c */
  int has_c;
  size_t rows;          /* rows of LAYER_h: T+1 */
  size_t row_elements;  /* elements of one row: B*H */
  size_t c_rows, c_row_elements; /* the same for LAYER_c (0 without) */
} ParityState;

#define PARITY_ROWS_(W, m) (sizeof(((W *)0)->m) / sizeof(((W *)0)->m[0]))
#define PARITY_ROW_ELEMENTS_(W, m) (sizeof(((W *)0)->m[0]) / sizeof(rnn_real))

/* a simple_rnn or gru layer: its states h */
#define PARITY_STATE_H(W, layer)                                                          \
  {#layer, offsetof(W, layer##_h), 0, 0, PARITY_ROWS_(W, layer##_h),                   \
   PARITY_ROW_ELEMENTS_(W, layer##_h), 0, 0}

/* an lstm layer: states h and cell states c */
#define PARITY_STATE_HC(W, layer)                                                         \
  {#layer, offsetof(W, layer##_h), offsetof(W, layer##_c), 1, PARITY_ROWS_(W, layer##_h), \
   PARITY_ROW_ELEMENTS_(W, layer##_h), PARITY_ROWS_(W, layer##_c),                       \
   PARITY_ROW_ELEMENTS_(W, layer##_c)}

extern const ParityState parity_states[];
extern const int parity_n_states;

#endif
