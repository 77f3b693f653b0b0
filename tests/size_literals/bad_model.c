/* bad_model.c - see bad_model.h: a bare H, and a step index that is fine */
#include "bad_model.h"

static void bad_model_step(void) {
  rnn_lstm_fwd_step(BAD_MODEL_B, 128, xp[63], h[63], c[63], u, NULL, NULL, NULL, NULL, gt[63],
                    c[64], h[64]);
}
