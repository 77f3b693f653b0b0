/*
 * failmalloc.c - an LD_PRELOAD shim for the out-of-memory tests
 * (tests/e2e/e2e.sh, case oom): malloc of exactly RNNC_FAIL_MALLOC bytes
 * returns NULL; every other request goes to glibc's allocator.
 *
 * A size picks one allocation deterministically (the data order of N
 * examples is N * 8 bytes) where a count of calls would move with every
 * change to the program.
 */
#include <stdlib.h>

extern void *__libc_malloc(size_t n);

void *malloc(size_t n) {
  static long fail_size = -2; /* -2: not read yet; -1: none */
  if (fail_size == -2) {
    const char *v = getenv("RNNC_FAIL_MALLOC");
    fail_size = v ? atol(v) : -1;
  }
  if (fail_size >= 0 && n == (size_t)fail_size)
    return NULL;
  return __libc_malloc(n);
}
