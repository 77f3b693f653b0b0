/*
 * ckpt_crash.c - the saving side of the checkpoint crash test (crash.sh).
 *
 *   ckpt_crash save PATH    resume from PATH when it exists, then save step
 *                           after step forever (crash.sh kills it -9)
 *   ckpt_crash once PATH    resume, save one more step, exit
 *   ckpt_crash check PATH   PATH absent: fine; else it must load and hold
 *                           exactly what step N writes, and PATH.yaml (if
 *                           any) must parse
 *
 * The checkpoint is large (1M parameters and one optimizer slot, 8 MB in
 * float) so that a kill often lands while it is being written; every
 * value is a function of the step, so a file mixing two saves or cut off
 * cannot pass the check. Exit status: 0 fine, 1 a check failed, 2 usage.
 */
#include "rnn_ckpt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

enum { N_PARAMS = 1 << 20, N_STATE = 256 };

static const RnnTensorDesc TENSORS[] = {{"big.weight", 1024, 1023, 0},
                                        {"big.bias", 1024, 1, 1024 * 1023}};

static RnnModelDesc crash_desc(void) {
  RnnModelDesc d;
  memset(&d, 0, sizeof d);
  d.abi = RNN_ABI;
  d.name = "crash";
  d.spec_hash = "c4a5e0000000000000000000000000000000000000000000000000000000c4a5";
  d.length = 1;
  d.batch = 1;
  d.n_params = N_PARAMS;
  d.n_tensors = 2;
  d.tensors = TENSORS;
  d.n_slots = 1;
  d.state_size = N_STATE * sizeof(rnn_real);
  return d;
}

/* What step STEP stores at index I: integers below 2^16, exact in float. */
static rnn_real value_at(long step, size_t i) {
  return (rnn_real)(((unsigned long)step * 1000003u + i) % 65536u);
}

typedef struct Store {
  rnn_real *params, *slots, *state;
  RnnCkpt c;
} Store;

static int store_alloc(Store *s) {
  memset(s, 0, sizeof *s);
  s->params = malloc(N_PARAMS * sizeof(rnn_real));
  s->slots = malloc(N_PARAMS * sizeof(rnn_real));
  s->state = malloc(N_STATE * sizeof(rnn_real));
  s->c.params = s->params;
  s->c.slots = s->slots;
  s->c.state = s->state;
  return s->params && s->slots && s->state ? 0 : -1;
}

static void store_free(Store *s) {
  free(s->params);
  free(s->slots);
  free(s->state);
}

/* Fills S with what step STEP writes. */
static void fill_step(Store *s, long step) {
  for (size_t i = 0; i < N_PARAMS; i++) {
    s->params[i] = value_at(step, i);
    s->slots[i] = value_at(step, i + 1);
  }
  for (size_t i = 0; i < N_STATE; i++) s->state[i] = value_at(step, i + 2);
  s->c.step = step;
  s->c.opt_step = step;
  s->c.epoch = step / 10;
  s->c.position = step % 10;
  s->c.examples_seen = step * 32;
  s->c.best_valid = step > 1 ? 1.0 / (double)step : HUGE_VAL;
  s->c.last_norm = (double)step;
  for (int i = 0; i < 4; i++) {
    s->c.dropout_rng.s[i] = (uint64_t)step + (uint64_t)i;
    s->c.data_rng.s[i] = ~((uint64_t)step + (uint64_t)i);
  }
  memset(&s->c.vocab, 0, sizeof s->c.vocab);
  s->c.vocab.padding_id = -1;
}

/* Whether S holds exactly what its step writes; names the first field
 * that does not. */
static const char *step_mismatch(const Store *s) {
  long step = s->c.step;
  for (size_t i = 0; i < N_PARAMS; i++) {
    if (s->params[i] != value_at(step, i))
      return "params";
    if (s->slots[i] != value_at(step, i + 1))
      return "slots";
  }
  for (size_t i = 0; i < N_STATE; i++)
    if (s->state[i] != value_at(step, i + 2))
      return "state";
  if (s->c.opt_step != step || s->c.epoch != step / 10 || s->c.position != step % 10 ||
      s->c.examples_seen != step * 32 || s->c.last_norm != (double)step ||
      s->c.best_valid != (step > 1 ? 1.0 / (double)step : HUGE_VAL))
    return "counters";
  if (s->c.dropout_rng.s[3] != (uint64_t)step + 3 || s->c.data_rng.s[3] != ~((uint64_t)step + 3))
    return "rngs";
  return NULL;
}

/* The step to save next: one after PATH's, or 1 when there is none. */
static int next_step(const char *path, const RnnModelDesc *d, Store *s, long *step) {
  RnnError err;
  *step = 1;
  if (access(path, F_OK) != 0)
    return 0;
  if (rnn_ckpt_load(path, d, &s->c, &err) != 0) {
    fprintf(stderr, "ckpt_crash: resume: %s\n", err.msg);
    return -1;
  }
  *step = s->c.step + 1;
  return 0;
}

static int save_steps(const char *path, int forever) {
  RnnModelDesc d = crash_desc();
  Store s;
  long step;
  int rc = store_alloc(&s) != 0 || next_step(path, &d, &s, &step) != 0;
  for (int done = 0; rc == 0 && (forever || done < 1); done++, step++) {
    RnnError err;
    fill_step(&s, step);
    if (rnn_ckpt_save(path, &d, &s.c, &err) != 0) {
      fprintf(stderr, "ckpt_crash: save of step %ld: %s\n", step, err.msg);
      rc = 1;
    }
  }
  store_free(&s);
  return rc ? 1 : 0;
}

/* PATH.yaml, when present, is a whole YAML document. */
static int manifest_parses(const char *path) {
  char yaml_path[4096];
  snprintf(yaml_path, sizeof yaml_path, "%s.yaml", path);
  FILE *f = fopen(yaml_path, "rb");
  if (!f)
    return 1;
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f);
  int ok = yaml_parser_load(&parser, &doc);
  if (ok) {
    ok = yaml_document_get_root_node(&doc) != NULL;
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  fclose(f);
  return ok;
}

static int check_file(const char *path) {
  if (access(path, F_OK) != 0) {
    printf("no checkpoint yet\n");
    return 0;
  }
  RnnModelDesc d = crash_desc();
  Store s;
  RnnError err;
  int rc = 1;
  if (store_alloc(&s) != 0)
    fprintf(stderr, "ckpt_crash: out of memory\n");
  else if (rnn_ckpt_load(path, &d, &s.c, &err) != 0)
    fprintf(stderr, "ckpt_crash: %s\n", err.msg);
  else if (step_mismatch(&s))
    fprintf(stderr, "ckpt_crash: %s: step %ld loads, but its %s are not step %ld's\n", path,
            s.c.step, step_mismatch(&s), s.c.step);
  else if (!manifest_parses(path))
    fprintf(stderr, "ckpt_crash: %s.yaml does not parse\n", path);
  else {
    printf("step %ld loads intact\n", s.c.step);
    rc = 0;
  }
  store_free(&s);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: ckpt_crash save|once|check PATH\n");
    return 2;
  }
  if (strcmp(argv[1], "save") == 0)
    return save_steps(argv[2], 1);
  if (strcmp(argv[1], "once") == 0)
    return save_steps(argv[2], 0);
  if (strcmp(argv[1], "check") == 0)
    return check_file(argv[2]);
  fprintf(stderr, "ckpt_crash: unknown mode '%s'; use save, once or check\n", argv[1]);
  return 2;
}
