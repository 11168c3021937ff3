/**
 * File-level pipelines behind `patents panel | diffusion | rca`: read, classify by taxonomy, score the
 * category's patents, resolve citations, aggregate. Each returns typed results; the CLI writes them.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { performance } from "node:perf_hooks";
import { inputError, usageError } from "../core/errors.js";
import { citationsReceived, type CitationCounts, type CitationLinks } from "./citations.js";
import { cospecialisation, type CospecPanel, type LinkValidation } from "./cospecialisation.js";
import { diffusion, receivedAndDiffusion, type DiffusionPanel } from "./diffusion.js";
import { regionYearGrid } from "./grid.js";
import type { IpcLevel } from "./ipc.js";
import type { ColumnMapping } from "./mapping.js";
import { regionYearPanel, type RegionYearPanel } from "./panel.js";
import { readPatents, termCorpus, type PatentTable } from "./read.js";
import { scorePatents, type ScoreOptions, type ScoreResult } from "./scores.js";
import { categorySet, loadTaxonomy, makeClassifier, splitCsvLine } from "./taxonomy.js";
import { corpusFromTerms, type TermCorpus } from "./corpus.js";

export interface CategoryFilter {
  taxonomy: string;
  categories?: string[];
  /** Only the first (main) code decides. */
  mainOnly?: boolean;
}

/** 1 for patents with a code (or main code) in the filter's categories. */
export function categoryFlags(t: PatentTable, f: CategoryFilter): Uint8Array {
  const tax = loadTaxonomy(f.taxonomy);
  const want = categorySet(tax, f.categories);
  const cls = makeClassifier(tax);
  const codeIn = Uint8Array.from(t.codes, (c) => {
    const k = cls(c);
    return k !== null && want.has(k) ? 1 : 0;
  });
  const out = new Uint8Array(t.n);
  for (let p = 0; p < t.n; p++) {
    const lo = t.codeOffsets[p]!;
    const hi = f.mainOnly ? Math.min(lo + 1, t.codeOffsets[p + 1]!) : t.codeOffsets[p + 1]!;
    for (let k = lo; k < hi; k++)
      if (codeIn[t.codeIds[k]!]) {
        out[p] = 1;
        break;
      }
  }
  return out;
}

/** The sub-corpus of the flagged patents and the map back to table rows. */
export function subCorpus(c: TermCorpus, keep: Uint8Array): { corpus: TermCorpus; rows: Int32Array } {
  const rows: number[] = [];
  for (let p = 0; p < c.n; p++) if (keep[p]) rows.push(p);
  const offsets = new Int32Array(rows.length + 1);
  let m = 0;
  for (let i = 0; i < rows.length; i++) {
    m += c.termOffsets[rows[i]! + 1]! - c.termOffsets[rows[i]!]!;
    offsets[i + 1] = m;
  }
  const ids = new Int32Array(m);
  const counts = new Float64Array(m);
  rows.forEach((p, i) => {
    ids.set(c.termIds.subarray(c.termOffsets[p]!, c.termOffsets[p + 1]!), offsets[i]!);
    counts.set(c.termCounts.subarray(c.termOffsets[p]!, c.termOffsets[p + 1]!), offsets[i]!);
  });
  const r = Int32Array.from(rows);
  return {
    corpus: {
      n: rows.length,
      year: r.map((p) => c.year[p]!),
      date: c.date ? r.map((p) => c.date![p]!) : undefined,
      termOffsets: offsets,
      termIds: ids,
      termCounts: counts,
      vocabulary: c.vocabulary,
    },
    rows: r,
  };
}

/** Read a region list: one per line, or a CSV whose `region` column (else first column) holds them. */
export function readRegionList(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch {
    throw usageError(`cannot read region list ${file}`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw inputError("region list is empty", { file: basename(file) });
  const head = splitCsvLine(lines[0]!).map((h) => h.trim());
  const col = head.indexOf("region");
  const body = col >= 0 ? lines.slice(1) : lines;
  const out = body.map((l) => splitCsvLine(l)[Math.max(col, 0)]!.trim());
  const seen = new Set<string>();
  out.forEach((r, i) => {
    if (seen.has(r)) throw inputError(`duplicate region '${r}'`, { file: basename(file), row: i + 1 });
    seen.add(r);
  });
  return out;
}

/** Read a region → cluster mapping CSV (`region, cluster` columns). */
export function readClusters(file: string, regionNames: readonly string[]): Int32Array {
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = splitCsvLine(lines[0] ?? "").map((h) => h.trim());
  const rc = head.indexOf("region");
  const cc = head.indexOf("cluster");
  if (rc < 0 || cc < 0) throw inputError("cluster mapping needs columns 'region' and 'cluster'", { file: basename(file) });
  const clusterIds = new Map<string, number>();
  const byRegion = new Map<string, number>();
  lines.slice(1).forEach((l, i) => {
    const f = splitCsvLine(l);
    const r = f[rc]!.trim();
    const c = (f[cc] ?? "").trim();
    if (byRegion.has(r)) throw inputError(`region '${r}' listed twice`, { file: basename(file), row: i + 1, column: "region" });
    if (c === "") return;
    let id = clusterIds.get(c);
    if (id === undefined) clusterIds.set(c, (id = clusterIds.size));
    byRegion.set(r, id);
  });
  return Int32Array.from(regionNames, (r) => byRegion.get(r) ?? -1);
}

/** Parse "2000:2021" or "2000,2001,…". */
export function parseYears(s: string): number[] {
  const m = /^(\d{4}):(\d{4})$/.exec(s.trim());
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (b < a) throw usageError(`--years ${s}: end before start`);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  const ys = s.split(",").map((x) => Number(x.trim()));
  if (ys.some((y) => !Number.isInteger(y))) throw usageError(`--years must be FIRST:LAST or a comma list of years, got '${s}'`);
  return ys;
}

export interface PanelFileOptions extends Partial<ScoreOptions> {
  mapping: ColumnMapping;
  level: IpcLevel;
  onBadIpc: "fail" | "skip";
  filter?: CategoryFilter;
  regions?: string[];
  years?: number[];
}

export interface PanelFileResult {
  panel: RegionYearPanel;
  horizon: number;
  scored: number;
  /** Citation buckets (citations.ts): counted = citations received in total; self, laterFiled, unknown not counted. */
  citations: { available: boolean } & CitationCounts;
  table: PatentTable;
  scores: ScoreResult;
}

/** Read → filter by category → score the category's patents → citations received → region × year panel. */
export async function panelFromFile(file: string, o: PanelFileOptions): Promise<PanelFileResult> {
  const table = await readPatents(file, {
    mapping: o.mapping,
    level: o.level,
    onBadIpc: o.onBadIpc,
    region: true,
    citations: "auto",
    needDate: o.sameYear === "byDate",
    ids: false,
  });
  const include = o.filter ? categoryFlags(table, o.filter) : new Uint8Array(table.n).fill(1);
  const { corpus, rows } = subCorpus(termCorpus(table, o.level), include);
  const scores = scorePatents(corpus, o);
  const H = scores.horizons.length - 1;
  const breakthrough = new Int8Array(table.n).fill(-1);
  const importance = new Float64Array(table.n).fill(Number.NaN);
  rows.forEach((p, i) => {
    breakthrough[p] = scores.breakthrough[i]!;
    importance[p] = scores.imp[H]![i]!;
  });
  let citations: Float64Array | undefined;
  let cinfo = { available: false, total: 0, counted: 0, unknown: 0, laterFiled: 0, self: 0 };
  if (table.cited) {
    const { received, ...counts } = citationsReceived(table.n, table.cited, table.applicant?.index, { year: table.year, date: table.date });
    citations = received;
    cinfo = { available: true, ...counts };
  }
  const panel = regionYearPanel(
    { n: table.n, year: table.year, region: table.region!.index, regionNames: table.region!.names, include, breakthrough, importance, citations },
    { regions: o.regions, years: o.years },
  );
  return { panel, horizon: scores.horizons[H]!, scored: corpus.n, citations: cinfo, table, scores };
}

export interface DiffusionFileOptions {
  mapping: ColumnMapping;
  onBadIpc: "fail" | "skip";
  digital: CategoryFilter;
  clusters?: string;
  selfCitations?: "include" | "exclude";
  denominator?: "known" | "all";
  regions?: string[];
  years?: number[];
}

export async function diffusionFromFile(
  file: string,
  o: DiffusionFileOptions,
): Promise<{ panel: DiffusionPanel; links: CitationLinks; digital: number; n: number }> {
  const table = await readPatents(file, { mapping: o.mapping, level: "subclass", onBadIpc: o.onBadIpc, region: true, citations: true, ids: false });
  const digital = categoryFlags(table, o.digital);
  const links = table.cited!;
  const clusterOfRegion = o.clusters ? readClusters(o.clusters, table.region!.names) : undefined;
  const panel = diffusion(
    {
      n: table.n,
      year: table.year,
      date: table.date,
      region: table.region!.index,
      regionNames: table.region!.names,
      digital,
      links,
      applicant: table.applicant?.index,
      clusterOfRegion,
    },
    { selfCitations: o.selfCitations, denominator: o.denominator, regions: o.regions, years: o.years },
  );
  let nd = 0;
  for (let p = 0; p < table.n; p++) nd += digital[p]!;
  return { panel, links, digital: nd, n: table.n };
}

export interface RcaFileOptions {
  mapping: ColumnMapping;
  onBadIpc: "fail" | "skip";
  /** Fields: IPC level, or "taxonomy" (categories of `fieldTaxonomy`). */
  field: IpcLevel | "taxonomy";
  fieldTaxonomy?: string;
  filter?: CategoryFilter;
  clusters?: string;
  binarise?: boolean;
  threshold?: number;
  window?: number;
  regions?: string[];
  years?: number[];
  validate?: LinkValidation;
  indexKind?: "phi" | "links";
}

export async function cospecialisationFromFile(file: string, o: RcaFileOptions): Promise<{ panel: CospecPanel; n: number; used: number; fields: number }> {
  const level: IpcLevel = o.field === "taxonomy" ? "subclass" : o.field;
  const table = await readPatents(file, { mapping: o.mapping, level, onBadIpc: o.onBadIpc, region: true, ids: false });
  let keep = o.filter ? categoryFlags(table, o.filter) : new Uint8Array(table.n).fill(1);
  let corpus: TermCorpus;
  if (o.field === "taxonomy") {
    if (!o.fieldTaxonomy) throw usageError("--field taxonomy needs --field-taxonomy NAME|FILE");
    const tax = loadTaxonomy(o.fieldTaxonomy);
    const cls = makeClassifier(tax);
    const catIndex = new Map(tax.categories.map((c, i) => [c.id, i]));
    const codeCat = Int32Array.from(table.codes, (c) => {
      const k = cls(c);
      return k === null ? -1 : catIndex.get(k)!;
    });
    const terms: string[][] = [];
    const keep2 = new Uint8Array(table.n);
    for (let p = 0; p < table.n; p++) {
      const l: string[] = [];
      for (let k = table.codeOffsets[p]!; k < table.codeOffsets[p + 1]!; k++) {
        const ci = codeCat[table.codeIds[k]!]!;
        if (ci >= 0) l.push(tax.categories[ci]!.id);
      }
      terms.push(l);
      keep2[p] = keep[p]! && l.length > 0 ? 1 : 0;
    }
    keep = keep2;
    corpus = corpusFromTerms(table.year, terms);
  } else corpus = termCorpus(table, level);
  const region = Int32Array.from(table.region!.index, (r, p) => (keep[p] ? r : -1));
  let used = 0;
  for (let p = 0; p < table.n; p++) used += region[p]! >= 0 ? 1 : 0;
  const clusterOfRegion = o.clusters ? readClusters(o.clusters, table.region!.names) : undefined;
  const panel = cospecialisation(
    {
      n: table.n,
      year: table.year,
      region,
      regionNames: table.region!.names,
      offsets: corpus.termOffsets,
      fieldIds: corpus.termIds,
      fieldCounts: corpus.termCounts,
      nFields: corpus.vocabulary.length,
      clusterOfRegion,
    },
    { binarise: o.binarise, threshold: o.threshold, window: o.window, regions: o.regions, years: o.years, validate: o.validate, indexKind: o.indexKind },
  );
  return { panel, n: table.n, used, fields: corpus.vocabulary.length };
}

export interface PatentPanelOptions extends Partial<ScoreOptions> {
  /** IPC level of the terms: the scores' technology fields and the RCA fields (the study uses subclass). */
  level: IpcLevel;
  /** The key-technology category: the scored universe and the patents counted in every column. */
  keyTech: CategoryFilter;
  /** Digital-technology patents for diffusion's numerator (default: the key-technology patents). */
  digital?: CategoryFilter;
  /** Cells of the panel (defaults as in regionYearGrid: regions with a key-tech patent, first..last year). */
  regions?: readonly string[];
  years?: readonly number[];
  /** Cluster id per region index of the table (−1 = none): peers for co-specialisation, "same cluster" for diffusion. */
  clusterOfRegion?: Int32Array;
  /** Diffusion: self-citations included (default, METHODS §8) or excluded; the count is reported either way. */
  selfCitations?: "include" | "exclude";
  denominator?: "known" | "all";
  /** Co-specialisation: rolling window in years (default 1), RCA threshold θ (default 1), binarised (default true). */
  rcaWindow?: number;
  rcaThreshold?: number;
  binarise?: boolean;
}

/** Region × year measures of one patent table (row-major r·T + t, the same cells in every column). */
export interface PatentPanelMeasures {
  regions: string[];
  years: number[];
  /** Key-tech patents filed. */
  patents: Float64Array;
  /** Σ breakthrough flags of the key-tech patents (flag missing adds 0). */
  breakthroughs: Float64Array;
  /** Σ imp^H of the key-tech patents (missing adds 0). */
  sumImportance: Float64Array;
  /** Σ citations received by the key-tech patents (counted bucket only), when the table has citations. */
  citations?: Float64Array;
  /** Diffusion (METHODS §8) of all the table's patents' citations, when the table has citations. */
  diffusion?: DiffusionPanel;
  /** Co-specialisation (METHODS §7) of the key-tech patents' fields. */
  cospecialisation: CospecPanel;
  /** Largest forward horizon H (imp^H, breakthroughs). */
  horizon: number;
  /** Key-tech patents of the table (= scored). */
  keyTech: number;
  /** Citation buckets of citations received (citations.ts); the diffusion's own are in `diffusion.citations`. */
  citationCounts: { available: boolean } & CitationCounts;
  /** Key-tech patents outside the grid, by reason (excluded = not key-tech). */
  dropped: RegionYearPanel["dropped"];
  scores: ScoreResult;
  /** Table row of each scored patent (scores' order). */
  scoredRows: Int32Array;
  /** Wall seconds of each step (`citations`: citations received and diffusion, one pass; `diffusion`: 0). */
  seconds: { classify: number; terms: number; score: number; citations: number; panel: number; diffusion: number; cospecialisation: number };
}

/**
 * Every patent-side region × year measure of the study from ONE read table (no file access):
 *   patents_rt        = #{key-tech patents p: region r, filing year t}
 *   breakthroughs_rt  = Σ_p breakthrough_p,  sumImportance_rt = Σ_p imp^H_p   (scores of the key-tech universe)
 *   citations_rt      = Σ_p received_p, received = citations from any patent of the table, excluding
 *                       self-citations (itself / same applicant) and citations of later-filed patents
 *   diffusion_rt      = METHODS §8 over all patents' citations (digital = `digital`, default the key-tech set)
 *   cospecialisation  = METHODS §7 on the key-tech patents' term shares at `level`
 * The table must have been read with `region: true` (and `citations: "auto"` for the citation columns) at
 * `level` or finer. Equal to panelFromFile + diffusionFromFile + cospecialisationFromFile on the same
 * file with these options (`keyTech` as their filter), without reading the file three times.
 */
export function measurePatentPanel(table: PatentTable, o: PatentPanelOptions): PatentPanelMeasures {
  if (!table.region) throw usageError("measurePatentPanel needs a table read with region: true");
  const region = table.region;
  let t0 = performance.now();
  const lap = (): number => {
    const t = performance.now();
    const d = (t - t0) / 1000;
    t0 = t;
    return d;
  };
  const key = categoryFlags(table, o.keyTech);
  const digital = o.digital ? categoryFlags(table, o.digital) : key;
  const classify = lap();
  const corpusAll = termCorpus(table, o.level);
  const { corpus, rows } = subCorpus(corpusAll, key);
  const terms = lap();
  const scores = scorePatents(corpus, o);
  const H = scores.horizons.length - 1;
  const breakthrough = new Int8Array(table.n).fill(-1);
  const importance = new Float64Array(table.n).fill(Number.NaN);
  const impH = scores.imp[H]!;
  for (let i = 0; i < rows.length; i++) {
    breakthrough[rows[i]!] = scores.breakthrough[i]!;
    importance[rows[i]!] = impH[i]!;
  }
  const score = lap();
  let received: Float64Array | undefined;
  let citationCounts = { available: false, total: 0, counted: 0, unknown: 0, laterFiled: 0, self: 0 };
  const grid = { regions: o.regions, years: o.years };
  // The panel's cells (as regionYearPanel finds them): diffusion and co-specialisation use the same lists.
  const g = regionYearGrid({ n: table.n, year: table.year, region: region.index, regionNames: region.names, include: key }, grid);
  const cells = { regions: g.regions, years: g.years };
  // Citations received and diffusion in one pass over the citations (receivedAndDiffusion).
  let dif: DiffusionPanel | undefined;
  if (table.cited) {
    const r = receivedAndDiffusion(
      {
        n: table.n,
        year: table.year,
        date: table.date,
        region: region.index,
        regionNames: region.names,
        digital,
        links: table.cited,
        applicant: table.applicant?.index,
        clusterOfRegion: o.clusterOfRegion,
      },
      { selfCitations: o.selfCitations, denominator: o.denominator, ...cells },
    );
    received = r.received;
    citationCounts = { available: true, ...r.receivedCounts };
    dif = r.diffusion;
  }
  const citations = lap();
  const panel = regionYearPanel(
    { n: table.n, year: table.year, region: region.index, regionNames: region.names, include: key, breakthrough, importance, citations: received },
    grid,
  );
  const panelS = lap();
  const diffusionS = lap();
  const keyRegion = Int32Array.from(region.index, (r, p) => (key[p] ? r : -1));
  const cos = cospecialisation(
    {
      n: table.n,
      year: table.year,
      region: keyRegion,
      regionNames: region.names,
      offsets: corpusAll.termOffsets,
      fieldIds: corpusAll.termIds,
      fieldCounts: corpusAll.termCounts,
      nFields: corpusAll.vocabulary.length,
      clusterOfRegion: o.clusterOfRegion,
    },
    { window: o.rcaWindow, threshold: o.rcaThreshold, binarise: o.binarise, ...cells },
  );
  const cospecS = lap();
  return {
    regions: panel.regions,
    years: panel.years,
    patents: panel.patents,
    breakthroughs: panel.breakthroughs!,
    sumImportance: panel.sumImportance!,
    citations: panel.citations,
    diffusion: dif,
    cospecialisation: cos,
    horizon: scores.horizons[H]!,
    keyTech: corpus.n,
    citationCounts,
    dropped: panel.dropped,
    scores,
    scoredRows: rows,
    seconds: { classify, terms, score, citations, panel: panelS, diffusion: diffusionS, cospecialisation: cospecS },
  };
}
