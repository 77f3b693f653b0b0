/*
 * plot.c - SVG plots of a run (rnn_report.h): the training curves from the
 * log's rows, and a series against its prediction. One chart renderer
 * (axes with nice ticks, frame, series, legend) draws both.
 *
 * Coordinates are printed under the C locale (report_internal.h) with a
 * fixed number of decimals, so the same input always gives the same
 * bytes; a point with a non-finite x or y is left out, never written as
 * "nan" or "inf".
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream, uselocale */
#endif

#include "rnn_report.h"

#include "report_internal.h"
#include "rnn_file.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Plots: axes                                                            */
/* ---------------------------------------------------------------------- */

/* An axis range [lo, hi] with ticks every `step` from lo. */
typedef struct Axis {
  double lo, hi, step;
} Axis;

/* A "nice" number near X > 0 (1, 2 or 5 times a power of ten): rounded to
 * the nearest when ROUND, else the smallest nice number >= X (Heckbert,
 * "Nice numbers for graph labels", Graphics Gems, 1990). */
static double nice_number(double x, int round) {
  double magnitude = pow(10.0, floor(log10(x)));
  double f = x / magnitude, nice;
  if (round)
    nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else
    nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * magnitude;
}

/* A range covering [min, max] whose ends are multiples of a nice tick step,
 * about TICKS ticks. No finite data (min > max): [0, 1]. Ranges too wide
 * for a double are cut to +-1e300. A single value is widened by 10% of
 * itself (or 1 around 0) so it is drawn mid-axis. INTEGER axes (steps,
 * indices) never get a step below 1. */
static Axis axis_fit(double min, double max, int ticks, int integer) {
  if (!(min <= max)) min = 0, max = 1;
  if (!isfinite(max - min)) min = fmax(min, -1e300), max = fmin(max, 1e300);
  /* Spans below a millionth of the magnitude would need labels with more
   * digits than anyone reads: treat them as one value. */
  if (max - min <= 1e-6 * fmax(fabs(min), fabs(max))) {
    double pad = min != 0 ? fabs(min) * 0.1 : 1;
    if (integer && pad < 1) pad = 1;
    min -= pad;
    max += pad;
  }
  double range = nice_number(max - min, 0);
  double step = nice_number(range / (ticks - 1), 1);
  if (integer && step < 1) step = 1;
  Axis a = {floor(min / step) * step, ceil(max / step) * step, step};
  return a;
}

static int axis_tick_count(const Axis *a) {
  double n = floor((a->hi - a->lo) / a->step + 0.5) + 1;
  if (!(n >= 2)) return 2; /* also NaN, which (int) must never see */
  return n > 60 ? 60 : (int)n;
}

/* Tick I's value, computed from lo (not accumulated: no drift) and
 * snapped to 0 near 0 so no "-0" label appears. */
static double axis_tick(const Axis *a, int i) {
  double v = a->lo + i * a->step;
  return fabs(v) < a->step * 1e-9 ? 0 : v;
}

/* A tick label with as many decimals as the step needs (1, 2 and 5 steps:
 * one decimal per negative power of ten); %g for extreme magnitudes. */
static void format_tick(char *buf, size_t size, const Axis *a, double v) {
  double extent = fmax(fabs(a->lo), fabs(a->hi));
  if (extent >= 1e7 || a->step < 1e-6) {
    snprintf(buf, size, "%.4g", v);
    return;
  }
  int decimals = (int)-floor(log10(a->step) + 1e-9);
  snprintf(buf, size, "%.*f", decimals < 0 ? 0 : decimals, v);
}

/* ---------------------------------------------------------------------- */
/* Plots: charts                                                          */
/* ---------------------------------------------------------------------- */

/* One line of a chart: N points read through X_AT and Y_AT, so log rows
 * and float arrays share the drawing code without a copy. A point with a
 * non-finite x or y is left out and the line joins its neighbours ("not
 * measured" on that row). */
typedef struct Series Series;
struct Series {
  const char *name, *colour;
  int dashed, right_axis;
  const void *data;
  size_t n;
  double x_offset;
  double (*x_at)(const Series *s, size_t i);
  double (*y_at)(const Series *s, size_t i);
};

typedef struct Chart {
  const char *title, *x_label, *y_label, *y2_label; /* y2: right axis, 0..1 */
  const Series *series;
  int count;
  double mark_x; /* a dashed vertical line here (NAN: none) */
} Chart;

/* The plot area inside the canvas: margins for the title and legend above,
 * tick labels and captions below and on both sides. */
typedef struct Frame {
  double left, top, width, height;
} Frame;

enum { SVG_WIDTH = 800, SVG_HEIGHT = 450 };
static const Frame PLOT_FRAME = {72, 64, SVG_WIDTH - 72 - 72, SVG_HEIGHT - 64 - 52};
static const char FONT[] = "font-family=\"sans-serif\" font-size=\"12\"";
/* Series with at most this many points get a marker on every point, so a
 * short or sparse curve (or a single point) stays visible. */
enum { MARKER_MAX_POINTS = 40 };

static int point_ok(const Series *s, size_t i) {
  return isfinite(s->x_at(s, i)) && isfinite(s->y_at(s, i));
}

static size_t finite_points(const Series *s) {
  size_t count = 0;
  for (size_t i = 0; i < s->n; i++) count += (size_t)point_ok(s, i);
  return count;
}

/* Widens [*min, *max] to cover every finite x (or y) of S. */
static void series_extent(const Series *s, int want_y, double *min, double *max) {
  for (size_t i = 0; i < s->n; i++) {
    if (!point_ok(s, i)) continue;
    double v = want_y ? s->y_at(s, i) : s->x_at(s, i);
    *min = fmin(*min, v);
    *max = fmax(*max, v);
  }
}

static int chart_has_right_axis(const Chart *c) {
  for (int i = 0; i < c->count; i++)
    if (c->series[i].right_axis && finite_points(&c->series[i]) > 0) return 1;
  return 0;
}

/* Maps V on axis A to pixels between P0 (at lo) and P1 (at hi), clamped
 * to a band around the canvas so even absurd data prints as a number. */
static double axis_to_pixel(const Axis *a, double v, double p0, double p1) {
  double px = p0 + (v - a->lo) / (a->hi - a->lo) * (p1 - p0);
  if (!(px > -1e4)) return -1e4;
  return px < 1e4 ? px : 1e4;
}

/* Writes TEXT with the five XML special characters escaped and control
 * characters (invalid in XML 1.0) replaced by spaces. */
static void svg_text(FILE *f, const char *text) {
  for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
    switch (*s) {
      case '&': fputs("&amp;", f); break;
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '"': fputs("&quot;", f); break;
      case '\'': fputs("&apos;", f); break;
      default: fputc(*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
    }
  }
}

static void svg_begin(FILE *f, const char *title) {
  fprintf(f,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\">\n",
          SVG_WIDTH, SVG_HEIGHT, SVG_WIDTH, SVG_HEIGHT);
  fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", SVG_WIDTH, SVG_HEIGHT);
  fprintf(f,
          "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-family=\"sans-serif\" "
          "font-size=\"16\">",
          SVG_WIDTH / 2);
  svg_text(f, title ? title : "");
  fputs("</text>\n", f);
}

/* The x axis: frame's bottom edge, ticks, grid lines, labels, caption. */
static void svg_x_axis(FILE *f, const Frame *fr, const Axis *x, const char *label) {
  double bottom = fr->top + fr->height;
  for (int i = 0; i < axis_tick_count(x); i++) {
    char text[64];
    double v = axis_tick(x, i);
    double px = axis_to_pixel(x, v, fr->left, fr->left + fr->width);
    format_tick(text, sizeof text, x, v);
    fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e6e6e6\"/>\n",
            px, fr->top, px, bottom);
    fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>\n",
            px, bottom, px, bottom + 5);
    fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" %s>%s</text>\n", px,
            bottom + 18, FONT, text);
  }
  fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" %s>", fr->left + fr->width / 2,
          bottom + 40, FONT);
  svg_text(f, label);
  fputs("</text>\n", f);
}

/* A y axis on the left or the right edge of the frame; the left one also
 * draws the horizontal grid lines. */
static void svg_y_axis(FILE *f, const Frame *fr, const Axis *y, const char *label, int right) {
  double edge = right ? fr->left + fr->width : fr->left;
  double dir = right ? 1 : -1;
  for (int i = 0; i < axis_tick_count(y); i++) {
    char text[64];
    double v = axis_tick(y, i);
    double py = axis_to_pixel(y, v, fr->top + fr->height, fr->top);
    format_tick(text, sizeof text, y, v);
    if (!right)
      fprintf(f,
              "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e6e6e6\"/>\n",
              fr->left, py, fr->left + fr->width, py);
    fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>\n",
            edge, py, edge + 5 * dir, py);
    fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" %s>%s</text>\n",
            edge + 8 * dir, py + 4, right ? "start" : "end", FONT, text);
  }
  double cx = edge + 56 * dir, cy = fr->top + fr->height / 2;
  fprintf(f,
          "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" transform=\"rotate(%d %.2f "
          "%.2f)\" %s>",
          cx, cy, right ? 90 : -90, cx, cy, FONT);
  svg_text(f, label);
  fputs("</text>\n", f);
}

static void svg_frame(FILE *f, const Frame *fr) {
  fprintf(f,
          "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
          "stroke=\"black\"/>\n",
          fr->left, fr->top, fr->width, fr->height);
}

/* One series as a path through its finite points (in the order given),
 * plus a marker per point when there are few of them. */
static void svg_series(FILE *f, const Frame *fr, const Axis *x, const Axis *y, const Series *s) {
  size_t points = finite_points(s);
  if (points == 0) return;
  fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s d=\"", s->colour,
          s->dashed ? " stroke-dasharray=\"6 3\"" : "");
  int first = 1;
  for (size_t i = 0; i < s->n; i++) {
    if (!point_ok(s, i)) continue;
    double px = axis_to_pixel(x, s->x_at(s, i), fr->left, fr->left + fr->width);
    double py = axis_to_pixel(y, s->y_at(s, i), fr->top + fr->height, fr->top);
    fprintf(f, "%s%.2f %.2f", first ? "M" : " L", px, py);
    first = 0;
  }
  fputs("\"/>\n", f);
  if (points > MARKER_MAX_POINTS) return;
  for (size_t i = 0; i < s->n; i++) {
    if (!point_ok(s, i)) continue;
    double px = axis_to_pixel(x, s->x_at(s, i), fr->left, fr->left + fr->width);
    double py = axis_to_pixel(y, s->y_at(s, i), fr->top + fr->height, fr->top);
    fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>\n", px, py, s->colour);
  }
}

/* The legend: one entry per drawn series in a row between the title and
 * the frame, where no curve can run under it. */
static void svg_legend(FILE *f, const Frame *fr, const Chart *c) {
  double x = fr->left, y = fr->top - 16;
  for (int i = 0; i < c->count; i++) {
    const Series *s = &c->series[i];
    if (finite_points(s) == 0) continue;
    fprintf(f,
            "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
            "stroke-width=\"2\"%s/>\n",
            x, y, x + 24, y, s->colour, s->dashed ? " stroke-dasharray=\"6 3\"" : "");
    fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" %s>", x + 30, y + 4, FONT);
    svg_text(f, s->name);
    fputs("</text>\n", f);
    x += 30 + 7.0 * (double)strlen(s->name) + 24; /* ~7 px per character at 12 px */
  }
}

static void svg_no_data(FILE *f, const Frame *fr) {
  fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" %s fill=\"#808080\">no "
          "data</text>\n",
          fr->left + fr->width / 2, fr->top + fr->height / 2, FONT);
}

/* The whole chart: axes fitted to the finite data (the right axis is 0..1),
 * frame, optional marker line, series, legend. */
static void svg_chart(FILE *f, const Chart *c) {
  const Frame *fr = &PLOT_FRAME;
  double x_min = HUGE_VAL, x_max = -HUGE_VAL, y_min = HUGE_VAL, y_max = -HUGE_VAL;
  int drawn = 0;
  for (int i = 0; i < c->count; i++) {
    const Series *s = &c->series[i];
    if (finite_points(s) == 0) continue;
    drawn++;
    series_extent(s, 0, &x_min, &x_max);
    if (!s->right_axis) series_extent(s, 1, &y_min, &y_max);
  }
  if (isfinite(c->mark_x) && drawn > 0) x_min = fmin(x_min, c->mark_x);
  Axis x = axis_fit(x_min, x_max, 8, 1), y = axis_fit(y_min, y_max, 6, 0);
  Axis unit = {0, 1, 0.2};
  int right = chart_has_right_axis(c);

  svg_begin(f, c->title);
  svg_x_axis(f, fr, &x, c->x_label);
  svg_y_axis(f, fr, &y, c->y_label, 0);
  if (right) svg_y_axis(f, fr, &unit, c->y2_label, 1);
  svg_frame(f, fr);
  if (isfinite(c->mark_x) && drawn > 0) {
    double px = axis_to_pixel(&x, c->mark_x, fr->left, fr->left + fr->width);
    fprintf(f,
            "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#808080\" "
            "stroke-dasharray=\"4 4\"/>\n",
            px, fr->top, px, fr->top + fr->height);
  }
  for (int i = 0; i < c->count; i++)
    svg_series(f, fr, &x, c->series[i].right_axis ? &unit : &y, &c->series[i]);
  svg_legend(f, fr, c);
  if (drawn == 0) svg_no_data(f, fr);
  fputs("</svg>\n", f);
}

/* Renders the chart in memory, then writes it with rnn_write_atomically: a
 * reader never sees half a plot, and a crash leaves the old one. Returns 0,
 * or -1 with ERR set. */
static int write_chart(const char *path, const Chart *c, RnnError *err) {
  char *svg = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&svg, &len);
  if (f == NULL)
    return rnn_error_set(err, "%s: out of memory writing the plot", path);
  CLocale l = c_locale_enter();
  svg_chart(f, c);
  c_locale_leave(&l);
  int failed = ferror(f);
  if (fclose(f) != 0 || failed) {
    free(svg);
    return rnn_error_set(err, "%s: out of memory writing the plot", path);
  }
  int rc = rnn_write_atomically(path, svg, len, err);
  free(svg);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Plots: the two kinds                                                   */
/* ---------------------------------------------------------------------- */

static const RnnLogRow *row_of(const Series *s, size_t i) {
  return (const RnnLogRow *)s->data + i;
}
static double row_step(const Series *s, size_t i) { return (double)row_of(s, i)->step; }
static double row_train_loss(const Series *s, size_t i) { return row_of(s, i)->train_loss; }
static double row_valid_loss(const Series *s, size_t i) { return row_of(s, i)->valid_loss; }
static double row_valid_accuracy(const Series *s, size_t i) {
  return row_of(s, i)->valid_accuracy;
}

static double array_x(const Series *s, size_t i) { return s->x_offset + (double)i; }
static double array_y(const Series *s, size_t i) { return (double)((const float *)s->data)[i]; }

/* Loss (left axis) and validation accuracy (right axis, 0..1) against the
 * step, as a standalone SVG at PATH (via PATH.tmp). A curve whose values
 * are all NAN is not drawn (nor listed in the legend); a NAN on some rows
 * is skipped and the curve joins the rows around it. N = 0 gives an empty
 * chart saying "no data". Returns 0, or -1 with ERR set. */
int rnn_plot_curves(const char *path, const char *title, const RnnLogRow *rows, size_t n,
                    RnnError *err) {
  const Series series[] = {
      {"train loss", "#1f77b4", 0, 0, rows, n, 0, row_step, row_train_loss},
      {"valid loss", "#ff7f0e", 0, 0, rows, n, 0, row_step, row_valid_loss},
      {"valid accuracy (right axis)", "#2ca02c", 1, 1, rows, n, 0, row_step, row_valid_accuracy},
  };
  Chart c = {title, "step", "loss", "accuracy", series, 3, (double)NAN};
  return write_chart(path, &c, err);
}

/* TRUTH[0..n_truth) at x = 0.. and PRED[0..n_pred) at x = PRED_OFFSET..,
 * two colours and a legend, as an SVG at PATH (via PATH.tmp); either array
 * may be NULL. When a prediction starts after x = 0 (free-running
 * generation from a primed prefix) a dashed line marks where it starts.
 * Returns 0, or -1 with ERR set. */
int rnn_plot_series(const char *path, const char *title, const float *truth, size_t n_truth,
                    const float *pred, size_t n_pred, size_t pred_offset, RnnError *err) {
  const Series series[] = {
      {"truth", "#1f77b4", 0, 0, truth, truth ? n_truth : 0, 0, array_x, array_y},
      {"prediction", "#d62728", 0, 0, pred, pred ? n_pred : 0, (double)pred_offset, array_x,
       array_y},
  };
  double mark = pred && n_pred > 0 && pred_offset > 0 ? (double)pred_offset : (double)NAN;
  Chart c = {title, "step", "value", NULL, series, 2, mark};
  return write_chart(path, &c, err);
}
