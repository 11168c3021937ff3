/**
 * Worker thread for the synthetic DID placebo / bootstrap SEs: takes replication indices from the
 * shared counter until none are left and writes each replication's values (τ̂_b, or its event-study
 * row) into the shared array (see `sdidDraws`).
 */
import { parentPort, workerData } from "node:worker_threads";
import { type SdidDrawJob, sdidDrawsWorker } from "./sdid-variance.js";

const d = workerData as { job: SdidDrawJob; reps: number; out: Float64Array; counter: Int32Array };
try {
  sdidDrawsWorker(d.job, d.reps, d.out, d.counter);
  parentPort!.postMessage({});
} catch (e) {
  parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
