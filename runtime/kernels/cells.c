/*
 * cells.c - one timestep of each recurrent cell, forward and backward.
 *
 * Every forward does the recurrent product of all its gates as one GEMM
 * (gru0: two, since n's recurrent input r*h'~ needs r first) and then one
 * elementwise pass over [B][H]; every backward does the elementwise pass
 * first and then one GEMM (gru0: two) for dL/dh' = dpre U.
 *
 * Shared conventions (see rnn.h):
 *   - h'~ = h' * drop_h is the recurrent product's input; it is stored in
 *     hd_t for dW_hh. Without drop_h, h' itself is the input and hd_t may be
 *     NULL. The direct paths (GRU's z*h', LSTM's f*c') use the undropped h'
 *     and c'.
 *   - A row whose seq_mask_t is 0 is padding: the forward copies the state
 *     through and zeroes that row's stored gates; the backward zeroes its
 *     pre-activation gradients (so nothing reaches the weights) and passes
 *     dh_t (and dc) straight through.
 *   - The recurrent gradient (dpre U) * drop_h cannot be folded into a GEMM
 *     that accumulates into dh_prev, because the mask multiplies after the
 *     product; with drop_h the product lands in the caller's scratch [B][H]
 *     first.
 *
 * Outputs must not overlap inputs (h_t vs h_prev, etc.).
 */
#include "rnn_hot.h" /* first: it sets how the functions below are optimized */
#include "rnn.h"

#include <math.h>
#include <string.h>

#include "rnn_mathfn.h"
#include "rnn_threads.h"

/* exp, tanh and sigmoid at the working precision: rnn_mathfn.h. */
RNN_ALWAYS_INLINE rnn_real sigmoid(rnn_real x) { return rnn_sigmoid(x); }

/* The elementwise loops over a row of H units are the cells' own work
 * (the rest is GEMMs). They live in row functions with restrict pointers
 * and no load under a condition (a NULL peephole or bias would be one), so
 * the compiler vectorizes them; an optional operand is a compile-time
 * constant of an always-inlined helper instead, folded away when absent.
 * Always inlined too because the public functions are multiversioned
 * (RNN_VECTOR_CLONES, rnn_mathfn.h) and each version needs its own copy. */

/* Derivatives written in terms of the activation's output y. */
RNN_ALWAYS_INLINE rnn_real dsigmoid_from_output(rnn_real y) { return y * (1 - y); }
RNN_ALWAYS_INLINE rnn_real dtanh_from_output(rnn_real y) { return 1 - y * y; }

/* ---- shared pieces ---- */

RNN_ALWAYS_INLINE int row_is_padding(const rnn_real *seq_mask_t /* [B] or NULL */, int b) {
  return seq_mask_t != NULL && seq_mask_t[b] == 0;
}

/* The recurrent product's input: h'~ = h' * drop_h, written to hd_t, or h'
 * itself without a mask (then hd_t is not touched). Returns [B][H]. */
static const rnn_real *recurrent_input(int B, int H, const rnn_real *h_prev /* [B][H] */,
                                       const rnn_real *drop_h /* [B][H] or NULL */,
                                       rnn_real *hd_t /* [B][H] */) {
  if (drop_h == NULL) return h_prev;
  for (size_t e = 0; e < (size_t)B * H; e++) hd_t[e] = h_prev[e] * drop_h[e];
  return hd_t;
}

static void copy_row(int n, const rnn_real *src /* [n] */, rnn_real *dst /* [n] */) {
  memcpy(dst, src, (size_t)n * sizeof *dst);
}

static void zero_row(int n, rnn_real *row /* [n] */) {
  for (int j = 0; j < n; j++) row[j] = 0;
}

static void add_row(int n, const rnn_real *src /* [n] */, rnn_real *dst /* [n] */) {
  for (int j = 0; j < n; j++) dst[j] += src[j];
}

/* dh_prev += (dpre U) * drop_h: dpre [B][gh] with leading dimension ld,
 * U's first gh rows (of G*H). Without drop_h the product accumulates
 * straight into dh_prev; with it the product goes through scratch [B][H] to
 * be masked. */
static void add_recurrent_grad(int B, int H, int G, int gh, const rnn_real *dpre, int ld,
                               const RnnRecurrent *u, const rnn_real *drop_h,
                               rnn_real *scratch, rnn_real *dh_prev) {
  if (drop_h == NULL) {
    rnn_recurrent_bwd(u, G, H, 0, gh, B, dpre, ld, 1, dh_prev, H);
    return;
  }
  rnn_recurrent_bwd(u, G, H, 0, gh, B, dpre, ld, 0, scratch, H);
  for (size_t e = 0; e < (size_t)B * H; e++) dh_prev[e] += scratch[e] * drop_h[e];
}

/* ====================================================================== */
/* simple_rnn                                                              */
/*   forward:  pre = xproj + h'~ U^T      h = act(pre)                     */
/*   backward: dpre = dh * act'(pre)      (tanh: 1 - h^2; relu: h > 0)     */
/*             dh' += (dpre U) * drop_h   dxproj = dpre                    */
/* ====================================================================== */

/* h = relu(xp + h) and h = tanh(xp + h) over one row (h holds h'~ U^T). */
RNN_ALWAYS_INLINE void simple_relu_row(int H, const rnn_real *restrict xp, rnn_real *restrict h) {
  for (int j = 0; j < H; j++) {
    rnn_real pre = xp[j] + h[j];
    h[j] = pre > 0 ? pre : 0;
  }
}
RNN_ALWAYS_INLINE void simple_tanh_row(int H, const rnn_real *restrict xp, rnn_real *restrict h) {
  for (int j = 0; j < H; j++) h[j] = rnn_tanh(xp[j] + h[j]);
}

/* dpre = dh * act'(pre), from the output h. */
RNN_ALWAYS_INLINE void simple_bwd_row(int H, int relu, const rnn_real *restrict h,
                           const rnn_real *restrict dh, rnn_real *restrict dpre) {
  if (relu)
    for (int j = 0; j < H; j++) {
      rnn_real d = dh[j]; /* loaded unconditionally: a select, not a branch */
      dpre[j] = h[j] > 0 ? d : 0;
    }
  else
    for (int j = 0; j < H; j++) dpre[j] = dh[j] * dtanh_from_output(h[j]);
}

/* Contract: see rnn.h. xproj_t, h_prev, h_t [B][H]; u [H][H]; drop_h
 * [B][H] or NULL; seq_mask_t [B] or NULL; hd_t [B][H] (written when drop_h,
 * may be NULL otherwise). */
RNN_VECTOR_CLONES
static void simple_fwd_rows(int B, int H, int relu, const rnn_real *xproj_t,
                            const rnn_real *h_prev, const RnnRecurrent *u, const rnn_real *drop_h,
                            const rnn_real *seq_mask_t, rnn_real *hd_t, rnn_real *h_t) {
  const rnn_real *hin = recurrent_input(B, H, h_prev, drop_h, hd_t); /* [B][H] */
  rnn_recurrent_fwd(u, 1, H, 0, 1, B, hin, 0, h_t, H); /* h_t = h'~ U^T */
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    if (row_is_padding(seq_mask_t, b)) {
      copy_row(H, h_prev + row, h_t + row);
      continue;
    }
    if (relu)
      simple_relu_row(H, xproj_t + row, h_t + row);
    else
      simple_tanh_row(H, xproj_t + row, h_t + row);
  }
}

/* Contract: see rnn.h. h_t, dh_t, dpre_t, dh_prev [B][H]; u [H][H];
 * dpre_t is overwritten, dh_prev accumulated; scratch [B][H] is needed only
 * when drop_h is not NULL (its contents are clobbered). */
RNN_VECTOR_CLONES
static void simple_bwd_rows(int B, int H, int relu, const rnn_real *h_t, const RnnRecurrent *u,
                            const rnn_real *drop_h, const rnn_real *seq_mask_t,
                            const rnn_real *dh_t, rnn_real *dpre_t, rnn_real *dh_prev,
                            rnn_real *scratch) {
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    if (row_is_padding(seq_mask_t, b)) {
      zero_row(H, dpre_t + row);
      add_row(H, dh_t + row, dh_prev + row);
      continue;
    }
    simple_bwd_row(H, relu, h_t + row, dh_t + row, dpre_t + row);
  }
  add_recurrent_grad(B, H, 1, H, dpre_t, H, u, drop_h, scratch, dh_prev);
}

/* ====================================================================== */
/* lstm (gates i, f, g, o; peepholes p_i, p_f on c', p_o on c)             */
/*   forward:  i = sig(xp_i + h'~U_i^T + p_i c')  f = sig(... + p_f c')    */
/*             g = tanh(xp_g + h'~U_g^T)          c = f c' + i g           */
/*             o = sig(xp_o + h'~U_o^T + p_o c)   h = o tanh(c)            */
/*   backward: do  = dh tanh(c)             dpo = do o(1-o)                */
/*             dct = dc + dh o (1-tanh^2 c) + dpo p_o                      */
/*             dpi = dct g i(1-i)   dpf = dct c' f(1-f)   dpg = dct i(1-g^2)*/
/*             dc' = dct f + dpi p_i + dpf p_f                             */
/*             dp_i += dpi c'   dp_f += dpf c'   dp_o += dpo c             */
/*             dh' += (dpre U) * drop_h        dxproj = dpre = dgates      */
/* ====================================================================== */

/* One row: gate [4H] holds h'~ U^T on entry and i, f, g, o on exit; PEEP
 * (a constant: 0 or 1) says whether p [3H] is read. */
RNN_ALWAYS_INLINE void lstm_fwd_row(int H, int has_peep, const rnn_real *restrict xp,
                             const rnn_real *restrict cp, const rnn_real *restrict p,
                             rnn_real *restrict gate, rnn_real *restrict c_t,
                             rnn_real *restrict h_t) {
  for (int j = 0; j < H; j++) {
    rnn_real i = sigmoid(xp[j] + gate[j] + (has_peep ? p[j] * cp[j] : 0));
    rnn_real f = sigmoid(xp[H + j] + gate[H + j] + (has_peep ? p[H + j] * cp[j] : 0));
    rnn_real g = rnn_tanh(xp[2 * H + j] + gate[2 * H + j]);
    rnn_real c = f * cp[j] + i * g;
    /* The output gate's peephole looks at the NEW cell state. */
    rnn_real o = sigmoid(xp[3 * H + j] + gate[3 * H + j] + (has_peep ? p[2 * H + j] * c : 0));
    gate[j] = i;
    gate[H + j] = f;
    gate[2 * H + j] = g;
    gate[3 * H + j] = o;
    c_t[j] = c;
    h_t[j] = o * rnn_tanh(c);
  }
}

/* One row of the backward: dgate [4H] from the gates, c', c and dh; dc
 * [H] replaced (dL/dc_t in, dL/dc' out); dp [3H] accumulated when PEEP. */
RNN_ALWAYS_INLINE void lstm_bwd_row(int H, int has_peep, const rnn_real *restrict gate,
                             const rnn_real *restrict cp, const rnn_real *restrict c_t,
                             const rnn_real *restrict p, const rnn_real *restrict dh_t,
                             rnn_real *restrict dc, rnn_real *restrict dgate,
                             rnn_real *restrict dp) {
  for (int j = 0; j < H; j++) {
    rnn_real i = gate[j], f = gate[H + j], g = gate[2 * H + j], o = gate[3 * H + j];
    rnn_real c = c_t[j], dh = dh_t[j];
    rnn_real tanh_c = rnn_tanh(c);
    rnn_real dpre_o = dh * tanh_c * dsigmoid_from_output(o);
    /* c reaches the loss through h = o tanh(c), through c_{t+1} (dc) and,
     * with peepholes, through o's pre-activation. */
    rnn_real dc_total = dc[j] + dh * o * dtanh_from_output(tanh_c);
    if (has_peep) dc_total += dpre_o * p[2 * H + j];
    rnn_real dpre_i = dc_total * g * dsigmoid_from_output(i);
    rnn_real dpre_f = dc_total * cp[j] * dsigmoid_from_output(f);
    rnn_real dpre_g = dc_total * i * dtanh_from_output(g);
    rnn_real dc_prev = dc_total * f;
    if (has_peep) {
      dc_prev += dpre_i * p[j] + dpre_f * p[H + j];
      dp[j] += dpre_i * cp[j];
      dp[H + j] += dpre_f * cp[j];
      dp[2 * H + j] += dpre_o * c;
    }
    dgate[j] = dpre_i;
    dgate[H + j] = dpre_f;
    dgate[2 * H + j] = dpre_g;
    dgate[3 * H + j] = dpre_o;
    dc[j] = dc_prev;
  }
}

/* Contract: see rnn.h. xproj_t, gates_t [B][4H] (i, f, g, o blocks per
 * row); h_prev, c_prev, c_t, h_t [B][H]; u [4H][H]; peep [3H] or NULL;
 * drop_h [B][H] or NULL; seq_mask_t [B] or NULL; hd_t [B][H] (written when
 * drop_h, may be NULL otherwise). Padding rows get zero gates. */
RNN_VECTOR_CLONES
static void lstm_fwd_rows(int B, int H, const rnn_real *xproj_t, const rnn_real *h_prev,
                          const rnn_real *c_prev, const RnnRecurrent *u, const rnn_real *peep,
                          const rnn_real *drop_h, const rnn_real *seq_mask_t, rnn_real *hd_t,
                          rnn_real *gates_t, rnn_real *c_t, rnn_real *h_t) {
  const int G = 4 * H;
  const rnn_real *hin = recurrent_input(B, H, h_prev, drop_h, hd_t); /* [B][H] */
  rnn_recurrent_fwd(u, 4, H, 0, 4, B, hin, 0, gates_t, G); /* gates_t = h'~ U^T */
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    rnn_real *gate = gates_t + (size_t)b * G;         /* [4H]: i, f, g, o */
    const rnn_real *xp = xproj_t + (size_t)b * G;     /* [4H] */
    if (row_is_padding(seq_mask_t, b)) {
      zero_row(G, gate);
      copy_row(H, c_prev + row, c_t + row);
      copy_row(H, h_prev + row, h_t + row);
      continue;
    }
    if (peep != NULL)
      lstm_fwd_row(H, 1, xp, c_prev + row, peep, gate, c_t + row, h_t + row);
    else
      lstm_fwd_row(H, 0, xp, c_prev + row, NULL, gate, c_t + row, h_t + row);
  }
}

/* Contract: see rnn.h. gates_t, dgates_t [B][4H]; c_prev, c_t, dh_t, dc,
 * dh_prev [B][H]; u [4H][H]; peep, dpeep [3H] or NULL (both or neither).
 * dgates_t is overwritten; dc is replaced (dL/dc_t in, dL/dc' out);
 * dh_prev and dpeep accumulated; scratch [B][H] is needed only when drop_h
 * is not NULL (its contents are clobbered). */
RNN_VECTOR_CLONES
static void lstm_bwd_rows(int B, int H, const rnn_real *gates_t, const rnn_real *c_prev,
                          const rnn_real *c_t, const RnnRecurrent *u, const rnn_real *peep,
                          const rnn_real *drop_h, const rnn_real *seq_mask_t,
                          const rnn_real *dh_t, rnn_real *dc, rnn_real *dgates_t,
                          rnn_real *dh_prev, rnn_real *dpeep, rnn_real *scratch) {
  const int G = 4 * H;
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    const rnn_real *gate = gates_t + (size_t)b * G; /* [4H]: i, f, g, o */
    rnn_real *dgate = dgates_t + (size_t)b * G;     /* [4H] */
    if (row_is_padding(seq_mask_t, b)) {
      zero_row(G, dgate);
      add_row(H, dh_t + row, dh_prev + row); /* dc passes through untouched */
      continue;
    }
    if (peep != NULL)
      lstm_bwd_row(H, 1, gate, c_prev + row, c_t + row, peep, dh_t + row, dc + row, dgate,
                   dpeep);
    else
      lstm_bwd_row(H, 0, gate, c_prev + row, c_t + row, NULL, dh_t + row, dc + row, dgate,
                   NULL);
  }
  add_recurrent_grad(B, H, 4, G, dgates_t, G, u, drop_h, scratch, dh_prev);
}

/* ====================================================================== */
/* gru, reset_after (PyTorch/cuDNN; gates r, z, n)                         */
/*   forward:  hp = h'~ U^T + b_hh                                         */
/*             r = sig(xp_r + hp_r)   z = sig(xp_z + hp_z)                 */
/*             n = tanh(xp_n + r hp_n)          h = (1-z) n + z h'         */
/*   backward: dn = dh (1-z)   dpn = dn (1-n^2)   (dxp_n = dpn)            */
/*             dhp_n = dpn r   dpr = dpn hp_n r(1-r)   (dxp_r = dhp_r)     */
/*             dpz = dh (h' - n) z(1-z)                (dxp_z = dhp_z)     */
/*             dh' += dh z + (dhp U) * drop_h                              */
/* ====================================================================== */

/* One row: gate [3H] holds h'~ U^T on entry and r, z, n on exit; hn gets
 * hp_n; the bias b [3H] is read when HAS_BIAS (a constant). */
RNN_ALWAYS_INLINE void gru_fwd_row(int H, int has_bias, const rnn_real *restrict xp,
                            const rnn_real *restrict b, const rnn_real *restrict h_prev,
                            rnn_real *restrict gate, rnn_real *restrict hn,
                            rnn_real *restrict h) {
  for (int j = 0; j < H; j++) {
    rnn_real hp_r = gate[j] + (has_bias ? b[j] : 0);
    rnn_real hp_z = gate[H + j] + (has_bias ? b[H + j] : 0);
    rnn_real hp_n = gate[2 * H + j] + (has_bias ? b[2 * H + j] : 0);
    rnn_real r = sigmoid(xp[j] + hp_r);
    rnn_real z = sigmoid(xp[H + j] + hp_z);
    rnn_real n = rnn_tanh(xp[2 * H + j] + r * hp_n);
    gate[j] = r;
    gate[H + j] = z;
    gate[2 * H + j] = n;
    hn[j] = hp_n;
    h[j] = (1 - z) * n + z * h_prev[j];
  }
}

/* One row of the backward: dxp, dhp [3H] written, dh_prev [H] accumulated. */
RNN_ALWAYS_INLINE void gru_bwd_row(int H, const rnn_real *restrict gate,
                                    const rnn_real *restrict hn,
                        const rnn_real *restrict h_prev, const rnn_real *restrict dh_t,
                        rnn_real *restrict dxp, rnn_real *restrict dhp,
                        rnn_real *restrict dh_prev) {
  for (int j = 0; j < H; j++) {
    rnn_real r = gate[j], z = gate[H + j], n = gate[2 * H + j];
    rnn_real dh = dh_t[j], hp = h_prev[j];
    rnn_real dpre_n = dh * (1 - z) * dtanh_from_output(n);
    rnn_real dpre_r = dpre_n * hn[j] * dsigmoid_from_output(r);
    rnn_real dpre_z = dh * (hp - n) * dsigmoid_from_output(z);
    dxp[j] = dpre_r;
    dxp[H + j] = dpre_z;
    dxp[2 * H + j] = dpre_n;
    dhp[j] = dpre_r;
    dhp[H + j] = dpre_z;
    dhp[2 * H + j] = dpre_n * r; /* hp_n enters n through r * hp_n */
    dh_prev[j] += dh * z;        /* the direct z h' path: undropped h' */
  }
}

/* Contract: see rnn.h. xproj_t, gates_t [B][3H] (r, z, n blocks per row);
 * h_prev, hn_t, h_t [B][H]; u [3H][H]; b_hh [3H] or NULL; drop_h [B][H] or
 * NULL; seq_mask_t [B] or NULL; hd_t [B][H] (written when drop_h, may be
 * NULL otherwise). Padding rows get zero gates and hn. */
RNN_VECTOR_CLONES
static void gru_fwd_rows(int B, int H, const rnn_real *xproj_t, const rnn_real *h_prev,
                         const RnnRecurrent *u, const rnn_real *b_hh, const rnn_real *drop_h,
                         const rnn_real *seq_mask_t, rnn_real *hd_t, rnn_real *gates_t,
                         rnn_real *hn_t, rnn_real *h_t) {
  const int G = 3 * H;
  const rnn_real *hin = recurrent_input(B, H, h_prev, drop_h, hd_t); /* [B][H] */
  rnn_recurrent_fwd(u, 3, H, 0, 3, B, hin, 0, gates_t, G); /* gates_t = h'~ U^T */
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    rnn_real *gate = gates_t + (size_t)b * G;     /* [3H]: hp on entry, r z n on exit */
    const rnn_real *xp = xproj_t + (size_t)b * G; /* [3H] */
    if (row_is_padding(seq_mask_t, b)) {
      zero_row(G, gate);
      zero_row(H, hn_t + row);
      copy_row(H, h_prev + row, h_t + row);
      continue;
    }
    if (b_hh != NULL)
      gru_fwd_row(H, 1, xp, b_hh, h_prev + row, gate, hn_t + row, h_t + row);
    else
      gru_fwd_row(H, 0, xp, NULL, h_prev + row, gate, hn_t + row, h_t + row);
  }
}

/* Contract: see rnn.h. gates_t, dxp_t, dhp_t [B][3H]; hn_t, h_prev, dh_t,
 * dh_prev [B][H]; u [3H][H]. dxp_t and dhp_t are overwritten (db_hh is the
 * caller's column sum of dhp_t); dh_prev accumulated; scratch [B][H] is
 * needed only when drop_h is not NULL (its contents are clobbered). */
RNN_VECTOR_CLONES
static void gru_bwd_rows(int B, int H, const rnn_real *gates_t, const rnn_real *hn_t,
                         const rnn_real *h_prev, const RnnRecurrent *u, const rnn_real *drop_h,
                         const rnn_real *seq_mask_t, const rnn_real *dh_t, rnn_real *dxp_t,
                         rnn_real *dhp_t, rnn_real *dh_prev, rnn_real *scratch) {
  const int G = 3 * H;
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    const rnn_real *gate = gates_t + (size_t)b * G; /* [3H]: r, z, n */
    rnn_real *dxp = dxp_t + (size_t)b * G;          /* [3H] */
    rnn_real *dhp = dhp_t + (size_t)b * G;          /* [3H] */
    if (row_is_padding(seq_mask_t, b)) {
      zero_row(G, dxp);
      zero_row(G, dhp);
      add_row(H, dh_t + row, dh_prev + row);
      continue;
    }
    gru_bwd_row(H, gate, hn_t + row, h_prev + row, dh_t + row, dxp, dhp, dh_prev + row);
  }
  add_recurrent_grad(B, H, 3, G, dhp_t, G, u, drop_h, scratch, dh_prev);
}

/* ====================================================================== */
/* gru, reset before (Cho et al.; gates r, z, n)                           */
/*   forward:  r = sig(xp_r + h'~U_r^T)   z = sig(xp_z + h'~U_z^T)         */
/*             rh = r h'~   n = tanh(xp_n + rh U_n^T)   h = (1-z) n + z h' */
/*   backward: dn = dh (1-z)   dpn = dn (1-n^2)           (dxp_n)          */
/*             drh = dpn U_n   dpr = drh h'~ r(1-r)       (dxp_r)          */
/*             dpz = dh (h' - n) z(1-z)                   (dxp_z)          */
/*             dh' += dh z + (drh r + [dpr dpz] U_rz) * drop_h             */
/* ====================================================================== */

/* r and z of one row (gate's r, z blocks hold h'~ U_rz^T on entry) and
 * rh = r h'~. */
RNN_ALWAYS_INLINE void gru0_rz_row(int H, const rnn_real *restrict xp, const rnn_real *restrict hin,
                        rnn_real *restrict gate, rnn_real *restrict rh) {
  for (int j = 0; j < H; j++) {
    rnn_real r = sigmoid(xp[j] + gate[j]);
    gate[j] = r;
    gate[H + j] = sigmoid(xp[H + j] + gate[H + j]);
    rh[j] = r * hin[j];
  }
}

/* n and h of one row (gate's n block holds rh U_n^T on entry). */
RNN_ALWAYS_INLINE void gru0_n_row(int H, const rnn_real *restrict xp,
                                   const rnn_real *restrict h_prev,
                       rnn_real *restrict gate, rnn_real *restrict h) {
  for (int j = 0; j < H; j++) {
    rnn_real z = gate[H + j];
    rnn_real n = rnn_tanh(xp[2 * H + j] + gate[2 * H + j]);
    gate[2 * H + j] = n;
    h[j] = (1 - z) * n + z * h_prev[j];
  }
}

/* Contract: see rnn.h. xproj_t, gates_t [B][3H] (r, z, n blocks per row);
 * h_prev, rh_t, h_t [B][H]; u [3H][H] (rows r, z, n); drop_h [B][H] or
 * NULL; seq_mask_t [B] or NULL; hd_t [B][H] (written when drop_h, may be
 * NULL otherwise). Padding rows get zero gates and rh. */
RNN_VECTOR_CLONES
static void gru0_fwd_rows(int B, int H, const rnn_real *xproj_t, const rnn_real *h_prev,
                          const RnnRecurrent *u, const rnn_real *drop_h,
                          const rnn_real *seq_mask_t, rnn_real *hd_t, rnn_real *gates_t,
                          rnn_real *rh_t, rnn_real *h_t) {
  const int G = 3 * H;
  const rnn_real *hin = recurrent_input(B, H, h_prev, drop_h, hd_t); /* [B][H] */
  /* r and z first: n's recurrent input r * h'~ depends on r. */
  rnn_recurrent_fwd(u, 3, H, 0, 2, B, hin, 0, gates_t, G); /* [B][r z] = h'~ U_rz^T */
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    rnn_real *gate = gates_t + (size_t)b * G;     /* [3H] */
    const rnn_real *xp = xproj_t + (size_t)b * G; /* [3H] */
    if (row_is_padding(seq_mask_t, b)) {
      zero_row(2 * H, gate);
      zero_row(H, rh_t + row);
      continue;
    }
    gru0_rz_row(H, xp, hin + row, gate, rh_t + row);
  }
  rnn_recurrent_fwd(u, 3, H, 2, 3, B, rh_t, 0, gates_t + 2 * H, G); /* [B][n] = rh U_n^T */
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    rnn_real *gate = gates_t + (size_t)b * G;     /* [3H] */
    const rnn_real *xp = xproj_t + (size_t)b * G; /* [3H] */
    if (row_is_padding(seq_mask_t, b)) {
      zero_row(H, gate + 2 * H);
      copy_row(H, h_prev + row, h_t + row);
      continue;
    }
    gru0_n_row(H, xp, h_prev + row, gate, h_t + row);
  }
}

/* Pass 2 of one row: dxp's r block holds d(rh) on entry and dpre_r on
 * exit; dh_prev gets the paths that skip the r,z GEMM. The mask m [H] is
 * read when HAS_DROP (a constant). */
RNN_ALWAYS_INLINE void gru0_r_bwd_row(int H, int has_drop, const rnn_real *restrict gate,
                               const rnn_real *restrict h_prev, const rnn_real *restrict m,
                               const rnn_real *restrict dh_t, rnn_real *restrict dxp,
                               rnn_real *restrict dh_prev) {
  for (int j = 0; j < H; j++) {
    rnn_real r = gate[j], z = gate[H + j];
    rnn_real drh = dxp[j];
    rnn_real mask = has_drop ? m[j] : 1;
    dxp[j] = drh * (h_prev[j] * mask) * dsigmoid_from_output(r); /* h'~ = h' * mask */
    /* rh = r h'~: d(h'~) gets drh r, which reaches h' through the mask. */
    dh_prev[j] += drh * r * mask + dh_t[j] * z;
  }
}

/* Contract: see rnn.h. gates_t, dxp_t [B][3H]; rh_t, h_prev, dh_t,
 * dh_prev [B][H]; u [3H][H]. dxp_t is overwritten, dh_prev accumulated;
 * scratch [B][H] is needed only when drop_h is not NULL (its contents are
 * clobbered). For dW_hh the caller pairs dxp rows r, z with h'~ and row n
 * with rh_t. */
RNN_VECTOR_CLONES
static void gru0_bwd_rows(int B, int H, const rnn_real *gates_t, const rnn_real *rh_t,
                          const rnn_real *h_prev, const RnnRecurrent *u, const rnn_real *drop_h,
                          const rnn_real *seq_mask_t, const rnn_real *dh_t, rnn_real *dxp_t,
                          rnn_real *dh_prev, rnn_real *scratch) {
  const int G = 3 * H;
  (void)rh_t; /* rh = r h'~ is recomputed from gates and h_prev below */
  /* Pass 1: z and n, which need only dh. */
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    const rnn_real *gate = gates_t + (size_t)b * G; /* [3H]: r, z, n */
    rnn_real *dxp = dxp_t + (size_t)b * G;          /* [3H] */
    if (row_is_padding(seq_mask_t, b)) {
      zero_row(G, dxp);
      continue;
    }
    for (int j = 0; j < H; j++) {
      rnn_real z = gate[H + j], n = gate[2 * H + j];
      rnn_real dh = dh_t[row + j];
      dxp[H + j] = dh * (h_prev[row + j] - n) * dsigmoid_from_output(z);
      dxp[2 * H + j] = dh * (1 - z) * dtanh_from_output(n);
    }
  }
  /* d(rh) = dpre_n U_n, parked in the r block of dxp_t (dpre_r replaces it
   * element by element below): the two column blocks do not overlap. */
  rnn_recurrent_bwd(u, 3, H, 2 * H, H, B, dxp_t + 2 * H, G, 0, dxp_t, G); /* U_n's rows */
  /* Pass 2: r from d(rh), and the paths into h' that skip the r,z GEMM. */
  for (int b = 0; b < B; b++) {
    size_t row = (size_t)b * H;
    const rnn_real *gate = gates_t + (size_t)b * G; /* [3H]: r, z, n */
    rnn_real *dxp = dxp_t + (size_t)b * G;          /* [3H] */
    if (row_is_padding(seq_mask_t, b)) {
      zero_row(H, dxp); /* the GEMM's d(rh) here is 0 already; be explicit */
      add_row(H, dh_t + row, dh_prev + row);
      continue;
    }
    if (drop_h != NULL)
      gru0_r_bwd_row(H, 1, gate, h_prev + row, drop_h + row, dh_t + row, dxp, dh_prev + row);
    else
      gru0_r_bwd_row(H, 0, gate, h_prev + row, NULL, dh_t + row, dxp, dh_prev + row);
  }
  add_recurrent_grad(B, H, 3, 2 * H, dxp_t, G, u, drop_h, scratch, dh_prev);
}

/* ====================================================================== */
/* The public steps: the row functions above, on all B rows at once or    */
/* split among OpenMP threads                                              */
/* ====================================================================== */

/* Threads for one step of B rows doing FLOPS of recurrent product: rows
 * are independent in every cell (the state, the gates, their gradients and
 * the product h' U^T or dG U all live in their own row), so each thread
 * runs the whole step, product and elementwise work, on its own rows with
 * no barrier in between (rnn_threads.h). */
static int step_threads(int B, double flops) { return rnn_threads_for(B, flops); }

/* Runs STMT with int b0, b1 set to the calling thread's rows of B. */
#define FOR_MY_ROWS(nt, B, STMT) \
  RNN_FOR_MY_PART(nt, B, 1, { \
    int b0 = (int)i0; \
    int b1 = (int)i1; \
    STMT; \
  })

/* Row r of a [B][w] buffer, NULL staying NULL. */
#define ROW(p, r, w) ((p) == NULL ? NULL : (p) + (size_t)(r) * (w))

void rnn_simple_fwd_step(int B, int H, int relu, const rnn_real *xproj_t,
                         const rnn_real *h_prev, const RnnRecurrent *u, const rnn_real *drop_h,
                         const rnn_real *seq_mask_t, rnn_real *hd_t, rnn_real *h_t) {
  int nt = step_threads(B, 2.0 * B * H * H);
  FOR_MY_ROWS(nt, B,
      simple_fwd_rows(b1 - b0, H, relu, ROW(xproj_t, b0, H), ROW(h_prev, b0, H), u,
                      ROW(drop_h, b0, H), ROW(seq_mask_t, b0, 1), ROW(hd_t, b0, H),
                      ROW(h_t, b0, H)));
}

void rnn_simple_bwd_step(int B, int H, int relu, const rnn_real *h_t, const RnnRecurrent *u,
                         const rnn_real *drop_h, const rnn_real *seq_mask_t,
                         const rnn_real *dh_t, rnn_real *dpre_t, rnn_real *dh_prev,
                         rnn_real *scratch) {
  int nt = step_threads(B, 2.0 * B * H * H);
  FOR_MY_ROWS(nt, B,
      simple_bwd_rows(b1 - b0, H, relu, ROW(h_t, b0, H), u, ROW(drop_h, b0, H),
                      ROW(seq_mask_t, b0, 1), ROW(dh_t, b0, H), ROW(dpre_t, b0, H),
                      ROW(dh_prev, b0, H), ROW(scratch, b0, H)));
}

void rnn_lstm_fwd_step(int B, int H, const rnn_real *xproj_t, const rnn_real *h_prev,
                       const rnn_real *c_prev, const RnnRecurrent *u, const rnn_real *peep,
                       const rnn_real *drop_h, const rnn_real *seq_mask_t, rnn_real *hd_t,
                       rnn_real *gates_t, rnn_real *c_t, rnn_real *h_t) {
  int nt = step_threads(B, 8.0 * B * H * H);
  FOR_MY_ROWS(nt, B,
      lstm_fwd_rows(b1 - b0, H, ROW(xproj_t, b0, 4 * H), ROW(h_prev, b0, H), ROW(c_prev, b0, H),
                    u, peep, ROW(drop_h, b0, H), ROW(seq_mask_t, b0, 1), ROW(hd_t, b0, H),
                    ROW(gates_t, b0, 4 * H), ROW(c_t, b0, H), ROW(h_t, b0, H)));
}

/* With peepholes every row adds into the one dpeep [3H]: one thread. */
void rnn_lstm_bwd_step(int B, int H, const rnn_real *gates_t, const rnn_real *c_prev,
                       const rnn_real *c_t, const RnnRecurrent *u, const rnn_real *peep,
                       const rnn_real *drop_h, const rnn_real *seq_mask_t,
                       const rnn_real *dh_t, rnn_real *dc, rnn_real *dgates_t,
                       rnn_real *dh_prev, rnn_real *dpeep, rnn_real *scratch) {
  int nt = peep != NULL ? 1 : step_threads(B, 8.0 * B * H * H);
  FOR_MY_ROWS(nt, B,
      lstm_bwd_rows(b1 - b0, H, ROW(gates_t, b0, 4 * H), ROW(c_prev, b0, H), ROW(c_t, b0, H), u,
                    peep, ROW(drop_h, b0, H), ROW(seq_mask_t, b0, 1), ROW(dh_t, b0, H),
                    ROW(dc, b0, H), ROW(dgates_t, b0, 4 * H), ROW(dh_prev, b0, H), dpeep,
                    ROW(scratch, b0, H)));
}

void rnn_gru_fwd_step(int B, int H, const rnn_real *xproj_t, const rnn_real *h_prev,
                      const RnnRecurrent *u, const rnn_real *b_hh, const rnn_real *drop_h,
                      const rnn_real *seq_mask_t, rnn_real *hd_t, rnn_real *gates_t,
                      rnn_real *hn_t, rnn_real *h_t) {
  int nt = step_threads(B, 6.0 * B * H * H);
  FOR_MY_ROWS(nt, B,
      gru_fwd_rows(b1 - b0, H, ROW(xproj_t, b0, 3 * H), ROW(h_prev, b0, H), u, b_hh,
                   ROW(drop_h, b0, H), ROW(seq_mask_t, b0, 1), ROW(hd_t, b0, H),
                   ROW(gates_t, b0, 3 * H), ROW(hn_t, b0, H), ROW(h_t, b0, H)));
}

void rnn_gru_bwd_step(int B, int H, const rnn_real *gates_t, const rnn_real *hn_t,
                      const rnn_real *h_prev, const RnnRecurrent *u, const rnn_real *drop_h,
                      const rnn_real *seq_mask_t, const rnn_real *dh_t, rnn_real *dxp_t,
                      rnn_real *dhp_t, rnn_real *dh_prev, rnn_real *scratch) {
  int nt = step_threads(B, 6.0 * B * H * H);
  FOR_MY_ROWS(nt, B,
      gru_bwd_rows(b1 - b0, H, ROW(gates_t, b0, 3 * H), ROW(hn_t, b0, H), ROW(h_prev, b0, H), u,
                   ROW(drop_h, b0, H), ROW(seq_mask_t, b0, 1), ROW(dh_t, b0, H),
                   ROW(dxp_t, b0, 3 * H), ROW(dhp_t, b0, 3 * H), ROW(dh_prev, b0, H),
                   ROW(scratch, b0, H)));
}

void rnn_gru0_fwd_step(int B, int H, const rnn_real *xproj_t, const rnn_real *h_prev,
                       const RnnRecurrent *u, const rnn_real *drop_h,
                       const rnn_real *seq_mask_t, rnn_real *hd_t, rnn_real *gates_t,
                       rnn_real *rh_t, rnn_real *h_t) {
  int nt = step_threads(B, 6.0 * B * H * H);
  FOR_MY_ROWS(nt, B,
      gru0_fwd_rows(b1 - b0, H, ROW(xproj_t, b0, 3 * H), ROW(h_prev, b0, H), u,
                    ROW(drop_h, b0, H), ROW(seq_mask_t, b0, 1), ROW(hd_t, b0, H),
                    ROW(gates_t, b0, 3 * H), ROW(rh_t, b0, H), ROW(h_t, b0, H)));
}

void rnn_gru0_bwd_step(int B, int H, const rnn_real *gates_t, const rnn_real *rh_t,
                       const rnn_real *h_prev, const RnnRecurrent *u, const rnn_real *drop_h,
                       const rnn_real *seq_mask_t, const rnn_real *dh_t, rnn_real *dxp_t,
                       rnn_real *dh_prev, rnn_real *scratch) {
  int nt = step_threads(B, 6.0 * B * H * H);
  FOR_MY_ROWS(nt, B,
      gru0_bwd_rows(b1 - b0, H, ROW(gates_t, b0, 3 * H), ROW(rh_t, b0, H), ROW(h_prev, b0, H), u,
                    ROW(drop_h, b0, H), ROW(seq_mask_t, b0, 1), ROW(dh_t, b0, H),
                    ROW(dxp_t, b0, 3 * H), ROW(dh_prev, b0, H), ROW(scratch, b0, H)));
}
