/*
 * vocab.c - the byte vocabulary (rnn_vocab_*: built from training data,
 * extended, its unknown id) and the load options every loader reads.
 */
#include "data_internal.h"

/* A path for messages: vocabulary calls may come without a file. */
static const char *shown_path(const char *path) { return path != NULL ? path : "(data)"; }

/* V with no bytes; PADDING_ID (-1: none) reserved and counted in size. */
void rnn_data_vocab_clear(RnnVocab *v, int padding_id) {
  v->size = padding_id >= 0 ? padding_id + 1 : 0;
  v->padding_id = padding_id;
  for (int i = 0; i < 256; i++) {
    v->id[i] = -1;
    v->byte[i] = -1;
  }
}

/* PRESENT[b] = 1 for every byte b of DATA. */
void rnn_data_mark_bytes(const uint8_t *data, size_t len, unsigned char present[256]) {
  for (size_t i = 0; i < len; i++) present[data[i]] = 1;
}

/* Byte ids stay below 258: 256 bytes and at most one padding id among them. */
#define MAX_BYTE_IDS 258

/* The lowest id from FROM on that no byte holds and that is not the
 * padding id: ids fill the gaps first (a padding id above the bytes leaves
 * some), so extending never wastes an id. */
static int lowest_free_id(const RnnVocab *v, const unsigned char used[MAX_BYTE_IDS], int from) {
  int id = from;
  while (id == v->padding_id || (id < MAX_BYTE_IDS && used[id])) id++;
  return id;
}

static int vocab_overflow(const RnnVocab *v, int distinct, int needed, int max_size,
                          const char *path, RnnError *err) {
  if (v->padding_id >= 0)
    rnn_error_set(err,
                  "%s: the data has %d distinct bytes and id %d is reserved for padding; the "
                  "model's vocab is %d: raise 'vocab' in the spec to at least %d",
                  shown_path(path), distinct, v->padding_id, max_size, needed);
  else
    rnn_error_set(err,
                  "%s: the data has %d distinct bytes; the model's vocab is %d: raise 'vocab' in "
                  "the spec to at least %d",
                  shown_path(path), distinct, max_size, needed);
  return -1;
}

/* Gives the bytes of PRESENT that V lacks the lowest free ids, in
 * ascending byte order; fails without changing V past MAX_SIZE ids. */
int rnn_data_vocab_add(RnnVocab *v, const unsigned char present[256], int max_size,
                       const char *path, RnnError *err) {
  RnnVocab grown = *v;
  unsigned char used[MAX_BYTE_IDS] = {0};
  for (int b = 0; b < 256; b++)
    if (grown.id[b] >= 0 && grown.id[b] < MAX_BYTE_IDS) used[grown.id[b]] = 1;
  int next = 0, distinct = 0;
  for (int b = 0; b < 256; b++) {
    if (grown.id[b] < 0 && present[b]) {
      next = lowest_free_id(&grown, used, next);
      grown.id[b] = next;
      used[next] = 1;
      if (next < 256) grown.byte[next] = (int16_t)b; /* id 256: no slot in byte[] */
      if (next + 1 > grown.size) grown.size = next + 1;
    }
    distinct += grown.id[b] >= 0;
  }
  if (grown.size > max_size) return vocab_overflow(v, distinct, grown.size, max_size, path, err);
  *v = grown;
  return 0;
}

/* Builds V from the distinct bytes of DATA in ascending byte order, ids
 * 0, 1, ... with PADDING_ID (-1: none) skipped and reserved; size covers the
 * padding id too. Fails past MAX_SIZE ids (V is then empty of bytes). */
int rnn_vocab_build(RnnVocab *v, const uint8_t *data, size_t len, int max_size,
                    int padding_id, const char *path, RnnError *err) {
  unsigned char present[256] = {0};
  rnn_data_mark_bytes(data, len, present);
  rnn_data_vocab_clear(v, padding_id);
  return rnn_data_vocab_add(v, present, max_size, path, err);
}

/* Adds DATA's bytes that V lacks, with the next free ids (ascending byte
 * order); existing ids never change. Fails past MAX_SIZE, V unchanged. */
int rnn_vocab_extend(RnnVocab *v, const uint8_t *data, size_t len, int max_size,
                     const char *path, RnnError *err) {
  unsigned char present[256] = {0};
  rnn_data_mark_bytes(data, len, present);
  return rnn_data_vocab_add(v, present, max_size, path, err);
}

int rnn_vocab_unknown_id(const RnnVocab *v, int max_size) {
  unsigned char used[MAX_BYTE_IDS] = {0};
  for (int b = 0; b < 256; b++)
    if (v->id[b] >= 0 && v->id[b] < MAX_BYTE_IDS) used[v->id[b]] = 1;
  int id = lowest_free_id(v, used, 0);
  return id < max_size ? id : -1;
}

/* ====================================================================== */
/* Load options and unknown bytes                                          */
/* ====================================================================== */

static const RnnLoadOptions default_options = {0, RNN_UNKNOWN_ERROR};

/* OPT, or the defaults (every example, unknown bytes refused) for NULL. */
const RnnLoadOptions *rnn_data_options(const RnnLoadOptions *opt) {
  return opt != NULL ? opt : &default_options;
}

/* RNN_UNKNOWN_MAP needs a free id; WHERE is "FILE" or "FILE:LINE". */
int rnn_data_vocab_full_error(const char *where, const RnnVocab *v, int max_size, RnnError *err) {
  rnn_error_set(err,
                "%s: no id is free for unknown bytes: the vocabulary's %d bytes%s fill the "
                "model's vocab of %d; use --unknown skip, or raise 'vocab' in the spec and retrain",
                where, v->size - (v->padding_id >= 0), v->padding_id >= 0 ? " and padding" : "",
                max_size);
  return -1;
}
