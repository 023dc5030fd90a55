/**
 * Where one step of a verification's workflow is (contract "Ordered channels in one verification").
 * Its own file, free of type-graphql (its GraphQL name is given in verification/enum-types.ts), so
 * that the worker thread, which reads and writes steps, doesn't load the GraphQL packages.
 */
export enum StepStatus { WAITING = "WAITING", ACTIVE = "ACTIVE", DONE = "DONE", SKIPPED = "SKIPPED" }
