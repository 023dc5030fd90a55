import { defineConfig } from "vitest/config";

export default defineConfig({
  // Node packages load graphql as CJS; without this alias vitest loads it as ESM and
  // type-graphql fails with "Cannot use GraphQLObjectType from another module or realm".
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    include: ["test/**/*.test.ts"],
    // Child-process tests run dist/: build first when any source is newer than its output. Then
    // the run's test databases: a migrated template for gateways; what is left dropped at the end.
    globalSetup: ["./test/helpers/fresh-build.ts", "./test/helpers/test-databases.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: suites share one Postgres and Redis, each in its own database and key prefix.
    fileParallelism: true,
    maxWorkers: 2,
    // A worker keeps its loaded modules from one file to the next: each e2e file imports the
    // whole gateway (typeorm, Apollo, fastify, the vendor SDKs), which took 2-8 s per file when
    // every file started a fresh process (December 2026: 12 admin suites spent 131 s importing
    // isolated, 18 s not). Files share no state through modules: each starts its own gateways
    // on its own database and Redis prefix, and stops them; no test mocks modules or edits env.
    isolate: false,
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
  },
});
