/*
 * test_sha256.c - SHA-256 against the FIPS 180-4 example vectors.
 *
 * Each vector is checked one-shot and again fed in awkward chunk sizes, so
 * the incremental path (block boundaries, padding that spills into a second
 * block) is covered too. Prints "N passed, M failed"; exits 1 on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compiler/sha256.h"

typedef struct Tally {
  int passed;
  int failed;
} Tally;

typedef struct Vector {
  const char *label;
  const char *message; /* repeated `repeat` times */
  size_t repeat;
  const char *expected;
} Vector;

static const Vector k_vectors[] = {
    {"empty", "", 1,
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "abc", 1,
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"448-bit", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"896-bit",
     "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
     "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
     1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    {"million a", "a", 1000000,
     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

static void check(Tally *t, const char *label, const char *how,
                  const char *got, const char *expected) {
  if (strcmp(got, expected) == 0) {
    t->passed++;
    return;
  }
  t->failed++;
  fprintf(stderr, "FAIL %s (%s)\n  got      %s\n  expected %s\n", label, how,
          got, expected);
}

/* The whole message in one buffer; NULL when out of memory. */
static char *expand(const Vector *v, size_t *len) {
  size_t unit = strlen(v->message);
  *len = unit * v->repeat;
  char *buf = malloc(*len + 1);
  if (buf == NULL) return NULL;
  for (size_t i = 0; i < v->repeat; i++) memcpy(buf + i * unit, v->message, unit);
  buf[*len] = '\0';
  return buf;
}

static void hash_in_chunks(const char *data, size_t len, size_t chunk,
                           char hex[65]) {
  Sha256 ctx;
  uint8_t digest[32];
  sha256_init(&ctx);
  for (size_t at = 0; at < len; at += chunk) {
    size_t n = len - at < chunk ? len - at : chunk;
    sha256_update(&ctx, data + at, n);
  }
  sha256_final(&ctx, digest);
  sha256_to_hex(digest, hex);
}

static void check_vector(Tally *t, const Vector *v) {
  size_t len;
  char *data = expand(v, &len);
  if (data == NULL) {
    t->failed++;
    fprintf(stderr, "FAIL %s: out of memory\n", v->label);
    return;
  }
  char hex[65];
  sha256_hex(data, len, hex);
  check(t, v->label, "one-shot", hex, v->expected);

  /* 1, a prime straddling blocks, one short of a block, and a block. */
  static const size_t chunks[] = {1, 7, 63, 64};
  for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
    char how[32];
    snprintf(how, sizeof how, "chunks of %zu", chunks[i]);
    hash_in_chunks(data, len, chunks[i], hex);
    check(t, v->label, how, hex, v->expected);
  }
  free(data);
}

/* Lengths around the padding boundary (55, 56, 63, 64 bytes) must agree
 * between the one-shot and byte-at-a-time paths. */
static void check_padding_boundaries(Tally *t) {
  char data[130];
  memset(data, 'x', sizeof data);
  for (size_t len = 50; len <= sizeof data; len++) {
    char whole[65], bytes[65], label[32];
    sha256_hex(data, len, whole);
    hash_in_chunks(data, len, 1, bytes);
    snprintf(label, sizeof label, "length %zu", len);
    check(t, label, "one-shot vs bytewise", bytes, whole);
  }
}

int main(void) {
  Tally t = {0, 0};
  for (size_t i = 0; i < sizeof k_vectors / sizeof k_vectors[0]; i++)
    check_vector(&t, &k_vectors[i]);
  check_padding_boundaries(&t);
  printf("%d passed, %d failed\n", t.passed, t.failed);
  return t.failed == 0 ? 0 : 1;
}
