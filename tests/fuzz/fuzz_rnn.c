/*
 * fuzz_rnn.c - fuzz target for the .rnn front end and the checker.
 *
 * Input bytes -> source_from_memory -> parse_rnn -> check_model ->
 * canon_yaml (and back through yaml_read). See fuzz_common.h for what is
 * checked, README.md for how to run it.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_one("fuzz.rnn", parse_rnn, data, size);
}
