/**
 * The study runner: loads the data once, runs the enabled blocks in dependency order, caches each
 * block's output in DIR/workspace.duckdb keyed by sha256(block id, options, input hashes, outcome, model,
 * seed, keytech version, dependency keys), isolates failures (a failed block is recorded with its error,
 * the others still run) and writes DIR/results.json and DIR/run.log atomically. Rendering (report.html,
 * tables, figures) is the report layer's job.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../core/atomic.js";
import { sha256File, sha256Path, sha256Text, stableStringify } from "../core/hash.js";
import { hashSeed } from "../core/rng.js";
import type { BlockRecord, StudyRun } from "../core/report-data.js";
import { resultToJson, stampVersion } from "../core/result.js";
import { codeFingerprint, keytechVersion } from "../core/version.js";
import { BlockCache } from "./cache.js";
import { BLOCKS, blockById } from "./blocks/registry.js";
import { loadStudyData, writeAnalysisPanel, type StudyData } from "./blocks/data.js";
import { NotAvailable, type BlockDef, type BlockOutput } from "./blocks/types.js";
import type { StudySpec } from "./spec.js";
import { words } from "./words.js";

// the run record types live below the report layer (core/report-data.ts), which renders them
export type { BlockRecord, BlockStatus, StudyRun } from "../core/report-data.js";

export interface RunOptions {
  /** where results.json, run.log and work/ are written */
  outDir: string;
  /** folder of the block cache workspace.duckdb (default: outDir) */
  cacheDir?: string;
  /** progress lines (default: stderr) */
  log?: (line: string) => void;
  /**
   * Inputs (by spec input key) whose files the caller is still writing while the blocks run, each with the
   * promise of its file: the demo's truth.json, whose twin runs go on meanwhile. Only inputs that no block
   * reads may be late (today: truth, which only results.json and the report show). With late inputs the
   * cache is not read (every block computes); the blocks run with a stand-in for the late hashes, and once
   * the files are written every stand-in hash and every block key is replaced by the real one (so
   * results.json, and the cache entries written then, are those of a run that had the files at the start).
   */
  late?: Partial<Record<"truth", Promise<unknown>>>;
}

/** Stand-in of a late input's hash while the blocks run (replaced before anything is written). */
const lateHash = (k: string): string => `sha256:late-input-${k}-${process.pid}`;
/** Stand-in of a block key computed with late hashes. */
const lateKey = (k: string): string => `late-key-${k}`;

/** Replace, everywhere in a JSON value, every string that `map` holds by its image (in place). */
function replaceStrings(v: unknown, map: Map<string, string>): unknown {
  if (typeof v === "string") return map.get(v) ?? v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = replaceStrings(v[i], map);
    return v;
  }
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = replaceStrings(o[k], map);
  }
  return v;
}

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Blocks in an order where every block comes after the blocks it needs (registry order otherwise). */
export function blockOrder(ids: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string, stack: string[]) => {
    if (seen.has(id)) return;
    if (stack.includes(id)) throw new Error(`block dependency cycle: ${[...stack, id].join(" → ")}`);
    for (const d of blockById(id)?.needs ?? []) if (ids.includes(d)) visit(d, [...stack, id]);
    seen.add(id);
    out.push(id);
  };
  for (const id of ids) visit(id, []);
  return out;
}

/** Run every enabled block of the spec; never throws for a block failure (see `failed`). */
export async function runStudy(spec: StudySpec, opts: RunOptions): Promise<StudyRun> {
  const lines: string[] = [];
  const logPath = join(opts.outDir, "run.log");
  const say = async (line: string) => {
    lines.push(line);
    (opts.log ?? ((l: string) => process.stderr.write(l + "\n")))(line);
    await writeFileAtomic(logPath, lines.join("\n") + "\n");
  };
  const t0 = performance.now();
  await say(`keytech ${keytechVersion()} study run: ${spec.title} (${spec.path})`);
  const data: StudyData = await loadStudyData(spec);
  const late = Object.entries(opts.late ?? {}).filter(([k]) => k in data.inputHashes);
  for (const [k] of late) data.inputHashes[k] = lateHash(k);
  await say(
    `data: ${data.n} rows, ${data.units.length} units, ${data.times[0]}–${data.times[data.times.length - 1]} (${((performance.now() - t0) / 1000).toFixed(2)} s)`,
  );
  const cache = await BlockCache.open(join(opts.cacheDir ?? opts.outDir, "workspace.duckdb"));
  const order = blockOrder(spec.enabled);
  const outcomeNote =
    spec.outcome.source === "patents"
      ? ` Outcome: ${spec.outcome.label}, measured from the raw patent records (step 1).`
      : ` Outcome: ${spec.outcome.label}, the panel column ${spec.outcome.column}.`;
  const records: BlockRecord[] = [];
  const outputs: Record<string, BlockOutput> = {};
  const keys: Record<string, string> = {};
  /** the blocks whose columns joined the data (every later block depends on their keys) */
  const providerIds: string[] = [];
  /** each block's key as a function of the input hashes and the earlier blocks' keys (late inputs: computed at the end) */
  const keyFns: [string, (inputs: Record<string, string>, keyMap: Record<string, string>) => string][] = [];
  /** a providing block that did not complete: the later blocks cannot run on its columns */
  let missingProvider: string | null = null;
  /** Join the columns a providing block measured (null = missing) to the study data. */
  const joinColumns = (id: string, out: BlockOutput) => {
    const cols = (out.extra?.columns ?? {}) as Record<string, (number | null)[]>;
    for (const [name, v] of Object.entries(cols)) data.num[name] = Float64Array.from(v, (x) => (x === null ? Number.NaN : x));
    providerIds.push(id);
  };
  /** A providing block's record: remember a failure; its columns stay out of results.json (they are in work/analysis_panel.csv). */
  const finish = (def: BlockDef, rec: BlockRecord): BlockRecord => {
    if (!def.provides) return rec;
    // a provider without its input (not available) matters only when the outcome is one of its columns
    if (rec.status === "failed" || (rec.status === "not_available" && spec.outcome.source === "patents")) missingProvider ??= rec.id;
    if (rec.output?.extra?.columns) rec.output = { ...rec.output, extra: { ...rec.output.extra, columns: "joined to the panel: work/analysis_panel.csv" } };
    return rec;
  };
  try {
    for (let k = 0; k < order.length; k++) {
      const id = order[k]!;
      const def = blockById(id)!;
      const options = ((spec.blocks as Record<string, unknown>)[id] ?? {}) as Record<string, unknown>;
      const seed = hashSeed(spec.seed, fnv(id));
      const needs = (def.needs ?? []).filter((d) => spec.enabled.includes(d));
      const keyOf = (inputs: Record<string, string>, keyMap: Record<string, string>): string =>
        sha256Text(
          stableStringify({
            block: id,
            options,
            inputs,
            outcome: spec.outcome,
            model: spec.model,
            seed,
            keytech: keytechVersion(),
            code: codeFingerprint(),
            deps: needs.map((d) => keyMap[d] ?? "missing"),
            columns: providers.map((p) => keyMap[p]!),
          }),
        );
      const providers = [...providerIds];
      keyFns.push([id, keyOf]);
      const key = late.length ? lateKey(id) : keyOf(data.inputHashes, keys);
      keys[id] = key;
      const rec: BlockRecord = {
        id,
        title: def.title,
        section: def.section,
        ...(def.table ? { table: def.table } : {}),
        status: "ok",
        cached: false,
        seconds: 0,
        key,
        seed,
        options,
        methods: def.methods(options as never, spec) + (def.provides ? "" : outcomeNote),
      };
      const label = `[${String(k + 1).padStart(2)}/${order.length}] ${id.padEnd(16)}`;
      const missingDep = needs.find((d) => !outputs[d]);
      const t = performance.now();
      if (missingDep || missingProvider) {
        rec.status = "not_available";
        rec.error = missingDep
          ? `needs block "${missingDep}", which did not complete`
          : `needs the columns measured by block "${missingProvider}", which did not complete`;
        await say(`${label} not available: ${rec.error}`);
        records.push(rec);
        continue;
      }
      const hit = late.length ? null : await cache.get(key);
      if (hit) {
        rec.output = JSON.parse(hit.payload) as BlockOutput;
        rec.cached = true;
        rec.seconds = hit.seconds;
        outputs[id] = rec.output;
        if (def.provides) joinColumns(id, rec.output);
        rec.warnings = blockWarnings(rec.output);
        await say(`${label} cached (computed earlier in ${hit.seconds.toFixed(2)} s)`);
        for (const w of rec.warnings) await say(`${label}   warning: ${w}`);
        records.push(finish(def, rec));
        continue;
      }
      try {
        const out = await def.run(
          {
            spec,
            data,
            seed,
            deps: Object.fromEntries(needs.map((d) => [d, outputs[d]!])),
            workDir: join(opts.outDir, "work"),
            log: (m) => void say(`${label}   ${m}`),
          },
          options as never,
        );
        for (const m of out.models) m.result.provenance = { ...m.result.provenance, seed: m.result.provenance?.seed ?? seed, block: id, block_key: key };
        rec.seconds = (performance.now() - t) / 1000;
        rec.output = JSON.parse(resultToJson(out)) as BlockOutput;
        rec.warnings = blockWarnings(rec.output);
        for (const w of rec.warnings) await say(`${label}   warning: ${w}`);
        outputs[id] = rec.output;
        if (def.provides) joinColumns(id, rec.output);
        if (!late.length) await cache.put(key, id, JSON.stringify(rec.output), rec.seconds);
        await say(`${label} computed in ${rec.seconds.toFixed(2)} s`);
      } catch (e) {
        rec.seconds = (performance.now() - t) / 1000;
        if (e instanceof NotAvailable) {
          rec.status = "not_available";
          rec.error = e.message;
          await say(`${label} not available: ${e.message}`);
        } else {
          rec.status = "failed";
          rec.error = (e as Error).message ?? String(e);
          if (process.env.KEYTECH_DEBUG) rec.error += "\n" + ((e as Error).stack ?? "");
          await say(`${label} FAILED: ${rec.error}`);
        }
      }
      records.push(finish(def, rec));
    }
    if (late.length) {
      // the late files are written: their real hashes and the real block keys replace the stand-ins
      const t1 = performance.now();
      const map = new Map<string, string>();
      for (const [, p] of late) await p;
      const waited = (performance.now() - t1) / 1000;
      for (const [k] of late) {
        const file = (spec.inputs as Record<string, { file: string } | undefined>)[k]!.file;
        map.set(lateHash(k), (data.inputHashes[k] = await sha256Path(file)));
      }
      const real: Record<string, string> = {};
      for (const [id, keyOf] of keyFns) map.set(lateKey(id), (real[id] = keyOf(data.inputHashes, real)));
      for (const rec of records) {
        replaceStrings(rec, map);
        // the cache holds the whole output (a providing block's record shows its columns as a note only)
        const full = outputs[rec.id];
        if (rec.status === "ok" && full) await cache.put(rec.key, rec.id, JSON.stringify(replaceStrings(full, map)), rec.seconds);
      }
      if (waited > 0.05) await say(`waited ${waited.toFixed(2)} s for ${late.map(([k]) => k).join(", ")}`);
    }
  } finally {
    cache.close();
  }
  await writeAnalysisPanel(data, join(opts.outDir, "work", "analysis_panel.csv"));
  const failed = records.filter((r) => r.status === "failed").length;
  const na = records.filter((r) => r.status === "not_available").length;
  await say(`done in ${((performance.now() - t0) / 1000).toFixed(2)} s: ${records.length - failed - na} ok, ${na} not available, ${failed} failed`);
  let truth: unknown = null;
  if (spec.inputs.truth) truth = JSON.parse(readFileSync(spec.inputs.truth.file, "utf8"));
  const run: StudyRun = stampVersion({
    title: spec.title,
    spec: { path: spec.path, hash: await sha256File(spec.path) },
    seed: spec.seed,
    inputs: data.inputHashes,
    outcome: outcomeRecord(spec, records),
    labels: runLabels(spec),
    model: spec.model,
    sample: { rows: data.n, units: data.units.length, periods: [data.times[0]!, data.times[data.times.length - 1]!] },
    blocks: records,
    failed,
    truth,
  });
  await writeFileAtomic(join(opts.outDir, "results.json"), resultToJson(run));
  return run;
}

/**
 * The warnings of a block: its own (`output.warnings`) and those of every model's result, each model's
 * prefixed with the model's label when the block has several; duplicates once.
 */
export function blockWarnings(out: BlockOutput): string[] {
  const seen = new Set<string>();
  const add = (w: string) => seen.add(w);
  for (const w of out.warnings ?? []) add(w);
  for (const m of out.models) for (const w of m.result.warnings ?? []) add(out.models.length > 1 ? `${m.label}: ${w}` : w);
  return [...seen];
}

/** The labels a report needs: the study's words and every column's label (the outcome's included). */
function runLabels(spec: StudySpec): StudyRun["labels"] {
  const w = words(spec);
  return {
    unit: w.unit,
    units: w.units,
    time: w.time,
    treatment: w.treatment,
    variables: { ...spec.labels.variables, [spec.outcome.column]: spec.outcome.label },
  };
}

/** The outcome as recorded in results.json: where it came from and, when measured, from how many patents. */
function outcomeRecord(spec: StudySpec, records: BlockRecord[]): StudyRun["outcome"] {
  if (spec.outcome.source !== "patents") return spec.outcome;
  const m = records.find((r) => r.id === "patents")?.output?.extra?.measure as { patents_read: number; key_digital: number; aggregated: number } | undefined;
  return m ? { ...spec.outcome, patents: { read: m.patents_read, key_digital: m.key_digital, aggregated: m.aggregated } } : spec.outcome;
}

/** What a study run owns in its output folder (replaced whole on each run; everything else is kept). */
export const STUDY_OUTPUTS = ["report.html", "results.json", "run.log", "tables", "figures", "work"] as const;

export { BLOCKS };
