package dev.conveinsum.nn;

/**
 * How a tensorial layer factors the dense kernel {@code W[t,s,h,w]} (T output channels, S input
 * channels, k x k taps) into a tensor network of small factors, after Rabbani et al., "conv_einsum:
 * A Framework for Representation and Fast Evaluation of Multilinear Operations in Convolutional
 * Tensorial Neural Networks" (2024).
 *
 * <p>The factor terms, in the order the layer's expression lists them after the input (ranks are
 * written {@code (r0)}, {@code (r1)}, ...; the reshaped variants split the channels into M factors
 * {@code t = (t1 ... tM)}, {@code s = (s1 ... sM)}):
 *
 * <table>
 *   <caption>factor terms per decomposition</caption>
 *   <tr><th>decomposition</th><th>factors</th><th>ranks, in {@link LayerSpec#ranks()} order</th></tr>
 *   <tr><td>{@link #DENSE}</td><td>{@code tshw}</td><td>none</td></tr>
 *   <tr><td>{@link #CP}</td><td>{@code rt, rs, rh, rw}</td><td>[R]</td></tr>
 *   <tr><td>{@link #RCP}</td><td>{@code r(t1)(s1), ..., r(tM)(sM), rhw}</td><td>[R]</td></tr>
 *   <tr><td>{@link #TK}</td><td>{@code (r1)t, (r2)s, (r1)(r2)hw}</td><td>[r1, r2]</td></tr>
 *   <tr><td>{@link #RTK}</td><td>{@code (r1)(t1)(s1), ..., (rM)(tM)(sM), (r0)hw,
 *       (r0)(r1)...(rM)}</td><td>[r0, r1, ..., rM]</td></tr>
 *   <tr><td>{@link #TT}</td><td>{@code (r1)t, (r1)(r2)h, (r2)(r3)w, (r3)s}</td>
 *       <td>[r1, r2, r3]</td></tr>
 *   <tr><td>{@link #RTT}</td><td>{@code (r1)(t1)(s1), (r1)(r2)(t2)(s2), ..., (rM)hw}</td>
 *       <td>[r1, ..., rM]</td></tr>
 *   <tr><td>{@link #TR}</td><td>{@code (r0)(r1)t, (r1)(r2)h, (r2)(r3)w, (r3)(r0)s}</td>
 *       <td>[r0, r1, r2, r3]</td></tr>
 *   <tr><td>{@link #RTR}</td><td>{@code (r0)(r1)(t1)(s1), ..., (r(M-1))(rM)(tM)(sM),
 *       (rM)(r0)hw}</td><td>[r0, r1, ..., rM]</td></tr>
 * </table>
 */
public enum Decomposition {
  /** The dense kernel itself: {@code bshw,tshw->bthw|hw}. */
  DENSE(false),
  /** Canonical polyadic (CP) decomposition of rank R. */
  CP(false),
  /** Reshaped CP: the channels split into M factors, one CP factor per (t_m, s_m) pair. */
  RCP(true),
  /** Tucker-2: factor matrices on the two channel modes and a core {@code (r1)(r2)hw}. */
  TK(false),
  /** Reshaped Tucker: one Tucker factor per (t_m, s_m) pair and one for the taps, plus a core. */
  RTK(true),
  /** Tensor train along t, h, w, s. */
  TT(false),
  /** Reshaped tensor train along (t1 s1), ..., (tM sM), (h w). */
  RTT(true),
  /** Tensor ring along t, h, w, s (a train whose ends are joined by the rank r0). */
  TR(false),
  /** Reshaped tensor ring along (t1 s1), ..., (tM sM), (h w). */
  RTR(true);

  private final boolean reshaped;

  Decomposition(boolean reshaped) {
    this.reshaped = reshaped;
  }

  /** Returns whether the channels are split into M factors (RCP, RTK, RTT, RTR). */
  public boolean isReshaped() {
    return reshaped;
  }

  /**
   * Returns how many ranks the decomposition has for a given order M.
   *
   * @param order the order M of the channel split (ignored unless reshaped)
   * @return the length of {@link LayerSpec#ranks()}
   */
  public int rankCount(int order) {
    return switch (this) {
      case DENSE -> 0;
      case CP, RCP -> 1;
      case TK -> 2;
      case TT -> 3;
      case TR -> 4;
      case RTK, RTR -> order + 1;
      case RTT -> order;
    };
  }
}
