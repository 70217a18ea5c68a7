/** One memory sample: how many calls had completed, and the resident set size then. */
export interface RssPoint {
  readonly calls: number;
  readonly rssBytes: number;
}

/** Least-squares fit of y on x. */
export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** Standard error of the slope (0 with fewer than 3 points). */
  readonly slopeStdErr: number;
  /** Standard deviation of the residuals around the line. */
  readonly residualStd: number;
  readonly n: number;
}

/** What the soak says about memory. */
export interface RssSlope {
  /** Fitted growth per 1,000 completed calls, bytes (negative: shrinking). */
  readonly bytesPer1000Calls: number;
  readonly stdErrPer1000Calls: number;
  /** Scatter of the samples around the fitted line, bytes. */
  readonly residualStdBytes: number;
  /** Fitted growth over the measured calls, bytes. */
  readonly fittedGrowthBytes: number;
  /** Samples used (after the warm-up was dropped). */
  readonly samples: number;
  readonly fromCalls: number;
  readonly toCalls: number;
  /**
   * True when memory does not grow beyond noise: the slope is not above twice its standard error
   * (shrinking counts as flat), or the fitted growth over the whole soak is smaller than twice the
   * samples' own scatter. Undefined with fewer than 5 samples.
   */
  readonly flat: boolean | undefined;
}

/** Ordinary least squares of `ys` on `xs` (equal lengths). */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  const n = Math.min(xs.length, ys.length);
  if (n === 0) return { slope: 0, intercept: 0, slopeStdErr: 0, residualStd: 0, n: 0 };
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    sxx += dx * dx;
    sxy += dx * ((ys[i] as number) - my);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const r = (ys[i] as number) - (intercept + slope * (xs[i] as number));
    sse += r * r;
  }
  const residualStd = n > 2 ? Math.sqrt(sse / (n - 2)) : 0;
  const slopeStdErr = n > 2 && sxx > 0 ? residualStd / Math.sqrt(sxx) : 0;
  return { slope, intercept, slopeStdErr, residualStd, n };
}

/**
 * The RSS slope per 1,000 calls by linear regression of RSS on calls completed. The first
 * `warmupFraction` of the calls (default 10%) is dropped: pools, JIT and heap sizing settle there.
 */
export function rssSlope(points: readonly RssPoint[], options: { readonly warmupFraction?: number } = {}): RssSlope {
  const last = points.reduce((m, p) => Math.max(m, p.calls), 0);
  const from = last * (options.warmupFraction ?? 0.1);
  const used = points.filter((p) => p.calls >= from);
  const fit = linearFit(
    used.map((p) => p.calls),
    used.map((p) => p.rssBytes),
  );
  const fromCalls = used.length > 0 ? Math.min(...used.map((p) => p.calls)) : 0;
  const toCalls = used.length > 0 ? Math.max(...used.map((p) => p.calls)) : 0;
  const growth = fit.slope * (toCalls - fromCalls);
  const flat = fit.n < 5 ? undefined : fit.slope <= 2 * fit.slopeStdErr || growth <= 2 * fit.residualStd;
  return {
    bytesPer1000Calls: Math.round(fit.slope * 1000),
    stdErrPer1000Calls: Math.round(fit.slopeStdErr * 1000),
    residualStdBytes: Math.round(fit.residualStd),
    fittedGrowthBytes: Math.round(growth),
    samples: fit.n,
    fromCalls,
    toCalls,
    flat,
  };
}
