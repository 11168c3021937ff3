/**
 * Worker thread of the parallel CSV reader (fast-csv.ts), in two steps: count the lines of its byte
 * range and post the count; then, given the row offset and the shared output columns, parse the range
 * into them (csv-scan.ts) and post the status.
 */
import { parentPort, workerData } from "node:worker_threads";
import { countLines, parseRange, type ScanSpec } from "./csv-scan.js";

interface Job {
  path: string;
  start: number;
  end: number;
  spec: ScanSpec;
  last: boolean;
}

const j = workerData as Job;
const port = parentPort!;
const count = countLines(j.path, j.start, j.end, j.last);
port.once("message", (m: { offset: number; buffers: SharedArrayBuffer[] } | null) => {
  if (!m) return port.close();
  const cols = m.buffers.map((b) => new Float64Array(b));
  const r = parseRange(j.path, j.start, j.end, j.spec, { cols, offset: m.offset, count }, j.last);
  port.postMessage(r);
  port.close();
});
port.postMessage({ count });
