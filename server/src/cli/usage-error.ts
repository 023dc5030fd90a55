import { CommanderError, InvalidArgumentError } from "commander";
import { NistBoundsError } from "../apps/nist-bounds";
import { ConfigError } from "../config/config";
import { GatewayError } from "../errors";
import { isUuid } from "../verification/input-rules";

/**
 * A bad flag or value given to a command. docs/cli.md: "A bad value exits with code 2 and a
 * message naming the variable or flag; other failures exit 1" — this is the first kind.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The exit code for what a command threw: 2 for bad input — configuration (ConfigError), a
 * flag commander refused (unknown, missing, not one of the choices, a parser's
 * InvalidArgumentError), a value the command refused (UsageError, a service's
 * BAD_USER_INPUT) — 0 for commander's help and version, 1 for everything else.
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  // NIST's bounds refused in production are bad values too.
  if (err instanceof ConfigError || err instanceof UsageError || err instanceof NistBoundsError) return 2;
  if (err instanceof GatewayError) return err.code === "BAD_USER_INPUT" ? 2 : 1;
  return 1;
}

/** A service's refusal as the command line says it: a sentence, bad input still exit 2 (UsageError), the rest exit 1. */
export function asCliError(err: unknown): unknown {
  if (!(err instanceof GatewayError)) return err;
  return err.code === "BAD_USER_INPUT" ? new UsageError(err.message) : new Error(err.message);
}

/** Runs `fn`, rethrowing a service's refusal as asCliError does. */
export async function cliRefusals<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asCliError(err);
  }
}

/** Flag parsers: a bad value is commander's invalid-argument error, printed with the flag and exit 2. */
export const wholeNumber = (min = 0, max = Number.MAX_SAFE_INTEGER) => (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`It must be a whole number from ${min} to ${max}.`);
  return Number(v);
};

/** Any whole number; the range is the service's to judge (its message names the setting). */
export const anyWholeNumber = (v: string): number => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError("It must be a whole number.");
  return Number(v);
};

export const uuidFlag = (what: string) => (v: string): string => {
  if (!isUuid(v)) throw new InvalidArgumentError(`It must be ${what} (a UUID).`);
  return v;
};
