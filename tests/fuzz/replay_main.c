/*
 * replay_main.c - runs a fuzz target over saved inputs, without libFuzzer.
 *
 *   fuzz_rnn_replay FILE|DIR...
 *
 * Each FILE is passed to LLVMFuzzerTestOneInput once; each DIR contributes
 * every regular file in it (not recursively, in name order so runs are
 * repeatable). This turns the seed corpus, the example specs and the error
 * cases into regression tests in every build; under RNNC_SANITIZE they run
 * with AddressSanitizer and UBSan as well. Exit status 0 when every input
 * ran, 1 when a path could not be read (a crash ends the process anyway).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads PATH whole into a malloc'd buffer (not NUL-terminated: the target
 * must not rely on that). Returns NULL on failure with errno set. */
static uint8_t *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  while (buf != NULL) {
    size_t n = fread(buf + len, 1, cap - len, f);
    len += n;
    if (len < cap) {
      if (ferror(f)) {
        free(buf);
        buf = NULL;
      }
      break;
    }
    uint8_t *bigger = realloc(buf, cap * 2);
    if (bigger == NULL) {
      free(buf);
      buf = NULL;
      errno = ENOMEM;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  fclose(f);
  *size = len;
  return buf;
}

static int run_file(const char *path) {
  size_t size;
  uint8_t *data = read_file(path, &size);
  if (data == NULL) {
    fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
    return -1;
  }
  /* An exact-size copy, so ASan catches a read one past the input. */
  uint8_t *exact = malloc(size > 0 ? size : 1);
  if (exact == NULL) {
    free(data);
    fprintf(stderr, "replay: out of memory\n");
    return -1;
  }
  if (size > 0)
    memcpy(exact, data, size);
  free(data);
  LLVMFuzzerTestOneInput(exact, size);
  free(exact);
  return 0;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file directly in DIR, in name order; *COUNT counts
 * them. */
static int run_dir(const char *dir, int *count) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    fprintf(stderr, "replay: cannot open %s: %s\n", dir, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  struct dirent *ent;
  while ((ent = readdir(d)) != NULL) {
    if (ent->d_name[0] == '.')
      continue;
    if (n == cap) {
      size_t grown = cap ? cap * 2 : 64;
      char **bigger = realloc(names, grown * sizeof *names);
      if (bigger == NULL) {
        rc = -1;
        break;
      }
      names = bigger;
      cap = grown;
    }
    size_t len = strlen(dir) + strlen(ent->d_name) + 2;
    names[n] = malloc(len);
    if (names[n] == NULL) {
      rc = -1;
      break;
    }
    snprintf(names[n], len, "%s/%s", dir, ent->d_name);
    n++;
  }
  closedir(d);
  if (rc != 0)
    fprintf(stderr, "replay: out of memory listing %s\n", dir);
  if (n > 0)
    qsort(names, n, sizeof *names, compare_names);
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
      if (run_file(names[i]) != 0)
        rc = -1;
      else
        (*count)++;
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  int status = 0, count = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: cannot open %s: %s\n", argv[i], strerror(errno));
      status = 1;
    } else if (S_ISDIR(st.st_mode)) {
      if (run_dir(argv[i], &count) != 0)
        status = 1;
    } else if (run_file(argv[i]) != 0) {
      status = 1;
    } else {
      count++;
    }
  }
  printf("replay: %d inputs\n", count);
  return status;
}
