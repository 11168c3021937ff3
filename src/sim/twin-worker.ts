/**
 * Worker thread of the twin runs (src/sim/simulate.ts runTwinJobs): regenerates the world of each job's
 * policy switches from the simulation options it was started with and measures it (measureTwinJob).
 */
import { parentPort, workerData } from "node:worker_threads";
import { measureTwinJob, type DeaMemo, type SimOptions, type TwinJob } from "./simulate.js";

const ctx = workerData as { options: SimOptions };
/** this thread's solved DEA frontiers (shared by its jobs) */
const memo: DeaMemo = new Map();
parentPort!.on("message", (msg: { j: number; job: TwinJob }) => {
  measureTwinJob(ctx.options, msg.job, memo).then(
    (result) => parentPort!.postMessage({ j: msg.j, result }),
    (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
});
parentPort!.postMessage({ ready: true });
