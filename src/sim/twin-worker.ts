/**
 * Worker thread of the twin runs (src/sim/simulate.ts runTwinJobs): regenerates the world of each job's
 * policy switches from the simulation options it was started with and measures it (measureTwinJob).
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { measureTwinJob, type DeaMemo, type SimOptions, type TwinJob } from "./simulate.js";

const ctx = workerData as { options: SimOptions; background?: boolean };
/**
 * `background`: this thread yields the cores to the rest of the process (nice 10, Linux: a thread's own id
 * from /proc/thread-self; elsewhere nothing happens). Scheduling only — the results are the same bits.
 */
if (ctx.background) {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // no per-thread priority here: run at the normal one
  }
}
/** this thread's solved DEA frontiers (shared by its jobs) */
const memo: DeaMemo = new Map();
parentPort!.on("message", (msg: { j: number; job: TwinJob }) => {
  measureTwinJob(ctx.options, msg.job, memo).then(
    (result) => parentPort!.postMessage({ j: msg.j, result }),
    (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
});
parentPort!.postMessage({ ready: true });
