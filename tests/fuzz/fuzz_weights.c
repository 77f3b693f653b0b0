/*
 * fuzz_weights.c - fuzz target for the kernels library's weight loader
 * (rnn_weights.h): what an embedded product reads from a checkpoint or a
 * parameter file, through rnn_weights_read, for a tiny token model described
 * here (TINY: 8 token ids, so the vocabulary section is read too; 67
 * parameters, so a whole file is a few hundred bytes and the fuzzer runs
 * fast). The seeds in corpus_weights/ are real files of this model, written
 * with tools/rnnc_ckpt.py.
 *
 * The first input byte is a mode, the rest the file:
 *
 *   mode & 1   recompute the file's CRC-32 (its last 4 bytes) first, so
 *              mutations reach the section walk and the contents behind
 *              the checksum instead of stopping at it
 *   mode & 2   pass no vocabulary (an embedder that has its own)
 *
 * FUZZ_WEIGHTS_TRACE=1 prints what each input did.
 *
 * Besides "no crash, no leak, no sanitizer report", every run checks
 * (abort() on a violation, which libFuzzer reports as a crash):
 *   - a failure says why, in a message naming the file, and leaves the
 *     parameters and the vocabulary as they were;
 *   - a success leaves a vocabulary whose byte and id tables agree, within
 *     the model's vocabulary.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_format.h"
#include "rnn_weights.h"
#include "fuzz_vocab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { TINY_VOCAB = 8, TINY_H = 4, TINY_OUT = 3, TINY_N_PARAMS = 67 };

static const RnnTensorDesc tiny_tensors[] = {
    {"r.weight_ih", TINY_H, TINY_VOCAB, 0},
    {"r.weight_hh", TINY_H, TINY_H, 32},
    {"r.bias_ih", TINY_H, 1, 48},
    {"out.weight", TINY_OUT, TINY_H, 52},
    {"out.bias", TINY_OUT, 1, 64},
};

/* What rnn_weights_read reads of a model: its name, hash, token input and
 * vocabulary, and the tensor table. */
static const RnnModelDesc tiny = {
    .abi = RNN_ABI,
    .name = "tiny",
    .spec_hash = "1c3f2a0e5b8d7c6f4e9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60",
    .tokens = 1,
    .vocab = TINY_VOCAB,
    .n_params = TINY_N_PARAMS,
    .n_tensors = sizeof tiny_tensors / sizeof tiny_tensors[0],
    .tensors = tiny_tensors,
};

static void require(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz_weights: invariant violated: %s\n", what);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  int mode = data[0];
  size_t n = size - 1;
  uint8_t *file = malloc(n ? n : 1); /* [n]: a copy the CRC fix may change */
  if (!file) return 0;
  memcpy(file, data + 1, n);
  if ((mode & 1) && n >= 4)
    rnn_fmt_store_u32(file + n - 4, rnn_crc32(0, file, n - 4));
  rnn_real params[TINY_N_PARAMS], before[TINY_N_PARAMS];
  RnnVocab vocab, vocab_before;
  memset(params, 0x5a, sizeof params);
  memcpy(before, params, sizeof params);
  memset(&vocab, 0x3c, sizeof vocab);
  vocab_before = vocab;
  RnnVocab *v = (mode & 2) ? NULL : &vocab;
  RnnError err;
  err.msg[0] = '\0';
  int rc = rnn_weights_read(file, n, "fuzz.params", &tiny, params, v, &err);
  if (getenv("FUZZ_WEIGHTS_TRACE")) /* which paths a corpus reaches */
    fprintf(stderr, "mode %d, %zu bytes: %s\n", mode, n, rc == 0 ? "loaded" : err.msg);
  if (rc != 0) {
    require(err.msg[0] != '\0', "a failure without a message");
    require(strstr(err.msg, "fuzz.params") != NULL, "a message that does not name the file");
    require(memcmp(params, before, sizeof params) == 0, "a failure changed the parameters");
    require(memcmp(&vocab, &vocab_before, sizeof vocab) == 0, "a failure changed the vocabulary");
  } else if (v) {
    require_vocab_consistent(&vocab, TINY_VOCAB);
  }
  free(file);
  return 0;
}
