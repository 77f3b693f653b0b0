/*
 * test_sample.c - the token sampler (runtime/program/sample.c) and the run's
 * report (runtime/program/progress.c, log.c, plot.c): sampling frequencies
 * against the tempered top-k distribution, argmax limits, fallbacks,
 * reproducibility; the log's exact CSV and JSON lines; SVG plots for
 * normal, empty, constant and gappy inputs; the plain progress lines and
 * the done line.
 *
 * Built twice by CMake (float and -DRNN_REAL_DOUBLE). Every check prints
 * one line; the run ends with "N passed, M failed" and exits nonzero on
 * any failure. Files go to a fresh directory under $TMPDIR (or /tmp),
 * removed at the end.
 */
#include "rnn_report.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* NAN is a float constant; spelled out where a double is wanted, for
 * -Wdouble-promotion. */
#define NAN_D ((double)NAN)
#define NAN_R ((rnn_real)NAN)

#ifdef RNN_REAL_DOUBLE
static const char PRECISION[] = "double";
#else
static const char PRECISION[] = "float";
#endif

/* ---------------------------------------------------------------------- */
/* Reporting                                                              */
/* ---------------------------------------------------------------------- */

typedef struct Tally {
  int passed, failed;
} Tally;

/* Records one yes/no check, with DETAIL (may be empty) after its name. */
static void check(Tally *t, const char *name, int ok, const char *detail) {
  if (ok)
    t->passed++;
  else
    t->failed++;
  printf("%-4s %-62s %s\n", ok ? "ok" : "FAIL", name, detail);
}

/* Records a measured error against a tolerance (a NaN error fails). */
static void check_err(Tally *t, const char *name, double worst, double tol) {
  char detail[64];
  snprintf(detail, sizeof detail, "worst %.3e  tol %.1e", worst, tol);
  check(t, name, worst <= tol, detail);
}

static void *checked_malloc(size_t size) {
  void *p = malloc(size ? size : 1);
  if (p == NULL) {
    fprintf(stderr, "test_sample: out of memory\n");
    exit(2);
  }
  return p;
}

/* ---------------------------------------------------------------------- */
/* Files                                                                  */
/* ---------------------------------------------------------------------- */

/* The test's scratch directory and the paths made in it. */
typedef struct Scratch {
  char dir[256];
  char paths[32][320];
  int count;
} Scratch;

static int scratch_open(Scratch *s) {
  const char *base = getenv("TMPDIR");
  snprintf(s->dir, sizeof s->dir, "%s/rnn_test_sample_XXXXXX", base && *base ? base : "/tmp");
  s->count = 0;
  return mkdtemp(s->dir) != NULL;
}

/* DIR/NAME, remembered for removal (NAME.tmp too, in case one is left). */
static const char *scratch_path(Scratch *s, const char *name) {
  if (s->count >= 32) {
    fprintf(stderr, "test_sample: too many scratch files\n");
    exit(2);
  }
  /* A copy of dir: gcc's -Wrestrict cannot tell dir and paths apart. */
  char dir[sizeof s->dir];
  memcpy(dir, s->dir, sizeof dir);
  char *p = s->paths[s->count++];
  snprintf(p, sizeof s->paths[0], "%s/%s", dir, name);
  return p;
}

static void scratch_close(Scratch *s) {
  char tmp[340];
  for (int i = 0; i < s->count; i++) {
    remove(s->paths[i]);
    snprintf(tmp, sizeof tmp, "%s.tmp", s->paths[i]);
    remove(tmp);
  }
  rmdir(s->dir);
}

/* The whole contents of a stream from its start, NUL-terminated. */
static char *read_stream(FILE *f) {
  size_t cap = 4096, len = 0;
  char *buf = checked_malloc(cap);
  rewind(f);
  for (;;) {
    len += fread(buf + len, 1, cap - 1 - len, f);
    if (len < cap - 1) break;
    cap *= 2;
    char *grown = realloc(buf, cap);
    if (grown == NULL) {
      fprintf(stderr, "test_sample: out of memory\n");
      exit(2);
    }
    buf = grown;
  }
  buf[len] = '\0';
  return buf;
}

/* The file at PATH, NUL-terminated, or NULL when it cannot be read. */
static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  char *text = read_stream(f);
  fclose(f);
  return text;
}

static int file_exists(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f != NULL) fclose(f);
  return f != NULL;
}

/* ---------------------------------------------------------------------- */
/* Sampling                                                               */
/* ---------------------------------------------------------------------- */

enum { DRAWS = 200000, N_PROBS = 8 };

/* Distinct values, so the top k is unambiguous; they sum to 1. */
static const double PROBS[N_PROBS] = {0.05, 0.30, 0.10, 0.25, 0.02, 0.18, 0.07, 0.03};

/* What rnn_sample_index should draw: p^(1/t) over the K largest (0: all),
 * renormalized. Ranks by counting larger values (values are distinct). */
static void tempered_top_k(const double *p, int n, double t, int k, double *expect) {
  double sum = 0;
  for (int i = 0; i < n; i++) {
    int larger = 0;
    for (int j = 0; j < n; j++) larger += p[j] > p[i];
    expect[i] = (k <= 0 || larger < k) ? pow(p[i], 1.0 / t) : 0;
    sum += expect[i];
  }
  for (int i = 0; i < n; i++) expect[i] /= sum;
}

/* Frequencies of DRAWS samples from P (n values) against EXPECT: the
 * largest absolute difference; *outside counts draws where EXPECT is 0. */
static double sampling_error(const rnn_real *p, int n, double t, int k, const double *expect,
                             long *outside) {
  long counts[N_PROBS] = {0};
  RnnRng rng;
  *outside = 0;
  rnn_rng_seed(&rng, 12345);
  for (long d = 0; d < DRAWS; d++) {
    int i = rnn_sample_index(p, n, t, k, &rng);
    if (i < 0 || i >= n) return HUGE_VAL;
    counts[i]++;
  }
  double worst = 0;
  for (int i = 0; i < n; i++) {
    worst = fmax(worst, fabs((double)counts[i] / DRAWS - expect[i]));
    if (expect[i] == 0) *outside += counts[i];
  }
  return worst;
}

static void test_sampling_frequencies(Tally *t) {
  static const double temperatures[] = {1.0, 0.5, 2.0};
  static const int top_ks[] = {0, 3, 1};
  rnn_real p[N_PROBS];
  for (int i = 0; i < N_PROBS; i++) p[i] = (rnn_real)PROBS[i];
  for (int a = 0; a < 3; a++) {
    for (int b = 0; b < 3; b++) {
      double expect[N_PROBS], temp = temperatures[a];
      int k = top_ks[b];
      long outside;
      char name[96];
      tempered_top_k(PROBS, N_PROBS, temp, k, expect);
      double worst = sampling_error(p, N_PROBS, temp, k, expect, &outside);
      snprintf(name, sizeof name, "sample t=%.1f top_k=%d: frequencies (200k draws)", temp, k);
      check_err(t, name, worst, 0.01);
      snprintf(name, sizeof name, "sample t=%.1f top_k=%d: never outside the top k", temp, k);
      check(t, name, outside == 0, "");
    }
  }
}

/* Equal values at the top-k cut: the lowest indices are taken. */
static void test_sampling_ties(Tally *t) {
  const rnn_real p[5] = {(rnn_real)0.2, (rnn_real)0.3, (rnn_real)0.2, (rnn_real)0.2,
                         (rnn_real)0.1};
  const double expect2[5] = {0.4, 0.6, 0, 0, 0};
  const double expect3[5] = {2.0 / 7, 3.0 / 7, 2.0 / 7, 0, 0};
  long outside;
  double worst = sampling_error(p, 5, 1.0, 2, expect2, &outside);
  check_err(t, "sample ties at the cut, top_k=2: lowest index kept", worst, 0.01);
  check(t, "sample ties at the cut, top_k=2: others never drawn", outside == 0, "");
  worst = sampling_error(p, 5, 1.0, 3, expect3, &outside);
  check_err(t, "sample ties at the cut, top_k=3: two lowest kept", worst, 0.01);
  check(t, "sample ties at the cut, top_k=3: others never drawn", outside == 0, "");
}

/* Every one of DRAWS calls returns WANT. */
static int always_returns(const rnn_real *p, int n, double temp, int k, int want) {
  RnnRng rng;
  rnn_rng_seed(&rng, 7);
  for (int d = 0; d < 10000; d++)
    if (rnn_sample_index(p, n, temp, k, &rng) != want) return 0;
  return 1;
}

static void test_sampling_argmax(Tally *t) {
  rnn_real p[N_PROBS];
  for (int i = 0; i < N_PROBS; i++) p[i] = (rnn_real)PROBS[i];
  check(t, "sample t=1e-9: argmax", always_returns(p, N_PROBS, 1e-9, 0, 1), "");
  check(t, "sample t=0: argmax (no division by zero)", always_returns(p, N_PROBS, 0, 0, 1),
        "");
  check(t, "sample t<0 and t=NaN: argmax", always_returns(p, N_PROBS, -1, 0, 1) &&
                                               always_returns(p, N_PROBS, NAN_D, 0, 1),
        "");
  check(t, "sample t=1e-3 (above the argmax cut): still the argmax",
        always_returns(p, N_PROBS, 1e-3, 0, 1), "");
  check(t, "sample top_k=1 at t=2: argmax", always_returns(p, N_PROBS, 2.0, 1, 1), "");

  const rnn_real tied[4] = {(rnn_real)0.4, (rnn_real)0.1, (rnn_real)0.4, (rnn_real)0.1};
  check(t, "sample argmax of tied maxima: lowest index",
        always_returns(tied, 4, 1e-9, 0, 0) && always_returns(tied, 4, 1.0, 1, 0), "");
}

static void test_sampling_fallbacks(Tally *t) {
  const rnn_real zeros[4] = {0, 0, 0, 0};
  const rnn_real nans[3] = {NAN_R, NAN_R, NAN_R};
  const rnn_real nonpositive[4] = {-1, 0, NAN_R, (rnn_real)-0.5};
  const rnn_real one_left[4] = {0, NAN_R, (rnn_real)0.25, 0};
  check(t, "sample all zero: index 0", always_returns(zeros, 4, 1.0, 0, 0), "");
  check(t, "sample all NaN: index 0", always_returns(nans, 3, 1.0, 0, 0), "");
  check(t, "sample none positive: argmax of the input",
        always_returns(nonpositive, 4, 1.0, 0, 1) && always_returns(nonpositive, 4, 0.5, 3, 1),
        "");
  check(t, "sample one positive among zeros and NaN: that one",
        always_returns(one_left, 4, 2.0, 0, 2) && always_returns(one_left, 4, 0.7, 2, 2), "");
  check(t, "sample n=0: index 0", always_returns(zeros, 0, 1.0, 0, 0), "");
}

/* One call advances RNG exactly like one rnn_rng_next, on every path. */
static int consumes_once(const rnn_real *p, int n, double temp, int k) {
  RnnRng a, b;
  rnn_rng_seed(&a, 99);
  b = a;
  rnn_sample_index(p, n, temp, k, &a);
  rnn_rng_next(&b);
  return memcmp(&a, &b, sizeof a) == 0;
}

static void test_sampling_reproducible(Tally *t) {
  rnn_real p[N_PROBS];
  const rnn_real zeros[2] = {0, 0};
  for (int i = 0; i < N_PROBS; i++) p[i] = (rnn_real)PROBS[i];
  check(t, "sample consumes the rng once: full, top-k, argmax, fallback, n=0",
        consumes_once(p, N_PROBS, 1.0, 0) && consumes_once(p, N_PROBS, 0.8, 3) &&
            consumes_once(p, N_PROBS, 0, 0) && consumes_once(p, N_PROBS, 1.0, 1) &&
            consumes_once(zeros, 2, 1.0, 0) && consumes_once(zeros, 0, 1.0, 0),
        "");

  RnnRng a, b, c;
  rnn_rng_seed(&a, 2024);
  rnn_rng_seed(&b, 2024);
  rnn_rng_seed(&c, 2025);
  int same = 1, differs = 0;
  for (int d = 0; d < 5000; d++) {
    int x = rnn_sample_index(p, N_PROBS, 0.9, 4, &a);
    int y = rnn_sample_index(p, N_PROBS, 0.9, 4, &b);
    int z = rnn_sample_index(p, N_PROBS, 0.9, 4, &c);
    same &= x == y;
    differs |= x != z;
  }
  check(t, "sample same seed: same sequence", same, "");
  check(t, "sample other seed: another sequence", differs, "");
}

static int compare_desc(const void *a, const void *b) {
  rnn_real x = *(const rnn_real *)a, y = *(const rnn_real *)b;
  return (x < y) - (x > y);
}

/* A 65536-way softmax with top_k 1000: every draw is among the 1000
 * largest (no buffer in the sampler, so this is the bisection at scale). */
static void test_sampling_large(Tally *t) {
  enum { N = 65536, K = 1000 };
  rnn_real *p = checked_malloc(N * sizeof *p), *sorted = checked_malloc(N * sizeof *p);
  RnnRng rng;
  rnn_rng_seed(&rng, 5);
  double sum = 0;
  for (int i = 0; i < N; i++) sum += (double)(p[i] = (rnn_real)exp(4 * rnn_rng_normal(&rng)));
  for (int i = 0; i < N; i++) p[i] = (rnn_real)((double)p[i] / sum);
  memcpy(sorted, p, N * sizeof *p);
  qsort(sorted, N, sizeof *sorted, compare_desc);
  int inside = 1;
  for (int d = 0; d < 40; d++) {
    int i = rnn_sample_index(p, N, 1.5, K, &rng);
    inside &= i >= 0 && i < N && p[i] >= sorted[K - 1];
  }
  check(t, "sample n=65536 top_k=1000: draws within the top k", inside, "");
  free(p);
  free(sorted);
}

/* ---------------------------------------------------------------------- */
/* Log                                                                    */
/* ---------------------------------------------------------------------- */

static const char CSV_HEADER[] =
    "step,epoch,lr,train_loss,valid_loss,valid_accuracy,grad_norm,seconds,skipped\n";

static RnnLogRow nan_row(void) {
  RnnLogRow r = {100, 2, 0.001, 1.5, NAN_D, NAN_D, 0.25, 12.5, 0};
  return r;
}

static RnnLogRow full_row(void) {
  RnnLogRow r = {200, 3, 0.0005, 1.25, 1.375, 0.875, 0.5, 25.125, 0};
  return r;
}

/* Writes ROWS to a fresh log at PATH (APPEND as given); the file's text. */
static char *write_log(const char *path, int append, const RnnLogRow *rows, int n) {
  RnnLog log;
  RnnError err;
  if (rnn_log_open(&log, path, append, &err) != 0) {
    printf("     %s\n", err.msg);
    return NULL;
  }
  for (int i = 0; i < n; i++) rnn_log_row(&log, &rows[i]);
  rnn_log_close(&log);
  return read_file(path);
}

static void check_text(Tally *t, const char *name, const char *got, const char *want) {
  int ok = got != NULL && strcmp(got, want) == 0;
  check(t, name, ok, "");
  if (!ok) printf("     got:  %s\n     want: %s\n", got ? got : "(no file)", want);
}

static void test_log_csv(Tally *t, Scratch *s) {
  const char *path = scratch_path(s, "log.csv");
  RnnLogRow rows[2] = {nan_row(), full_row()};
  char *text = write_log(path, 0, rows, 1);
  char want[512];
  snprintf(want, sizeof want, "%s100,2,0.001,1.5,,,0.25,12.5,0\n", CSV_HEADER);
  check_text(t, "log csv: header and a NAN row (empty cells)", text, want);
  free(text);

  text = write_log(path, 1, rows + 1, 1);
  snprintf(want, sizeof want, "%s100,2,0.001,1.5,,,0.25,12.5,0\n200,3,0.0005,1.25,1.375,0.875,0.5,25.125,0\n",
           CSV_HEADER);
  check_text(t, "log csv: append keeps rows, no second header", text, want);
  free(text);

  text = write_log(path, 0, rows + 1, 1);
  snprintf(want, sizeof want, "%s200,3,0.0005,1.25,1.375,0.875,0.5,25.125,0\n", CSV_HEADER);
  check_text(t, "log csv: no append truncates", text, want);
  free(text);

  const char *fresh = scratch_path(s, "fresh.csv");
  text = write_log(fresh, 1, rows, 1);
  snprintf(want, sizeof want, "%s100,2,0.001,1.5,,,0.25,12.5,0\n", CSV_HEADER);
  check_text(t, "log csv: append to a new file writes the header", text, want);
  free(text);
}

/* Writes TEXT to PATH; 0, or -1. */
static int put_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* A log whose last row was cut short (a kill or a full disk while it was
 * written): a resumed run's rows start on a line of their own. */
static void test_log_torn(Tally *t, Scratch *s) {
  const char *path = scratch_path(s, "torn.csv");
  RnnLogRow row = full_row();
  const char *row_text = "200,3,0.0005,1.25,1.375,0.875,0.5,25.125,0\n";
  char before[512], want[512];
  snprintf(before, sizeof before, "%s100,2,0.001,1.5,,,0.25,12.5,0\n200,3,0.00", CSV_HEADER);
  snprintf(want, sizeof want, "%s100,2,0.001,1.5,,,0.25,12.5,0\n%s", CSV_HEADER, row_text);
  char *text = put_text(path, before) == 0 ? write_log(path, 1, &row, 1) : NULL;
  check_text(t, "log csv: append drops a last row without its newline", text, want);
  free(text);

  snprintf(want, sizeof want, "%s%s", CSV_HEADER, row_text);
  text = put_text(path, "step,epoch,lr,tr") == 0 ? write_log(path, 1, &row, 1) : NULL;
  check_text(t, "log csv: append after half a header: the header again", text, want);
  free(text);

  const char *jpath = scratch_path(s, "torn.jsonl");
  text = put_text(jpath, "{\"step\":100,\"epoch\":2,\"lr\":0.0") == 0
             ? write_log(jpath, 1, &row, 1)
             : NULL;
  check_text(t, "log jsonl: append drops a last row without its newline", text,
             "{\"step\":200,\"epoch\":3,\"lr\":0.0005,\"train_loss\":1.25,\"valid_loss\":1.375,"
             "\"valid_accuracy\":0.875,\"grad_norm\":0.5,\"seconds\":25.125,\"skipped\":0}\n");
  free(text);
}

static void test_log_jsonl(Tally *t, Scratch *s) {
  RnnLogRow rows[2] = {nan_row(), full_row()};
  const char *want =
      "{\"step\":100,\"epoch\":2,\"lr\":0.001,\"train_loss\":1.5,\"valid_loss\":null,"
      "\"valid_accuracy\":null,\"grad_norm\":0.25,\"seconds\":12.5,\"skipped\":0}\n"
      "{\"step\":200,\"epoch\":3,\"lr\":0.0005,\"train_loss\":1.25,\"valid_loss\":1.375,"
      "\"valid_accuracy\":0.875,\"grad_norm\":0.5,\"seconds\":25.125,\"skipped\":0}\n";
  char *text = write_log(scratch_path(s, "log.jsonl"), 0, rows, 2);
  check_text(t, "log jsonl: null for NAN, %.9g numbers, no header", text, want);
  free(text);
  text = write_log(scratch_path(s, "log.json"), 0, rows, 2);
  check_text(t, "log .json: JSON lines too", text, want);
  free(text);

  RnnLogRow odd = {1, 0, 1.0 / 3.0, HUGE_VAL, -HUGE_VAL, 0, 1e-12, 0, 0};
  text = write_log(scratch_path(s, "odd.jsonl"), 0, &odd, 1);
  check_text(t, "log jsonl: inf is null, 9 significant digits", text,
             "{\"step\":1,\"epoch\":0,\"lr\":0.333333333,\"train_loss\":null,"
             "\"valid_loss\":null,\"valid_accuracy\":0,\"grad_norm\":1e-12,\"seconds\":0,\"skipped\":0}\n");
  free(text);
}

static void test_log_errors(Tally *t, Scratch *s) {
  char path[400];
  snprintf(path, sizeof path, "%s/no/such/dir/log.csv", s->dir);
  RnnLog log;
  RnnError err;
  err.msg[0] = '\0';
  int rc = rnn_log_open(&log, path, 0, &err);
  check(t, "log open in a missing directory: -1, message names the path",
        rc == -1 && strstr(err.msg, path) == err.msg && log.f == NULL, err.msg);
  RnnLogRow r = nan_row();
  rnn_log_row(&log, &r); /* a log that is not open: no-op, no crash */
  rnn_log_close(&log);
  check(t, "log row and close on an unopened log: no-op", log.f == NULL, "");
}

/* ---------------------------------------------------------------------- */
/* Plots                                                                  */
/* ---------------------------------------------------------------------- */

static int starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int count_char(const char *s, char c) {
  int n = 0;
  for (; *s; s++) n += *s == c;
  return n;
}

static int count_substr(const char *s, const char *sub) {
  int n = 0;
  for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub)) n++;
  return n;
}

/* Case-insensitive: does TEXT contain WORD? */
static int contains_nocase(const char *text, const char *word) {
  size_t n = strlen(word);
  for (const char *p = text; *p; p++) {
    size_t i = 0;
    while (i < n && p[i] && tolower((unsigned char)p[i]) == word[i]) i++;
    if (i == n) return 1;
  }
  return 0;
}

/* Well-formed enough: starts with <svg, ends with </svg>, angle brackets
 * balance, every <text> closes, no nan/inf anywhere. "" when fine, else
 * what is wrong. */
static const char *svg_problem(const char *svg) {
  if (svg == NULL) return "no file";
  if (strncmp(svg, "<svg", 4) != 0) return "does not start with <svg";
  size_t len = strlen(svg);
  while (len > 0 && isspace((unsigned char)svg[len - 1])) len--;
  if (len < 6 || strncmp(svg + len - 6, "</svg>", 6) != 0) return "does not end with </svg>";
  if (count_char(svg, '<') != count_char(svg, '>')) return "unbalanced < and >";
  if (count_substr(svg, "<text") != count_substr(svg, "</text>")) return "unclosed <text>";
  if (count_substr(svg, "<svg") != 1) return "more than one <svg";
  if (contains_nocase(svg, "nan")) return "contains nan";
  if (contains_nocase(svg, "inf")) return "contains inf";
  return "";
}

/* Checks the SVG at PATH (and that no PATH.tmp is left); returns its text
 * (caller frees) or NULL. */
static char *check_svg(Tally *t, const char *name, const char *path, int rc, const RnnError *err) {
  char tmp[400];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  char *svg = rc == 0 ? read_file(path) : NULL;
  const char *problem = rc != 0 ? err->msg : svg_problem(svg);
  if (*problem == '\0' && file_exists(tmp)) problem = "PATH.tmp left behind";
  check(t, name, *problem == '\0', problem);
  return svg;
}

static void fill_rows(RnnLogRow *rows, int n) {
  for (int i = 0; i < n; i++) {
    double x = (double)i;
    RnnLogRow r = {100 * (i + 1), i / 10, 0.01, 3.0 * exp(-x / 15) + 0.4,
                   i % 5 == 4 ? 3.2 * exp(-x / 18) + 0.5 : NAN_D,
                   i % 5 == 4 ? 0.9 - 0.8 * exp(-x / 10) : NAN_D, 1.0, x, 0};
    rows[i] = r;
  }
}

static void test_plot_curves(Tally *t, Scratch *s) {
  enum { N = 60 };
  RnnLogRow rows[N];
  RnnError err;
  fill_rows(rows, N);
  rows[7].train_loss = NAN_D; /* a gap in the train curve */

  const char *path = scratch_path(s, "curves.svg");
  int rc = rnn_plot_curves(path, "chargen <lstm> & \"co\"", rows, N, &err);
  char *svg = check_svg(t, "plot curves: normal run with NAN gaps", path, rc, &err);
  check(t, "plot curves: legend and both axes' captions",
        svg && strstr(svg, "train loss") && strstr(svg, "valid loss") &&
            strstr(svg, "valid accuracy") && strstr(svg, ">loss<") && strstr(svg, ">accuracy<"),
        "");
  check(t, "plot curves: title escaped",
        svg && strstr(svg, "chargen &lt;lstm&gt; &amp; &quot;co&quot;"), "");
  check(t, "plot curves: nice tick labels", svg && strstr(svg, ">6000<") && strstr(svg, ">0.4<"),
        "");

  const char *again = scratch_path(s, "curves2.svg");
  rc = rnn_plot_curves(again, "chargen <lstm> & \"co\"", rows, N, &err);
  char *svg2 = rc == 0 ? read_file(again) : NULL;
  check(t, "plot curves: identical input, identical bytes",
        svg && svg2 && strcmp(svg, svg2) == 0, "");
  free(svg);
  free(svg2);

  path = scratch_path(s, "empty.svg");
  rc = rnn_plot_curves(path, "empty", NULL, 0, &err);
  svg = check_svg(t, "plot curves: n = 0", path, rc, &err);
  check(t, "plot curves: n = 0 says no data", svg && strstr(svg, "no data"), "");
  free(svg);

  path = scratch_path(s, "one.svg");
  rc = rnn_plot_curves(path, "one row", rows, 1, &err);
  free(check_svg(t, "plot curves: n = 1", path, rc, &err));

  RnnLogRow flat[5];
  for (int i = 0; i < 5; i++) {
    RnnLogRow r = {i == 0 ? 0 : 10, 0, 0.1, 2.0, 2.0, 0.5, 1, 1, 0};
    flat[i] = r; /* constant values, repeated steps */
  }
  path = scratch_path(s, "flat.svg");
  rc = rnn_plot_curves(path, "constant", flat, 5, &err);
  free(check_svg(t, "plot curves: constant values", path, rc, &err));

  RnnLogRow nothing[3];
  for (int i = 0; i < 3; i++) {
    RnnLogRow r = {i, 0, NAN_D, NAN_D, NAN_D, NAN_D, NAN_D, NAN_D, 0};
    nothing[i] = r;
  }
  nothing[1].train_loss = HUGE_VAL;
  path = scratch_path(s, "allnan.svg");
  rc = rnn_plot_curves(path, "nothing measured", nothing, 3, &err);
  svg = check_svg(t, "plot curves: every value NAN or inf", path, rc, &err);
  check(t, "plot curves: all-NAN curves left out of the legend",
        svg && !strstr(svg, "train loss") && !strstr(svg, "valid accuracy"), "");
  free(svg);
}

static void test_plot_series(Tally *t, Scratch *s) {
  enum { N = 200 };
  float truth[N], pred[N];
  RnnError err;
  for (int i = 0; i < N; i++) {
    truth[i] = (float)sin(0.1 * i);
    pred[i] = (float)(0.9 * sin(0.1 * (i + 100)));
  }
  const char *path = scratch_path(s, "series.svg");
  int rc = rnn_plot_series(path, "series", truth, N, pred, N / 2, N / 2, &err);
  char *svg = check_svg(t, "plot series: truth and a generated continuation", path, rc, &err);
  check(t, "plot series: both in the legend, two colours",
        svg && strstr(svg, ">truth<") && strstr(svg, ">prediction<") &&
            strstr(svg, "#1f77b4") && strstr(svg, "#d62728"),
        "");
  free(svg);

  path = scratch_path(s, "series_empty.svg");
  rc = rnn_plot_series(path, "nothing", NULL, 0, NULL, 0, 0, &err);
  free(check_svg(t, "plot series: both NULL", path, rc, &err));

  float flat[3] = {5, 5, 5};
  path = scratch_path(s, "series_flat.svg");
  rc = rnn_plot_series(path, "flat", flat, 3, flat, 1, 0, &err);
  free(check_svg(t, "plot series: constant values, one-point prediction", path, rc, &err));

  float gappy[6] = {1, NAN, 2, INFINITY, 0, -1};
  path = scratch_path(s, "series_gappy.svg");
  rc = rnn_plot_series(path, "gappy", gappy, 6, NULL, 0, 0, &err);
  free(check_svg(t, "plot series: NaN and inf values skipped", path, rc, &err));

  char bad[400];
  snprintf(bad, sizeof bad, "%s/missing/plot.svg", s->dir);
  err.msg[0] = '\0';
  rc = rnn_plot_series(bad, "x", truth, N, NULL, 0, 0, &err);
  check(t, "plot into a missing directory: -1, message names the path",
        rc == -1 && strstr(err.msg, bad) != NULL, err.msg);
}

/* ---------------------------------------------------------------------- */
/* Locale                                                                 */
/* ---------------------------------------------------------------------- */

/* Under a locale with a decimal comma (when the system has one), the log
 * still writes decimal points and a plot is byte-identical to the C
 * locale's. */
static void test_decimal_comma_locale(Tally *t, Scratch *s) {
  static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
                                "de_DE", "fr_FR"};
  const char *found = NULL;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && !found; i++)
    if (setlocale(LC_NUMERIC, names[i]) != NULL) found = names[i];
  if (!found) {
    printf("skip decimal-comma locale checks (no such locale installed)\n");
    return;
  }
  enum { N = 30 };
  RnnLogRow r = nan_row(), rows[N];
  RnnError err;
  fill_rows(rows, N);
  const char *comma_svg = scratch_path(s, "locale.svg"), *c_svg = scratch_path(s, "c.svg");
  char *text = write_log(scratch_path(s, "locale.csv"), 0, &r, 1);
  int rc = rnn_plot_curves(comma_svg, "locale", rows, N, &err);
  setlocale(LC_NUMERIC, "C");
  rc |= rnn_plot_curves(c_svg, "locale", rows, N, &err);

  char want[256];
  snprintf(want, sizeof want, "%s100,2,0.001,1.5,,,0.25,12.5,0\n", CSV_HEADER);
  check_text(t, "log csv under a decimal-comma locale: decimal points", text, want);
  char *a = read_file(comma_svg), *b = read_file(c_svg);
  check(t, "plot under a decimal-comma locale: same bytes as under C",
        rc == 0 && a && b && strcmp(a, b) == 0, found);
  free(text);
  free(a);
  free(b);
}

/* ---------------------------------------------------------------------- */
/* Progress                                                               */
/* ---------------------------------------------------------------------- */

/* A check on progress OUTPUT, which is shown only when the check fails. */
static void check_output(Tally *t, const char *name, int ok, const char *output) {
  check(t, name, ok, "");
  if (!ok) printf("     output:\n%s\n", output);
}

static void test_progress_plain(Tally *t) {
  FILE *out = tmpfile();
  if (out == NULL) {
    check(t, "progress: tmpfile", 0, "cannot create a temporary file");
    return;
  }
  RnnProgress p;
  rnn_progress_start(&p, out, 5000, 0);
  check(t, "progress on a file: not a terminal", p.tty == 0, "");
  rnn_progress_update(&p, 10, 4.0); /* within 10 s of the start: nothing */
  /* Pretend 100 s have passed for 1200 steps: 12 step/s, 3800 to go. */
  p.start -= 100;
  p.last_draw -= 100;
  rnn_progress_update(&p, 1200, 1.873);
  rnn_progress_update(&p, 1300, 1.8); /* a line was just printed: nothing */
  rnn_progress_update(&p, 5000, 1.23456); /* the final step: always */
  rnn_progress_finish(&p, 5000);
  char *text = read_stream(out);
  fclose(out);

  check_output(t, "progress plain: a line after 10 s, the exact format",
        starts_with(text, "step 1200/5000 (24%)  loss 1.8730  12.0 step/s  eta 5:17\n"), text);
  const char *final = strchr(text, '\n');
  final = final ? final + 1 : "";
  check(t, "progress plain: the final step always, eta 0:00",
        starts_with(final, "step 5000/5000 (100%)  loss 1.2346  ") &&
            strstr(final, " step/s  eta 0:00\n") != NULL,
        "");
  check(t, "progress plain: done line",
        strstr(text, "\ndone: 5000 steps in 100.0 s (50.0 step/s)\n") != NULL, "");
  check(t, "progress plain: three lines, no \\r",
        count_char(text, '\n') == 3 && strchr(text, '\r') == NULL, "");
  free(text);
}

static void test_progress_resume_and_hours(Tally *t) {
  FILE *out = tmpfile();
  if (out == NULL) return;
  RnnProgress p;
  rnn_progress_start(&p, out, 4600, 400);
  p.start -= 1000;
  p.last_draw -= 1000;
  rnn_progress_update(&p, 1400, NAN_D); /* 1000 steps in 1000 s: 1 step/s */
  rnn_progress_finish(&p, 1400);
  char *text = read_stream(out);
  fclose(out);
  check_output(t, "progress resumed: rate counts this run only, eta h:mm:ss",
        strstr(text, "step 1400/4600 (30%)  loss nan  1.0 step/s  eta 53:20\n") == text, text);
  check(t, "progress resumed: done line counts this run",
        strstr(text, "done: 1000 steps in 1000.") != NULL &&
            strstr(text, "(1.0 step/s), resumed at step 400\n") != NULL,
        "");
  free(text);

  out = tmpfile();
  if (out == NULL) return;
  rnn_progress_start(&p, out, 4600, 0);
  p.start -= 1000;
  p.last_draw -= 1000;
  rnn_progress_update(&p, 1000, 0.5);
  text = read_stream(out);
  fclose(out);
  check_output(t, "progress: an hour or more left prints h:mm:ss",
        strstr(text, "eta 1:00:00\n") != NULL, text);
  free(text);
}

/* The terminal form, forced on a file: redrawn with \r, a bar, ETA, and a
 * newline before the done line. */
static void test_progress_tty_format(Tally *t) {
  FILE *out = tmpfile();
  if (out == NULL) return;
  RnnProgress p;
  rnn_progress_start(&p, out, 5000, 0);
  p.tty = 1;
  p.last_draw = -HUGE_VAL;
  p.start -= 100;
  rnn_progress_update(&p, 1200, 1.873);
  rnn_progress_update(&p, 1201, 1.8); /* within 0.1 s: not redrawn */
  rnn_progress_finish(&p, 1201);
  char *text = read_stream(out);
  fclose(out);
  check(t, "progress tty: bar, counts, percent, loss, rate, ETA",
        starts_with(text, "\r[====>                   ] 1200/5000   24%  loss 1.873  "
                          "12.0 step/s  ETA 5:17\x1b[K"),
        "");
  check(t, "progress tty: one redraw, then a newline and the done line",
        count_char(text, '\r') == 1 && strstr(text, "\x1b[K\ndone: 1201 steps in 100.") != NULL,
        "");
  free(text);
}

int main(void) {
  Tally t = {0, 0};
  Scratch s;
  printf("test_sample (%s)\n", PRECISION);
  if (!scratch_open(&s)) {
    fprintf(stderr, "test_sample: cannot create a scratch directory\n");
    return 1;
  }

  test_sampling_frequencies(&t);
  test_sampling_ties(&t);
  test_sampling_argmax(&t);
  test_sampling_fallbacks(&t);
  test_sampling_reproducible(&t);
  test_sampling_large(&t);

  test_log_csv(&t, &s);
  test_log_torn(&t, &s);
  test_log_jsonl(&t, &s);
  test_log_errors(&t, &s);

  test_plot_curves(&t, &s);
  test_plot_series(&t, &s);
  test_decimal_comma_locale(&t, &s);

  test_progress_plain(&t);
  test_progress_resume_and_hours(&t);
  test_progress_tty_format(&t);

  scratch_close(&s);
  printf("%d passed, %d failed\n", t.passed, t.failed);
  return t.failed == 0 ? 0 : 1;
}
