/*
 * rnn_file.h - writing a file so that a crash at any moment leaves either
 * the old file or the new one (runtime/program/file.c).
 */
#ifndef RNN_FILE_H
#define RNN_FILE_H

#include <stddef.h>

#include "rnn_model.h"

/* Replaces PATH by the LEN bytes at DATA: PATH.tmp (a leftover one is
 * replaced), fflush, fsync, fclose, rename over PATH, fsync of the
 * directory. Returns 0, or -1 with ERR set: on a failure before the rename
 * PATH is untouched and PATH.tmp gone. */
int rnn_write_atomically(const char *path, const void *data, size_t len, RnnError *err);

/* Whether rnn_write_atomically could write PATH: its directory exists
 * and is writable, and PATH is not a directory. Checked before work whose
 * result PATH will hold (a training run's checkpoint), so that a wrong
 * path fails at once and not after hours. 0, or -1 with ERR naming WHAT
 * ("--checkpoint") and PATH. */
int rnn_check_writable(const char *path, const char *what, RnnError *err);

/* PATH with SUFFIX appended ("PATH.tmp", "PATH.yaml"), malloc'd; NULL when
 * out of memory. */
char *rnn_path_with_suffix(const char *path, const char *suffix);

#endif
