/*
 * sample.c - the token sampler: one index drawn from a softmax output,
 * reshaped by a temperature and restricted to the top k.
 *
 * Design constraints and how they are met:
 *   - no allocation and no VLA (n may be up to 65536): every pass
 *     recomputes what it needs from PROBS instead of keeping a copy;
 *   - top-k without sorting: the k-th largest probability is found by
 *     bisection on its bit pattern (see kth_largest_key), 32 or 64 passes
 *     over PROBS whatever k is, exact for any k and any ties;
 *   - p^(1/t) in log space: w = exp((log p - log p_max) / t), so the
 *     largest weight is exactly 1, the sum is at least 1 and neither a tiny
 *     t nor a tiny p overflows or divides by zero; the sum runs in double;
 *   - reproducibility: the RNG is advanced exactly once per call, whatever
 *     path the call takes, so a seed fixes the whole generated sequence.
 */
#include "rnn_report.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Below this temperature sampling is argmax: (log p - log p_max) / t would
 * only underflow every weight but the largest anyway. */
static const double MIN_TEMPERATURE = 1e-6;

/* A probability that can be drawn: positive and finite. Zeros, negatives,
 * NaN and infinities get weight 0 (a softmax never produces the last
 * three; if one does, the fallback is argmax). */
static int is_drawable(rnn_real p) { return p > 0 && isfinite(p); }

/* For positive finite values, IEEE-754 bit patterns read as unsigned
 * integers are ordered like the values themselves: a key to bisect on. */
static uint64_t order_key(rnn_real p) {
#ifdef RNN_REAL_DOUBLE
  uint64_t bits;
#else
  uint32_t bits;
#endif
  memcpy(&bits, &p, sizeof bits);
  return (uint64_t)bits;
}

/* Index of the largest value, the lowest index among equals, NaN skipped;
 * 0 when every value is NaN (or n <= 0). */
static int argmax_of(const rnn_real *probs, int n) {
  int best = -1;
  for (int i = 0; i < n; i++) {
    if (isnan(probs[i])) continue;
    if (best < 0 || probs[i] > probs[best]) best = i;
  }
  return best < 0 ? 0 : best;
}

/* How many drawable values have a key >= KEY. */
static int count_at_least(const rnn_real *probs, int n, uint64_t key) {
  int count = 0;
  for (int i = 0; i < n; i++)
    if (is_drawable(probs[i]) && order_key(probs[i]) >= key) count++;
  return count;
}

/* The key of the K-th largest drawable value, given that more than K
 * values are drawable (1 <= K). Invariant: count(>= lo) >= K and
 * count(>= hi) < K. Counts only change at keys of values, so the largest
 * lo with count(>= lo) >= K is exactly the k-th largest value's key. The
 * range is at most 2^63 wide: at most 64 passes, no buffer, no sort. */
static uint64_t kth_largest_key(const rnn_real *probs, int n, int k, uint64_t max_key) {
  uint64_t lo = 0, hi = max_key + 1;
  while (hi - lo > 1) {
    uint64_t mid = lo + (hi - lo) / 2;
    if (count_at_least(probs, n, mid) >= k)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

/* Which values are in the top k: those with a key above THRESHOLD, and
 * among those equal to it, the first TIES_LEFT in index order (ties go to
 * the lowest index, deterministically). Walk indices in ascending order
 * and call top_k_admits once per drawable value. */
typedef struct TopK {
  uint64_t threshold;
  int ties_left;
} TopK;

static int top_k_admits(TopK *sel, rnn_real p) {
  uint64_t key = order_key(p);
  if (key > sel->threshold) return 1;
  if (key == sel->threshold && sel->ties_left > 0) {
    sel->ties_left--;
    return 1;
  }
  return 0;
}

/* Sets up the top-K selection over the DRAWABLE values (MAX_KEY is the
 * largest one's key); K >= DRAWABLE admits all of them. */
static TopK top_k_select(const rnn_real *probs, int n, int k, int drawable, uint64_t max_key) {
  TopK sel = {0, drawable};
  if (k <= 0 || k >= drawable) return sel;
  sel.threshold = kth_largest_key(probs, n, k, max_key);
  sel.ties_left = k - count_at_least(probs, n, sel.threshold + 1);
  return sel;
}

/* The tempered weight p^(1/t) / p_max^(1/t), in (0, 1]. */
static double tempered_weight(rnn_real p, double log_p_max, double inv_t) {
  return exp((log((double)p) - log_p_max) * inv_t);
}

/* Draws index i with probability proportional to probs[i]^(1/temperature)
 * among the top_k largest positive finite probabilities (top_k <= 0 or
 * >= n: all of them; equal values at the cut are taken lowest index
 * first). temperature < 1e-6 (or NaN) and top_k == 1 give the argmax
 * (lowest index among equals). When no probability is positive and finite
 * the argmax of the input is returned (NaN skipped; 0 when all are NaN, or
 * when n <= 0). Exactly one rnn_rng_uniform is drawn from RNG on every
 * call. No allocation; n may be up to INT_MAX (cost ~64 passes for top-k). */
int rnn_sample_index(const rnn_real *probs, int n, double temperature, int top_k,
                     RnnRng *rng) {
  double u = rnn_rng_uniform(rng); /* first, so every path consumes it once */
  if (n <= 0) return 0;
  if (!(temperature >= MIN_TEMPERATURE) || top_k == 1) return argmax_of(probs, n);

  int drawable = 0, top = -1;
  for (int i = 0; i < n; i++) {
    if (!is_drawable(probs[i])) continue;
    drawable++;
    if (top < 0 || probs[i] > probs[top]) top = i;
  }
  if (drawable == 0) return argmax_of(probs, n);

  double log_p_max = log((double)probs[top]), inv_t = 1.0 / temperature;
  TopK init = top_k_select(probs, n, top_k, drawable, order_key(probs[top]));

  /* Pass 1 sums the admitted weights; pass 2 walks the same weights to the
   * point u * sum. Both passes make the same admissions in the same order,
   * so they see identical weights. */
  TopK sel = init;
  double sum = 0;
  for (int i = 0; i < n; i++)
    if (is_drawable(probs[i]) && top_k_admits(&sel, probs[i]))
      sum += tempered_weight(probs[i], log_p_max, inv_t);

  double target = u * sum, cumulative = 0;
  int last = top;
  sel = init;
  for (int i = 0; i < n; i++) {
    if (!is_drawable(probs[i]) || !top_k_admits(&sel, probs[i])) continue;
    double w = tempered_weight(probs[i], log_p_max, inv_t);
    if (w <= 0) continue; /* underflowed: never drawn */
    cumulative += w;
    last = i;
    if (target < cumulative) return i;
  }
  return last; /* rounding left target at the very end of the sum */
}
