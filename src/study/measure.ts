/**
 * The measure stage of a study (STUDY.md step 1 and the three patent-built mediators of step 5): from the
 * raw patent records to the unit × year columns the models use, read once.
 *
 *   keytech        = Σ breakthrough flags of the unit-year's key-digital patents (default; `outcome: sum`
 *                    takes Σ imp^H instead), paper eqs. 2–3 on the key-digital subset;
 *   keytech_count  = ln(1 + key-digital patents filed);
 *   cite_quality   = ln(1 + citations received by them, self-citations excluded);
 *   cospecialize   = mean RCA proximity φ_rs to the other units of the cluster (METHODS §7, rolling window);
 *   diffusion      = citations made to digital patents of the same cluster / citations made (METHODS §8);
 *   efficiency     = input-oriented DEA score, one frontier per year: the panel's innovation inputs on
 *                    the key-digital patent count (METHODS §9);
 * plus the raw counts `breakthroughs`, `keytech_patents`, `citations_received` and `importance_sum`.
 * Patents filed before the panel's first year feed the backward windows and the IDF; only the panel's
 * years are aggregated. Every patent left out (unit not in the panel, year outside it, outside the
 * key-digital taxonomy) is counted in `info`.
 */
import { existsSync, statSync } from "node:fs";
import { z } from "zod";
import { deaWith } from "../estimators/dea.js";
import { highsRuntime } from "../estimators/dea-highs.js";
import type { ColumnMapping } from "../patents/mapping.js";
import { measurePatentPanel, type PatentPanelMeasures, type PatentPanelOptions } from "../patents/pipeline.js";
import { patentsViewFiles, readPatents, type PatentTable } from "../patents/read.js";
import { measurePatentPanelStream } from "../patents/stream.js";
import type { ScoreOptions } from "../patents/scores.js";
import { withPatentSource } from "../patents/source.js";

/** Names of the measured columns (they join the panel under these names). */
export const MEASURED_COLUMNS = [
  "keytech",
  "keytech_count",
  "cite_quality",
  "cospecialize",
  "diffusion",
  "efficiency",
  "breakthroughs",
  "keytech_patents",
  "citations_received",
  "importance_sum",
] as const;
export type MeasuredName = (typeof MEASURED_COLUMNS)[number];

/** Options of the measure stage (the study's `patents` block); the defaults are the paper's (eqs. 2–3). */
export const measureOptionsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** IPC level of the technology fields ω (the paper matches on the 4-character subclass) */
  level: z.enum(["subclass", "group", "subgroup"]).default("subclass"),
  /** seed = paper eq. 3, ln(N≤t / N_ω,≤t); kpst = ln(N<t / (1 + N_ω,<t)) */
  idf: z.enum(["seed", "kpst"]).default("seed"),
  pair_year: z.enum(["min", "max"]).default("min"),
  same_year: z.enum(["exclude", "byDate"]).default("exclude"),
  censoring: z.enum(["truncate", "missing"]).default("truncate"),
  backward: z.number().int().min(1).default(5),
  forward: z.array(z.number().int().min(1)).min(1).default([1, 5, 10]),
  breakthrough: z.enum(["year", "kpst"]).default("year"),
  quantile: z.number().gt(0).lt(1).default(0.9),
  /** tie ceiling of the breakthrough rule (share of the year; 0 = hard cap ⌈(1 − quantile)·n⌉) */
  tie_ceiling: z.number().min(0).lt(1).default(0.02),
  /** KeyTech = count of breakthrough patents (default) or sum of importances */
  outcome: z.enum(["count", "sum"]).default("count"),
  /** the key-digital taxonomy that selects the scored patents (built-in name or rule file) */
  taxonomy: z.string().min(1).default("cnipa-provisional"),
  categories: z.array(z.string().min(1)).optional(),
  main_only: z.boolean().default(false),
  /** malformed IPC codes: fail (stop at the first, naming file, row and column) | skip (drop and report them) */
  on_bad_ipc: z.enum(["fail", "skip"]).default("fail"),
  /** digital-technology patents for the diffusion mediator (default: the key-digital taxonomy) */
  digital_taxonomy: z.string().min(1).optional(),
  /** panel column (constant within unit) naming each unit's cluster: peers for co-specialisation and diffusion */
  cluster: z.string().min(1).optional(),
  rca_window: z.number().int().min(1).default(3),
  rca_threshold: z.number().gt(0).default(1),
  diffusion_self_citations: z.enum(["include", "exclude"]).default("include"),
  /** panel columns of the innovation inputs for the DEA mediator (none: no efficiency column) */
  dea_inputs: z.array(z.string().min(1)).default([]),
  dea_rts: z.enum(["crs", "vrs"]).default("crs"),
});
export type MeasureOptions = z.infer<typeof measureOptionsSchema>;

/** The unit × year grid the measures are aggregated to (the study panel's units and years). */
export interface MeasureGrid {
  units: readonly string[];
  years: readonly number[];
  /** cluster label of each unit (same order as units); absent = one cluster of all units */
  clusterOfUnit?: readonly (string | null)[];
  /** DEA inputs, each unit-major (u·T + t), NaN = missing */
  deaInputs?: { names: string[]; values: Float64Array[] };
}

export interface MeasureInfo {
  patents_read: number;
  key_digital: number;
  scored: number;
  /** key-digital patents filed in the panel's years and units (the ones aggregated) */
  aggregated: number;
  dropped: { unit_not_in_panel: number; missing_unit: number; year_outside_panel: number };
  earlier_years: number;
  /** citations made, by bucket: counted as received, to ids not in the file, to later-filed patents, self-citations */
  citations: { available: boolean; total: number; counted: number; self: number; unknown: number; later_filed: number };
  /** malformed IPC codes skipped (on_bad_ipc: skip), the first few with their data row, and patents left with no valid code */
  bad_ipc: { count: number; examples: { row: number; value: string }[]; patents_dropped: number };
  censored: number;
  /** forward and backward windows that the data do not cover (scores coverage) */
  coverage: {
    fully_censored: number;
    fully_censored_years: number[];
    partly_censored: number;
    partly_censored_years: number[];
    censoring: string;
    panel_years_backward_incomplete: number[];
  };
  breakthrough_share: number;
  first_year: number;
  last_year: number;
  options: MeasureOptions;
}

export interface MeasuredPanel {
  units: string[];
  years: number[];
  /** unit-major (u·T + t) columns */
  columns: Partial<Record<MeasuredName, Float64Array>>;
  info: MeasureInfo;
}

/** ScoreOptions of the measure options (snake_case spec keys → engine options). */
export function scoreOptionsOf(o: MeasureOptions): Partial<ScoreOptions> {
  return {
    backward: o.backward,
    forward: o.forward,
    idf: o.idf,
    pairYear: o.pair_year,
    sameYear: o.same_year,
    censoring: o.censoring,
    breakthrough: o.breakthrough,
    quantile: o.quantile,
    tieCeiling: o.tie_ceiling,
  };
}

/** How `measureFromFile` reads the patents: the whole table in memory, two streamed passes, or by size. */
export type PatentReading = "auto" | "memory" | "stream";

/**
 * Inputs of at least this many bytes are measured in two streamed passes (`measurePatentPanelStream`)
 * instead of one table in memory: the same values bit for bit, in about a third of the memory (issue #17:
 * 100M patents in ≤ 8 GB). 256 MiB ≈ 7M patents in Parquet, ≈ 2–3M in CSV.
 */
export const STREAM_FROM_BYTES = 256 * 2 ** 20;

/** Bytes of a patent input (a PatentsView folder: its tables; a missing file: 0, the reader names it). */
export function patentInputBytes(file: string, mapping: ColumnMapping): number {
  const files = mapping.source === "patentsview" ? (existsSync(file) && statSync(file).isDirectory() ? patentsViewFiles(file) : []) : [file];
  let b = 0;
  for (const f of files) if (existsSync(f)) b += statSync(f).size;
  return b;
}

/**
 * The reading actually used: `reading` if "memory" or "stream", else KEYTECH_PATENTS_READ if set to one of
 * them, else "stream" from STREAM_FROM_BYTES on.
 */
export function patentReadingFor(bytes: number, reading: PatentReading = "auto"): "memory" | "stream" {
  if (reading !== "auto") return reading;
  const env = process.env.KEYTECH_PATENTS_READ;
  if (env === "memory" || env === "stream") return env;
  return bytes >= STREAM_FROM_BYTES ? "stream" : "memory";
}

/**
 * Read the patents once and measure every column (see the file comment): from a table in memory
 * (readPatents + measurePatentPanel) or, for large inputs, in two streamed passes (measurePatentPanelStream);
 * both give the same MeasuredPanel.
 */
export async function measureFromFile(
  file: string,
  mapping: ColumnMapping,
  o: MeasureOptions,
  grid: MeasureGrid,
  reading: PatentReading = "auto",
): Promise<MeasuredPanel> {
  return withPatentSource(file, mapping, async (f, mp) => {
    const read = { mapping: mp, onBadIpc: o.on_bad_ipc, needDate: o.same_year === "byDate" };
    if (patentReadingFor(patentInputBytes(f, mp), reading) === "memory") {
      const table = await readPatents(f, { ...read, level: o.level, region: true, citations: "auto", ids: false });
      return measureFromTable(table, o, grid);
    }
    const clusterOf = grid.clusterOfUnit ? (names: readonly string[]) => clusterOfRegions(grid, names) : undefined;
    const m = await measurePatentPanelStream(f, { ...read, ...(clusterOf ? { clusterOf } : {}) }, panelOptionsOf(o, grid));
    const s = m.stream;
    return measured(m, o, grid, {
      patentsRead: s.n,
      yearOfScored: (i) => s.scoredYears[i]!,
      badIpc: { count: s.badIpc, examples: s.badIpcExamples, patents_dropped: s.dropped },
    });
  });
}

/** Cluster id of each region name (the clusters of grid.clusterOfUnit numbered in unit order; −1 = none). */
function clusterOfRegions(grid: MeasureGrid, regionNames: readonly string[]): Int32Array {
  const ids = new Map<string, number>();
  const unitCluster = new Map<string, number>();
  grid.units.forEach((u, i) => {
    const c = grid.clusterOfUnit![i];
    if (c === null || c === undefined) return;
    let id = ids.get(c);
    if (id === undefined) ids.set(c, (id = ids.size));
    unitCluster.set(u, id);
  });
  return Int32Array.from(regionNames, (r) => unitCluster.get(r) ?? -1);
}

/** measurePatentPanel's options of the measure options and grid (clusters by the table's region names, if given). */
function panelOptionsOf(o: MeasureOptions, grid: MeasureGrid, regionNames?: readonly string[]): PatentPanelOptions {
  return {
    ...scoreOptionsOf(o),
    level: o.level,
    keyTech: { taxonomy: o.taxonomy, ...(o.categories ? { categories: o.categories } : {}), mainOnly: o.main_only },
    ...(o.digital_taxonomy ? { digital: { taxonomy: o.digital_taxonomy } } : {}),
    regions: [...grid.units],
    years: [...grid.years],
    ...(grid.clusterOfUnit && regionNames ? { clusterOfRegion: clusterOfRegions(grid, regionNames) } : {}),
    selfCitations: o.diffusion_self_citations,
    rcaWindow: o.rca_window,
    rcaThreshold: o.rca_threshold,
  };
}

/** Measure every column from an already read patent table (see the file comment). */
export async function measureFromTable(table: PatentTable, o: MeasureOptions, grid: MeasureGrid): Promise<MeasuredPanel> {
  // one pass over the table: scores, counts, citations, diffusion, co-specialisation (src/patents/pipeline.ts)
  const m = measurePatentPanel(table, panelOptionsOf(o, grid, table.region!.names));
  return measured(m, o, grid, {
    patentsRead: table.n,
    yearOfScored: (i) => table.year[m.scoredRows[i]!]!,
    badIpc: { count: table.badIpc.count, examples: table.badIpc.examples, patents_dropped: table.droppedNoValidCode },
  });
}

/** The columns and info of the measure stage from the panel measures (either reading) and what the reader counted. */
async function measured(
  m: PatentPanelMeasures,
  o: MeasureOptions,
  grid: MeasureGrid,
  read: { patentsRead: number; yearOfScored: (i: number) => number; badIpc: MeasureInfo["bad_ipc"] },
): Promise<MeasuredPanel> {
  const units = [...grid.units];
  const years = [...grid.years];
  const T = years.length;
  const scores = m.scores;
  const columns: Partial<Record<MeasuredName, Float64Array>> = {};
  columns.breakthroughs = m.breakthroughs;
  columns.importance_sum = m.sumImportance;
  columns.keytech_patents = m.patents;
  columns.keytech = o.outcome === "count" ? m.breakthroughs : m.sumImportance;
  columns.keytech_count = m.patents.map((v) => Math.log1p(v));
  if (m.citations) {
    columns.citations_received = m.citations;
    columns.cite_quality = m.citations.map((v) => Math.log1p(v));
  }
  columns.cospecialize = m.cospecialisation.index;
  if (m.diffusion) columns.diffusion = m.diffusion.share;
  if (grid.deaInputs && grid.deaInputs.names.length) columns.efficiency = await efficiencyByYear(grid.deaInputs, m.patents, units.length, T, o.dea_rts);

  let earlier = 0;
  let firstYear = Infinity;
  let lastYear = -Infinity;
  let nBreak = 0;
  let nFlagged = 0;
  for (let i = 0; i < m.scoredRows.length; i++) {
    const y = read.yearOfScored(i);
    if (y < years[0]!) earlier++;
    if (y < firstYear) firstYear = y;
    if (y > lastYear) lastYear = y;
    if (scores.breakthrough[i]! >= 0) {
      nFlagged++;
      nBreak += scores.breakthrough[i]!;
    }
  }
  let aggregated = 0;
  for (const v of m.patents) aggregated += v;
  const cc = m.citationCounts;
  return {
    units,
    years,
    columns,
    info: {
      patents_read: read.patentsRead,
      key_digital: m.keyTech,
      scored: m.keyTech,
      aggregated,
      dropped: { unit_not_in_panel: m.dropped.regionNotListed, missing_unit: m.dropped.missingRegion, year_outside_panel: m.dropped.yearNotListed },
      earlier_years: earlier,
      citations: { available: cc.available, total: cc.total, counted: cc.counted, self: cc.self, unknown: cc.unknown, later_filed: cc.laterFiled },
      bad_ipc: read.badIpc,
      censored: scores.counts.censored,
      coverage: {
        fully_censored: scores.coverage.fullyCensored,
        fully_censored_years: scores.coverage.fullyCensoredYears,
        partly_censored: scores.coverage.partlyCensored,
        partly_censored_years: scores.coverage.partlyCensoredYears,
        censoring: o.censoring,
        panel_years_backward_incomplete: scores.coverage.backwardIncompleteYears.filter((y) => years.includes(y)),
      },
      breakthrough_share: nFlagged ? nBreak / nFlagged : Number.NaN,
      first_year: firstYear,
      last_year: lastYear,
      options: o,
    },
  };
}

/** Solved DEA frontiers: a year's DMUs, inputs and output (bytes) → the efficiency of each of its DMUs. */
export type DeaMemo = Map<string, Float64Array>;

/**
 * Input-oriented DEA efficiency θ per unit-year, one frontier per year (contemporaneous): DMUs are the
 * units with every input finite and ≥ 0, one of them > 0, and a finite output, in unit order; output = the
 * unit-year's key-digital patent count. Units with a missing input get NaN. With `memo`, a year whose
 * DMUs, inputs and output are byte-identical to one solved before takes that frontier's scores instead of
 * solving its LPs again (the same deaWith call on the same arrays gives the same bits): the demo's twin
 * runs share the years before the pilot.
 */
export async function efficiencyByYear(
  inp: { names: string[]; values: Float64Array[] },
  output: Float64Array,
  U: number,
  T: number,
  rts: "crs" | "vrs",
  memo?: DeaMemo,
): Promise<Float64Array> {
  const highs = await highsRuntime();
  const out = new Float64Array(U * T).fill(Number.NaN);
  for (let t = 0; t < T; t++) {
    const dmus: number[] = [];
    for (let u = 0; u < U; u++) {
      const c = u * T + t;
      let ok = Number.isFinite(output[c]!);
      let pos = false;
      for (const v of inp.values) {
        if (!Number.isFinite(v[c]!) || v[c]! < 0) ok = false;
        if (v[c]! > 0) pos = true;
      }
      if (ok && pos) dmus.push(c);
    }
    if (dmus.length < 2) continue;
    const inputs = inp.values.map((v) => Float64Array.from(dmus, (c) => v[c]!));
    const outputs = [Float64Array.from(dmus, (c) => output[c]!)];
    const key = memo
      ? [
          rts,
          Buffer.from(Int32Array.from(dmus).buffer).toString("base64"),
          ...[...inputs, ...outputs].map((x) => Buffer.from(x.buffer).toString("base64")),
        ].join("|")
      : "";
    let eff = memo?.get(key);
    if (!eff) {
      const scores = deaWith(highs, { inputs, outputs, inputNames: inp.names, outputNames: ["key-digital patents"] }, { rts, orientation: "input" });
      eff = Float64Array.from(scores, (x) => (x.efficiency === null ? Number.NaN : x.efficiency));
      memo?.set(key, eff);
    }
    dmus.forEach((c, j) => {
      out[c] = eff[j]!;
    });
  }
  return out;
}
