/**
 * Statistics for "codes are random" (the unit test on the generator and the e2e test through
 * the API). Each check is a plain number a test compares with a bound, so that a failure says
 * how far off the codes were. Critical values are chi-square upper quantiles (scipy.stats
 * chi2.isf), chosen so that the suites' dozens of checks together fail a fair generator about
 * once in a thousand runs — while a counter or a constant fails them by orders of magnitude.
 */

/** Chi-square upper quantiles: CHI2[df][p] is the value a fair sample exceeds with probability p. */
export const CHI2: Record<number, Record<string, number>> = {
  9: { "1e-3": 27.877, "1e-4": 33.72, "1e-5": 39.341 },
  99: { "1e-3": 148.23, "1e-4": 160.056, "1e-5": 170.798 },
};

/** Pearson's chi-square of observed counts against equal expected counts. */
export function chiSquareUniform(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

/** How often each digit 0-9 stands at `position` of the codes. */
export function digitCounts(codes: string[], position: number): number[] {
  const counts = new Array(10).fill(0);
  for (const c of codes) counts[Number(c[position])]++;
  return counts;
}

/** Chi-square (9 df) of the digit at each position: one number per position. */
export function positionChiSquares(codes: string[]): number[] {
  return Array.from({ length: codes[0].length }, (_, p) => chiSquareUniform(digitCounts(codes, p)));
}

/** Chi-square (99 df) of the digit pairs at positions p and p+1 of each code: digits within a code independent. */
export function adjacentPositionChiSquares(codes: string[]): number[] {
  return Array.from({ length: codes[0].length - 1 }, (_, p) => {
    const counts = new Array(100).fill(0);
    for (const c of codes) counts[Number(c[p]) * 10 + Number(c[p + 1])]++;
    return chiSquareUniform(counts);
  });
}

/** Chi-square (99 df) of (first digit of a code, first digit of the next code): successive codes independent. */
export function successiveFirstDigitChiSquare(codes: string[]): number {
  const counts = new Array(100).fill(0);
  for (let i = 0; i + 1 < codes.length; i++) counts[Number(codes[i][0]) * 10 + Number(codes[i + 1][0])]++;
  return chiSquareUniform(counts);
}

/** Pearson correlation of each code's value with the next one's (about 0 for independent codes, 1 for a counter). */
export function successiveCorrelation(codes: string[]): number {
  const x = codes.slice(0, -1).map(Number);
  const y = codes.slice(1).map(Number);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  // A constant sequence has no variance: call it perfectly correlated, which is what it is.
  return sxx === 0 || syy === 0 ? 1 : sxy / Math.sqrt(sxx * syy);
}

/** Codes drawn more than once: n minus the number of distinct codes. */
export function repeats(codes: string[]): number {
  return codes.length - new Set(codes).size;
}

/** The birthday bound: repeats expected among n independent uniform draws from `space` values. */
export function expectedRepeats(n: number, space: number): number {
  // n - space·(1 - (1 - 1/space)^n), computed without losing precision for large spaces.
  return n + space * Math.expm1(n * Math.log1p(-1 / space));
}

export function leadingZeros(codes: string[]): number {
  return codes.filter((c) => c.startsWith("0")).length;
}
