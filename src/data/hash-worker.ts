/** Worker thread of `sha256FileAside` (file-hash.ts): hash one file with `sha256File` and post the digest. */
import { parentPort, workerData } from "node:worker_threads";
import { sha256File } from "../core/hash.js";

const { path } = workerData as { path: string };
sha256File(path).then(
  (hash) => parentPort!.postMessage({ hash }),
  (e: unknown) => parentPort!.postMessage({ error: String(e) }),
);
