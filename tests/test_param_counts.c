/*
 * test_param_counts.c - `rnnc stats` parameter counts equal what PyTorch and
 * Keras report for the same models.
 *
 * The frameworks' formulas (I inputs, H units, O outputs):
 *   PyTorch nn.RNN  H*(I + H + 2)     two bias vectors, b_ih and b_hh
 *   PyTorch nn.LSTM 4H*(I + H + 2)
 *   PyTorch nn.GRU  3H*(I + H + 2)
 *   Keras SimpleRNN H*(I + H + 1)     one bias vector
 *   Keras LSTM      4H*(I + H + 1)
 *   Keras GRU       3H*(I + H + 2)    reset_after=True (the TF2 default)
 *   Keras GRU       3H*(I + H + 1)    reset_after=False
 *   Dense (both)    O*(I + 1);  Embedding V*E
 * rnnc's `biases 2` (the default) is PyTorch's layout, `biases 1` Keras's.
 * A peephole LSTM adds 3H (tf PeepholeLSTMCell's diagonal weights).
 *
 * Besides the formulas, a few counts are pinned to the numbers Keras prints
 * in model.summary() for seed 002's models (Chollet, Deep Learning with
 * Python, 6.2): SimpleRNN(32) 2080, LSTM(32) 8320, Embedding(10000, 32)
 * 320000, Dense(1) 33.
 *
 *   test_param_counts SPEC...
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "frontend.h"
#include "stats.h"

static int passed, failed;

static void expect_count(const char *what, size_t got, size_t want) {
  if (got == want) {
    passed++;
    return;
  }
  failed++;
  printf("FAIL: %s: rnnc says %zu, expected %zu\n", what, got, want);
}

static int load(const char *path, const char *text, IrModel *m) {
  Diag d;
  diag_init(&d, stderr, path);
  Source src;
  int rc = text ? source_from_memory(&d, path, text, strlen(text), &src)
                : source_load(&d, path, &src);
  if (rc != 0)
    return -1;
  d.src = &src;
  AstNode *ast = frontend_read(&d, &src);
  rc = ast ? check_model(&d, ast, m) : -1;
  ast_free(ast);
  source_free(&src);
  return rc;
}

/* The count the frameworks' formula gives for layer L of M. */
static size_t formula(const IrModel *m, const IrLayer *l) {
  size_t I = (size_t)l->in_size, H = (size_t)l->units;
  size_t nb = (size_t)l->biases;
  switch (l->kind) {
  case IR_SIMPLE_RNN: return H * (I + H + nb);
  case IR_LSTM: return 4 * H * (I + H + nb) + (l->peephole ? 3 * H : 0);
  case IR_GRU: return 3 * H * (I + H + nb);
  case IR_DENSE: return H * (I + 1);
  case IR_DROPOUT: return 0;
  }
  (void)m;
  return 0;
}

static void check_spec_formulas(const char *path) {
  static IrModel m;
  if (load(path, NULL, &m) != 0) {
    failed++;
    printf("FAIL: %s does not check\n", path);
    return;
  }
  size_t total = 0;
  if (m.input.kind == IR_INPUT_TOKENS && m.input.embedding > 0) {
    size_t e = (size_t)m.input.vocab * (size_t)m.input.embedding;
    expect_count("embedding", stats_layer_params(&m, -1), e);
    total += e;
  }
  for (int i = 0; i < m.n_layers; i++) {
    char what[160];
    snprintf(what, sizeof what, "%s: %s", path, m.layers[i].name);
    size_t want = formula(&m, &m.layers[i]);
    expect_count(what, stats_layer_params(&m, i), want);
    total += want;
  }
  expect_count(path, m.param_count, total);
  ir_free(&m);
}

/* Seed 002's models written with Keras's single bias, against the counts
 * Keras prints. */
static void check_keras_summaries(void) {
  static IrModel m;
  const char *simple =
      "model s { input { vocab 10000 embedding 32 length 500 }\n"
      "  simple_rnn r { units 32 biases 1 } dense out { units 1 activation sigmoid } }\n";
  const char *lstm =
      "model s { input { vocab 10000 embedding 32 length 500 }\n"
      "  lstm r { units 32 biases 1 } dense out { units 1 activation sigmoid } }\n";
  if (load("keras_simple.rnn", simple, &m) == 0) {
    expect_count("keras Embedding(10000, 32)", stats_layer_params(&m, -1), 320000);
    expect_count("keras SimpleRNN(32)", stats_layer_params(&m, 0), 2080);
    expect_count("keras Dense(1)", stats_layer_params(&m, 1), 33);
    expect_count("keras total", m.param_count, 322113);
    ir_free(&m);
  } else {
    failed++;
  }
  if (load("keras_lstm.rnn", lstm, &m) == 0) {
    expect_count("keras LSTM(32)", stats_layer_params(&m, 0), 8320);
    ir_free(&m);
  } else {
    failed++;
  }
  /* PyTorch: sum(p.numel() for p in nn.X(32, 32).parameters()) */
  const char *torch =
      "model t { input { features 32 length 4 }\n"
      "  simple_rnn a { units 32 } lstm b { units 32 } gru c { units 32 }\n"
      "  gru d { units 32 reset_after false biases 1 } }\n";
  if (load("torch.rnn", torch, &m) == 0) {
    expect_count("torch nn.RNN(32, 32)", stats_layer_params(&m, 0), 2112);
    expect_count("torch nn.LSTM(32, 32)", stats_layer_params(&m, 1), 8448);
    expect_count("torch nn.GRU(32, 32)", stats_layer_params(&m, 2), 6336);
    expect_count("keras GRU(32, reset_after=False)", stats_layer_params(&m, 3), 6240);
    ir_free(&m);
  } else {
    failed++;
  }
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    check_spec_formulas(argv[i]);
  check_keras_summaries();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
