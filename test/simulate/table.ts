import type { ShapeResult } from "./runner";

/** Whether a shape met its targets, and the line that says so. */
export function verdict(r: ShapeResult): { ok: boolean; target: string } {
  const parts: string[] = [];
  let ok = true;
  if (r.plan.maxRefused !== null) {
    parts.push(`refused ≤ ${r.plan.maxRefused}`);
    ok &&= r.refused <= r.plan.maxRefused;
  }
  if (r.plan.maxPaid !== null) {
    parts.push(`paid ≤ ${r.plan.maxPaid}`);
    ok &&= r.paid <= r.plan.maxPaid;
  }
  return { ok, target: parts.join(", ") };
}

/** One Markdown table: real users refused and pumped messages paid, per shape; `flags` are the run's other options (to replay it). */
export function table(results: ShapeResult[], seed: number, flags = ""): string {
  const rows = results.map((r) => {
    const v = verdict(r);
    const pumped = r.pumped ? `${r.paid} of ${r.pumped}` : "–";
    return `| ${r.plan.shape} | ${r.plan.params} | ${r.refused} of ${r.users} | ${r.verified} | ${pumped} | ${v.target} | ${v.ok ? "yes" : "**no**"} |`;
  });
  return [
    `Seed ${seed} (replay with \`npm run simulate -- ${flags}--seed ${seed}\`)`,
    "",
    "| shape | drawn parameters | real users refused | verified | pumped messages paid | target | holds |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
