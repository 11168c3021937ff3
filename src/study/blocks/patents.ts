/**
 * The measure stage (STUDY.md step 1 + the patent-built mediators of step 5): raw patent records →
 * KeyTech, the alternative outcomes and the three mediators as unit × year columns (src/study/measure.ts),
 * which the runner joins to the panel for every later block. Runs first; cached like any block.
 */
import { loadMapping, withOverrides, type ColumnMapping } from "../../patents/mapping.js";
import { resolve } from "node:path";
import type { IpcLevel } from "../../patents/ipc.js";
import type { PatentTable } from "../../patents/read.js";
import {
  MEASURED_COLUMNS,
  measureFromFile,
  measureFromTable,
  measureOptionsSchema,
  type MeasureGrid,
  type MeasureInfo,
  type MeasureOptions,
} from "../measure.js";
import type { StudySpec } from "../spec-schema.js";
import { readTextTable } from "../../data/read.js";
import type { StudyData } from "./data.js";
import { defineBlock, NotAvailable } from "./types.js";

/** The column mapping of inputs.patents: the named base mapping with the spec's inline overrides. */
export function patentsMapping(p: NonNullable<StudySpec["inputs"]["patents"]>): ColumnMapping {
  return withOverrides(loadMapping(p.mapping), {
    id: p.id,
    date: p.date,
    year: p.year,
    region: p.unit,
    ipc: p.ipc,
    cited: p.cited,
    applicant: p.applicant,
    ipcSeparators: p.separator,
    citedSeparators: p.cited_separator,
  });
}

/**
 * A patents file whose table is already in memory: `sha256` is the file's hash as the study's inputs
 * record it (sha256Path), `table` builds the PatentTable that readPatents would give for the file read with
 * `mapping` at `level` — or returns null when it cannot vouch for that read (then the file is read).
 */
export interface KnownPatentTable {
  sha256: string;
  table: (mapping: ColumnMapping, level: IpcLevel) => PatentTable | null;
}
const knownTables = new Map<string, KnownPatentTable>();

/**
 * Let the patents block take the table of `file` from memory instead of reading the file (the demo
 * registers its simulated world's patents.csv, written from records it holds). Used only while the file's
 * hash is `known.sha256`; the measures are then computed from the same table as a read would give
 * (measureFromTable), so the block's output is the same. Returns the function that removes the entry.
 */
export function registerPatentTable(file: string, known: KnownPatentTable): () => void {
  const key = resolve(file);
  knownTables.set(key, known);
  return () => {
    if (knownTables.get(key) === known) knownTables.delete(key);
  };
}

/** The study panel's unit × year grid, cluster labels and DEA inputs (unit-major). */
export function measureGrid(d: StudyData, o: MeasureOptions, clusterRaw?: (string | null)[]): MeasureGrid {
  const T = d.times.length;
  const grid: MeasureGrid = { units: d.units, years: d.times };
  if (clusterRaw) {
    const c: (string | null)[] = new Array(d.units.length).fill(null);
    for (let i = 0; i < d.n; i++) if (c[d.unitCodes[i]!] === null) c[d.unitCodes[i]!] = clusterRaw[i] ?? null;
    grid.clusterOfUnit = c;
  }
  if (o.dea_inputs.length) {
    const values = o.dea_inputs.map((name) => {
      const src = d.num[name];
      if (!src) throw new Error(`blocks.patents.dea_inputs: "${name}" is not a numeric column of the panel`);
      const v = new Float64Array(d.units.length * T).fill(Number.NaN);
      for (let i = 0; i < d.n; i++) v[d.unitCodes[i]! * T + d.timeCodes[i]!] = src[i]!;
      return v;
    });
    grid.deaInputs = { names: o.dea_inputs, values };
  }
  return grid;
}

export const patentScores = defineBlock({
  id: "patents",
  title: "Step 1: the outcome and mediators measured from the patent records",
  section: "descriptives",
  options: measureOptionsSchema,
  provides: () => [...MEASURED_COLUMNS],
  columns: (o) => [...o.dea_inputs, ...(o.cluster ? [o.cluster] : [])],
  methods: (o, spec) => {
    if (!spec.inputs.patents) return "Measures the outcome and patent-built mediators from raw patent records (needs inputs.patents).";
    const unit = spec.inputs.panel.unit;
    const idf =
      o.idf === "seed"
        ? "IDF_ω,t = ln(N≤t / N_ω,≤t) over the patents filed up to and including year t (paper eq. 3)"
        : "KPST backward IDF ln(N<t / (1 + N_ω,<t))";
    return `KeyTech measured from the raw patent records: the patents with an IPC code in the ${o.taxonomy} taxonomy${o.categories ? ` (${o.categories.join(", ")})` : ""} are represented as TF-IDF vectors over IPC ${o.level} fields (TF = share of the patent's codes in the field; ${idf}); importance = forward similarity (sum of cosine similarities to the patents of the next ${o.forward.join("/")} years) over backward similarity (previous ${o.backward} years), Kelly, Papanikolaou, Seru & Taddy (2021) as adapted in the paper's eqs. 2–3, computed exactly in linear time; breakthroughs = the top ${Math.round((1 - o.quantile) * 100)}% of importance within the filing year (${o.breakthrough === "year" ? "by year" : "KPST: residualised log importance, pooled threshold"}), forward windows past the data end ${o.censoring === "truncate" ? "summed over the observed years" : "missing"}. Per ${unit} and year: KeyTech = ${o.outcome === "count" ? "number of breakthrough patents" : "sum of importances"}; keytech_count = ln(1 + key-digital patents); cite_quality = ln(1 + citations received, self-citations excluded). Mediators: co-specialisation = mean RCA proximity (binary RCA ≥ ${o.rca_threshold} over ${o.rca_window}-year windows, φ = shared specialisations / the larger diversity) to the other ${unit} units of the same ${o.cluster ?? "panel"}; diffusion = share of citations made that go to digital patents of the same ${o.cluster ?? unit}; efficiency = ${o.dea_inputs.length ? `input-oriented ${o.dea_rts.toUpperCase()} DEA score of ${o.dea_inputs.join(", ")} on the key-digital patent count, one frontier per year` : "not measured (no dea_inputs given)"}.`;
  },
  async run(ctx, o) {
    const p = ctx.spec.inputs.patents;
    if (!p)
      throw new NotAvailable(
        "no patent records: give inputs.patents (a file, a PatentsView folder or USPTO grant XML) to measure the outcome and mediators from them",
      );
    const clusterRaw = o.cluster ? await panelTextColumn(ctx.spec.inputs.panel.file, ctx.data, o.cluster) : undefined;
    const mapping = patentsMapping(p);
    const grid = measureGrid(ctx.data, o, clusterRaw);
    const known = knownTables.get(resolve(p.file));
    const table = known && known.sha256 === ctx.data.inputHashes.patents ? known.table(mapping, o.level) : null;
    const m = table ? await measureFromTable(table, o, grid) : await measureFromFile(p.file, mapping, o, grid);
    const d = ctx.data;
    const T = d.times.length;
    const columns: Record<string, (number | null)[]> = {};
    for (const [name, v] of Object.entries(m.columns)) {
      columns[name] = Array.from({ length: d.n }, (_, i) => {
        const x = v[d.unitCodes[i]! * T + d.timeCodes[i]!]!;
        return Number.isFinite(x) ? x : null;
      });
    }
    const inf = m.info;
    const nb = Array.from(m.columns.breakthroughs ?? []).reduce((a, b) => a + b, 0);
    const summary = [
      { label: "Patent records read", value: String(inf.patents_read) },
      { label: `Key-digital patents (${o.taxonomy})`, value: String(inf.key_digital) },
      {
        label: "Filing years of the scored patents",
        value: `${inf.first_year}–${inf.last_year} (${inf.earlier_years} filed before the panel's first year feed the backward windows and the IDF only)`,
      },
      { label: "Aggregated to the panel", value: `${inf.aggregated} patents in ${m.units.length} units × ${m.years.length} years` },
      {
        label: "Left out",
        value: `unit not in the panel ${inf.dropped.unit_not_in_panel}, no unit ${inf.dropped.missing_unit}, year outside the panel ${inf.dropped.year_outside_panel}`,
      },
      {
        label: "Breakthrough patents in the panel",
        value: `${nb} (share among scored patents with an importance: ${(inf.breakthrough_share * 100).toFixed(1)}%)`,
      },
      { label: "Forward windows past the data end", value: forwardCoverage(inf) },
      {
        label: "Panel years without a full backward window",
        value: inf.coverage.panel_years_backward_incomplete.length
          ? `${inf.coverage.panel_years_backward_incomplete.length} (${yearRange(inf.coverage.panel_years_backward_incomplete)}: their ${o.backward}-year window starts before the first patent year ${inf.first_year}; load earlier patents to complete it)`
          : "none",
      },
      ...(inf.bad_ipc.count
        ? [
            {
              label: "Malformed IPC codes skipped",
              value: `${inf.bad_ipc.count} (e.g. ${inf.bad_ipc.examples
                .slice(0, 3)
                .map((x) => `row ${x.row}: '${x.value}'`)
                .join(", ")}); ${inf.bad_ipc.patents_dropped} patents left with no valid code were dropped`,
            },
          ]
        : []),
      {
        label: "Citations",
        value: inf.citations.available
          ? `${inf.citations.total} made, ${inf.citations.counted} counted as received; not counted: ${inf.citations.self} self-citations (same applicant or itself), ${inf.citations.later_filed} to a patent filed later than the citing one, ${inf.citations.unknown} to ids not in the file`
          : "no cited column: cite_quality and diffusion not measured",
      },
    ];
    return { models: [], extra: { summary, measure: inf, columns } };
  },
});

/** "2012–2020" for a run of years, else a comma list. */
function yearRange(ys: number[]): string {
  if (!ys.length) return "";
  const run = ys.every((y, i) => i === 0 || y === ys[i - 1]! + 1);
  return run && ys.length > 2 ? `${ys[0]}–${ys[ys.length - 1]}` : ys.join(", ");
}

/** The censoring sentence of the summary: fully censored (never flagged) and partly censored windows. */
function forwardCoverage(inf: MeasureInfo): string {
  const c = inf.coverage;
  const full = c.fully_censored
    ? `${c.fully_censored} patents of ${yearRange(c.fully_censored_years)} have no forward year at all: importance missing, never a breakthrough`
    : "no patent without a forward year";
  const part = c.partly_censored
    ? `; ${c.partly_censored} patents of ${yearRange(c.partly_censored_years)} have a partly observed window (${c.censoring === "truncate" ? "summed over the observed years" : "missing"})`
    : "";
  return full + part;
}

/** A panel column as text per data row (the cluster labels may be text). */
async function panelTextColumn(file: string, d: StudyData, name: string): Promise<(string | null)[]> {
  const num = d.num[name];
  if (num) return Array.from(num, (v) => (Number.isFinite(v) ? String(v) : null));
  const t = await readTextTable(file);
  const j = t.names.indexOf(name);
  if (j < 0) throw new Error(`blocks.patents.cluster: "${name}" is not a column of ${file}`);
  // the panel's rows in the study's (unit, time) order
  const unitCol = t.cols[t.names.indexOf(d.unitName)]!;
  const timeCol = t.cols[t.names.indexOf(d.timeName)]!;
  const at = new Map<string, string | null>();
  for (let i = 0; i < unitCol.length; i++) at.set(`${unitCol[i]}\u0000${Number(timeCol[i])}`, t.cols[j]![i] ?? null);
  return Array.from({ length: d.n }, (_, i) => at.get(`${d.unitId[i]}\u0000${d.time[i]}`) ?? null);
}
