/*
 * rnn_threads.h - splitting a loop of independent items among the OpenMP
 * team (internal to the runtime; rnn_set_threads sets the team's size).
 *
 * Each thread takes one contiguous part of the items and runs the same
 * code a single thread would on it, so the results are the same bits at
 * any thread count: nothing is summed across parts.
 */
#ifndef RNN_THREADS_H
#define RNN_THREADS_H

#ifdef _OPENMP
#include <omp.h>
#endif

/* Below this much work (in FLOPs or element operations) a loop runs on one
 * thread: waking the other costs a few microseconds. */
#define RNN_PARALLEL_MIN_WORK 1e5

/* Threads for a loop of n items costing work in all: one for small loops,
 * inside a parallel region, or without OpenMP; else the team's size, at
 * most n. */
static inline int rnn_threads_for(long n, double work) {
#ifdef _OPENMP
  if (n < 2 || work < RNN_PARALLEL_MIN_WORK || omp_in_parallel()) return 1;
  int t = omp_get_max_threads();
  return t < n ? t : (int)n;
#else
  (void)n, (void)work;
  return 1;
#endif
}

/* Items [*i0, *i1) of n for the calling thread of the team; inner bounds
 * rounded down to a multiple of align (so a part starts on a vector or a
 * cache line), the last part ending at n. */
static inline void rnn_my_part(long n, long align, long *i0, long *i1) {
#ifdef _OPENMP
  int t = omp_get_thread_num(), nt = omp_get_num_threads();
#else
  int t = 0, nt = 1;
#endif
  *i0 = t == 0 ? 0 : n * t / nt / align * align;
  *i1 = t == nt - 1 ? n : n * (t + 1) / nt / align * align;
}

#ifdef _OPENMP
#define RNN_PARALLEL_TEAM(nt) _Pragma("omp parallel num_threads(nt)")
#else
#define RNN_PARALLEL_TEAM(nt)
#endif

/* Runs STMT with long i0, i1 set to the calling thread's part of n items:
 * all of them on this thread when nt is 1 (no parallel construct at all:
 * an inactive one would make a callee's own parallel region a nested
 * team, which libgomp starts afresh every time), else split among nt. */
#define RNN_FOR_MY_PART(nt, n, align, STMT)      \
  do {                                           \
    if ((nt) <= 1) {                             \
      long i0 = 0, i1 = (n);                     \
      STMT;                                      \
    } else {                                     \
      RNN_PARALLEL_TEAM(nt) {                    \
        long i0, i1;                             \
        rnn_my_part((n), (align), &i0, &i1);     \
        if (i1 > i0) STMT;                       \
      }                                          \
    }                                            \
  } while (0)

#endif
