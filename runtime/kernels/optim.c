/*
 * optim.c - optimizers, learning-rate schedules and gradient clipping.
 *
 * The updates reproduce torch.optim (checked against PyTorch by
 * tests/runtime/test_math.c with values from optim_reference.py), with the
 * same operations in the same order, done in double per element:
 *
 *   every optimizer  g = grad + weight_decay * param   (L2 in the gradient)
 *   SGD              (dampening 0)
 *                    momentum > 0:  buf = momentum * buf + g
 *                                   g = nesterov ? g + momentum * buf : buf
 *                    param -= lr * g
 *   RMSprop          alpha = cfg->rho
 *                    sq = alpha * sq + (1 - alpha) g^2
 *                    centered: ga = alpha * ga + (1 - alpha) g
 *                              avg = sqrt(sq - ga^2) + eps
 *                    else      avg = sqrt(sq) + eps
 *                    momentum > 0:  buf = momentum * buf + g / avg
 *                                   param -= lr * buf
 *                    else           param -= lr * g / avg
 *   Adam             m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
 *                    denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 *                    param -= lr / (1 - beta1^t) * m / denom
 *   Adagrad          (lr_decay 0) sum += g^2
 *                    param -= lr * g / (sqrt(sum) + eps)
 *
 * Slot layout: slots is [rnn_opt_slots(cfg)][n], slot k of parameter i at
 * slots[k*n + i]:
 *   SGD      [0] momentum buffer             (only when momentum > 0)
 *   RMSprop  [0] square average, then the momentum buffer (when
 *            momentum > 0), then the gradient average (when centered):
 *            centered without momentum puts the gradient average in [1]
 *   Adam     [0] first moment m, [1] second moment v
 *   Adagrad  [0] sum of squared gradients
 * All start at 0 except Adagrad's sum (initial_accumulator). PyTorch's SGD
 * starts the momentum buffer at the first gradient; with dampening 0 that
 * is what momentum * 0 + g gives, so a zero start is exact.
 */
#include "rnn.h"

#include <math.h>

#include "rnn_threads.h"

/* ---- slots ---- */

static int has_momentum(const RnnOptConfig *cfg) { return cfg->momentum > 0; }

/* Number of state slots per parameter element (0..3) for cfg; the same
 * count as the compiler's ir_optimizer_slots. */
int rnn_opt_slots(const RnnOptConfig *cfg) {
  switch (cfg->kind) {
  case RNN_OPT_SGD: return has_momentum(cfg) ? 1 : 0;
  case RNN_OPT_RMSPROP: return 1 + has_momentum(cfg) + (cfg->centered != 0);
  case RNN_OPT_ADAM: return 2;
  case RNN_OPT_ADAGRAD: return 1;
  }
  return 0;
}

/* Sets slots [rnn_opt_slots(cfg)][n] to their starting values: 0, and
 * initial_accumulator for Adagrad's sum (PyTorch's
 * initial_accumulator_value). */
void rnn_opt_init(const RnnOptConfig *cfg, size_t n, rnn_real *slots) {
  size_t total = (size_t)rnn_opt_slots(cfg) * n;
  rnn_real start = cfg->kind == RNN_OPT_ADAGRAD ? (rnn_real)cfg->initial_accumulator : 0;
  for (size_t i = 0; i < total; i++) slots[i] = start;
}

/* ---- schedules ---- */

/* The schedule alone (no warm-up) at `step` >= 0. A schedule whose period
 * (sched_every, sched_steps) is not positive stays at lr. */
static double scheduled_lr(const RnnOptConfig *cfg, long step) {
  switch (cfg->schedule) {
  case RNN_SCHED_CONSTANT: return cfg->lr;
  case RNN_SCHED_STEP:
    if (cfg->sched_every <= 0) return cfg->lr;
    return cfg->lr * pow(cfg->sched_gamma, (double)(step / cfg->sched_every));
  case RNN_SCHED_EXPONENTIAL: return cfg->lr * pow(cfg->sched_gamma, (double)step);
  case RNN_SCHED_COSINE: {
    if (cfg->sched_steps <= 0) return cfg->lr;
    static const double pi = 3.14159265358979323846264338327950288;
    long capped = step < cfg->sched_steps ? step : cfg->sched_steps;
    double progress = (double)capped / (double)cfg->sched_steps;
    return cfg->sched_min_lr + (cfg->lr - cfg->sched_min_lr) * (1.0 + cos(pi * progress)) / 2.0;
  }
  }
  return cfg->lr;
}

/* Learning rate at `step` (0-based, negative treated as 0):
 *   constant     lr
 *   step         lr * gamma^floor(step / every)
 *   exponential  lr * gamma^step
 *   cosine       min_lr + (lr - min_lr) (1 + cos(pi * min(step, steps) / steps)) / 2
 * and, while step < warmup, that times (step + 1) / warmup: the schedule
 * keeps counting during warm-up, the warm-up only scales it. */
double rnn_schedule_lr(const RnnOptConfig *cfg, long step) {
  if (step < 0) step = 0;
  double lr = scheduled_lr(cfg, step);
  if (step < cfg->warmup) lr *= (double)(step + 1) / (double)cfg->warmup;
  return lr;
}

/* ---- clipping ---- */

/* torch.nn.utils.clip_grad_norm_ with norm_type 2 over grads [n]: the norm
 * is computed in double; coef = max_norm / (norm + 1e-6) multiplies the
 * gradients when it is below 1. That is when norm > max_norm, and also in
 * PyTorch's 1e-6 band just under it, where the factor differs from 1 by
 * less than 1e-6 / max_norm. Returns the norm before clipping (a NaN or
 * infinite norm is returned for the caller to act on; NaN leaves the
 * gradients alone). max_norm <= 0 only measures. */
double rnn_clip_global_norm(size_t n, rnn_real *grads, double max_norm) {
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += (double)grads[i] * (double)grads[i];
  double norm = sqrt(sum);
  if (max_norm <= 0) return norm;
  double coef = max_norm / (norm + 1e-6);
  if (coef < 1.0) {
    rnn_real factor = (rnn_real)coef;
    for (size_t i = 0; i < n; i++) grads[i] *= factor;
  }
  return norm;
}

/* ---- updates, one per optimizer; each element in double ---- */

/* Each update below runs on the elements [i0, i1): a thread's part
 * (rnn_opt_step); n, where given, is the stride of the slot arrays. */

/* The gradient torch's optimizers step on: L2 weight decay folded in. */
static double decayed_grad(const RnnOptConfig *cfg, rnn_real param, rnn_real grad) {
  return (double)grad + cfg->weight_decay * (double)param;
}

/* params, grads [n]; slots [0 or 1][n]: the momentum buffer. */
static void sgd_step(const RnnOptConfig *cfg, double lr, size_t i0, size_t i1, rnn_real *params,
                     const rnn_real *grads, rnn_real *slots) {
  double mu = cfg->momentum;
  rnn_real *buf = has_momentum(cfg) ? slots : NULL; /* [n] */
  for (size_t i = i0; i < i1; i++) {
    double g = decayed_grad(cfg, params[i], grads[i]);
    if (buf != NULL) {
      double b = mu * (double)buf[i] + g;
      buf[i] = (rnn_real)b;
      g = cfg->nesterov ? g + mu * b : b;
    }
    params[i] = (rnn_real)((double)params[i] - lr * g);
  }
}

/* params, grads [n]; slots [1..3][n]: square average, momentum buffer
 * (momentum > 0), gradient average (centered), in that order. */
static void rmsprop_step(const RnnOptConfig *cfg, double lr, size_t n, size_t i0, size_t i1,
                         rnn_real *params, const rnn_real *grads, rnn_real *slots) {
  double alpha = cfg->rho, mu = cfg->momentum;
  rnn_real *sq = slots; /* [n] */
  rnn_real *next = slots + n;
  rnn_real *buf = NULL; /* [n] */
  rnn_real *ga = NULL;  /* [n] */
  if (has_momentum(cfg)) {
    buf = next;
    next += n;
  }
  if (cfg->centered) ga = next;
  for (size_t i = i0; i < i1; i++) {
    double g = decayed_grad(cfg, params[i], grads[i]);
    double s = alpha * (double)sq[i] + (1.0 - alpha) * g * g;
    sq[i] = (rnn_real)s;
    double avg;
    if (ga != NULL) {
      double a = alpha * (double)ga[i] + (1.0 - alpha) * g;
      ga[i] = (rnn_real)a;
      avg = sqrt(s - a * a) + cfg->eps;
    } else {
      avg = sqrt(s) + cfg->eps;
    }
    if (buf != NULL) {
      double b = mu * (double)buf[i] + g / avg;
      buf[i] = (rnn_real)b;
      params[i] = (rnn_real)((double)params[i] - lr * b);
    } else {
      params[i] = (rnn_real)((double)params[i] - lr * g / avg);
    }
  }
}

/* params, grads [n]; slots [2][n]: m, then v. step >= 1. */
static void adam_step(const RnnOptConfig *cfg, long step, double lr, size_t n, size_t i0,
                      size_t i1, rnn_real *params, const rnn_real *grads, rnn_real *slots) {
  double b1 = cfg->beta1, b2 = cfg->beta2;
  rnn_real *m = slots;     /* [n] */
  rnn_real *v = slots + n; /* [n] */
  double t = (double)step;
  double step_size = lr / (1.0 - pow(b1, t));
  double correction2_sqrt = sqrt(1.0 - pow(b2, t));
  for (size_t i = i0; i < i1; i++) {
    double g = decayed_grad(cfg, params[i], grads[i]);
    double mi = b1 * (double)m[i] + (1.0 - b1) * g;
    double vi = b2 * (double)v[i] + (1.0 - b2) * g * g;
    m[i] = (rnn_real)mi;
    v[i] = (rnn_real)vi;
    double denom = sqrt(vi) / correction2_sqrt + cfg->eps;
    params[i] = (rnn_real)((double)params[i] - step_size * mi / denom);
  }
}

/* params, grads [n]; slots [1][n]: the sum of squared gradients. */
static void adagrad_step(const RnnOptConfig *cfg, double lr, size_t i0, size_t i1,
                         rnn_real *params, const rnn_real *grads, rnn_real *slots) {
  rnn_real *sum = slots; /* [n] */
  for (size_t i = i0; i < i1; i++) {
    double g = decayed_grad(cfg, params[i], grads[i]);
    double s = (double)sum[i] + g * g;
    sum[i] = (rnn_real)s;
    params[i] = (rnn_real)((double)params[i] - lr * g / (sqrt(s) + cfg->eps));
  }
}

/* Elements [i0, i1) of rnn_opt_step. */
static void opt_part(const RnnOptConfig *cfg, long step, double lr, size_t n, size_t i0,
                     size_t i1, rnn_real *params, const rnn_real *grads, rnn_real *slots) {
  switch (cfg->kind) {
  case RNN_OPT_SGD: sgd_step(cfg, lr, i0, i1, params, grads, slots); return;
  case RNN_OPT_RMSPROP: rmsprop_step(cfg, lr, n, i0, i1, params, grads, slots); return;
  case RNN_OPT_ADAM: adam_step(cfg, step, lr, n, i0, i1, params, grads, slots); return;
  case RNN_OPT_ADAGRAD: adagrad_step(cfg, lr, i0, i1, params, grads, slots); return;
  }
}

/* One update of params [n] from grads [n] with learning rate lr (normally
 * rnn_schedule_lr's), PyTorch's semantics for cfg->kind (formulas and the
 * layout of slots [rnn_opt_slots(cfg)][n] at the top of this file). step
 * is the 1-based update count (Adam's bias correction). Clipping is the
 * caller's (rnn_clip_global_norm before this). */
void rnn_opt_step(const RnnOptConfig *cfg, long step, double lr, size_t n,
                  rnn_real *params, const rnn_real *grads, rnn_real *slots) {
  /* Every element is updated on its own: threads split them (same bits). */
  int nt = rnn_threads_for((long)(n / 64), 10.0 * (double)n);
  RNN_FOR_MY_PART(nt, (long)n, 16,
                  opt_part(cfg, step, lr, n, (size_t)i0, (size_t)i1, params, grads, slots));
}
