/**
 * Worker thread for the path decomposition: computes bootstrap replicates ({b}) with the data it was
 * started with, or single first-stage BART fits ({job, seed}) for the parallel point estimate.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runBartJobFull, type BartJob, type PathsData, type PathsOptions } from "../estimators/paths.js";
import type { BartForest } from "../estimators/bart/bart.js";
import { pathsReplicate } from "./paths-bootstrap.js";

const ctx = workerData as { d: PathsData; opts: PathsOptions; seed: number; cluster: Int32Array | null; warm: Map<number, BartForest> | null } | null;
parentPort!.on("message", (msg: { b?: number; job?: BartJob; seed?: number }) => {
  try {
    if (msg.job) {
      const { pred, forest } = runBartJobFull(msg.job, msg.seed!);
      parentPort!.postMessage({ stream: msg.job.stream, pred, forest });
    } else {
      const est = pathsReplicate(ctx!.d, ctx!.opts, ctx!.seed, msg.b!, ctx!.cluster ?? undefined, ctx!.warm ?? undefined);
      parentPort!.postMessage({ b: msg.b, est });
    }
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort!.postMessage({ ready: true });
