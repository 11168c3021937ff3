/**
 * Atomic file output: write to a temporary file in the same folder, then rename over the target, so a
 * reader never sees a partial result file and a crash leaves the old file (or none) in place.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile, mkdir } from "node:fs/promises";
import { dirname, basename, join, resolve } from "node:path";
import { KeytechError, usageError } from "./errors.js";

/**
 * Refuse output paths on kernel file systems (/proc, /sys, /dev): Node's recursive mkdir loops forever
 * there. Called before anything is written.
 */
export function checkOutputPath(path: string): void {
  const p = resolve(path);
  if (/^\/(proc|sys|dev)(\/|$)/.test(p)) throw usageError(`${path}: not a place for output files (a kernel file system); choose a path on disk`);
}

/** A file-system error on an output path as a keytech usage error that says what to do. */
export function outputError(e: unknown, path: string): unknown {
  if (e instanceof KeytechError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "EISDIR":
      return usageError(`${path} is a folder; name a file to write`);
    case "ENOTDIR":
      return usageError(`${path}: a parent of it is a file, not a folder`);
    case "EEXIST":
      return usageError(`${path}: a file is in the way of a folder to create; remove it or choose another path`);
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return usageError(`${path}: no permission to write there (${code}); choose a place you can write`);
    case "ENOSPC":
      return usageError(`${path}: the disk is full`);
    default:
      return e;
  }
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  checkOutputPath(path);
  const tmp = tempName(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the temp file was never created (e.g. its folder could not be)
    }
    throw outputError(e, path);
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  checkOutputPath(path);
  const tmp = tempName(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw outputError(e, path);
  }
}

/** A temp path beside `path` for writers that stream (call commitTemp when done). */
export function tempPathFor(path: string): string {
  checkOutputPath(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw outputError(e, path);
  }
  return tempName(path);
}

export function commitTemp(tmp: string, path: string): void {
  renameSync(tmp, path);
}
