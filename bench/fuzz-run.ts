/**
 * The fuzz runner: inputs run in a worker thread, in process (no process per input); the main thread
 * watches the time each input takes and, past `limitMs`, counts a hang, terminates the worker and goes on
 * with a new one from the next index. Used by bench/fuzz.ts (≥ 10^4 inputs per loader) and by the test.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { basePanel, runInput, type Loader } from "./fuzz-lib.js";

export interface FuzzCounts {
  loader: Loader;
  inputs: number;
  ok: number;
  errors: number;
  /** clear-looking KeytechErrors that do not name the input file */
  unclear: number;
  crashes: number;
  hangs: number;
  seconds: number;
  /** the first findings (index and message), for replay */
  findings: { index: number; kind: "crash" | "hang" | "unclear"; message: string }[];
  /** error messages by shape (digits → N, quoted text → '…'): how many inputs got each */
  messages: Record<string, number>;
}

/** A message's shape, for counting kinds of refusal. */
export function messageShape(m: string): string {
  const lines = m.split("\n");
  const line = lines[0]!.endsWith(":") && lines[1] ? lines[1] : lines[0]!;
  return line
    .replace(/'[^']*'|"[^"]*"/g, "'…'")
    .replace(/\d+/g, "N")
    .slice(0, 140);
}

interface Job {
  loader: Loader;
  seed: number;
  from: number;
  to: number;
  dir: string;
}

type Msg = { type: "start"; index: number } | { type: "done"; index: number; outcome: "ok" | "error" | "unclear" | "crash"; message: string } | { type: "end" };

export async function fuzz(loader: Loader, seed: number, count: number, limitMs = 10_000, maxSeconds = Infinity): Promise<FuzzCounts> {
  const dir = mkdtempSync(join(tmpdir(), `keytech-fuzz-${loader}-`));
  writeFileSync(join(dir, "base.csv"), basePanel());
  const c: FuzzCounts = { loader, inputs: 0, ok: 0, errors: 0, unclear: 0, crashes: 0, hangs: 0, seconds: 0, findings: [], messages: {} };
  const t0 = Date.now();
  let next = 0;
  try {
    while (next < count && (Date.now() - t0) / 1000 < maxSeconds) {
      const job: Job = { loader, seed, from: next, to: count, dir };
      next = await new Promise<number>((resolve, reject) => {
        const w = new Worker(fileURLToPath(import.meta.url), { workerData: job });
        let current = -1;
        let started = Date.now();
        let finished = false;
        let stopping = false;
        const timer = setInterval(() => {
          const overTime = (Date.now() - t0) / 1000 >= maxSeconds;
          if (current >= 0 && Date.now() - started > limitMs) {
            clearInterval(timer);
            finished = true;
            c.inputs++;
            c.hangs++;
            if (c.findings.length < 20) c.findings.push({ index: current, kind: "hang", message: `no answer in ${limitMs} ms` });
            void w.terminate();
            resolve(current + 1);
          } else if (overTime && !stopping) {
            // out of time: the worker stops after its current input (terminating it inside DuckDB's native
            // code can abort the whole process); a hang is still caught by the limit above
            stopping = true;
            w.postMessage("stop");
          }
        }, 50);
        w.on("message", (m: Msg) => {
          if (m.type === "start") {
            current = m.index;
            started = Date.now();
          } else if (m.type === "done") {
            current = -1;
            c.inputs++;
            if (m.outcome !== "ok" && m.outcome !== "crash") {
              const k = messageShape(m.message);
              c.messages[k] = (c.messages[k] ?? 0) + 1;
            }
            if (m.outcome === "ok") c.ok++;
            else if (m.outcome === "error") c.errors++;
            else if (m.outcome === "unclear") {
              c.unclear++;
              if (c.findings.length < 20) c.findings.push({ index: m.index, kind: "unclear", message: m.message });
            } else {
              c.crashes++;
              if (c.findings.length < 20) c.findings.push({ index: m.index, kind: "crash", message: m.message });
            }
          } else {
            clearInterval(timer);
            finished = true;
            resolve(count);
          }
        });
        w.on("error", (e) => {
          clearInterval(timer);
          if (finished) return;
          finished = true;
          // an exception that escaped the input (e.g. an unhandled rejection in the worker): a crash
          c.inputs++;
          c.crashes++;
          if (c.findings.length < 20) c.findings.push({ index: current, kind: "crash", message: `worker died: ${String(e).slice(0, 300)}` });
          if (current < 0) reject(e);
          else resolve(current + 1);
        });
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  c.seconds = (Date.now() - t0) / 1000;
  return c;
}

if (!isMainThread && parentPort && (workerData as Job | undefined)?.loader) {
  const job = workerData as Job;
  const port = parentPort;
  const base = Buffer.from(basePanel());
  process.env.KEYTECH_NO_PROGRESS = "1";
  let stop = false;
  const onStop = (): void => void (stop = true);
  port.on("message", onStop);
  for (let i = job.from; i < job.to && !stop; i++) {
    port.postMessage({ type: "start", index: i } satisfies Msg);
    const r = await runInput(job.loader, job.seed, i, job.dir, base);
    port.postMessage({ type: "done", index: i, ...r } satisfies Msg);
  }
  port.off("message", onStop); // nothing keeps the worker alive: it exits
  port.postMessage({ type: "end" } satisfies Msg);
}
