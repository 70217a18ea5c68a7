/** A proportion's confidence interval, both ends in [0, 1]. */
export interface ProportionInterval {
  readonly low: number;
  readonly high: number;
}

/**
 * The Wilson score interval for `successes` out of `trials` at normal quantile `z` (1.96 → 95%).
 * Unlike the normal approximation it stays inside [0, 1] and is useful at 0/n and n/n, which is
 * exactly where a correlation matrix's cells sit. 0 trials give the uninformative [0, 1].
 */
export function wilsonInterval(successes: number, trials: number, z = 1.96): ProportionInterval {
  if (trials === 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
