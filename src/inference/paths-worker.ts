/** Worker thread for the path-decomposition bootstrap: computes the replicates it is sent. */
import { parentPort, workerData } from "node:worker_threads";
import type { PathsData, PathsOptions } from "../estimators/paths.js";
import { pathsReplicate } from "./paths-bootstrap.js";

const { d, opts, seed, cluster } = workerData as { d: PathsData; opts: PathsOptions; seed: number; cluster: Int32Array | null };
parentPort!.on("message", (msg: { b: number }) => {
  try {
    const est = pathsReplicate(d, opts, seed, msg.b, cluster ?? undefined);
    parentPort!.postMessage({ b: msg.b, est });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort!.postMessage({ ready: true });
