/**
 * Output folders replaced whole. A run writes its outputs into a fresh folder beside the target
 * (`DIR.keytech-new`), marks it complete, and swaps it in: DIR → `DIR.keytech-old`, new → DIR, then
 * the old folder is removed. Files named in `keep` (the block cache) are carried from the old folder
 * into the new one before the swap. A reader therefore sees the old complete output or the new complete
 * one, never a mix. A run killed at any step is repaired by the next one (`recoverOutputDir`): a complete
 * new folder is swapped in, an incomplete one is discarded, and an orphaned old folder is put back.
 * Entries of the old folder that the run does not own (a user's own files, the block cache) are moved
 * into the new folder, so nothing but the run's own outputs is ever replaced. Nothing is written outside
 * DIR and its two siblings.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { usageError } from "./errors.js";
import { checkOutputPath } from "./atomic.js";

const COMPLETE = ".keytech-complete";

export interface OutputDirs {
  /** the target the user named */
  target: string;
  /** where this run writes its outputs */
  staging: string;
}

function siblings(target: string): { fresh: string; old: string } {
  const t = resolve(target);
  return { fresh: join(dirname(t), `${basename(t)}.keytech-new`), old: join(dirname(t), `${basename(t)}.keytech-old`) };
}

/** Test hook: KEYTECH_TEST_KILL_AT=<step> kills the process at that step of the swap (kill tests). */
function killPoint(step: string): void {
  if (process.env.KEYTECH_TEST_KILL_AT === step) process.kill(process.pid, "SIGKILL");
}

/** Move every entry of `from` that the run does not own and `to` does not have into `to`. */
function carry(from: string, to: string, owned: readonly string[]): void {
  if (!existsSync(from)) return;
  for (const k of readdirSync(from)) if (!owned.includes(k) && k !== COMPLETE && !existsSync(join(to, k))) renameSync(join(from, k), join(to, k));
}

/** Finish or undo the swap a killed run left behind (see the file comment). */
export function recoverOutputDir(target: string, owned: readonly string[]): void {
  const t = resolve(target);
  const { fresh, old } = siblings(t);
  if (existsSync(fresh) && existsSync(join(fresh, COMPLETE))) {
    if (existsSync(t)) {
      carry(t, fresh, owned);
      if (existsSync(old)) rmSync(old, { recursive: true, force: true });
      renameSync(t, old);
    } else if (existsSync(old)) carry(old, fresh, owned);
    renameSync(fresh, t);
  } else if (existsSync(fresh)) rmSync(fresh, { recursive: true, force: true });
  if (existsSync(old)) {
    if (!existsSync(t)) renameSync(old, t);
    else rmSync(old, { recursive: true, force: true });
  }
}

/**
 * Prepare a run into `target`: repair a killed earlier run, check the target is a folder we may
 * write, create it (it holds the cache during the run) and a fresh staging folder beside it.
 */
export function beginOutputDir(target: string, owned: readonly string[]): OutputDirs {
  const t = resolve(target);
  const cwd = resolve(process.cwd());
  if (cwd === t || cwd.startsWith(t + "/") || t === "/")
    throw usageError(
      `--out ${target}: the output folder cannot be the current folder or one of its parents (its outputs are replaced whole); name a subfolder, e.g. --out results`,
    );
  checkOutputPath(t);
  if (existsSync(t) && !statSync(t).isDirectory())
    throw usageError(`--out ${target} is a file; the output must be a folder (remove the file or choose another name)`);
  try {
    recoverOutputDir(t, owned);
    mkdirSync(t, { recursive: true });
    rmSync(join(t, COMPLETE), { force: true });
    const { fresh } = siblings(t);
    mkdirSync(fresh, { recursive: true });
    return { target: t, staging: fresh };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS")
      throw usageError(`--out ${target}: no permission to write there (${code}); choose a folder you can write`);
    if (code === "ENOTDIR") throw usageError(`--out ${target}: a parent of it is a file, not a folder`);
    throw e;
  }
}

/** Swap the staged outputs in (see the file comment); entries the run does not own move over first. */
export function commitOutputDir(d: OutputDirs, owned: readonly string[]): void {
  const { old } = siblings(d.target);
  writeFileSync(join(d.staging, COMPLETE), new Date().toISOString() + "\n");
  killPoint("marked");
  carry(d.target, d.staging, owned);
  killPoint("carried");
  if (existsSync(old)) rmSync(old, { recursive: true, force: true });
  renameSync(d.target, old);
  killPoint("moved-old");
  renameSync(d.staging, d.target);
  killPoint("swapped");
  rmSync(join(d.target, COMPLETE), { force: true });
  rmSync(old, { recursive: true, force: true });
}

/** Discard the staging folder of a run that did not finish cleanly (its target is left as it was). */
export function abandonOutputDir(d: OutputDirs): void {
  rmSync(d.staging, { recursive: true, force: true });
}
