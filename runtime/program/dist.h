/*
 * dist.h - data-parallel training over MPI, as the driver sees it: a
 * handle that says how many processes ("ranks") train together and which
 * one this is, and a sum over all of them.
 *
 * The runtime joins an MPI job only when it was built with MPI (CMake
 * found it: dist_mpi.c) and the program was started by mpirun (its
 * environment says so); otherwise it is the one rank of a job of one, the
 * sums leave their arguments as they are, and no MPI function is called
 * (dist_none.c, or dist_mpi.c outside mpirun). docs/scaling.md describes
 * the training this serves.
 */
#ifndef RNN_DIST_H
#define RNN_DIST_H

#include <stddef.h>
#include <stdlib.h>

#include "rnn_model.h"

typedef struct RnnDist {
  int rank;       /* this process: 0 .. size-1; rank 0 writes every file */
  int size;       /* processes training together, N */
  int local_size; /* of them, those on this machine (they share its cores) */
  int joined;     /* MPI_Init was called: rnn_dist_finish must finalize */
} RnnDist;

/* The number of processes the launcher (Open MPI's mpirun, or a PMI one:
 * MPICH, Slurm) started this one among; 0 when none did. */
static inline int rnn_dist_launched(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
    const char *v = getenv(vars[i]);
    if (v && atoi(v) > 0)
      return atoi(v);
  }
  return 0;
}

/* Joins the MPI job the program was started in, or makes W a job of one.
 * -1 with ERR when mpirun started it but the runtime has no MPI (N copies
 * would each train alone and overwrite one another's checkpoints) or MPI
 * fails to start. */
int rnn_dist_init(RnnDist *w, int *argc, char ***argv, RnnError *err);

/* Leaves the job after a clean run (every rank calls it). */
void rnn_dist_finish(RnnDist *w);

/* Stops every rank of W's job with exit status CODE: what a rank does after
 * printing why it cannot go on, so that the others do not wait for it
 * forever. Returns only in a job of one. */
void rnn_dist_abort(const RnnDist *w, int code);

/* X[0..n) becomes its sum over the ranks, on every rank (MPI_Allreduce).
 * Every rank must call it with the same N at the same point. */
void rnn_dist_sum_reals(const RnnDist *w, rnn_real *x, size_t n);
void rnn_dist_sum_doubles(const RnnDist *w, double *x, size_t n);

#endif
