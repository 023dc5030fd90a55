import { describe, expect, it } from "vitest";
import { generateCode } from "../../server/src/verification/code";
import {
  CHI2, adjacentPositionChiSquares, expectedRepeats, leadingZeros, positionChiSquares, repeats, successiveCorrelation,
  successiveFirstDigitChiSquare,
} from "../helpers/code-statistics";

/**
 * The codes the gateway sends come from generateCode: they must be uniform and independent,
 * or an attacker's guesses are worth more than 1 in 10^length. The lifecycle and lockout
 * suites pass with a counter or a constant in its place; these checks do not. Bounds: each
 * chi-square at p = 1e-5 and each count within about seven standard deviations, so the ~40
 * checks together fail a fair generator about once in 2,500 runs.
 */
describe("generateCode: uniform, independent digits", () => {
  for (const [length, n] of [[6, 20_000], [4, 10_000], [8, 10_000]] as const) {
    describe(`${n} codes of ${length} digits`, () => {
      const codes = Array.from({ length: n }, () => generateCode(length));

      it("are all `length` digits, leading zeros kept", () => {
        for (const c of codes) expect(c).toMatch(new RegExp(`^[0-9]{${length}}$`));
      });

      it("spread every digit position evenly (chi-square, 9 df)", () => {
        const stats = positionChiSquares(codes);
        expect(stats).toHaveLength(length);
        for (const [position, chi2] of stats.entries()) expect(chi2, `position ${position}`).toBeLessThan(CHI2[9]["1e-5"]);
      });

      it("start with a zero about one time in ten", () => {
        // Binomial(n, 0.1), bounds at its 1e-6 quantiles: a generator that drops leading zeros (a
        // number not padded, or drawn from 10^(length-1) up) has none.
        const sd = Math.sqrt(n * 0.1 * 0.9);
        expect(leadingZeros(codes)).toBeGreaterThan(n * 0.1 - 5 * sd);
        expect(leadingZeros(codes)).toBeLessThan(n * 0.1 + 5 * sd);
      });

      it("repeat as often as the birthday bound predicts, no more (and not never, as a counter would)", () => {
        const expected = expectedRepeats(n, 10 ** length);
        const margin = 7 * Math.sqrt(expected) + 3;
        expect(repeats(codes)).toBeLessThanOrEqual(expected + margin);
        expect(repeats(codes)).toBeGreaterThanOrEqual(expected - margin);
      });

      it("have digits independent of their neighbours in the code (chi-square of adjacent pairs, 99 df)", () => {
        for (const [position, chi2] of adjacentPositionChiSquares(codes).entries()) {
          expect(chi2, `positions ${position} and ${position + 1}`).toBeLessThan(CHI2[99]["1e-5"]);
        }
      });

      it("are independent of the code before them: no correlation, and first digits of successive codes spread evenly", () => {
        // For independent codes the correlation is about ±1/√n (0.007 to 0.01 here); a counter's is 1.
        expect(Math.abs(successiveCorrelation(codes))).toBeLessThan(0.05);
        expect(successiveFirstDigitChiSquare(codes)).toBeLessThan(CHI2[99]["1e-5"]);
      });
    });
  }
});
