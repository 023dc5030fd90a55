import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends the run with the plain "N passed, N failed, N skipped" line that CI reads, and names every
 * test that passed only on a retry (`--retry`, which `.ci/run` sets): a flaky test is reported,
 * never hidden, so it can be fixed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const flaky: string[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed" && t.diagnostic()?.flaky) flaky.push(`${m.moduleId.replace(process.cwd() + "/", "")} > ${t.fullName}`);
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      if (m.state() === "failed" && ![...m.children.allTests()].length) failed++;
    }
    for (const name of flaky) process.stdout.write(`\nFLAKY (passed on a retry): ${name}`);
    if (flaky.length) process.stdout.write(`\n${flaky.length} test(s) passed only on a retry (above)`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
