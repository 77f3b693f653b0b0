/*
 * dist_mpi.c - dist.h over MPI: a job of the processes mpirun started,
 * gradients summed with MPI_Allreduce.
 *
 * Every rank must see the same sums bit for bit, or their copies of the
 * parameters drift apart. MPI_SUM on floats is commutative, and Open MPI's
 * allreduce algorithms (recursive doubling, reduce-scatter + allgather)
 * combine the same partial sums on every rank, so they do.
 */
#include "dist.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>

int rnn_dist_init(RnnDist *w, int *argc, char ***argv, RnnError *err) {
  *w = (RnnDist){0, 1, 1, 0};
  if (rnn_dist_launched() == 0)
    return 0; /* not under mpirun: one process, and MPI stays out of it */
  if (MPI_Init(argc, argv) != MPI_SUCCESS)
    return rnn_error_set(err, "MPI_Init failed: see the MPI messages above");
  w->joined = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &w->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &w->size);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, w->rank, MPI_INFO_NULL, &local);
  MPI_Comm_size(local, &w->local_size);
  MPI_Comm_free(&local);
  return 0;
}

void rnn_dist_finish(RnnDist *w) {
  if (w->joined)
    MPI_Finalize();
  w->joined = 0;
}

void rnn_dist_abort(const RnnDist *w, int code) {
  if (w->joined && w->size > 1) {
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
  }
}

/* In chunks: MPI counts are int. */
static void sum(const RnnDist *w, void *x, size_t n, size_t width, MPI_Datatype type) {
  if (w->size == 1)
    return;
  for (size_t at = 0; at < n; at += INT_MAX) {
    size_t count = n - at < (size_t)INT_MAX ? n - at : (size_t)INT_MAX;
    MPI_Allreduce(MPI_IN_PLACE, (char *)x + at * width, (int)count, type, MPI_SUM,
                  MPI_COMM_WORLD);
  }
}

void rnn_dist_sum_reals(const RnnDist *w, rnn_real *x, size_t n) {
  sum(w, x, n, sizeof *x, sizeof *x == sizeof(double) ? MPI_DOUBLE : MPI_FLOAT);
}

void rnn_dist_sum_doubles(const RnnDist *w, double *x, size_t n) {
  sum(w, x, n, sizeof *x, MPI_DOUBLE);
}
