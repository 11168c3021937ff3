/**
 * Where a command's output goes. `runCommand(argv, {stdout, stderr})` runs the CLI with its own sinks
 * (tests pass string buffers; main.ts passes the process streams), so nothing patches process.stdout.
 * Every command writes through `out` / `err` and sets its exit status with `setExitCode`.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Anything with a `write(text)` (a stream, or a string collector in tests). */
export interface Sink {
  write(s: string): unknown;
}

export interface CommandIo {
  stdout: Sink;
  stderr: Sink;
}

interface Context extends CommandIo {
  exitCode: number;
}

const current = new AsyncLocalStorage<Context>();

/** Run `fn` with these sinks; resolves to the exit status the command set (0 unless it set one). */
export async function withIo(io: CommandIo, fn: () => Promise<number | void>): Promise<number> {
  const ctx: Context = { ...io, exitCode: 0 };
  return current.run(ctx, async () => {
    const code = await fn();
    return typeof code === "number" && code !== 0 ? code : ctx.exitCode;
  });
}

/** Write to the command's stdout. */
export function out(s: string): void {
  (current.getStore()?.stdout ?? process.stdout).write(s);
}

/** Write to the command's stderr. */
export function err(s: string): void {
  (current.getStore()?.stderr ?? process.stderr).write(s);
}

/** Set the exit status of the running command (outside runCommand: the process's). */
export function setExitCode(code: number): void {
  const ctx = current.getStore();
  if (ctx) ctx.exitCode = code;
  else process.exitCode = code;
}

/** A string collector for `runCommand` in tests. */
export function bufferSink(): Sink & { text(): string } {
  const chunks: string[] = [];
  return { write: (s: string) => chunks.push(s), text: () => chunks.join("") };
}
