/*
 * data_csv.c - a numeric series in CSV, one step per line (seed 001):
 * windows of T steps with next-step targets, and the raw series for
 * priming free-running generation.
 */
#include "data_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_blank(const uint8_t *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t') return 0;
  return 1;
}

static int count_cells(const uint8_t *line, size_t len) {
  int cells = 1;
  for (size_t i = 0; i < len; i++) cells += line[i] == ',';
  return cells;
}

/* Walks the comma-separated cells of one line. */
typedef struct CellCursor {
  const uint8_t *pos, *end;
} CellCursor;

/* The next cell with the spaces and tabs around it cut; valid for as many
 * calls as count_cells says. */
static void next_cell(CellCursor *c, const uint8_t **cell, size_t *len) {
  const uint8_t *start = c->pos;
  const uint8_t *comma = memchr(start, ',', (size_t)(c->end - start));
  const uint8_t *stop = comma != NULL ? comma : c->end;
  c->pos = comma != NULL ? comma + 1 : c->end;
  while (start < stop && (*start == ' ' || *start == '\t')) start++;
  while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t')) stop--;
  *cell = start;
  *len = (size_t)(stop - start);
}

typedef enum CellParse { CELL_NUMBER, CELL_NOT_NUMBER, CELL_NOT_FINITE, CELL_TOO_LARGE } CellParse;

/* strtod on a copy (the file's bytes are not NUL-terminated per cell, and
 * strtod would skip a newline as space); the whole cell must be used. */
static CellParse parse_cell(const uint8_t *text, size_t len, float *value) {
  char buf[64];
  if (len == 0 || len >= sizeof buf) return CELL_NOT_NUMBER;
  memcpy(buf, text, len);
  buf[len] = '\0';
  char *end = NULL;
  double v = strtod(buf, &end);
  if (end != buf + len || memchr(buf, '\0', len) != NULL) return CELL_NOT_NUMBER;
  if (!isfinite(v)) return CELL_NOT_FINITE;
  if (fabs(v) > (double)FLT_MAX) return CELL_TOO_LARGE;
  *value = (float)v;
  return CELL_NUMBER;
}

/* A header names the columns: none of its cells is a number. */
static int is_header(const uint8_t *line, size_t len) {
  CellCursor cur = {line, line + len};
  int cells = count_cells(line, len);
  for (int c = 0; c < cells; c++) {
    const uint8_t *cell;
    size_t cell_len;
    float ignored;
    next_cell(&cur, &cell, &cell_len);
    if (parse_cell(cell, cell_len, &ignored) == CELL_NUMBER) return 0;
  }
  return 1;
}

static int csv_column_count_error(const char *path, long number, int count, int features,
                                  int header, RnnError *err) {
  if (header)
    rnn_error_set(err,
                  "%s:%ld: the header names %d columns but the model has %d features: give one "
                  "column per feature",
                  path, number, count, features);
  else
    rnn_error_set(err,
                  "%s:%ld: %d values but the model has %d features: every line needs %d "
                  "comma-separated numbers",
                  path, number, count, features, features);
  return -1;
}

static int csv_cell_error(const char *path, long number, const uint8_t *cell, size_t len,
                          int column, CellParse why, RnnError *err) {
  char shown[200];
  rnn_data_quote(cell, len, shown, sizeof shown);
  const char *what = why == CELL_NOT_FINITE  ? "is not a finite number"
                     : why == CELL_TOO_LARGE ? "is too large for a float"
                                             : "is not a number";
  rnn_error_set(err, "%s:%ld: '%s' %s (column %d)", path, number, shown, what, column + 1);
  return -1;
}

/* Parses the FEATURES numbers of one data line into ROW. */
static int parse_csv_row(const char *path, long number, const uint8_t *line, size_t len,
                         int features, float *row, RnnError *err) {
  int cells = count_cells(line, len);
  if (cells != features) return csv_column_count_error(path, number, cells, features, 0, err);
  CellCursor cur = {line, line + len};
  for (int c = 0; c < features; c++) {
    const uint8_t *cell;
    size_t cell_len;
    next_cell(&cur, &cell, &cell_len);
    CellParse why = parse_cell(cell, cell_len, &row[c]);
    if (why != CELL_NUMBER) return csv_cell_error(path, number, cell, cell_len, c, why, err);
  }
  return 0;
}

/* A growing [rows][features] array of floats. */
typedef struct Series {
  float *values;
  size_t rows, cap;
} Series;

static float *series_new_row(Series *s, int features) {
  if (s->rows == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    float *bigger = realloc(
        s->values, rnn_data_mul_size(rnn_data_mul_size(cap, (size_t)features), sizeof(float)));
    if (bigger == NULL) return NULL;
    s->values = bigger;
    s->cap = cap;
  }
  return s->values + s->rows++ * (size_t)features;
}

/* Parses the lines of FB into S, up to MAX_ROWS data rows (0: all): blank
 * lines are skipped, the first non-blank line may be a header. */
static int parse_csv_lines(const char *path, const FileBytes *fb, int features, size_t max_rows,
                           Series *s, RnnError *err) {
  LineCursor cur;
  rnn_data_start_lines(&cur, fb);
  const uint8_t *line;
  size_t len;
  int first = 1;
  while ((max_rows == 0 || s->rows < max_rows) && rnn_data_next_line(&cur, &line, &len)) {
    if (rnn_data_check_line_length(path, cur.number, len, err) != 0)
      return -1;
    if (is_blank(line, len)) continue;
    if (first && is_header(line, len)) {
      first = 0;
      int cells = count_cells(line, len);
      if (cells != features)
        return csv_column_count_error(path, cur.number, cells, features, 1, err);
      continue;
    }
    first = 0;
    float *row = series_new_row(s, features);
    if (row == NULL)
      return rnn_data_out_of_memory(path, err);
    if (parse_csv_row(path, cur.number, line, len, features, row, err) != 0) return -1;
  }
  if (s->rows > 0) return 0;
  rnn_error_set(err, "%s: no data lines; expected %d comma-separated numbers per line", path,
                features);
  return -1;
}

/* Reads PATH as a series of FEATURES numbers per line (header allowed,
 * blank lines skipped) into a malloc'd [rows][features] array: the first
 * MAX_ROWS rows (0: all). */
static int read_series(const char *path, int features, size_t max_rows, float **values,
                       size_t *rows, RnnError *err) {
  *values = NULL;
  *rows = 0;
  if (features < 1) {
    rnn_error_set(err, "%s: a series needs at least 1 number per step, not %d", path, features);
    return -1;
  }
  FileBytes fb;
  if (rnn_data_read_file(path, "comma-separated numbers, one step per line", &fb, err) != 0)
    return -1;
  Series s = {0};
  int rc = parse_csv_lines(path, &fb, features, max_rows, &s, err);
  free(fb.data);
  if (rc != 0) {
    free(s.values);
    return -1;
  }
  *values = s.values;
  *rows = s.rows;
  return 0;
}

int rnn_csv_read_series(const char *path, int features, float **values, size_t *rows,
                        RnnError *err) {
  return read_series(path, features, 0, values, rows, err);
}

static int csv_check_model(const RnnModelDesc *d, const char *path, RnnError *err) {
  if (d->tokens) {
    rnn_error_set(err,
                  "%s: a CSV series is real-valued: the model needs 'features' input, not 'vocab'",
                  path);
    return -1;
  }
  if (!d->out_per_step) {
    rnn_error_set(err,
                  "%s: CSV windows have a target for every step: the model's output needs "
                  "'per_step true'",
                  path);
    return -1;
  }
  if (d->loss == RNN_LOSS_XENT) {
    rnn_error_set(err,
                  "%s: CSV targets are the next step's numbers: the model needs loss mse, not "
                  "cross_entropy",
                  path);
    return -1;
  }
  if (d->out_units != d->features) {
    rnn_error_set(err,
                  "%s: the next step has %d numbers (the model's features) but the model has %d "
                  "outputs: give the output layer %d units",
                  path, d->features, d->out_units, d->features);
    return -1;
  }
  return 0;
}

/* Window i: steps i..i+T-1 of the series as inputs, i+1..i+T as targets. */
static void fill_windows(const float *series, int features, RnnExamples *ex) {
  size_t step_values = (size_t)ex->steps * (size_t)features;
  for (size_t i = 0; i < ex->n; i++) {
    memcpy(ex->x + i * step_values, series + i * (size_t)features,
           step_values * sizeof(float));
    memcpy(ex->target + i * step_values, series + (i + 1) * (size_t)features,
           step_values * sizeof(float));
    ex->lengths[i] = ex->steps;
  }
}

/* Every window of T steps with next-step targets (seed 001): rows - T
 * examples of a series of ROWS lines; OPT->max windows need only the
 * first max + T rows. */
int rnn_csv_load(const char *path, const RnnModelDesc *d, const RnnLoadOptions *opt,
                 RnnExamples *ex, RnnError *err) {
  memset(ex, 0, sizeof *ex);
  if (csv_check_model(d, path, err) != 0) return -1;
  size_t max = rnn_data_options(opt)->max;
  float *series = NULL;
  size_t rows = 0;
  if (read_series(path, d->features, max > 0 ? max + (size_t)d->length : 0, &series, &rows,
                  err) != 0)
    return -1;
  if (rows < (size_t)d->length + 1) {
    rnn_error_set(err,
                  "%s: %zu rows make no window: length %d needs at least %d rows (length + 1); use "
                  "a longer series or a smaller 'length'",
                  path, rows, d->length, d->length + 1);
    free(series);
    return -1;
  }
  ex->steps = d->length;
  ex->features = d->features;
  ex->per_step = 1;
  ex->out = d->features;
  if (rnn_data_examples_alloc(ex, rows - (size_t)d->length) != 0) {
    free(series);
    return rnn_data_out_of_memory(path, err);
  }
  fill_windows(series, d->features, ex);
  free(series);
  return 0;
}
