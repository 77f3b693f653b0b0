/*
 * progress.c - the progress display of a training run (rnn_report.h): a
 * bar redrawn in place with rate and ETA on a terminal, plain lines at
 * intervals otherwise, and the closing "done:" line; plus rnn_now, the
 * monotonic clock the rates are measured with.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime, fileno, uselocale */
#endif

#include "rnn_report.h"

#include "report_internal.h"

#include <math.h>
#include <time.h>
#include <unistd.h>

/* Seconds between redraws of the terminal line, and between plain lines. */
static const double TTY_INTERVAL = 0.1;
static const double PLAIN_INTERVAL = 10.0;
enum { BAR_WIDTH = 24 };

/* Monotonic seconds (CLOCK_MONOTONIC): differences are elapsed time, immune
 * to wall-clock changes. 0 if the clock is unavailable. */
double rnn_now(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Starts a progress display on OUT for TOTAL steps, DONE of them already
 * done by an earlier run (excluded from rates). A terminal gets its first
 * line at the first update (last_draw = -HUGE_VAL: never drawn); plain
 * output waits PLAIN_INTERVAL, so its first rate is measured over a real
 * stretch of training rather than one step. */
void rnn_progress_start(RnnProgress *p, FILE *out, long total, long done) {
  p->out = out;
  p->tty = out != NULL && isatty(fileno(out));
  p->total = total;
  p->start = rnn_now();
  p->last_draw = p->tty ? -HUGE_VAL : p->start;
  p->start_done = done;
}

/* Steps per second over this run's steps only; 0 when not yet known. */
static double progress_rate(const RnnProgress *p, long done, double now) {
  double elapsed = now - p->start;
  long steps = done - p->start_done;
  if (elapsed <= 0 || steps <= 0) return 0;
  return (double)steps / elapsed;
}

/* "1:02:05" from an hour on, "4:05" below; "--:--" when unknown. */
static void format_duration(char *buf, size_t size, double seconds) {
  if (!(seconds >= 0) || seconds > 1e9) {
    snprintf(buf, size, "--:--");
    return;
  }
  long s = (long)(seconds + 0.5);
  if (s >= 3600)
    snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

static void format_eta(char *buf, size_t size, const RnnProgress *p, long done, double rate) {
  if (rate <= 0 || p->total <= 0) {
    format_duration(buf, size, -1);
    return;
  }
  long left = p->total > done ? p->total - done : 0;
  format_duration(buf, size, (double)left / rate);
}

/* "85.2" or "-" when unknown. */
static void format_rate(char *buf, size_t size, double rate) {
  if (rate > 0)
    snprintf(buf, size, "%.1f", rate);
  else
    snprintf(buf, size, "-");
}

/* The loss with DECIMALS decimals; "nan" for any NaN (glibc would print
 * "-nan" for a negative one). */
static void format_loss(char *buf, size_t size, double loss, int decimals) {
  if (isnan(loss))
    snprintf(buf, size, "nan");
  else
    snprintf(buf, size, "%.*f", decimals, loss);
}

static int percent_done(const RnnProgress *p, long done) {
  if (p->total <= 0) return done > 0 ? 100 : 0;
  double pct = 100.0 * (double)done / (double)p->total;
  return pct < 0 ? 0 : pct > 100 ? 100 : (int)pct;
}

/* "[=====>      ]": filled in proportion to DONE / TOTAL. */
static void format_bar(char *buf, const RnnProgress *p, long done) {
  int filled = percent_done(p, done) * BAR_WIDTH / 100;
  buf[0] = '[';
  for (int i = 0; i < BAR_WIDTH; i++) {
    char c = ' ';
    if (i < filled - 1 || (i == filled - 1 && filled == BAR_WIDTH)) c = '=';
    if (i == filled - 1 && filled < BAR_WIDTH) c = '>';
    buf[1 + i] = c;
  }
  buf[BAR_WIDTH + 1] = ']';
  buf[BAR_WIDTH + 2] = '\0';
}

/* The terminal line, redrawn in place: \r, the line, then "erase to the end
 * of the line" so a shorter line leaves nothing of a longer one. */
static void draw_tty_line(const RnnProgress *p, long done, double loss, double now) {
  char bar[BAR_WIDTH + 3], loss_s[32], rate_s[32], eta_s[32];
  double rate = progress_rate(p, done, now);
  format_bar(bar, p, done);
  format_loss(loss_s, sizeof loss_s, loss, 3);
  format_rate(rate_s, sizeof rate_s, rate);
  format_eta(eta_s, sizeof eta_s, p, done, rate);
  fprintf(p->out, "\r%s %ld/%ld  %3d%%  loss %s  %s step/s  ETA %s\x1b[K", bar, done, p->total,
          percent_done(p, done), loss_s, rate_s, eta_s);
}

/* "step 1200/5000 (24%)  loss 1.8730  85.2 step/s  eta 0:44": a line that
 * reads well in a log file or a CI console. */
static void print_plain_line(const RnnProgress *p, long done, double loss, double now) {
  char loss_s[32], rate_s[32], eta_s[32];
  double rate = progress_rate(p, done, now);
  format_loss(loss_s, sizeof loss_s, loss, 4);
  format_rate(rate_s, sizeof rate_s, rate);
  format_eta(eta_s, sizeof eta_s, p, done, rate);
  fprintf(p->out, "step %ld/%ld (%d%%)  loss %s  %s step/s  eta %s\n", done, p->total,
          percent_done(p, done), loss_s, rate_s, eta_s);
}

/* Shows step DONE with LOSS: on a terminal at most every TTY_INTERVAL,
 * otherwise a plain line at most every PLAIN_INTERVAL; the final step
 * (DONE >= total) is always shown. Does nothing without an output. */
void rnn_progress_update(RnnProgress *p, long done, double loss) {
  if (p->out == NULL) return;
  double now = rnn_now();
  double interval = p->tty ? TTY_INTERVAL : PLAIN_INTERVAL;
  if (now - p->last_draw < interval && done < p->total) return;
  CLocale l = c_locale_enter();
  if (p->tty)
    draw_tty_line(p, done, loss, now);
  else
    print_plain_line(p, done, loss, now);
  c_locale_leave(&l);
  fflush(p->out);
  p->last_draw = now;
}

/* Ends the terminal line (if one was drawn) and prints
 * "done: 5000 steps in 58.7 s (85.2 step/s)", counting this run's steps
 * only; a resumed run adds ", resumed at step N". */
void rnn_progress_finish(RnnProgress *p, long done) {
  if (p->out == NULL) return;
  double now = rnn_now();
  char rate_s[32];
  format_rate(rate_s, sizeof rate_s, progress_rate(p, done, now));
  CLocale l = c_locale_enter();
  if (p->tty && p->last_draw > -HUGE_VAL) fputc('\n', p->out);
  fprintf(p->out, "done: %ld steps in %.1f s (%s step/s)", done - p->start_done,
          now - p->start, rate_s);
  if (p->start_done > 0) fprintf(p->out, ", resumed at step %ld", p->start_done);
  fputc('\n', p->out);
  c_locale_leave(&l);
  fflush(p->out);
}
