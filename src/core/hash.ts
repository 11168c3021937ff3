/** Content hashes for provenance and caching (SHA-256). */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on("data", (c) => h.update(c))
      .on("end", () => resolve())
      .on("error", reject);
  });
  return "sha256:" + h.digest("hex");
}

export function sha256Text(text: string | Uint8Array): string {
  return "sha256:" + createHash("sha256").update(text).digest("hex");
}

/** Stable JSON (sorted keys) so that equal option objects hash equally. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return "[" + v.map(stableStringify).join(",") + "]";
  const o = v as Record<string, unknown>;
  return "{" + Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => JSON.stringify(k) + ":" + stableStringify(o[k])).join(",") + "}";
}
