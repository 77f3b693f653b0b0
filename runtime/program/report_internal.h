/*
 * report_internal.h - what the files behind rnn_report.h (progress.c,
 * log.c, plot.c) share: formatting numbers under the C locale. The
 * runtime's own header, never installed.
 *
 * Numbers that reach the terminal or a file (progress lines, log, SVG)
 * are printed under the C locale whatever the program's locale is
 * (uselocale is per thread, so nothing global changes): a point, never a
 * comma, and the same input always gives the same bytes. Include it after
 * defining _POSIX_C_SOURCE 200809L (locale_t, newlocale, uselocale).
 */
#ifndef RNN_REPORT_INTERNAL_H
#define RNN_REPORT_INTERNAL_H

#include <locale.h>

/* The calling thread's locale switched to "C" for the duration of some
 * formatting, then restored. If the C locale object cannot be had, the
 * current locale stays (the program never calls setlocale itself). */
typedef struct CLocale {
  locale_t c, previous;
} CLocale;

static inline CLocale c_locale_enter(void) {
  CLocale l = {newlocale(LC_ALL_MASK, "C", (locale_t)0), (locale_t)0};
  if (l.c != (locale_t)0) l.previous = uselocale(l.c);
  return l;
}

static inline void c_locale_leave(CLocale *l) {
  if (l->c == (locale_t)0) return;
  uselocale(l->previous);
  freelocale(l->c);
}

#endif
