/**
 * W&B's `early_terminate: { type: hyperband }` rule for live runs.
 *
 * A run's progress is the sequence of values it printed for the sweep metric; its
 * iteration count is how many it printed. At each band (an iteration count: min_iter,
 * min_iter·eta, … or max_iter/eta^s, …, max_iter/eta) the run's best value so far is
 * compared with the best-so-far values every other run had at that band: a run outside
 * the best 1/eta of them is stopped. With no other run at that band yet, it goes on.
 */
export class HyperbandRule {
  /** band → best-so-far values runs had when they reached it. */
  private readonly seen = new Map<number, number[]>();

  constructor(
    private readonly bands: readonly number[],
    private readonly eta: number,
    private readonly goal: "maximize" | "minimize",
  ) {}

  /**
   * Records a run's history (all its values so far) and says whether to stop it now.
   * Call once per new value; only the band just reached is judged.
   */
  check(history: readonly number[]): boolean {
    const n = history.length;
    if (!this.bands.includes(n)) return false;
    const sign = this.goal === "maximize" ? 1 : -1;
    let best = Number.NEGATIVE_INFINITY;
    for (const v of history) if (Number.isFinite(v)) best = Math.max(best, sign * v);
    const others = this.seen.get(n) ?? [];
    others.push(best);
    this.seen.set(n, others);
    if (others.length < 2) return false;
    const sorted = [...others].sort((a, b) => b - a);
    const keep = Math.max(1, Math.floor(sorted.length / this.eta));
    return best < sorted[keep - 1];
  }
}
