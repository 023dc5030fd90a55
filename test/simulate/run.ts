/**
 * `npm run simulate [-- --seed N] [--quick] [--shapes launch,pumpPrefix] [--slower N] [--production]`: plays every
 * shape of traffic (shapes.ts) through a real gateway on default settings and prints one table —
 * real users refused and pumped messages paid per shape — with the seed that replays it. Needs
 * the local Postgres (:5432) and Redis (:6379), as the tests do. Exit 1 when a target is missed.
 * `--slower N` runs every shape's clock N times slower (the same traffic, N times the wall time):
 * the machine's own latency then counts N times less, to tell a loaded machine from a weak rule.
 */
import "reflect-metadata";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { runPlans } from "./runner";
import { newSeed } from "./random";
import { plan, QUICK_SHAPES, SHAPES } from "./shapes";
import { table, verdict } from "./table";

const ROOT = resolve(__dirname, "../../..");

function args(argv: string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const shapes = get("shapes")?.split(",") ?? (argv.includes("--quick") ? QUICK_SHAPES : Object.keys(SHAPES));
  const unknown = shapes.filter((s) => !SHAPES[s]);
  if (unknown.length) throw new Error(`unknown shape(s): ${unknown.join(", ")}; known: ${Object.keys(SHAPES).join(", ")}`);
  const seed = get("seed") ? Number(get("seed")) : newSeed();
  if (!Number.isInteger(seed)) throw new Error("--seed takes a whole number");
  const slower = get("slower") ? Number(get("slower")) : 1;
  if (!(slower >= 1)) throw new Error("--slower takes a number ≥ 1");
  return { shapes, explicitShapes: !!get("shapes"), seed, slower, quick: argv.includes("--quick"), production: argv.includes("--production") };
}

async function main() {
  const a = args(process.argv.slice(2));
  process.stdout.write(`simulating ${a.shapes.length} shape(s), seed ${a.seed}${a.quick ? ", quick" : ""}${a.slower > 1 ? `, ${a.slower}× slower` : ""}\n`);
  const plans = a.shapes.map((s, i) => plan(s, a.seed + i, { quick: a.quick })).map((p) => ({ ...p, speed: p.speed / a.slower }));
  const results = await runPlans(plans, { production: a.production, log: (l) => process.stdout.write(`  ${l}\n`) });
  const flags = `${a.quick ? "--quick " : ""}${a.explicitShapes ? `--shapes ${a.shapes.join(",")} ` : ""}${a.slower > 1 ? `--slower ${a.slower} ` : ""}`;
  process.stdout.write(`\n${table(results, a.seed, flags)}\n`);
  mkdirSync(resolve(ROOT, "bench-results"), { recursive: true });
  writeFileSync(
    resolve(ROOT, "bench-results/simulate.json"),
    JSON.stringify({ ranAt: new Date().toISOString(), seed: a.seed, quick: a.quick, slower: a.slower, results: results.map((r) => ({
      shape: r.plan.shape, params: r.plan.params, users: r.users, refused: r.refused, refusals: r.refusals, blocks: r.blocks, firstBlocks: r.firstBlocks, verified: r.verified, pumped: r.pumped, paid: r.paid,
      ...verdict(r),
    })) }, null, 2) + "\n",
  );
  return results.every((r) => verdict(r).ok) ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(2);
});
