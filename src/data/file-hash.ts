/**
 * The provenance hash of an input file (SHA-256 of its bytes, `sha256:` + hex, core/hash.ts) computed in a
 * worker thread for large files, so that hashing overlaps with the read and the estimation on this thread
 * instead of interleaving with them. Same digest as `sha256File`: the worker runs that very function.
 */
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { sha256File } from "../core/hash.js";

/** Files below this size are hashed on the calling thread (a worker's start-up costs ≈ 30 ms). */
const WORKER_MIN_BYTES = 32 << 20;

/**
 * SHA-256 of the file at `path` (`sha256File`'s digest), in a worker thread when the file has
 * `minWorkerBytes` (32 MiB) or more; on this thread when smaller or when no worker can be started.
 */
export function sha256FileAside(path: string, minWorkerBytes = WORKER_MIN_BYTES): Promise<string> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return sha256File(path);
  }
  if (size < minWorkerBytes) return sha256File(path);
  return new Promise<string>((resolve, reject) => {
    let done = false;
    let w: Worker;
    try {
      w = new Worker(new URL("./hash-worker.js", import.meta.url), { workerData: { path } });
    } catch {
      sha256File(path).then(resolve, reject);
      return;
    }
    w.once("message", (m: { hash?: string; error?: string }) => {
      done = true;
      if (m.hash) resolve(m.hash);
      else reject(new Error(m.error ?? "internal: hash worker failed"));
    });
    w.once("error", (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
    w.once("exit", (code) => {
      if (!done) {
        done = true;
        reject(new Error(`internal: hash worker exited with code ${code}`));
      }
    });
  });
}
