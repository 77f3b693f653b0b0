/*
 * file.c - the runtime's one way to write a file (rnn_file.h): checkpoints,
 * their manifests, plots and exported parameters all go through
 * rnn_write_atomically, so a crash or a kill leaves the old file or the
 * new one, never half of one.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "rnn_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Contract: see rnn_file.h. */
char *rnn_path_with_suffix(const char *path, const char *suffix) {
  size_t n = strlen(path), m = strlen(suffix);
  char *s = malloc(n + m + 1);
  if (s) {
    memcpy(s, path, n);
    memcpy(s + n, suffix, m + 1);
  }
  return s;
}

/* The directory holding PATH ("." for a bare name), malloc'd; NULL when
 * out of memory. */
static char *directory_of(const char *path) {
  char *dir = malloc(strlen(path) + 2);
  if (!dir)
    return NULL;
  strcpy(dir, path);
  char *slash = strrchr(dir, '/');
  if (!slash)
    strcpy(dir, ".");
  else
    slash[slash == dir ? 1 : 0] = '\0';
  return dir;
}

/* Contract: see rnn_file.h. */
int rnn_check_writable(const char *path, const char *what, RnnError *err) {
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return rnn_error_set(err, "%s %s is a directory: give a file path in it", what, path);
  char *dir = directory_of(path);
  if (!dir)
    return rnn_error_set(err, "%s: out of memory", path);
  int rc = 0;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    rc = rnn_error_set(err, "%s %s: the directory %s does not exist: create it, or give "
                            "another path", what, path, dir);
  else if (access(dir, W_OK | X_OK) != 0)
    rc = rnn_error_set(err, "%s %s: cannot write in the directory %s (%s): give another path",
                       what, path, dir, strerror(errno));
  free(dir);
  return rc;
}

/* fsyncs the directory holding PATH, so the rename itself survives a power
 * failure. Filesystems that cannot sync a directory (EINVAL) are let be. */
static int sync_directory_of(const char *path, RnnError *err) {
  char *dir = directory_of(path);
  if (!dir)
    return rnn_error_set(err, "%s: out of memory", path);
  int rc = 0;
  int fd = open(dir, O_RDONLY);
  if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL))
    rc = rnn_error_set(err,
                       "%s: saved, but syncing its directory %s failed: %s; the file may not "
                       "survive a power failure",
                       path, dir, strerror(errno));
  if (fd >= 0)
    close(fd);
  free(dir);
  return rc;
}

/* Writes DATA to TMP and makes it durable; removes TMP on any failure. */
static int write_durable_temp(const char *tmp, const void *data, size_t len, RnnError *err) {
  /* A PATH.tmp left by a killed run is replaced, not written through:
   * whatever it is (read-only, a link), the new file is a fresh one. */
  if (unlink(tmp) != 0 && errno != ENOENT && errno != EISDIR && errno != EPERM)
    return rnn_error_set(err, "%s: cannot remove the leftover file: %s; remove it by hand", tmp,
                         strerror(errno));
  FILE *fp = fopen(tmp, "wb");
  if (!fp)
    return rnn_error_set(err,
                         "%s: cannot create: %s; check that the directory exists and is writable",
                         tmp, strerror(errno));
  const char *what = NULL;
  int saved_errno = 0;
  if (fwrite(data, 1, len, fp) != len)
    what = "cannot write", saved_errno = errno;
  else if (fflush(fp) != 0)
    what = "cannot write", saved_errno = errno;
  else if (fsync(fileno(fp)) != 0)
    what = "cannot sync to disk", saved_errno = errno;
  if (fclose(fp) != 0 && !what)
    what = "cannot close", saved_errno = errno;
  if (what) {
    remove(tmp);
    return rnn_error_set(err, "%s: %s: %s; check the free space on its disk", tmp, what,
                         strerror(saved_errno));
  }
  return 0;
}

/* Contract: see rnn_file.h. */
int rnn_write_atomically(const char *path, const void *data, size_t len, RnnError *err) {
  char *tmp = rnn_path_with_suffix(path, ".tmp");
  if (!tmp)
    return rnn_error_set(err, "%s: out of memory", path);
  int rc = write_durable_temp(tmp, data, len, err);
  if (rc == 0 && rename(tmp, path) != 0) {
    rc = rnn_error_set(err,
                       "%s: cannot replace it with %s: %s; check that %s is a file you may write",
                       path, tmp, strerror(errno), path);
    remove(tmp);
  }
  free(tmp);
  if (rc == 0)
    rc = sync_directory_of(path, err);
  return rc;
}
