/*
 * rng.c - the explicit-state random number generator and dropout masks.
 *
 * Generator: xoshiro256** 1.0, state seeded from splitmix64, both as
 * published by David Blackman and Sebastiano Vigna, "Scrambled Linear
 * Pseudorandom Number Generators", ACM TOMS 47(4), 2021, with reference
 * code at https://prng.di.unimi.it/ (xoshiro256starstar.c, splitmix64.c).
 * The state lives in the caller's RnnRng, so two generators never
 * interfere and a run is reproducible from its seed alone.
 */
#include "rnn.h"

#include <math.h>

static uint64_t rotate_left(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* splitmix64: a Weyl sequence (golden-ratio increment) through a bijective
 * mixer. Advances *x and returns the next output. */
static uint64_t splitmix64_next(uint64_t *x) {
  uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Sets rng's four state words to the first four splitmix64 outputs from
 * `seed`, as the xoshiro authors recommend. The mixer is a bijection and
 * its four inputs differ, so at most one word can be zero: the all-zero
 * state xoshiro must avoid cannot occur. Any seed is valid (0 included). */
void rnn_rng_seed(RnnRng *rng, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) rng->s[i] = splitmix64_next(&x);
}

/* The reference jump(): RNG advances by 2^128 outputs, so streams jumped
 * 1, 2, ... times from one state never overlap in practice (the ranks of
 * data-parallel training each draw their dropout masks from one). */
void rnn_rng_jump(RnnRng *rng) {
  static const uint64_t JUMP[4] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
                                   0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL};
  uint64_t s[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++)
    for (int b = 0; b < 64; b++) {
      if (JUMP[i] & (UINT64_C(1) << b))
        for (int k = 0; k < 4; k++)
          s[k] ^= rng->s[k];
      rnn_rng_next(rng);
    }
  for (int k = 0; k < 4; k++)
    rng->s[k] = s[k];
}

/* The next 64-bit output of xoshiro256** (the reference next()). */
uint64_t rnn_rng_next(RnnRng *rng) {
  uint64_t *s = rng->s; /* [4] */
  uint64_t result = rotate_left(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotate_left(s[3], 45);
  return result;
}

/* A double uniform on [0, 1): the top 53 bits of one output times 2^-53,
 * so every value is a multiple of 2^-53 and 1.0 is never returned. */
double rnn_rng_uniform(RnnRng *rng) {
  return (double)(rnn_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* A standard normal by the Box-Muller transform: r = sqrt(-2 ln u1),
 * z = r cos(2 pi u2). Draws exactly two uniforms per call and keeps no
 * second value, so the stream stays a pure function of the state. u1 is
 * taken as 1 - uniform, in (0, 1], so the log never sees 0. */
double rnn_rng_normal(RnnRng *rng) {
  static const double two_pi = 6.283185307179586476925286766559;
  double u1 = 1.0 - rnn_rng_uniform(rng);
  double u2 = rnn_rng_uniform(rng);
  return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

/* Inverted dropout: mask[n] gets 1/(1-p) with probability 1-p and 0 with
 * probability p, one uniform per element (kept when uniform >= p). The
 * scale keeps each element's expectation unchanged, so no rescaling is
 * needed at inference. p <= 0 gives all ones and p >= 1 all zeros (1/(1-p)
 * would divide by zero); neither draws from rng. */
void rnn_dropout_mask(RnnRng *rng, size_t n, rnn_real p, rnn_real *mask) {
  if (p >= 1) {
    for (size_t i = 0; i < n; i++) mask[i] = 0;
    return;
  }
  if (p <= 0) {
    for (size_t i = 0; i < n; i++) mask[i] = 1;
    return;
  }
  double drop = (double)p;
  rnn_real keep = (rnn_real)(1.0 / (1.0 - drop));
  for (size_t i = 0; i < n; i++) mask[i] = rnn_rng_uniform(rng) >= drop ? keep : 0;
}
