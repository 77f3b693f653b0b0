/* The machine's FMA throughput: the ceiling rnnc's GFLOP/s is read against.
 *
 *   build/bench/peak [--threads N] [--seconds S]
 *
 * Twelve independent accumulator chains of vector FMAs (enough to cover the
 * FMA latency times the number of FMA pipes on current x86 cores), run on
 * one thread and then on N threads at once. AVX2 + FMA always (on x86-64);
 * AVX-512 only when the CPU reports avx512f, so the probe runs where
 * ../shared/bench/sgemm_peak.c stops with SIGILL. Each measurement is the
 * best of three runs of about S seconds (default 0.25).
 *
 * Output, one JSON line each:
 *   {"probe": "fma", "threads": N, "isa": "avx2"|"avx512", "gflops": X}
 * per instruction set and thread count, then per thread count the best:
 *   {"probe": "fma_best", "threads": N, "isa": "...", "gflops": X}
 * (bench/run.sh appends them to its records; bench/compare.py reads them.)
 * Elsewhere than x86 the chains are plain float multiply-adds, "isa": "scalar".
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PEAK_X86 1
#endif

/* Inputs the compiler cannot see through (the chains start from values it
 * cannot prove equal, so it cannot merge them), and a sink for the results. */
static volatile float g_mul = 0.9999999f, g_add = 1e-7f;
static volatile float g_init[12] = {1.0f, 1.1f, 1.2f, 1.3f, 1.4f, 1.5f,
                                    1.6f, 1.7f, 1.8f, 1.9f, 2.0f, 2.1f};
static volatile float g_sink;

typedef double (*ProbeFn)(uint64_t iters); /* returns FLOPs done */

#ifdef PEAK_X86
__attribute__((target("avx2,fma"))) static double probe_avx2(uint64_t iters) {
  const __m256 a = _mm256_set1_ps(g_mul), b = _mm256_set1_ps(g_add);
  __m256 c0 = _mm256_set1_ps(g_init[0]), c1 = _mm256_set1_ps(g_init[1]);
  __m256 c2 = _mm256_set1_ps(g_init[2]), c3 = _mm256_set1_ps(g_init[3]);
  __m256 c4 = _mm256_set1_ps(g_init[4]), c5 = _mm256_set1_ps(g_init[5]);
  __m256 c6 = _mm256_set1_ps(g_init[6]), c7 = _mm256_set1_ps(g_init[7]);
  __m256 c8 = _mm256_set1_ps(g_init[8]), c9 = _mm256_set1_ps(g_init[9]);
  __m256 c10 = _mm256_set1_ps(g_init[10]), c11 = _mm256_set1_ps(g_init[11]);
  for (uint64_t i = 0; i < iters; i++) {
    c0 = _mm256_fmadd_ps(c0, a, b);
    c1 = _mm256_fmadd_ps(c1, a, b);
    c2 = _mm256_fmadd_ps(c2, a, b);
    c3 = _mm256_fmadd_ps(c3, a, b);
    c4 = _mm256_fmadd_ps(c4, a, b);
    c5 = _mm256_fmadd_ps(c5, a, b);
    c6 = _mm256_fmadd_ps(c6, a, b);
    c7 = _mm256_fmadd_ps(c7, a, b);
    c8 = _mm256_fmadd_ps(c8, a, b);
    c9 = _mm256_fmadd_ps(c9, a, b);
    c10 = _mm256_fmadd_ps(c10, a, b);
    c11 = _mm256_fmadd_ps(c11, a, b);
  }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                           _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
  float out[8];
  _mm256_storeu_ps(out, s);
  g_sink = out[0] + out[7];
  return (double)iters * 12 * 8 * 2;
}

__attribute__((target("avx512f"))) static double probe_avx512(uint64_t iters) {
  const __m512 a = _mm512_set1_ps(g_mul), b = _mm512_set1_ps(g_add);
  __m512 c0 = _mm512_set1_ps(g_init[0]), c1 = _mm512_set1_ps(g_init[1]);
  __m512 c2 = _mm512_set1_ps(g_init[2]), c3 = _mm512_set1_ps(g_init[3]);
  __m512 c4 = _mm512_set1_ps(g_init[4]), c5 = _mm512_set1_ps(g_init[5]);
  __m512 c6 = _mm512_set1_ps(g_init[6]), c7 = _mm512_set1_ps(g_init[7]);
  __m512 c8 = _mm512_set1_ps(g_init[8]), c9 = _mm512_set1_ps(g_init[9]);
  __m512 c10 = _mm512_set1_ps(g_init[10]), c11 = _mm512_set1_ps(g_init[11]);
  for (uint64_t i = 0; i < iters; i++) {
    c0 = _mm512_fmadd_ps(c0, a, b);
    c1 = _mm512_fmadd_ps(c1, a, b);
    c2 = _mm512_fmadd_ps(c2, a, b);
    c3 = _mm512_fmadd_ps(c3, a, b);
    c4 = _mm512_fmadd_ps(c4, a, b);
    c5 = _mm512_fmadd_ps(c5, a, b);
    c6 = _mm512_fmadd_ps(c6, a, b);
    c7 = _mm512_fmadd_ps(c7, a, b);
    c8 = _mm512_fmadd_ps(c8, a, b);
    c9 = _mm512_fmadd_ps(c9, a, b);
    c10 = _mm512_fmadd_ps(c10, a, b);
    c11 = _mm512_fmadd_ps(c11, a, b);
  }
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
                           _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11)));
  float out[16];
  _mm512_storeu_ps(out, s);
  g_sink = out[0] + out[15];
  return (double)iters * 12 * 16 * 2;
}
#else
static double probe_scalar(uint64_t iters) {
  const float a = g_mul, b = g_add;
  float c[12];
  for (int k = 0; k < 12; k++)
    c[k] = g_init[k];
  for (uint64_t i = 0; i < iters; i++)
    for (int k = 0; k < 12; k++)
      c[k] = c[k] * a + b;
  float s = 0.0f;
  for (int k = 0; k < 12; k++)
    s += c[k];
  g_sink = s;
  return (double)iters * 12 * 2;
}
#endif

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
  ProbeFn fn;
  uint64_t iters;
  pthread_barrier_t *start;
  double flops;
} Worker;

static void *worker_main(void *arg) {
  Worker *w = arg;
  pthread_barrier_wait(w->start);
  w->flops = w->fn(w->iters);
  return NULL;
}

/* GFLOP/s of `threads` threads running fn for `iters` iterations each at
 * once, timed from the common start to the last one's end. */
static double run_once(ProbeFn fn, int threads, uint64_t iters) {
  Worker *w = calloc((size_t)threads, sizeof *w);
  pthread_t *tid = calloc((size_t)threads, sizeof *tid);
  pthread_barrier_t start;
  if (!w || !tid || pthread_barrier_init(&start, NULL, (unsigned)threads + 1) != 0) {
    fprintf(stderr, "peak: out of memory\n");
    exit(1);
  }
  for (int t = 0; t < threads; t++) {
    w[t] = (Worker){fn, iters, &start, 0.0};
    if (pthread_create(&tid[t], NULL, worker_main, &w[t]) != 0) {
      fprintf(stderr, "peak: cannot start thread %d\n", t);
      exit(1);
    }
  }
  pthread_barrier_wait(&start);
  double t0 = now_s(), flops = 0.0;
  for (int t = 0; t < threads; t++) {
    pthread_join(tid[t], NULL);
    flops += w[t].flops;
  }
  double dt = now_s() - t0;
  pthread_barrier_destroy(&start);
  free(w);
  free(tid);
  return flops / dt * 1e-9;
}

/* Iterations that take about `seconds` on one thread. */
static uint64_t calibrate(ProbeFn fn, double seconds) {
  uint64_t iters = 1000;
  for (;;) {
    double t0 = now_s();
    fn(iters);
    double dt = now_s() - t0;
    if (dt > 0.02 || iters > ((uint64_t)1 << 40)) {
      double want = (double)iters * seconds / (dt > 1e-9 ? dt : 1e-9);
      return want < 1000.0 ? 1000 : (uint64_t)want;
    }
    iters *= 4;
  }
}

static double measure(ProbeFn fn, int threads, uint64_t iters) {
  double best = 0.0;
  for (int rep = 0; rep < 3; rep++) {
    double g = run_once(fn, threads, iters);
    if (g > best)
      best = g;
  }
  return best;
}

int main(int argc, char **argv) {
  int threads = 1;
  double seconds = 0.25;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads = atoi(argv[++i]);
    } else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
      seconds = atof(argv[++i]);
    } else {
      fprintf(stderr,
              "usage: %s [--threads N] [--seconds S]\n"
              "FMA throughput on 1 thread and on N at once, JSON lines on stdout\n",
              argv[0]);
      return strcmp(argv[i], "--help") && strcmp(argv[i], "-h") ? 2 : 0;
    }
  }
  if (threads < 1 || threads > 1024 || !(seconds > 0.0)) {
    fprintf(stderr, "peak: --threads must be 1..1024 and --seconds positive\n");
    return 2;
  }

  struct {
    const char *isa;
    ProbeFn fn;
  } probes[2];
  int n_probes = 0;
#ifdef PEAK_X86
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    fprintf(stderr, "peak: this CPU has no AVX2 + FMA\n");
    return 1;
  }
  probes[n_probes].isa = "avx2";
  probes[n_probes++].fn = probe_avx2;
  if (__builtin_cpu_supports("avx512f")) {
    probes[n_probes].isa = "avx512";
    probes[n_probes++].fn = probe_avx512;
  }
#else
  probes[n_probes].isa = "scalar";
  probes[n_probes++].fn = probe_scalar;
#endif

  int counts[2] = {1, threads};
  int n_counts = threads > 1 ? 2 : 1;
  for (int c = 0; c < n_counts; c++) {
    double best = 0.0;
    const char *best_isa = probes[0].isa;
    for (int p = 0; p < n_probes; p++) {
      uint64_t iters = calibrate(probes[p].fn, seconds);
      double g = measure(probes[p].fn, counts[c], iters);
      printf("{\"probe\": \"fma\", \"threads\": %d, \"isa\": \"%s\", \"gflops\": %.2f}\n",
             counts[c], probes[p].isa, g);
      fflush(stdout);
      if (g > best) {
        best = g;
        best_isa = probes[p].isa;
      }
    }
    printf("{\"probe\": \"fma_best\", \"threads\": %d, \"isa\": \"%s\", \"gflops\": %.2f}\n",
           counts[c], best_isa, best);
    fflush(stdout);
  }
  return 0;
}
