/*
 * diag.c - the one diagnostic printer, and typo suggestions.
 *
 * Output follows gcc/clang so editors and people read it without surprises:
 *
 *   specs/x.rnn:3:14: error: unknown key 'unit' in lstm 'enc'
 *       3 |   lstm enc { unit 128 }
 *         |              ^
 *     hint: did you mean 'units'?
 */
#include "diag.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

/* The line number field is at least this wide, as in gcc. */
#define DIAG_LINE_WIDTH 5

/* Words longer than this get no suggestion; keys and names are short, and a
 * bound keeps the edit-distance table on the stack. */
#define SUGGEST_MAX_LEN 64

/* Starts a Diag that writes to OUT and names PATH until a Source is set. */
void diag_init(Diag *d, FILE *out, const char *path) {
  d->out = out;
  d->src = NULL;
  d->path = path;
  d->errors = 0;
}

static const char *diag_path(const Diag *d) {
  if (d->src != NULL && d->src->path != NULL) return d->src->path;
  if (d->path != NULL) return d->path;
  return "<input>";
}

static int digit_count(int n) {
  int digits = 1;
  while (n >= 10) {
    n /= 10;
    digits++;
  }
  return digits;
}

/* Bytes in the UTF-8 code point starting at LINE[I] (at least 1). */
static size_t code_point_bytes(const char *line, size_t len, size_t i) {
  size_t j = i + 1;
  while (j < len && ((unsigned char)line[j] & 0xC0) == 0x80) j++;
  return j - i;
}

/* A source line is shown whole up to this many code points; a longer one
 * is shown as a window of this width around the column, marked "...". */
#define DIAG_MAX_COLS 120

static size_t skip_code_points(const char *line, size_t len, size_t i, int n) {
  while (n-- > 0 && i < len) i += code_point_bytes(line, len, i);
  return i;
}

/* Copies LINE[FROM, TO) to OUT with control characters other than tab shown
 * as '?': a spec's stray ESC must not reach the user's terminal. */
static void print_visible(FILE *out, const char *line, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) {
    unsigned char c = (unsigned char)line[i];
    fputc((c < 0x20 && c != '\t') || c == 0x7f ? '?' : (int)c, out);
  }
}

/* The caret line: a tab wherever the source line has one before the column,
 * a space for every other code point, so the caret lands under the column
 * whatever the terminal's tab stops. A column past the end of the line (an
 * error at the line end) puts the caret just after the last character. */
static void print_caret(FILE *out, int width, const char *line, size_t len, size_t from,
                        int first_col, int col) {
  fprintf(out, "%*s | %s", width, "", from > 0 ? "   " : "");
  size_t i = from;
  for (int c = first_col; c < col && i < len; c++) {
    fputc(line[i] == '\t' ? '\t' : ' ', out);
    i += code_point_bytes(line, len, i);
  }
  fputs("^\n", out);
}

/* Shows the source line of LOC with a caret, when there is one to show. */
static void print_source_excerpt(const Diag *d, SrcLoc loc) {
  size_t len;
  const char *line = source_line(d->src, loc.line, &len);
  if (line == NULL) return;
  int width = digit_count(loc.line);
  if (width < DIAG_LINE_WIDTH) width = DIAG_LINE_WIDTH;
  int first_col = 1;
  if (skip_code_points(line, len, 0, DIAG_MAX_COLS) < len && loc.col > DIAG_MAX_COLS / 2)
    first_col = loc.col - DIAG_MAX_COLS / 2;
  size_t from = skip_code_points(line, len, 0, first_col - 1);
  size_t to = skip_code_points(line, len, from, DIAG_MAX_COLS);
  fprintf(d->out, "%*d | %s", width, loc.line, from > 0 ? "..." : "");
  print_visible(d->out, line, from, to);
  fputs(to < len ? "...\n" : "\n", d->out);
  if (loc.col >= 1) print_caret(d->out, width, line, len, from, first_col, loc.col);
}

/* Prints one message of SEVERITY ("error", "note") at LOC, then the source
 * line and the hint. Line 0 means the message has no position. */
static void report(const Diag *d, SrcLoc loc, const char *severity,
                   const char *hint, const char *fmt, va_list ap)
    DIAG_PRINTF(5, 0);

static void report(const Diag *d, SrcLoc loc, const char *severity,
                   const char *hint, const char *fmt, va_list ap) {
  const char *path = diag_path(d);
  if (loc.line < 1)
    fprintf(d->out, "%s: %s: ", path, severity);
  else if (loc.col < 1)
    fprintf(d->out, "%s:%d: %s: ", path, loc.line, severity);
  else
    fprintf(d->out, "%s:%d:%d: %s: ", path, loc.line, loc.col, severity);
  vfprintf(d->out, fmt, ap);
  fputc('\n', d->out);
  if (loc.line >= 1) print_source_excerpt(d, loc);
  if (hint != NULL) fprintf(d->out, "  hint: %s\n", hint);
}

/* Reports an error at LOC and counts it. See diag.h. */
void diag_error(Diag *d, SrcLoc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(d, loc, "error", NULL, fmt, ap);
  va_end(ap);
  d->errors++;
}

/* Reports an error at LOC followed by HINT (may be NULL); counts it. */
void diag_error_hint(Diag *d, SrcLoc loc, const char *hint, const char *fmt,
                     ...) {
  va_list ap;
  va_start(ap, fmt);
  report(d, loc, "error", hint, fmt, ap);
  va_end(ap);
  d->errors++;
}

/* Reports a note at LOC; notes explain an error and are not counted. */
void diag_note(Diag *d, SrcLoc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(d, loc, "note", NULL, fmt, ap);
  va_end(ap);
}

/* Reports an error about the file as a whole; counts it. See diag.h. */
void diag_file_error(Diag *d, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(d, (SrcLoc){0, 0}, "error", NULL, fmt, ap);
  va_end(ap);
  d->errors++;
}

static size_t min3(size_t a, size_t b, size_t c) {
  size_t m = a < b ? a : b;
  return m < c ? m : c;
}

static int same_letter(char a, char b) {
  return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* Case-insensitive edit distance counting an insertion, deletion,
 * substitution or swap of two neighbours as one edit (optimal string
 * alignment), since swapped letters are the commonest typo. Both strings
 * must be at most SUGGEST_MAX_LEN long. */
static size_t edit_distance(const char *a, size_t na, const char *b,
                            size_t nb) {
  size_t before[SUGGEST_MAX_LEN + 1], prev[SUGGEST_MAX_LEN + 1],
      cur[SUGGEST_MAX_LEN + 1];
  for (size_t j = 0; j <= nb; j++) prev[j] = j;
  memset(before, 0, sizeof before);
  for (size_t i = 1; i <= na; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= nb; j++) {
      size_t cost = same_letter(a[i - 1], b[j - 1]) ? 0 : 1;
      cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && same_letter(a[i - 1], b[j - 2]) &&
          same_letter(a[i - 2], b[j - 1]) && before[j - 2] + 1 < cur[j])
        cur[j] = before[j - 2] + 1;
    }
    memcpy(before, prev, sizeof before);
    memcpy(prev, cur, sizeof prev);
  }
  return prev[nb];
}

static int is_prefix_ignoring_case(const char *prefix, const char *word) {
  for (; *prefix != '\0'; prefix++, word++)
    if (*word == '\0' || !same_letter(*prefix, *word)) return 0;
  return 1;
}

/* The closest candidate within the typo budget (first one on ties). */
static const char *closest_candidate(const char *word,
                                     const char *const *candidates) {
  size_t nw = strlen(word);
  size_t budget = nw / 3 > 1 ? nw / 3 : 1;
  const char *best = NULL;
  size_t best_distance = 0;
  for (const char *const *c = candidates; *c != NULL; c++) {
    size_t nc = strlen(*c);
    if (nc > SUGGEST_MAX_LEN) continue;
    size_t dist = edit_distance(word, nw, *c, nc);
    /* dist < nc: replacing every letter of a short candidate is no typo. */
    if (dist > budget || dist >= nc) continue;
    if (best == NULL || dist < best_distance) {
      best = *c;
      best_distance = dist;
    }
  }
  return best;
}

/* The only candidate WORD abbreviates ("drop" -> "dropout"), or NULL. */
static const char *unique_completion(const char *word,
                                     const char *const *candidates) {
  const char *found = NULL;
  if (strlen(word) < 3) return NULL;
  for (const char *const *c = candidates; *c != NULL; c++) {
    if (!is_prefix_ignoring_case(word, *c)) continue;
    if (found != NULL) return NULL;
    found = *c;
  }
  return found;
}

/* Closest plausible candidate for a misspelt WORD, or NULL. See diag.h. */
const char *diag_suggest(const char *word, const char *const *candidates) {
  if (word == NULL || candidates == NULL) return NULL;
  if (strlen(word) > SUGGEST_MAX_LEN) return NULL;
  const char *best = closest_candidate(word, candidates);
  return best != NULL ? best : unique_completion(word, candidates);
}
