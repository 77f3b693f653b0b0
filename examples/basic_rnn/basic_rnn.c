/*
 * basic_rnn.c - seed 001 14.2, the basic RNN, through the generated API.
 *
 * The model (specs/basic_rnn.rnn): 3 inputs, a SimpleRNN of 5 tanh neurons,
 * unrolled over 2 steps, no head. This program is also the example of
 * embedding the generated sources in your own program: it includes
 * generated/basic_rnn.h, calls basic_rnn_init and basic_rnn_forward itself,
 * and reads the outputs from the workspace; no driver, no data files.
 * examples/basic_rnn.sh builds it with one cc line from this file,
 * generated/basic_rnn.c and the runtime's kernels (runtime/kernels/), and
 * runs it; tests/install builds it against an installed rnnc.
 *
 *   basic_rnn [SEED]     (default: the spec's seed, basic_rnn_desc.seed)
 *
 * It prints the seed's Y0 and Y1 (the states after steps 1 and 2 for the
 * seed's mini-batch of 4 instances), then recomputes both by hand from the
 * parameters, Y0 = tanh(X0 Wx^T + b), Y1 = tanh(X1 Wx^T + Y0 Wh^T + b),
 * and prints the largest difference in a final line:
 *
 *   RESULT basic_rnn max_abs_diff 8.79e-08
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "basic_rnn.h"

enum { T = BASIC_RNN_T, B = BASIC_RNN_B, F = BASIC_RNN_F, H = BASIC_RNN_CELL_H };

/* The seed's mini-batch: instance b is (X0_batch[b], X1_batch[b]). */
static const double X0_batch[B][F] = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 0, 1}};
static const double X1_batch[B][F] = {{9, 8, 7}, {0, 0, 0}, {6, 5, 4}, {3, 2, 1}};

static void print_matrix(const char *name, const rnn_real *m) {
  printf("%s =\n", name);
  for (int b = 0; b < B; b++) {
    printf("%s", b == 0 ? "[[" : " [");
    for (int j = 0; j < H; j++)
      printf("%s% .8f", j ? "  " : "", (double)m[b * H + j]);
    printf("]%s\n", b == B - 1 ? "]" : "");
  }
}

int main(int argc, char **argv) {
  unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 10) : basic_rnn_desc.seed;
  /* The structs are caller-owned and fixed-size; the workspace can be
   * large for other models, so allocate rather than put it on the stack,
   * aligned for the kernels' vector loads (rnn_alloc zeroes them too). */
  basic_rnn_params *p = rnn_alloc(sizeof *p);
  basic_rnn_state *s = rnn_alloc(sizeof *s);
  basic_rnn_workspace *ws = rnn_alloc(sizeof *ws);
  basic_rnn_batch *batch = rnn_alloc(sizeof *batch);
  if (!p || !s || !ws || !batch) {
    fprintf(stderr, "basic_rnn: out of memory\n");
    return 1;
  }

  basic_rnn_init(p, seed);
  basic_rnn_reset_state(s); /* h[0] = 0, as in static_rnn */
  for (int b = 0; b < B; b++) /* time-major: x[t][b][f] */
    for (int f = 0; f < F; f++) {
      batch->x[0][b][f] = (rnn_real)X0_batch[b][f];
      batch->x[1][b][f] = (rnn_real)X1_batch[b][f];
    }
  /* y stays zero: forward returns an MSE against it that we ignore. */
  basic_rnn_forward(p, s, ws, batch, NULL); /* NULL: no dropout (none here anyway) */

  /* ws->cell_h[t] is the state before step t: h[1] = Y0, h[2] = Y1 */
  const rnn_real *Y0 = ws->cell_h[1], *Y1 = ws->cell_h[2];
  printf("basic_rnn (seed %llu): %d inputs, %d tanh neurons, %d steps, batch of %d\n", seed, F,
         H, T, B);
  print_matrix("Y0 (t = 0)", Y0);
  print_matrix("Y1 (t = 1)", Y1);

  /* The seed's equations, by hand, in double. */
  double max_diff = 0, y0[B][H];
  for (int b = 0; b < B; b++)
    for (int j = 0; j < H; j++) {
      double a = p->cell_bias_ih[j];
      for (int f = 0; f < F; f++)
        a += X0_batch[b][f] * p->cell_weight_ih[j][f];
      y0[b][j] = tanh(a);
      max_diff = fmax(max_diff, fabs(y0[b][j] - (double)Y0[b * H + j]));
    }
  for (int b = 0; b < B; b++)
    for (int j = 0; j < H; j++) {
      double a = p->cell_bias_ih[j];
      for (int f = 0; f < F; f++)
        a += X1_batch[b][f] * p->cell_weight_ih[j][f];
      for (int k = 0; k < H; k++)
        a += y0[b][k] * p->cell_weight_hh[j][k];
      max_diff = fmax(max_diff, fabs(tanh(a) - (double)Y1[b * H + j]));
    }
  printf("by hand: Y0 = tanh(X0 Wx^T + b), Y1 = tanh(X1 Wx^T + Y0 Wh^T + b)\n");
  printf("RESULT basic_rnn max_abs_diff %.3g\n", max_diff);
  free(p);
  free(s);
  free(ws);
  free(batch);
  return max_diff < 1e-5 ? 0 : 1;
}
