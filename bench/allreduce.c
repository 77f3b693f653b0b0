/*
 * allreduce.c - the time of one MPI_Allreduce (sum, in place) of N floats:
 * what data-parallel training adds to each step (docs/scaling.md).
 *
 *   mpicc -O2 bench/allreduce.c -o allreduce
 *   mpirun -np 2 ./allreduce N [REPS]      prints the median in microseconds
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  int reps = argc > 2 ? atoi(argv[2]) : 200;
  float *x = malloc((size_t)n * sizeof *x);    /* [n] */
  double *t = malloc((size_t)reps * sizeof *t); /* [reps] */
  if (!x || !t || n < 1 || n > 1000000000 || reps < 1) {
    fprintf(stderr, "allreduce: N in 1..1e9, REPS >= 1\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  for (long i = 0; i < n; i++)
    x[i] = 1.0f / (float)(i + 1);
  for (int r = -10; r < reps; r++) { /* 10 warm-up rounds */
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    if (r >= 0)
      t[r] = MPI_Wtime() - t0;
  }
  qsort(t, (size_t)reps, sizeof *t, cmp_double);
  if (rank == 0)
    printf("allreduce %d ranks %ld floats (%.2f MB): median %.1f us, min %.1f us\n", size, n,
           (double)n * 4 / 1e6, t[reps / 2] * 1e6, t[0] * 1e6);
  free(x);
  free(t);
  MPI_Finalize();
  return 0;
}
