/*
 * size_literals.c - generated code spells every size by name (issue 11):
 * a bare number that equals one of the model's sizes is an error.
 *
 *   size_literals DIR...      every model in each DIR and below
 *   size_literals --self-test the rule on lines with a known answer
 *
 * A model is a NAME.h holding a sizes block: the lines after the comment
 * "---- sizes ----" up to the first blank line, each `#define NAME_X V`
 * with V a number or an earlier define of the block. Those values are the
 * model's sizes (T, B, F, VOCAB, E, each layer's H or N, OUT, N_PARAMS,
 * N_SLOTS). In NAME.h, NAME.c and NAME_main.c, after leaving out comments,
 * string and character literals and preprocessor lines, every integer
 * literal whose value is one of the sizes is reported, unless it is
 *
 *   1. 0 or 1: flags, alpha and beta, a vector's one column;
 *   2. an unrolled step index: alone between `[` and `]`, the `[` right
 *      after one of the per-step views h c xp gt dh dxp hd hn rh dhp sm
 *      (`h[63]`, `dxp[17]`; a member, `ws->lstm1_h[64]`, does not count);
 *   3. a gate count: 2, 3 or 4 right before `*` or `,` and a recurrent
 *      layer's units define, a NAME_..._H of the block (`4 * NAME_L_H`,
 *      `rnn_pack_recurrent(4, NAME_L_H, ...)`);
 *   4. a hyper-parameter, not a size: the whole value of a designated
 *      initializer `.field = V` (seed, epochs, top_k, FLOPs, ...) except
 *      the description table's sizes (.length .batch .vocab .features
 *      .out_units .n_params .n_tensors .n_slots); a literal right after a
 *      `(rnn_real)` cast; the operand of `==` or `!=` (a token id such as
 *      the padding id).
 *
 * Exit status 0 when nothing is reported, 1 when something is (or a DIR
 * holds no model: a wrong path must not pass), 2 for bad usage.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SIZES 256
#define MAX_PATH 4096

typedef struct Size {
  char name[160];
  unsigned long long value;
} Size;

typedef struct Model {
  Size sizes[MAX_SIZES];
  int n;
} Model;

typedef enum Kind { TK_IDENT, TK_NUMBER, TK_FLOAT, TK_PUNCT } Kind;

typedef struct Token {
  Kind kind;
  const char *at; /* in the text */
  int len;
  int line;
} Token;

/* ---------------------------------------------------------------------- */
/* The sizes block                                                        */
/* ---------------------------------------------------------------------- */

static const Size *find_size(const Model *m, const char *name, size_t len) {
  for (int i = 0; i < m->n; i++)
    if (strlen(m->sizes[i].name) == len && memcmp(m->sizes[i].name, name, len) == 0)
      return &m->sizes[i];
  return NULL;
}

/* Reads the sizes block of header TEXT into M; -1 when there is none or a
 * line of it cannot be read. */
static int read_sizes(const char *text, Model *m) {
  m->n = 0;
  const char *p = strstr(text, "---- sizes ----");
  if (!p)
    return -1;
  p = strchr(p, '\n');
  while (p && p[1] != '\n' && p[1] != '\0') {
    p++; /* start of a line of the block */
    char name[160], value[160];
    if (sscanf(p, "#define %159s %159s", name, value) != 2 || m->n == MAX_SIZES)
      return -1;
    Size *s = &m->sizes[m->n];
    snprintf(s->name, sizeof s->name, "%s", name);
    if (isdigit((unsigned char)value[0])) {
      s->value = strtoull(value, NULL, 0);
    } else {
      const Size *alias = find_size(m, value, strlen(value));
      if (!alias)
        return -1;
      s->value = alias->value;
    }
    m->n++;
    p = strchr(p, '\n');
  }
  return m->n > 0 ? 0 : -1;
}

/* ---------------------------------------------------------------------- */
/* Tokens                                                                 */
/* ---------------------------------------------------------------------- */

/* Splits TEXT into tokens, leaving out comments, string and character
 * literals and preprocessor lines. Returns the count; *OUT is malloc'ed. */
static int tokenize(const char *text, Token **out) {
  size_t cap = 1024;
  int n = 0, line = 1, line_start = 1;
  Token *t = malloc(cap * sizeof *t);
  const char *p = text;
  while (t && *p) {
    if (*p == '\n') {
      line++;
      line_start = 1;
      p++;
      continue;
    }
    if (isspace((unsigned char)*p)) {
      p++;
      continue;
    }
    if (*p == '#' && line_start) { /* to the end of the line, with continuations */
      while (*p && !(*p == '\n' && p[-1] != '\\')) {
        if (*p == '\n')
          line++;
        p++;
      }
      continue;
    }
    line_start = 0;
    if (p[0] == '/' && p[1] == '*') {
      const char *end = strstr(p + 2, "*/");
      for (const char *q = p; q < (end ? end : p + strlen(p)); q++)
        line += *q == '\n';
      p = end ? end + 2 : p + strlen(p);
      continue;
    }
    if (p[0] == '/' && p[1] == '/') {
      while (*p && *p != '\n')
        p++;
      continue;
    }
    if (*p == '"' || *p == '\'') {
      char quote = *p++;
      while (*p && *p != quote && *p != '\n')
        p += p[0] == '\\' && p[1] ? 2 : 1;
      if (*p == quote)
        p++;
      continue;
    }
    if ((size_t)n == cap) {
      Token *bigger = realloc(t, 2 * cap * sizeof *t);
      if (!bigger) {
        free(t);
        t = NULL;
        break;
      }
      t = bigger;
      cap *= 2;
    }
    Token *k = &t[n++];
    k->at = p;
    k->line = line;
    if (isalpha((unsigned char)*p) || *p == '_') {
      k->kind = TK_IDENT;
      while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    } else if (isdigit((unsigned char)*p)) { /* a pp-number */
      int hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
      k->kind = TK_NUMBER;
      while (isalnum((unsigned char)*p) || *p == '_' || *p == '.' ||
             ((*p == '+' || *p == '-') && strchr(hex ? "pP" : "eE", p[-1]))) {
        if (*p == '.' || (!hex && (*p == 'e' || *p == 'E')) || (hex && (*p == 'p' || *p == 'P')))
          k->kind = TK_FLOAT;
        p++;
      }
    } else {
      k->kind = TK_PUNCT;
      p += (p[0] == '=' || p[0] == '!') && p[1] == '=' ? 2 : 1;
    }
    k->len = (int)(p - k->at);
  }
  *out = t;
  return t ? n : -1;
}

static int is(const Token *t, int n, int i, const char *text) {
  return i >= 0 && i < n && (size_t)t[i].len == strlen(text) &&
         memcmp(t[i].at, text, (size_t)t[i].len) == 0;
}

static int is_one_of(const Token *t, int n, int i, const char *const *list) {
  for (; *list; list++)
    if (is(t, n, i, *list))
      return 1;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* The rule                                                               */
/* ---------------------------------------------------------------------- */

static const char *const step_views[] = {"h",  "c",  "xp", "gt",  "dh", "dxp",
                                         "hd", "hn", "rh", "dhp", "sm", NULL};
static const char *const desc_sizes[] = {
    "length", "batch", "vocab", "features", "out_units", "n_params", "n_tensors", "n_slots", NULL};

/* Whether the literal at token I is exempt (rules 1-4 of the header). */
static int exempt(const Model *m, const Token *t, int n, int i, unsigned long long v) {
  if (v <= 1)
    return 1;
  if (is(t, n, i - 1, "[") && is(t, n, i + 1, "]") && is_one_of(t, n, i - 2, step_views))
    return 1;
  if (v >= 2 && v <= 4 && (is(t, n, i + 1, "*") || is(t, n, i + 1, ",")) && i + 2 < n &&
      t[i + 2].kind == TK_IDENT && t[i + 2].len > 2 &&
      memcmp(t[i + 2].at + t[i + 2].len - 2, "_H", 2) == 0 &&
      find_size(m, t[i + 2].at, (size_t)t[i + 2].len))
    return 1;
  if (is(t, n, i - 1, "=") && is(t, n, i - 3, ".") && t[i - 2].kind == TK_IDENT &&
      (is(t, n, i + 1, ",") || is(t, n, i + 1, "}")) && !is_one_of(t, n, i - 2, desc_sizes))
    return 1;
  if (is(t, n, i - 1, ")") && is(t, n, i - 2, "rnn_real") && is(t, n, i - 3, "("))
    return 1;
  if (is(t, n, i - 1, "==") || is(t, n, i - 1, "!="))
    return 1;
  return 0;
}

/* Reports every bare size in TEXT (from FILE, for messages; NULL: quiet)
 * and returns how many there are, -1 when out of memory. */
static int scan_text(const Model *m, const char *file, const char *text) {
  Token *t;
  int n = tokenize(text, &t);
  if (n < 0)
    return -1;
  int found = 0;
  for (int i = 0; i < n; i++) {
    if (t[i].kind != TK_NUMBER)
      continue;
    unsigned long long v = strtoull(t[i].at, NULL, 0);
    const Size *s = NULL;
    for (int j = 0; j < m->n && !s; j++)
      if (m->sizes[j].value == v)
        s = &m->sizes[j];
    if (!s || exempt(m, t, n, i, v))
      continue;
    found++;
    if (file) {
      const char *line = t[i].at, *end = strchr(t[i].at, '\n');
      while (line > text && line[-1] != '\n')
        line--;
      int len = (int)((end ? end : line + strlen(line)) - line);
      printf("%s:%d: bare size %.*s (%s?): %.*s%s\n", file, t[i].line, t[i].len, t[i].at, s->name,
             len > 160 ? 160 : len, line, len > 160 ? "..." : "");
    }
  }
  free(t);
  return found;
}

/* ---------------------------------------------------------------------- */
/* Files                                                                  */
/* ---------------------------------------------------------------------- */

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, len = 0;
  char *text = malloc(cap);
  size_t got;
  while (text && (got = fread(text + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (len + 1 == cap) {
      char *bigger = realloc(text, cap * 2);
      if (!bigger)
        free(text);
      text = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  if (text)
    text[len] = '\0';
  return text;
}

static int models, files, bare;

/* Scans the model whose header is DIR/NAME.h (its text HEADER). */
static void scan_model(const char *dir, const char *name, const char *header) {
  Model m;
  char path[MAX_PATH];
  snprintf(path, sizeof path, "%s/%s.h", dir, name);
  if (read_sizes(header, &m) != 0) {
    printf("%s: cannot read its sizes block\n", path);
    bare++;
    return;
  }
  models++;
  static const char *const suffixes[] = {".h", ".c", "_main.c"};
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s%s", dir, name, suffixes[i]);
    char *text = i == 0 ? NULL : read_file(path);
    if (i > 0 && !text)
      continue; /* a model without a program or a source here */
    int found = scan_text(&m, path, i == 0 ? header : text);
    free(text);
    files++;
    bare += found < 0 ? 1 : found;
  }
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every model in DIR and its subdirectories, in name order. */
static void scan_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return;
  char *names[4096];
  int n = 0;
  struct dirent *ent;
  while ((ent = readdir(d)) && n < 4096)
    if (ent->d_name[0] != '.' && strcmp(ent->d_name, "CMakeFiles") != 0)
      names[n++] = strdup(ent->d_name);
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], by_name);
  for (int i = 0; i < n; i++) {
    char path[MAX_PATH];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    size_t len = strlen(names[i]);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      scan_dir(path);
    } else if (len > 2 && strcmp(names[i] + len - 2, ".h") == 0) {
      char *text = read_file(path);
      if (text && strstr(text, "---- sizes ----")) {
        names[i][len - 2] = '\0';
        scan_model(dir, names[i], text);
      }
      free(text);
    }
    free(names[i]);
  }
}

/* ---------------------------------------------------------------------- */
/* Self-test: the rule must find what it is there to find                 */
/* ---------------------------------------------------------------------- */

static int self_test(void) {
  static const char header[] = "/* ---- sizes ---- */\n"
                               "#define M_T 4 /* steps */\n"
                               "#define M_B 32\n"
                               "#define M_VOCAB 128\n"
                               "#define M_L1_H 128\n"
                               "#define M_D_N M_L1_H /* an alias */\n"
                               "#define M_N_PARAMS 1000\n"
                               "#define M_N_SLOTS 2\n"
                               "\n";
  static const struct {
    const char *line;
    int want;
  } cases[] = {
      {"rnn_real x[128];", 1},
      {"rnn_real x[M_B * 512][M_L1_H];", 0}, /* 512 is no size here */
      {"f(M_B, 128, xp[0]);", 1},
      {"f(32, M_L1_H);", 1}, /* a batch before H is no gate count */
      {"f(4 * M_B);", 1},    /* nor a multiple of anything but H */
      {"f(4 * M_L1_H, 2, M_L1_H);", 0},
      {"f(2 * M_D_N, 2, M_B);", 2}, /* gates count only in front of an H */
      {"for (int t = 0; t < 4; t++)", 1},
      {"g(h[3], xp[2], dxp[4], dh[4], sm[2]);", 0},
      {"g(q[4], ws->l1_h[4], h[4 + 1]);", 3},
      {"{\"l1.weight_hh\", 128, 128, 1000},", 3},
      {"/* 128 */ s = \"128\"; c = '4'; // 32", 0},
      {"#define M_X 128", 0},
      {".epochs = 128, .seed = 32u, .top_k = 4}", 0},
      {".batch = 32, .vocab = 128}", 2},
      {"x = (rnn_real)2; y = b->x[t][i] != 4;", 0},
      {"z = 2.0f + 1e3 + 0x1p2 + 5;", 0},
      {"z = 0x80 + 32u + 1000UL;", 3},
      {"q[M_T - 1] = 0; r = 2 * M_B;", 1},
  };
  Model m;
  if (read_sizes(header, &m) != 0 || m.n != 7 || m.sizes[4].value != 128) {
    printf("FAIL: the sizes block was not read\n");
    return 1;
  }
  int failed = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int got = scan_text(&m, NULL, cases[i].line);
    if (got != cases[i].want) {
      printf("FAIL: %d bare sizes, expected %d: %s\n", got, cases[i].want, cases[i].line);
      failed++;
    }
  }
  printf("size_literals self-test: %zu cases, %d failed\n", sizeof cases / sizeof cases[0], failed);
  return failed ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--self-test") == 0)
    return self_test();
  if (argc < 2) {
    fprintf(stderr, "usage: size_literals DIR... | --self-test\n");
    return 2;
  }
  int empty = 0;
  for (int i = 1; i < argc; i++) {
    int before = models;
    scan_dir(argv[i]);
    if (models == before) {
      printf("%s: no generated model (NAME.h with a sizes block) here\n", argv[i]);
      empty = 1;
    }
  }
  printf("size_literals: %d bare size%s in %d files of %d models\n", bare, bare == 1 ? "" : "s",
         files, models);
  return bare || empty ? 1 : 0;
}
