/*
 * fuzz_vocab.h - the vocabulary invariant the runtime's fuzz targets hold
 * every loaded vocabulary to (fuzz_data.c, fuzz_weights.c): within the
 * model's size, and byte -> id and id -> byte tables that agree. Each
 * target defines require(ok, what) before including it.
 */
#ifndef FUZZ_VOCAB_H
#define FUZZ_VOCAB_H

#include "rnn_model.h"

static void require(int ok, const char *what);

static inline void require_vocab_consistent(const RnnVocab *v, int max_size) {
  require(v->size >= 0 && v->size <= max_size, "vocabulary larger than the model's");
  for (int b = 0; b < 256; b++) {
    int id = v->id[b];
    if (id < 0) continue;
    require(id < v->size && id != v->padding_id, "a byte's id is out of range or padding");
    require(id >= 256 || v->byte[id] == b, "the id -> byte table disagrees");
  }
}

#endif
