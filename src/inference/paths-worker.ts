/**
 * Worker thread for the path decomposition: computes bootstrap replicates ({b}) with the data it was
 * started with, or single first-stage BART fits ({job, seed}) for the parallel point estimate.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runBartJob, type BartJob, type PathsData, type PathsOptions } from "../estimators/paths.js";
import { pathsReplicate } from "./paths-bootstrap.js";

const ctx = workerData as { d: PathsData; opts: PathsOptions; seed: number; cluster: Int32Array | null } | null;
parentPort!.on("message", (msg: { b?: number; job?: BartJob; seed?: number }) => {
  try {
    if (msg.job) {
      const pred = runBartJob(msg.job, msg.seed!);
      parentPort!.postMessage({ stream: msg.job.stream, pred });
    } else {
      const est = pathsReplicate(ctx!.d, ctx!.opts, ctx!.seed, msg.b!, ctx!.cluster ?? undefined);
      parentPort!.postMessage({ b: msg.b, est });
    }
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort!.postMessage({ ready: true });
