/**
 * Shared plumbing for commands: run an action, print the JSON document or the human table, and map
 * errors to exit codes (0 ok, 1 bad input / failed estimation, 2 bad usage).
 */
import { KeytechError, printable } from "../core/errors.js";
import { resultToJson } from "../core/result.js";

/** Print an error on stderr and return the exit code it maps to. */
export function reportError(e: unknown): number {
  if (e instanceof KeytechError) {
    process.stderr.write(`keytech: error: ${safe(e.message)}\n`);
    return e.exitCode;
  }
  const msg = e instanceof Error ? (process.env.KEYTECH_DEBUG ? (e.stack ?? e.message) : e.message) : String(e);
  process.stderr.write(`keytech: error: ${safe(msg)}\n`);
  return 1;
}

/** A message with control bytes escaped line by line (values from data files or flags never reach the terminal raw). */
function safe(msg: string): string {
  return msg.split("\n").map(printable).join("\n");
}

/** Run an async command body; errors become messages and exit codes, never stack traces. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.exitCode = reportError(e);
    }
  };
}

/** Emit a result: JSON on stdout with --json, else the human rendering. */
export function emit(result: unknown, json: boolean, human: () => string): void {
  if (json) process.stdout.write(resultToJson(result));
  else process.stdout.write(human());
}
