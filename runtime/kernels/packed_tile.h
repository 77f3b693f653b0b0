/*
 * packed_tile.h - the register-blocked tile of rnn_gemm_packed, written
 * once and instantiated per instruction set by packed.c (internal).
 *
 * Before including it, packed.c defines (the first three are undefined
 * again at the end, so one instruction set's macros serve two tiles):
 *   TILE_NAME       name of the tile function to define
 *   TILE_TARGET     function attributes (target ISA), may be empty
 *   TILE_REAL       element type (float; rnn_real for the plain C tile)
 *   TILE_VEC        vector type, TILE_NV of them cover one 16-wide panel row
 *   TILE_NV         vectors per panel row (16 / lanes)
 *   TILE_NP         panels per tile (1 or 2: two adjacent 16-column panels)
 *   TILE_MR         rows of A per tile (the register block): 1, 2, 3, 6 or 12
 *   TILE_LOAD(p), TILE_STORE(p, v), TILE_BCAST(x), TILE_FMA(a, b, c) = a*b+c,
 *   TILE_ZERO()
 *
 * The tile computes C[mr][16*NP] (+)= A[mr][k] P[k][16*NP] for TILE_NP
 * adjacent panels of the packed operand (pstride elements apart): every k
 * loads the panels' rows once (NP*NV vectors) and broadcasts one element of
 * each of the mr rows of A, so mr*NP*NV accumulators stay in registers over
 * the whole k loop. mr is a constant in
 * every call (the dispatcher's switch), so the loops over it unroll and the
 * accumulators never touch memory.
 */

#define TILE_CAT2(a, b) a##b
#define TILE_CAT(a, b) TILE_CAT2(a, b)
#define TILE_FIXED TILE_CAT(TILE_NAME, _fixed)

TILE_TARGET __attribute__((always_inline)) static inline void TILE_FIXED(
    const int mr, int k, const TILE_REAL *a /* [mr][lda] */, int lda,
    const TILE_REAL *p /* NP x [k][16], pstride apart */, size_t pstride, int accumulate,
    TILE_REAL *c /* [mr][ldc] */, int ldc) {
  enum { W = 16 / TILE_NV, NV = TILE_NP * TILE_NV }; /* lanes; vectors per row */
  TILE_VEC acc[TILE_MR][NV];
  for (int i = 0; i < mr; i++)
    for (int v = 0; v < NV; v++)
      acc[i][v] = accumulate ? TILE_LOAD(c + (size_t)i * ldc + v * W) : TILE_ZERO();
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
  for (int kk = 0; kk < k; kk++) {
    TILE_VEC b[NV];
    for (int v = 0; v < NV; v++)
      b[v] = TILE_LOAD(p + (size_t)(v / TILE_NV) * pstride + (size_t)kk * 16 + (v % TILE_NV) * W);
    for (int i = 0; i < mr; i++) {
      TILE_VEC ai = TILE_BCAST(a[(size_t)i * lda + kk]);
      for (int v = 0; v < NV; v++) acc[i][v] = TILE_FMA(ai, b[v], acc[i][v]);
    }
  }
  for (int i = 0; i < mr; i++)
    for (int v = 0; v < NV; v++) TILE_STORE(c + (size_t)i * ldc + v * W, acc[i][v]);
}

/* C[m][16*NP] (+)= A[m][k] P[k][16*NP], m <= TILE_MR: the switch turns
 * the row count into a constant for TILE_FIXED. */
TILE_TARGET static void TILE_NAME(int m, int k, const TILE_REAL *a, int lda, const TILE_REAL *p,
                                  size_t pstride, int accumulate, TILE_REAL *c, int ldc) {
  switch (m) {
#define TILE_CASE(n) \
  case n: TILE_FIXED(n, k, a, lda, p, pstride, accumulate, c, ldc); break;
    TILE_CASE(1)
#if TILE_MR >= 2
    TILE_CASE(2)
#endif
#if TILE_MR >= 3
    TILE_CASE(3)
#endif
#if TILE_MR >= 6
    TILE_CASE(4) TILE_CASE(5) TILE_CASE(6)
#endif
#if TILE_MR >= 12
    TILE_CASE(7) TILE_CASE(8) TILE_CASE(9) TILE_CASE(10) TILE_CASE(11) TILE_CASE(12)
#endif
#undef TILE_CASE
  default: break;
  }
}

#undef TILE_FIXED
#undef TILE_CAT
#undef TILE_CAT2
#undef TILE_NAME
#undef TILE_NP
#undef TILE_MR
