/*
 * log.c - the evaluation log of a training run (rnn_report.h): one row per
 * evaluation, as CSV with a header row or as JSON lines, flushed row by
 * row. Numbers are printed under the C locale (report_internal.h); a NAN
 * ("not measured") is an empty CSV cell or a JSON null, an infinity is
 * inf or -inf in CSV and null in JSON, never "nan".
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* uselocale */
#endif

#include "rnn_report.h"

#include "report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char LOG_CSV_HEADER[] =
    "step,epoch,lr,train_loss,valid_loss,valid_accuracy,grad_norm,seconds,skipped\n";

static int ends_with(const char *s, const char *suffix) {
  size_t ls = strlen(s), lx = strlen(suffix);
  return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Cuts PATH after its last newline: a row cut short (a full disk, or a
 * kill between the pages of one write) would otherwise have the resumed
 * run's first row glued to it. A run killed there had not saved that
 * step's checkpoint yet (the row comes first), so the resumed run logs
 * the step again. Returns 0, or -1 with ERR set. */
static int drop_torn_row(const char *path, RnnError *err) {
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
    return 0; /* none yet, or a terminal or pipe (--log /dev/stdout): fopen decides */
  int fd = open(path, O_RDWR);
  if (fd < 0)
    return rnn_error_set(err, "%s: cannot open the log for writing: %s", path, strerror(errno));
  off_t end = lseek(fd, 0, SEEK_END), keep = end;
  int rc = end < 0 ? -1 : 0;
  for (int found = 0; rc == 0 && keep > 0 && !found;) { /* back to the last '\n' */
    char buf[512];
    size_t n = keep < (off_t)sizeof buf ? (size_t)keep : sizeof buf, i = n;
    if (pread(fd, buf, n, keep - (off_t)n) != (ssize_t)n)
      rc = -1;
    while (rc == 0 && i > 0 && buf[i - 1] != '\n') i--;
    found = i > 0;
    keep -= (off_t)(n - i);
  }
  if (rc == 0 && keep < end)
    rc = ftruncate(fd, keep);
  if (rc != 0)
    rnn_error_set(err, "%s: cannot cut the log's incomplete last row: %s", path,
                  strerror(errno));
  close(fd);
  return rc;
}

/* Opens PATH for the log: JSON lines when it ends in .jsonl or .json, CSV
 * otherwise. APPEND keeps existing rows (a resumed run), but not a last
 * row without its newline (drop_torn_row); a CSV gets its header row when
 * the file starts empty. Returns 0, or -1 with ERR set. */
int rnn_log_open(RnnLog *log, const char *path, int append, RnnError *err) {
  log->f = NULL;
  log->jsonl = ends_with(path, ".jsonl") || ends_with(path, ".json");
  if (append && drop_torn_row(path, err) != 0)
    return -1;
  FILE *f = fopen(path, append ? "a" : "w");
  if (f == NULL) {
    snprintf(err->msg, sizeof err->msg, "%s: cannot open the log for writing: %s", path,
             strerror(errno));
    return -1;
  }
  /* In append mode the position before the first write is unspecified;
   * seek to the end to learn whether the file is empty. */
  long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : 0;
  if (!log->jsonl && size <= 0) fputs(LOG_CSV_HEADER, f);
  if (fflush(f) != 0) {
    snprintf(err->msg, sizeof err->msg, "%s: cannot write the log: %s", path,
             strerror(errno));
    fclose(f);
    return -1;
  }
  log->f = f;
  return 0;
}

/* A CSV cell: %.9g (round-trips a float, enough for a double's display);
 * empty for NaN ("not measured"); inf and -inf as such (pandas and
 * Python's float() read them). */
static void csv_number(FILE *f, double v) {
  if (isnan(v)) return;
  if (isinf(v))
    fputs(v > 0 ? "inf" : "-inf", f);
  else
    fprintf(f, "%.9g", v);
}

/* A JSON value: %.9g, or null for anything JSON cannot represent. */
static void json_number(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.9g", v);
  else
    fputs("null", f);
}

static void log_csv_row(FILE *f, const RnnLogRow *r) {
  const double cells[] = {r->lr,         r->train_loss,     r->valid_loss,
                          r->valid_accuracy, r->grad_norm, r->seconds};
  fprintf(f, "%ld,%ld", r->step, r->epoch);
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
    fputc(',', f);
    csv_number(f, cells[i]);
  }
  fprintf(f, ",%ld\n", r->skipped);
}

static void log_json_row(FILE *f, const RnnLogRow *r) {
  const char *names[] = {"lr", "train_loss", "valid_loss", "valid_accuracy", "grad_norm",
                         "seconds"};
  const double values[] = {r->lr,         r->train_loss,     r->valid_loss,
                           r->valid_accuracy, r->grad_norm, r->seconds};
  fprintf(f, "{\"step\":%ld,\"epoch\":%ld", r->step, r->epoch);
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    fprintf(f, ",\"%s\":", names[i]);
    json_number(f, values[i]);
  }
  fprintf(f, ",\"skipped\":%ld}\n", r->skipped);
}

/* Appends ROW and flushes, so a killed run keeps every row logged so far.
 * Does nothing when the log is not open. Write errors are not reported
 * here (a full disk must not stop training); they surface at close. */
void rnn_log_row(RnnLog *log, const RnnLogRow *row) {
  if (log->f == NULL) return;
  CLocale l = c_locale_enter();
  if (log->jsonl)
    log_json_row(log->f, row);
  else
    log_csv_row(log->f, row);
  c_locale_leave(&l);
  fflush(log->f);
}

/* Closes the log (safe to call twice, or on a log never opened). */
void rnn_log_close(RnnLog *log) {
  if (log->f != NULL) fclose(log->f);
  log->f = NULL;
}
