/*
 * rnn.h - the runtime that rnnc's generated models link with.
 *
 * Everything a model function needs and nothing it must allocate: BLAS
 * wrappers, per-timestep cell kernels (forward and backward side by side),
 * activations, losses, optimizers, learning-rate schedules, clipping,
 * initializers, an explicit-state RNG and dropout masks. No global mutable
 * state: every function works on memory its caller owns.
 *
 * Conventions, shared with the emitter (compiler/emit_*.c):
 *   - a cell's recurrent weights U come as an RnnRecurrent: PyTorch's
 *     layout and the packed copies the per-step products stream;
 *   - row-major everywhere; a batch of vectors is [B][N];
 *   - weights in PyTorch's layout: W_ih [G*H][I], W_hh [G*H][H], gates
 *     stacked in PyTorch order (lstm i,f,g,o; gru r,z,n);
 *   - "xproj" is the input projection of one step, x W_ih^T plus every bias
 *     that can be added there (see each cell);
 *   - seq_mask (may be NULL) is [B] of 1/0: at a 0 the step is padding, the
 *     state passes through unchanged and no gradient flows into the step;
 *   - drop_h (may be NULL) is the layer's recurrent-dropout mask [B][H]
 *     (already scaled by 1/(1-p)); the cell then multiplies h' by it before
 *     the recurrent product and stores that product's input in hd_t;
 *   - backward kernels ADD into gradients they share across steps (dh_prev,
 *     weight gradients) and overwrite per-step outputs.
 *
 * Build with -DRNN_REAL_DOUBLE for double precision (gradient checks).
 */
#ifndef RNN_H
#define RNN_H

#include <stddef.h>
#include <stdint.h>

#define RNN_ABI 1

#ifdef RNN_REAL_DOUBLE
typedef double rnn_real;
#else
typedef float rnn_real;
#endif

/* ---------------------------------------------------------------------- */
/* Memory                                                                 */
/* ---------------------------------------------------------------------- */

/* Alignment of the memory the kernels run fastest on: a cache line, and the
 * widest vector they load. */
#define RNN_ALIGN 64

/* size bytes of zeroed memory aligned to RNN_ALIGN, or NULL when out of
 * memory; release it with free(). Allocate a model's structs (parameters,
 * workspace, step state) with it, or align them to RNN_ALIGN yourself: the
 * functions work on any float-aligned memory, only slower (runtime/kernels/mem.c). */
void *rnn_alloc(size_t size);

/* ---------------------------------------------------------------------- */
/* BLAS                                                                   */
/* ---------------------------------------------------------------------- */

/* C = alpha * op(A) op(B) + beta * C, row-major; op(X) = X^T when trans_x.
 * op(A) is [m][k], op(B) is [k][n], C is [m][n]. Calls OpenBLAS
 * (cblas_sgemm or cblas_dgemm). */
void rnn_gemm(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
              const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
              rnn_real *c, int ldc);

/* Threads for everything the model functions do: N (0: one per core).
 * Built with OpenMP (the default), one OpenMP pool runs it all: the
 * recurrence's per-step products split their weight panels across the
 * threads and rnn_gemm splits large products into per-thread OpenBLAS
 * calls, with OpenBLAS itself at one thread (its pool would spin on the
 * same cores between calls). Without OpenMP, OpenBLAS gets the N threads.
 * Sets process-wide library settings (OpenMP's and OpenBLAS's), no state
 * of rnnc's; call it before the model functions, not during. */
void rnn_set_threads(int n);
int rnn_get_threads(void);

/* The same product as three plain loops: the reference the tests compare
 * rnn_gemm against (and the definition of what rnn_gemm computes). */
void rnn_gemm_ref(int trans_a, int trans_b, int m, int n, int k, rnn_real alpha,
                  const rnn_real *a, int lda, const rnn_real *b, int ldb, rnn_real beta,
                  rnn_real *c, int ldc);

/* ---------------------------------------------------------------------- */
/* Packed products: the recurrence's per-step GEMMs                        */
/* ---------------------------------------------------------------------- */

/* The per-step product h[t-1] U^T has only B rows while U does not change
 * within a training step. A general BLAS copies U into its panel format at
 * every call (a third of a 512-unit LSTM's step); here it is packed once,
 * and every step streams the packed copy (docs/PERFORMANCE.md).
 *
 * Packed layout of op(B) [k][n]: column panels of RNN_PANEL, each panel
 * [k][RNN_PANEL] contiguous, the last one zero-padded:
 *   packed[(j / RNN_PANEL) * k + kk][j % RNN_PANEL] = op(B)[kk][j].
 * The layout is the same on every CPU (checkpoints never hold it). */
#define RNN_PANEL 16
#define RNN_PANELS(n) (((n) + RNN_PANEL - 1) / RNN_PANEL)
#define RNN_PACKED_SIZE(k, n) ((size_t)(k) * RNN_PANELS(n) * RNN_PANEL)

/* Packs op(B) [k][n] (op(B) = B^T when trans_b; B row-major with leading
 * dimension ldb) into packed [RNN_PACKED_SIZE(k, n)]. */
void rnn_pack(int trans_b, int k, int n, const rnn_real *b, int ldb, rnn_real *packed);

/* C[m][n] = A[m][k] op(B) (accumulate: C += ...), op(B) packed by rnn_pack
 * with k_total rows (k <= k_total: the first k rows of every panel, i.e.
 * A multiplies rows [0, k) of op(B); pass packed + k0 * RNN_PANEL for rows
 * [k0, k0 + k)). C must not overlap A or the packed operand. */
void rnn_gemm_packed(int m, int n, int k, const rnn_real *a, int lda, const rnn_real *packed,
                     int k_total, int accumulate, rnn_real *c, int ldc);

/* y[n] = W[n][k] x[k] (accumulate: y += ...) for a row-major W with leading
 * dimension ldw: the batch-1 product, streaming W once in its own layout. */
void rnn_gemv_rows(int n, int k, const rnn_real *w, int ldw, const rnn_real *x,
                   int accumulate, rnn_real *y);

/* A batch-1 step's pre-activations in one pass over both weights:
 * y[n] = W_ih[n][k1] x[k1] + W_hh[n][k2] h[k2] + b1 + b2 (b1, b2 may be
 * NULL), each row of W_ih and then of W_hh streamed in turn. A cell then
 * runs with an RnnRecurrent whose u is NULL (the product is in its
 * xproj). For LSTM and SimpleRNN layers: a GRU's candidate needs its
 * recurrent product apart. */
void rnn_step_preact(int n, int k1, const rnn_real *w_ih, const rnn_real *x, int k2,
                     const rnn_real *w_hh, const rnn_real *h, const rnn_real *b1,
                     const rnn_real *b2, rnn_real *y);

/* The recurrent weights U [G*H][H] of a layer as its cells read them.
 * fwd: U^T per gate, gate g's [H][H] block packed at g*RNN_PACKED_SIZE(H, H)
 * (a gate's columns start a panel, so a cell can multiply any run of
 * gates); bwd: U [G*H][H] packed whole. A NULL fwd makes the forward read
 * u row by row (rnn_gemv_rows: batch-1 steps, which read U once anyway);
 * a NULL bwd is allowed only for forward-only use. A NULL u (fwd and bwd
 * NULL too, forward only) says the recurrent product is already in the
 * step's xproj (rnn_step_preact): the cell adds none. */
typedef struct RnnRecurrent {
  const rnn_real *u;   /* [G*H][H] PyTorch's layout */
  const rnn_real *fwd; /* [RNN_PACKED_FWD_SIZE(G, H)] or NULL */
  const rnn_real *bwd; /* [RNN_PACKED_BWD_SIZE(G, H)] or NULL */
} RnnRecurrent;

#define RNN_PACKED_FWD_SIZE(g, h) ((size_t)(g) * RNN_PACKED_SIZE(h, h))
#define RNN_PACKED_BWD_SIZE(g, h) RNN_PACKED_SIZE((size_t)(g) * (h), h)

/* Packs U [G*H][H] for the forward (fwd, [RNN_PACKED_FWD_SIZE(G, H)]) and
 * for the backward (bwd, [RNN_PACKED_BWD_SIZE(G, H)]); either may be NULL.
 * A training step packs fwd in its forward and bwd in its backward: the
 * weights change only between steps. */
void rnn_pack_recurrent(int G, int H, const rnn_real *u, rnn_real *fwd, rnn_real *bwd);

/* out[m][g*H + j] (+)= (A[m][H] U_g^T)[j] for gates g in [g0, g1): the
 * forward's recurrent product of a run of gates, whichever form rec holds.
 * out has leading dimension ldo. */
void rnn_recurrent_fwd(const RnnRecurrent *rec, int G, int H, int g0, int g1, int m,
                       const rnn_real *a, int accumulate, rnn_real *out, int ldo);

/* out[m][H] (+)= D[m][k] U[k0 .. k0+k][H]: the backward's product with
 * rows [k0, k0 + k) of U, from rec->bwd (or, when NULL, u through
 * rnn_gemm). D has leading dimension ldd, out ldo. */
void rnn_recurrent_bwd(const RnnRecurrent *rec, int G, int H, int k0, int k, int m,
                       const rnn_real *d, int ldd, int accumulate, rnn_real *out, int ldo);

/* ---------------------------------------------------------------------- */
/* Time-parallel pieces: one call covers all T*B rows                      */
/* ---------------------------------------------------------------------- */

/* y[rows][out] = x[rows][in] W[out][in]^T + b1 + b2 (b1, b2 may be NULL). */
void rnn_linear_fwd(int rows, int in, int out, const rnn_real *x, const rnn_real *w,
                    const rnn_real *b1, const rnn_real *b2, rnn_real *y);

/* Gradients of rnn_linear_fwd given dy[rows][out]: dw[out][in] += dy^T x,
 * db[out] += column sums of dy (db may be NULL), and dx[rows][in] = dy W
 * (overwritten; NULL when no input gradient is needed). */
void rnn_linear_bwd(int rows, int in, int out, const rnn_real *x, const rnn_real *w,
                    const rnn_real *dy, rnn_real *dx, rnn_real *dw, rnn_real *db);

/* Embedding: out[r] = table[ids[r]] for r < rows; table is [vocab][width]. */
void rnn_gather_rows(int rows, int width, const int32_t *ids, const rnn_real *table,
                     rnn_real *out);

/* dtable[ids[r]] += dout[r]: the embedding gradient (rows with seq weight 0
 * carry a zero dout, so padding adds nothing). */
void rnn_scatter_add_rows(int rows, int width, const int32_t *ids, const rnn_real *dout,
                          rnn_real *dtable);

/* One-hot input without an embedding: y[r] = W[:, ids[r]] + b1 + b2, with W
 * [out][vocab]. The same result as a one-hot GEMM, as a column gather. */
void rnn_gather_cols(int rows, int out, int vocab, const int32_t *ids, const rnn_real *w,
                     const rnn_real *b1, const rnn_real *b2, rnn_real *y);

/* dW[:, ids[r]] += dy[r]; db1 += column sums of dy (db1 may be NULL). */
void rnn_scatter_add_cols(int rows, int out, int vocab, const int32_t *ids,
                          const rnn_real *dy, rnn_real *dw, rnn_real *db);

/* The same product through a transposed copy wt [vocab][out] = W^T
 * (rnn_transpose, once per forward), so a token's weights are one
 * contiguous row: same result, same order of additions. */
void rnn_gather_token_rows(int rows, int out, const int32_t *ids, const rnn_real *wt,
                           const rnn_real *b1, const rnn_real *b2, rnn_real *y);

/* Its backward: dwt [vocab][out] (scratch, overwritten) sums the rows of
 * dy by token, contiguously; then dW [out][vocab] += dwt^T and db1 += column
 * sums of dy (db1 may be NULL). The same sums as rnn_scatter_add_cols. */
void rnn_scatter_add_token_rows(int rows, int out, int vocab, const int32_t *ids,
                                const rnn_real *dy, rnn_real *dwt, rnn_real *dw, rnn_real *db);

/* Keras's input dropout on one-hot ids (a recurrent layer's `dropout`
 * over token input): each sequence keeps or zeroes (and scales) each token
 * id, the mask shared by all steps as for real inputs. Row r belongs to
 * sequence r % batch: y[r] = mask[r % batch][ids[r]] * W[:, ids[r]] + b1
 * + b2, mask [batch][vocab] (rnn_dropout_mask). */
void rnn_gather_token_rows_masked(int rows, int out, const int32_t *ids, const rnn_real *wt,
                                  const rnn_real *b1, const rnn_real *b2, int batch, int vocab,
                                  const rnn_real *mask, rnn_real *y);

/* Its backward: dW[:, ids[r]] += mask[r % batch][ids[r]] * dy[r] (through
 * dwt as rnn_scatter_add_token_rows); db1 += column sums of dy, unmasked:
 * the biases are not dropped. */
void rnn_scatter_add_token_rows_masked(int rows, int out, int vocab, const int32_t *ids,
                                       int batch, const rnn_real *mask, const rnn_real *dy,
                                       rnn_real *dwt, rnn_real *dw, rnn_real *db);

/* b [cols][rows] = a^T for a [rows][cols], in cache-sized tiles. */
void rnn_transpose(int rows, int cols, const rnn_real *a, rnn_real *b);

/* y[r][c] = x[r][c] * mask[r % mask_rows][c]: dropout masks shared by all
 * steps (Gal: mask_rows = B over rows = T*B) or per element (mask_rows =
 * rows). Also the backward of itself (dx = dy * mask). */
void rnn_mask_mul(int rows, int cols, const rnn_real *x, const rnn_real *mask,
                  int mask_rows, rnn_real *y);

/* Column sums: db[n] += sum over rows of d[rows][n] (leading dimension ld). */
void rnn_col_sums(int rows, int n, const rnn_real *d, int ld, rnn_real *db);

/* ---------------------------------------------------------------------- */
/* Cells: one timestep, forward and backward side by side                  */
/* ---------------------------------------------------------------------- */

/* simple_rnn:  h = act(xproj + h'~ U^T)   xproj = W x + b_ih + b_hh
 * act = tanh (relu != 0: relu); h'~ = h' * drop_h. Stores h in h_t and,
 * when drop_h, h'~ in hd_t. */
void rnn_simple_fwd_step(int B, int H, int relu, const rnn_real *xproj_t,
                         const rnn_real *h_prev, const RnnRecurrent *u, const rnn_real *drop_h,
                         const rnn_real *seq_mask_t, rnn_real *hd_t, rnn_real *h_t);

/* Backward of rnn_simple_fwd_step. dh_t [B][H] is dL/dh_t (from above and
 * from step t+1). Writes dpre_t [B][H] (dL/d pre-activation, also the
 * gradient of xproj_t) and adds dL/dh' into dh_prev.
 * scratch [B][H]: workspace for (dpre U) before drop_h multiplies it (the
 * mask cannot be folded into an accumulating GEMM); clobbered. Used only
 * when drop_h is not NULL (may be NULL otherwise). Every *_bwd_step below
 * takes the same last argument. */
void rnn_simple_bwd_step(int B, int H, int relu, const rnn_real *h_t, const RnnRecurrent *u,
                         const rnn_real *drop_h, const rnn_real *seq_mask_t,
                         const rnn_real *dh_t, rnn_real *dpre_t, rnn_real *dh_prev,
                         rnn_real *scratch);

/* lstm (gates i, f, g, o):
 *   i = sig(xp_i + h'~ U_i^T + p_i*c')   f = sig(xp_f + h'~ U_f^T + p_f*c')
 *   g = tanh(xp_g + h'~ U_g^T)            c = f*c' + i*g
 *   o = sig(xp_o + h'~ U_o^T + p_o*c)     h = o*tanh(c)
 * xproj = W x + b_ih + b_hh; peep [3H] = p_i, p_f, p_o (NULL: no peephole).
 * Stores activated gates [B][4H], c_t and h_t. */
void rnn_lstm_fwd_step(int B, int H, const rnn_real *xproj_t, const rnn_real *h_prev,
                       const rnn_real *c_prev, const RnnRecurrent *u, const rnn_real *peep,
                       const rnn_real *drop_h, const rnn_real *seq_mask_t, rnn_real *hd_t,
                       rnn_real *gates_t, rnn_real *c_t, rnn_real *h_t);

/* Backward of rnn_lstm_fwd_step. dc [B][H] holds dL/dc_t on entry (from
 * step t+1) and dL/dc' on return. Writes dgates_t [B][4H] (pre-activation
 * gradients = gradient of xproj_t and of the recurrent product), adds into
 * dh_prev and, with peepholes, into dpeep [3H]. */
void rnn_lstm_bwd_step(int B, int H, const rnn_real *gates_t, const rnn_real *c_prev,
                       const rnn_real *c_t, const RnnRecurrent *u, const rnn_real *peep,
                       const rnn_real *drop_h, const rnn_real *seq_mask_t,
                       const rnn_real *dh_t, rnn_real *dc, rnn_real *dgates_t,
                       rnn_real *dh_prev, rnn_real *dpeep, rnn_real *scratch);

/* gru, reset_after (PyTorch/cuDNN form; gates r, z, n):
 *   hp = h'~ U^T + b_hh                  [B][3H]
 *   r = sig(xp_r + hp_r)   z = sig(xp_z + hp_z)
 *   n = tanh(xp_n + r*hp_n)              h = (1-z)*n + z*h'
 * xproj = W x + b_ih (b_hh is NOT folded in: b_hn sits inside r*(...)).
 * b_hh may be NULL (one bias). Stores gates (r, z, n) [B][3H] and hp_n in
 * hn_t [B][H]. */
void rnn_gru_fwd_step(int B, int H, const rnn_real *xproj_t, const rnn_real *h_prev,
                      const RnnRecurrent *u, const rnn_real *b_hh, const rnn_real *drop_h,
                      const rnn_real *seq_mask_t, rnn_real *hd_t, rnn_real *gates_t,
                      rnn_real *hn_t, rnn_real *h_t);

/* Backward of rnn_gru_fwd_step: writes dxp_t [B][3H] (gradient of xproj_t)
 * and dhp_t [B][3H] (gradient of hp: dr, dz, dn*r; also of b_hh), adds into
 * dh_prev. */
void rnn_gru_bwd_step(int B, int H, const rnn_real *gates_t, const rnn_real *hn_t,
                      const rnn_real *h_prev, const RnnRecurrent *u, const rnn_real *drop_h,
                      const rnn_real *seq_mask_t, const rnn_real *dh_t, rnn_real *dxp_t,
                      rnn_real *dhp_t, rnn_real *dh_prev, rnn_real *scratch);

/* gru, reset before (the original form of Cho et al.):
 *   r = sig(xp_r + h'~ U_r^T)   z = sig(xp_z + h'~ U_z^T)
 *   n = tanh(xp_n + (r*h'~) U_n^T)       h = (1-z)*n + z*h'
 * xproj = W x + b_ih + b_hh (all of b_hh folds in). Stores gates [B][3H]
 * and r*h'~ in rh_t [B][H]. */
void rnn_gru0_fwd_step(int B, int H, const rnn_real *xproj_t, const rnn_real *h_prev,
                       const RnnRecurrent *u, const rnn_real *drop_h,
                       const rnn_real *seq_mask_t, rnn_real *hd_t, rnn_real *gates_t,
                       rnn_real *rh_t, rnn_real *h_t);

/* Backward of rnn_gru0_fwd_step: writes dxp_t [B][3H] (dr, dz, dn: the
 * gradient of xproj_t; rows r,z pair with h'~ and row n with rh in dW_hh),
 * adds into dh_prev. */
void rnn_gru0_bwd_step(int B, int H, const rnn_real *gates_t, const rnn_real *rh_t,
                       const rnn_real *h_prev, const RnnRecurrent *u, const rnn_real *drop_h,
                       const rnn_real *seq_mask_t, const rnn_real *dh_t, rnn_real *dxp_t,
                       rnn_real *dh_prev, rnn_real *scratch);

/* ---------------------------------------------------------------------- */
/* Activations and losses                                                  */
/* ---------------------------------------------------------------------- */

typedef enum RnnAct {
  RNN_ACT_LINEAR,
  RNN_ACT_RELU,
  RNN_ACT_TANH,
  RNN_ACT_SIGMOID,
  RNN_ACT_SOFTMAX /* over each row of `cols` */
} RnnAct;

/* y = act(z) in place-safe form (y may equal z); rows x cols. */
void rnn_act_fwd(RnnAct act, int rows, int cols, const rnn_real *z, rnn_real *y);

/* dz = dy * act'(z), from the activation's output y (softmax: the full
 * Jacobian-vector product per row). dz may equal dy. */
void rnn_act_bwd(RnnAct act, int rows, int cols, const rnn_real *y, const rnn_real *dy,
                 rnn_real *dz);

/* Losses: mean over the rows whose weight is 1 (weights NULL: all rows).
 * Each returns the loss and writes dz, the gradient with respect to the
 * output layer's PRE-activation (softmax and sigmoid fused for stability).
 * p is the output after the activation (probabilities). */
rnn_real rnn_loss_xent(int rows, int classes, const rnn_real *p, const int32_t *target,
                       const rnn_real *weights, rnn_real *dz);
rnn_real rnn_loss_bce(int rows, int cols, const rnn_real *p, const rnn_real *target,
                      const rnn_real *weights, rnn_real *dz);
/* MSE: mean over rows*cols; dz is the gradient of the OUTPUT (caller runs
 * rnn_act_bwd for a non-linear output). */
rnn_real rnn_loss_mse(int rows, int cols, const rnn_real *y, const rnn_real *target,
                      const rnn_real *weights, rnn_real *dy);

/* ---------------------------------------------------------------------- */
/* Random numbers: xoshiro256** seeded through splitmix64                  */
/* ---------------------------------------------------------------------- */

typedef struct RnnRng {
  uint64_t s[4];
} RnnRng;

void rnn_rng_seed(RnnRng *rng, uint64_t seed);
uint64_t rnn_rng_next(RnnRng *rng);
void rnn_rng_jump(RnnRng *rng);       /* 2^128 draws ahead: a stream of its own */
double rnn_rng_uniform(RnnRng *rng);  /* [0, 1) with 53 random bits */
double rnn_rng_normal(RnnRng *rng);   /* N(0, 1), Box-Muller (no cached value) */

/* Inverted-dropout mask: each element 1/(1-p) with probability 1-p, else 0. */
void rnn_dropout_mask(RnnRng *rng, size_t n, rnn_real p, rnn_real *mask);

/* ---------------------------------------------------------------------- */
/* Initializers (fan_in = cols, fan_out = rows of one [rows][cols] block)  */
/* ---------------------------------------------------------------------- */

typedef enum RnnInit {
  RNN_INIT_GLOROT_UNIFORM,
  RNN_INIT_GLOROT_NORMAL,
  RNN_INIT_ORTHOGONAL,
  RNN_INIT_TORCH_UNIFORM,
  RNN_INIT_NORMAL,
  RNN_INIT_UNIFORM,
  RNN_INIT_ZEROS
} RnnInit; /* same order as the compiler's IrInit */

/* Fills w [blocks*rows][cols] block by block: Keras initializes each gate's
 * [H][cols] block of a stacked weight on its own (glorot fans are those of
 * the whole stacked matrix, as in Keras; orthogonal per block). `scale`:
 * torch_uniform's bound 1/sqrt(H) is passed by the caller as scale. */
void rnn_init_fill(RnnRng *rng, RnnInit init, int blocks, int rows, int cols,
                   rnn_real scale, rnn_real *w);

/* ---------------------------------------------------------------------- */
/* Optimizers, schedules, clipping                                         */
/* ---------------------------------------------------------------------- */

typedef enum RnnOptKind { RNN_OPT_SGD, RNN_OPT_RMSPROP, RNN_OPT_ADAM, RNN_OPT_ADAGRAD } RnnOptKind;
typedef enum RnnSchedKind {
  RNN_SCHED_CONSTANT,
  RNN_SCHED_STEP,
  RNN_SCHED_EXPONENTIAL,
  RNN_SCHED_COSINE
} RnnSchedKind;

typedef struct RnnOptConfig {
  RnnOptKind kind;
  double lr, momentum, beta1, beta2, eps, rho, weight_decay, initial_accumulator;
  int nesterov, centered;
  RnnSchedKind schedule;
  long sched_every, sched_steps, warmup;
  double sched_gamma, sched_min_lr;
  double clip_norm; /* 0: no clipping */
} RnnOptConfig;

/* Optimizer state slots per parameter (0..3): what `slots` must hold. */
int rnn_opt_slots(const RnnOptConfig *cfg);

/* Sets the slots to their initial values (adagrad: initial_accumulator). */
void rnn_opt_init(const RnnOptConfig *cfg, size_t n, rnn_real *slots);

/* Learning rate at step (0-based): linear warm-up, then the schedule. */
double rnn_schedule_lr(const RnnOptConfig *cfg, long step);

/* Scales grads so their global L2 norm is at most max_norm (PyTorch's
 * clip_grad_norm_); returns the norm before clipping. */
double rnn_clip_global_norm(size_t n, rnn_real *grads, double max_norm);

/* One update of params from grads, PyTorch semantics for every optimizer
 * (weight_decay as L2 added to the gradient). step counts from 1 (Adam's
 * bias correction). slots is [rnn_opt_slots][n]. */
void rnn_opt_step(const RnnOptConfig *cfg, long step, double lr, size_t n,
                  rnn_real *params, const rnn_real *grads, rnn_real *slots);

#endif
