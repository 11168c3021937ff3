/**
 * Shared plumbing for commands: run an action, print the JSON document or the human table, say which
 * standard errors were used, and map errors to exit codes (0 ok, 1 bad input / failed estimation, 2 bad usage).
 * Output goes through ./io.ts (the sinks of `runCommand`).
 */
import { KeytechError, printable } from "../core/errors.js";
import { writeFileAtomic } from "../core/atomic.js";
import { progressBar } from "../core/progress.js";
import { resultToJson, type KeytechResult } from "../core/result.js";
import { checkJsonOut, describeVcov } from "./flags.js";
import { err, out, setExitCode } from "./io.js";

/** Print an error on stderr and return the exit code it maps to. */
export function reportError(e: unknown): number {
  if (e instanceof KeytechError) {
    err(`keytech: error: ${safe(e.message)}\n`);
    return e.exitCode;
  }
  const msg = e instanceof Error ? (process.env.KEYTECH_DEBUG ? (e.stack ?? e.message) : e.message) : String(e);
  err(`keytech: error: ${safe(msg)}\n`);
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
      setExitCode(reportError(e));
    }
  };
}

/** Emit a result: JSON on stdout with --json, else the human rendering. */
export function emit(result: unknown, json: boolean, human: () => string): void {
  if (json) out(resultToJson(result));
  else out(human());
}

/** Write the JSON result to `--out F.json` (when given) and print it (JSON or the human table). */
export async function emitResult(result: KeytechResult, f: { json?: boolean; out?: string }, human: () => string): Promise<void> {
  if (f.out) await writeFileAtomic(checkJsonOut(f.out), resultToJson(result));
  if (f.json) printWarnings(result); // the human table prints them itself
  emit(result, Boolean(f.json), human);
}

/** Print a result's warnings on stderr. */
export function printWarnings(res: { warnings?: string[] }): void {
  for (const w of res.warnings ?? []) err(`keytech: warning: ${w}\n`);
}

/** "Standard errors: clustered by countyreal (500 clusters)" — the line every human table carries. */
export function seLine(res: { vcov?: KeytechResult["vcov"] }, indent = "  "): string {
  return `${indent}standard errors: ${describeVcov(res.vcov as Parameters<typeof describeVcov>[0])}\n`;
}

/** Human table of a result's estimates (and extra blocks rendered by the caller). */
export function estimateTable(res: KeytechResult, title: string): string {
  const f = (v: number | null | undefined, d = 4) => (v === null || v === undefined ? "NA" : v.toFixed(d));
  const lines = [title, `  ${"term".padEnd(16)} ${"estimate".padStart(10)} ${"std.error".padStart(10)} ${"p".padStart(8)}   95% CI`];
  for (const e of res.estimates)
    lines.push(
      `  ${e.term.padEnd(16)} ${f(e.estimate).padStart(10)} ${f(e.std_error).padStart(10)} ${f(e.p_value, 4).padStart(8)}   [${f(e.conf_low)}, ${f(e.conf_high)}]`,
    );
  lines.push(`  observations: ${res.nobs}`);
  for (const w of res.warnings ?? []) lines.push(`  note: ${w}`);
  return lines.join("\n") + "\n" + seLine(res);
}

/** A progress bar driven by a running "done" count. */
export function countBar(label: string, total: number): { onProgress: (done: number) => void; done: () => void } {
  const bar = progressBar(label, total);
  let last = 0;
  return {
    onProgress: (d) => {
      bar.tick(d - last);
      last = d;
    },
    done: () => bar.done(),
  };
}

/**
 * The study machinery (spec parser, runner, report), imported when a study command runs rather than when
 * the CLI starts: it pulls in zod, yaml and every block (~0.4 s), which other commands do not need.
 */
export async function loadStudyModules() {
  const [spec, runner, report] = await Promise.all([import("../study/spec.js"), import("../study/runner.js"), import("../report/study-report.js")]);
  return { loadSpec: spec.loadSpec, runStudy: runner.runStudy, writeStudyReport: report.writeStudyReport, STUDY_OUTPUTS: runner.STUDY_OUTPUTS };
}
