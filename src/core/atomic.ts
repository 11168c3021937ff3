/**
 * Atomic file output: write to a temporary file in the same folder, then rename over the target, so a
 * reader never sees a partial result file and a crash leaves the old file (or none) in place.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile, mkdir } from "node:fs/promises";
import { dirname, basename, join } from "node:path";

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempName(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** A temp path beside `path` for writers that stream (call commitTemp when done). */
export function tempPathFor(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  return tempName(path);
}

export function commitTemp(tmp: string, path: string): void {
  renameSync(tmp, path);
}
