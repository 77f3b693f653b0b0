/*
 * parity.c - a generated model against PyTorch, through its description
 * table and a fixture written by make_fixtures.py.
 *
 * Built once per spec in tests/parity/specs with -DMODEL_DESC=name_desc,
 * linked with the model's generated code, its NAME_states.c (where the
 * workspace keeps each recurrent layer's states, see parity_states.h) and
 * rnn_kernels (float) or rnn_kernels_double.
 *
 * Loads the fixture (tensors named as in make_fixtures.py), puts its
 * parameters into the model's flat parameter array by name, fills the batch
 * from x, y and lengths, then compares with the fixture:
 *   - forward (no dropout, or, when the fixture has dropout_seed, dropout
 *     with an RnnRng seeded from it: the masks make_fixtures.py drew from
 *     the same seed): loss, the output rows, each recurrent layer's
 *     final h (and c);
 *   - backward: the gradient of every parameter tensor;
 *   - optimizer fixtures (stepK.*): from the same starting parameters, K =
 *     1..3 calls of train_step (forward, backward, clipping, update) on the
 *     same batch, every parameter after each.
 * Each compared tensor passes when its largest absolute difference is at
 * most TOL. Any problem with the fixture itself (bad magic or version,
 * truncated, a tensor missing, unknown or of the wrong shape, an id out of
 * range) stops the test with exit status 2.
 *
 *   parity FIXTURE [TOL]        (TOL: 1e-5 by default)
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parity_states.h"
#include "rnn_model.h"

#ifndef MODEL_DESC
#error "build with -DMODEL_DESC=<name>_desc"
#endif
extern const RnnModelDesc MODEL_DESC;

#ifdef RNN_REAL_DOUBLE
#define PRECISION "double"
#else
#define PRECISION "float"
#endif

#define FIXTURE_VERSION 1u
#define MAX_DIMS 8
#define TRAIN_STEPS 3

static const char *fixture_path = "";

static void fail_setup(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail_setup(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "parity: %s: ", fixture_path);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static void *xcalloc(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p)
    fail_setup("out of memory (%zu bytes)", n);
  return p;
}

/* ---- the fixture ---- */

typedef struct Tensor {
  char *name;
  unsigned ndim;
  size_t dims[MAX_DIMS];
  size_t count;
  double *data;
} Tensor;

typedef struct Fixture {
  unsigned count;
  Tensor *t;
} Fixture;

typedef struct Reader {
  const unsigned char *p;
  size_t left;
} Reader;

static void take(Reader *r, void *out, size_t n, const char *what) {
  if (r->left < n)
    fail_setup("truncated fixture: %zu bytes left, %s needs %zu", r->left, what, n);
  memcpy(out, r->p, n);
  r->p += n;
  r->left -= n;
}

static uint32_t take_u32(Reader *r, const char *what) {
  unsigned char b[4];
  take(r, b, 4, what);
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static double take_f64(Reader *r) {
  unsigned char b[8];
  take(r, b, 8, "tensor data");
  uint64_t u = 0;
  for (int i = 7; i >= 0; i--)
    u = u << 8 | b[i];
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

static Fixture load_fixture(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    fail_setup("cannot open the fixture (run make_fixtures.py?)");
  unsigned char *buf = NULL;
  size_t size = 0, cap = 0;
  for (;;) {
    if (size == cap) {
      cap = cap ? 2 * cap : 65536;
      buf = realloc(buf, cap);
      if (!buf)
        fail_setup("out of memory");
    }
    size_t got = fread(buf + size, 1, cap - size, f);
    size += got;
    if (got == 0)
      break;
  }
  if (ferror(f))
    fail_setup("read error");
  fclose(f);

  Reader r = {buf, size};
  char magic[8];
  take(&r, magic, 8, "magic");
  if (memcmp(magic, "RNNCFIX\0", 8) != 0)
    fail_setup("not a fixture: bad magic");
  uint32_t version = take_u32(&r, "version");
  if (version != FIXTURE_VERSION)
    fail_setup("fixture version %u, expected %u", (unsigned)version, FIXTURE_VERSION);
  Fixture fx;
  fx.count = take_u32(&r, "tensor count");
  if (fx.count == 0 || fx.count > 100000)
    fail_setup("implausible tensor count %u", fx.count);
  fx.t = xcalloc(fx.count * sizeof *fx.t);
  for (unsigned i = 0; i < fx.count; i++) {
    Tensor *t = &fx.t[i];
    uint32_t len = take_u32(&r, "name length");
    if (len == 0 || len > 1024)
      fail_setup("tensor %u: implausible name length %u", i, (unsigned)len);
    t->name = xcalloc(len + 1);
    take(&r, t->name, len, "name");
    if (strlen(t->name) != len)
      fail_setup("tensor %u: name holds a NUL byte", i);
    t->ndim = take_u32(&r, "ndim");
    if (t->ndim > MAX_DIMS)
      fail_setup("%s: %u dimensions", t->name, t->ndim);
    t->count = 1;
    for (unsigned k = 0; k < t->ndim; k++) {
      t->dims[k] = take_u32(&r, "dims");
      if (t->dims[k] == 0 || t->dims[k] > 100000000 / t->count)
        fail_setup("%s: implausible shape", t->name);
      t->count *= t->dims[k];
    }
    if (r.left / 8 < t->count)
      fail_setup("truncated fixture: %s needs %zu values", t->name, t->count);
    t->data = xcalloc(t->count * sizeof *t->data);
    for (size_t k = 0; k < t->count; k++)
      t->data[k] = take_f64(&r);
    for (unsigned k = 0; k < i; k++)
      if (strcmp(fx.t[k].name, t->name) == 0)
        fail_setup("tensor %s appears twice", t->name);
  }
  if (r.left != 0)
    fail_setup("%zu bytes after the last tensor", r.left);
  free(buf);
  return fx;
}

static const Tensor *find(const Fixture *fx, const char *name) {
  for (unsigned i = 0; i < fx->count; i++)
    if (strcmp(fx->t[i].name, name) == 0)
      return &fx->t[i];
  return NULL;
}

static void shape_string(const Tensor *t, char *out, size_t n) {
  size_t at = (size_t)snprintf(out, n, "[");
  for (unsigned k = 0; k < t->ndim && at < n; k++)
    at += (size_t)snprintf(out + at, n - at, "%s%zu", k ? ", " : "", t->dims[k]);
  if (at < n)
    snprintf(out + at, n - at, "]");
}

/* The tensor NAME with exactly the shape dims[ndim]; stops if it is missing
 * or has another shape. */
static const Tensor *need(const Fixture *fx, const char *name, unsigned ndim,
                          const size_t *dims) {
  const Tensor *t = find(fx, name);
  if (!t)
    fail_setup("tensor %s is missing", name);
  int same = t->ndim == ndim;
  for (unsigned k = 0; same && k < ndim; k++)
    same = t->dims[k] == dims[k];
  if (!same) {
    char got[128];
    Tensor want = {0};
    want.ndim = ndim;
    for (unsigned k = 0; k < ndim; k++)
      want.dims[k] = dims[k];
    char wanted[128];
    shape_string(t, got, sizeof got);
    shape_string(&want, wanted, sizeof wanted);
    fail_setup("tensor %s has shape %s, the model needs %s", name, got, wanted);
  }
  return t;
}

/* A parameter tensor: [rows, cols], or [rows] for a vector (cols 1). */
static const Tensor *need_param(const Fixture *fx, const char *name, const RnnTensorDesc *d) {
  const Tensor *t = find(fx, name);
  if (t && d->cols == 1 && t->ndim == 1) {
    size_t dims[1] = {(size_t)d->rows};
    return need(fx, name, 1, dims);
  }
  size_t dims[2] = {(size_t)d->rows, (size_t)d->cols};
  return need(fx, name, 2, dims);
}

static int whole(double v, double lo, double hi) {
  return v == floor(v) && v >= lo && v <= hi;
}

/* ---- comparisons ---- */

static double tolerance = 1e-5;
static int passed, failed;
static double worst_all;
static char worst_name[160] = "-";

static void compare(const char *label, const rnn_real *got, const Tensor *want) {
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < want->count; i++) {
    double d = fabs((double)got[i] - want->data[i]);
    if (!(d <= worst)) { /* a NaN is the worst */
      worst = isnan(d) ? HUGE_VAL : d;
      at = i;
    }
  }
  int ok = worst <= tolerance;
  passed += ok;
  failed += !ok;
  if (worst > worst_all || passed + failed == 1) {
    worst_all = worst;
    snprintf(worst_name, sizeof worst_name, "%s", label);
  }
  printf("  %-34s %5zu  max|diff| %.3e", label, want->count, worst);
  if (!ok)
    printf("  at %zu: got %.10g, torch %.10g", at, (double)got[at], want->data[at]);
  printf("  %s\n", ok ? "ok" : "FAIL");
}

/* ---- the model ---- */

typedef struct Model {
  const RnnModelDesc *d;
  rnn_real *params, *grads;
  void *state, *ws, *batch, *optim;
} Model;

static void set_params(Model *m, const Fixture *fx, const char *prefix) {
  const RnnModelDesc *d = m->d;
  char name[256];
  for (int i = 0; i < d->n_tensors; i++) {
    const RnnTensorDesc *td = &d->tensors[i];
    snprintf(name, sizeof name, "%s%s", prefix, td->name);
    const Tensor *t = need_param(fx, name, td);
    for (size_t k = 0; k < t->count; k++)
      m->params[td->offset + k] = (rnn_real)t->data[k];
  }
}

static void compare_params(const rnn_real *flat, const RnnModelDesc *d, const Fixture *fx,
                           const char *prefix) {
  char name[256];
  for (int i = 0; i < d->n_tensors; i++) {
    const RnnTensorDesc *td = &d->tensors[i];
    snprintf(name, sizeof name, "%s%s", prefix, td->name);
    compare(name, flat + td->offset, need_param(fx, name, td));
  }
}

static void fill_batch(Model *m, const Fixture *fx) {
  const RnnModelDesc *d = m->d;
  size_t T = (size_t)d->length, B = (size_t)d->batch, OUT = (size_t)d->out_units;
  char *batch = m->batch;
  if (d->tokens) {
    size_t dims[2] = {T, B};
    const Tensor *x = need(fx, "x", 2, dims);
    int32_t *bx = (int32_t *)(batch + d->batch_x);
    for (size_t i = 0; i < x->count; i++) {
      if (!whole(x->data[i], 0, d->vocab - 1))
        fail_setup("x[%zu] = %g is not a token id below %d", i, x->data[i], d->vocab);
      bx[i] = (int32_t)x->data[i];
    }
  } else {
    size_t dims[3] = {T, B, (size_t)d->features};
    const Tensor *x = need(fx, "x", 3, dims);
    rnn_real *bx = (rnn_real *)(batch + d->batch_x);
    for (size_t i = 0; i < x->count; i++)
      bx[i] = (rnn_real)x->data[i];
  }
  size_t ydims[3], yn = 0;
  if (d->out_per_step) {
    ydims[yn++] = T;
    ydims[yn++] = B;
  } else {
    ydims[yn++] = B;
  }
  if (d->loss == RNN_LOSS_XENT) {
    const Tensor *y = need(fx, "y", (unsigned)yn, ydims);
    int32_t *by = (int32_t *)(batch + d->batch_y);
    for (size_t i = 0; i < y->count; i++) {
      if (!whole(y->data[i], 0, d->out_units - 1))
        fail_setup("y[%zu] = %g is not a class below %d", i, y->data[i], d->out_units);
      by[i] = (int32_t)y->data[i];
    }
  } else {
    ydims[yn++] = OUT;
    const Tensor *y = need(fx, "y", (unsigned)yn, ydims);
    rnn_real *by = (rnn_real *)(batch + d->batch_y);
    for (size_t i = 0; i < y->count; i++)
      by[i] = (rnn_real)y->data[i];
  }
  if (d->batch_lengths >= 0) {
    size_t dims[1] = {B};
    const Tensor *len = need(fx, "lengths", 1, dims);
    int32_t *bl = (int32_t *)(batch + d->batch_lengths);
    for (size_t i = 0; i < B; i++) {
      if (!whole(len->data[i], 0, (double)T))
        fail_setup("lengths[%zu] = %g is not in 0..%zu", i, len->data[i], T);
      bl[i] = (int32_t)len->data[i];
    }
  } else if (find(fx, "lengths")) {
    fail_setup("the fixture has lengths but the model takes none");
  }
}

/* The one-step function (what sampling and streaming prediction run), fed
 * each sequence of the batch one step at a time, must give PyTorch's
 * output: at every step for per-step models, at the last for the others.
 * Skipped for masked models (the step function has no lengths). */
static void compare_step(const Model *m, const Fixture *fx) {
  const RnnModelDesc *d = m->d;
  if (d->mask != RNN_MASK_NONE || d->step == NULL) return;
  size_t T = (size_t)d->length, B = (size_t)d->batch, OUT = (size_t)d->out_units;
  size_t F = d->tokens ? 1 : (size_t)d->features;
  const char *batch = m->batch;
  const int32_t *tok = (const int32_t *)(batch + d->batch_x); /* [T][B] */
  const rnn_real *x = (const rnn_real *)(batch + d->batch_x); /* [T][B][F] */
  size_t rows = d->out_per_step ? T * B : B;
  rnn_real *got = xcalloc(rows * OUT * sizeof *got);
  void *st = xcalloc(d->step_size ? d->step_size : 1);
  for (size_t b = 0; b < B; b++) {
    d->step_reset(st);
    for (size_t t = 0; t < T; t++) {
      const rnn_real *y = d->tokens ? d->step(m->params, st, tok[t * B + b], NULL)
                                    : d->step(m->params, st, 0, x + (t * B + b) * F);
      if (d->out_per_step)
        memcpy(got + (t * B + b) * OUT, y, OUT * sizeof *got);
      else if (t == T - 1)
        memcpy(got + b * OUT, y, OUT * sizeof *got);
    }
  }
  const Tensor *want = find(fx, "out");
  if (!want || want->count != rows * OUT)
    fail_setup("tensor out has %zu elements, the step check needs %zu", want ? want->count : 0,
               rows * OUT);
  compare("out, one step at a time", got, want);
  free(got);
  free(st);
}

/* Every tensor of the fixture must mean something for this model: a typo
 * or a model change must not silently skip a comparison. Returns whether
 * the fixture has training steps. */
static int check_names(const Fixture *fx, const RnnModelDesc *d) {
  int steps = 0;
  for (unsigned i = 0; i < fx->count; i++) {
    const char *n = fx->t[i].name, *param = n;
    if (!strcmp(n, "x") || !strcmp(n, "y") || !strcmp(n, "lengths") || !strcmp(n, "out") ||
        !strcmp(n, "loss") || !strcmp(n, "dropout_seed"))
      continue;
    if (!strncmp(n, "h_final.", 8) || !strncmp(n, "c_final.", 8)) {
      int known = 0;
      for (int k = 0; k < parity_n_states; k++)
        if (!strcmp(n + 8, parity_states[k].layer) && (n[0] == 'h' || parity_states[k].has_c))
          known = 1;
      if (!known)
        fail_setup("tensor %s: the model has no such recurrent state", n);
      continue;
    }
    if (!strncmp(n, "grad.", 5)) {
      param = n + 5;
    } else if (!strncmp(n, "step", 4) && n[4] >= '1' && n[4] <= '0' + TRAIN_STEPS &&
               n[5] == '.') {
      param = n + 6;
      steps = 1;
    }
    int known = 0;
    for (int k = 0; k < d->n_tensors; k++)
      known |= !strcmp(param, d->tensors[k].name);
    if (!known)
      fail_setup("tensor %s: the model has no parameter %s", n, param);
  }
  return steps;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s FIXTURE [TOL]\n", argv[0]);
    return 2;
  }
  fixture_path = argv[1];
  if (argc == 3) {
    char *end;
    tolerance = strtod(argv[2], &end);
    if (*end || !(tolerance > 0)) {
      fprintf(stderr, "parity: bad tolerance '%s'\n", argv[2]);
      return 2;
    }
  }
  const RnnModelDesc *d = &MODEL_DESC;
  if (d->abi != RNN_ABI)
    fail_setup("model ABI %d, runtime ABI %d", d->abi, RNN_ABI);
  Fixture fx = load_fixture(fixture_path);
  int has_steps = check_names(&fx, d);

  Model m = {d, NULL, NULL, NULL, NULL, NULL, NULL};
  if (d->params_size != d->n_params * sizeof(rnn_real))
    fail_setup("params_size %zu is not n_params %zu reals", d->params_size, d->n_params);
  m.params = xcalloc(d->params_size);
  m.grads = xcalloc(d->params_size);
  m.state = xcalloc(d->state_size);
  m.ws = xcalloc(d->workspace_size);
  m.batch = xcalloc(d->batch_size);
  m.optim = xcalloc(d->optim_size);
  set_params(&m, &fx, "");
  fill_batch(&m, &fx);
  printf("parity %s (%s, tolerance %.0e): %zu parameters, %u fixture tensors\n", d->name,
         PRECISION, tolerance, d->n_params, fx.count);

  size_t T = (size_t)d->length, B = (size_t)d->batch, OUT = (size_t)d->out_units;
  /* ---- forward ---- */
  d->reset_state(m.state);
  const Tensor *seed = find(&fx, "dropout_seed");
  RnnRng rng, *dropout = NULL;
  if (seed) {
    if (seed->count != 1 || !(seed->data[0] >= 0 && seed->data[0] < 9007199254740992.0))
      fail_setup("tensor dropout_seed is not one integer below 2^53");
    rnn_rng_seed(&rng, (uint64_t)seed->data[0]);
    dropout = &rng;
  }
  rnn_real loss = d->forward(m.params, m.state, m.ws, m.batch, dropout);
  const Tensor *want_loss = find(&fx, "loss");
  if (!want_loss)
    fail_setup("tensor loss is missing");
  if (want_loss->count != 1)
    fail_setup("tensor loss has %zu elements", want_loss->count);
  compare("loss", &loss, want_loss);
  {
    size_t dims[3], n = 0;
    if (d->out_per_step)
      dims[n++] = T;
    dims[n++] = B;
    dims[n++] = OUT;
    compare("out", (const rnn_real *)((const char *)m.ws + d->output_offset),
            need(&fx, "out", (unsigned)n, dims));
  }
  if (!dropout) /* the one-step function never drops */
    compare_step(&m, &fx);
  for (int k = 0; k < parity_n_states; k++) {
    const ParityState *s = &parity_states[k];
    char name[128];
    if (s->rows != T + 1)
      fail_setup("%s_h has %zu rows, expected T+1 = %zu", s->layer, s->rows, T + 1);
    if (s->row_elements % B)
      fail_setup("%s_h rows of %zu are not B = %zu rows", s->layer, s->row_elements, B);
    size_t dims[2] = {B, s->row_elements / B};
    const rnn_real *h = (const rnn_real *)((const char *)m.ws + s->h_offset);
    snprintf(name, sizeof name, "h_final.%s", s->layer);
    compare(name, h + T * s->row_elements, need(&fx, name, 2, dims));
    if (s->has_c) {
      if (s->c_rows != T + 1 || s->c_row_elements != s->row_elements)
        fail_setup("%s_c is not [T+1][B*H]", s->layer);
      const rnn_real *c = (const rnn_real *)((const char *)m.ws + s->c_offset);
      snprintf(name, sizeof name, "c_final.%s", s->layer);
      compare(name, c + T * s->row_elements, need(&fx, name, 2, dims));
    }
  }

  /* ---- backward ---- */
  d->backward(m.params, m.ws, m.batch, m.grads);
  compare_params(m.grads, d, &fx, "grad.");

  /* ---- training steps ---- */
  if (has_steps) {
    set_params(&m, &fx, "");
    d->optim_init(m.optim);
    for (int k = 1; k <= TRAIN_STEPS; k++) {
      char prefix[16];
      snprintf(prefix, sizeof prefix, "step%d.", k);
      d->reset_state(m.state);
      d->train_step(m.params, m.grads, m.optim, m.state, m.ws, m.batch, NULL);
      compare_params(m.params, d, &fx, prefix);
    }
  }

  printf("%s (%s): worst |diff| %.3e in %s\n", d->name, PRECISION, worst_all, worst_name);
  printf("%d passed, %d failed\n", passed, failed);
  for (unsigned i = 0; i < fx.count; i++) {
    free(fx.t[i].name);
    free(fx.t[i].data);
  }
  free(fx.t);
  free(m.params);
  free(m.grads);
  free(m.state);
  free(m.ws);
  free(m.batch);
  free(m.optim);
  return failed ? 1 : 0;
}
