/*
 * dist_none.c - dist.h for a runtime built without MPI: every run is a job
 * of one, and a program started by mpirun says it cannot take part.
 */
#include "dist.h"

int rnn_dist_init(RnnDist *w, int *argc, char ***argv, RnnError *err) {
  (void)argc;
  (void)argv;
  *w = (RnnDist){0, 1, 1, 0};
  if (rnn_dist_launched() > 1)
    return rnn_error_set(err, "started by mpirun, but this runtime was built without MPI: "
                              "install libopenmpi-dev and rebuild (CMake finds it), or run "
                              "one process without mpirun");
  return 0;
}

void rnn_dist_finish(RnnDist *w) { (void)w; }

void rnn_dist_abort(const RnnDist *w, int code) {
  (void)w;
  (void)code;
}

void rnn_dist_sum_reals(const RnnDist *w, rnn_real *x, size_t n) {
  (void)w;
  (void)x;
  (void)n;
}

void rnn_dist_sum_doubles(const RnnDist *w, double *x, size_t n) {
  (void)w;
  (void)x;
  (void)n;
}
