/**
 * `patents score` as a function: read a patents file, score it, write the CSV of docs/CONTRACT.md
 * (`id, year, n_terms, bs, fs1, fs5, fs10, imp1, imp5, imp10, breakthrough, censored`; fsτ/impτ follow
 * the chosen horizons; `log_imp_resid` is appended under the KPST breakthrough rule).
 */
import type { IpcLevel } from "./ipc.js";
import type { TermCorpus } from "./corpus.js";
import type { ColumnMapping } from "./mapping.js";
import { patentSourceSql, readPatents, termCorpus, type PatentTable } from "./read.js";
import { writeScoresDuck } from "./score-out.js";
import { scorePatents, type ScoreCoverage, type ScoreOptions, type ScoreResult } from "./scores.js";
import { csvField, csvNum, writeCsvAtomic } from "./csv-out.js";
import { categoryFlags, subCorpus, type CategoryFilter } from "./pipeline.js";

export interface ScoreFileOptions extends Partial<ScoreOptions> {
  level: IpcLevel;
  mapping: ColumnMapping;
  onBadIpc: "fail" | "skip";
  /** Score only the patents with a code in these taxonomy categories (the universe, as in the seed paper). */
  filter?: CategoryFilter;
}

export interface ScoreFileSummary {
  patents: number;
  /** Rows read (before the category filter). */
  read: number;
  years: [number, number] | null;
  vocabulary: number;
  bsZero: number;
  impMissing: number;
  censored: number;
  /** Fully / partly censored patents and years, years without a full backward window (ScoreResult.coverage). */
  coverage: ScoreCoverage;
  firstYearSkipped: number[];
  badIpc: PatentTable["badIpc"];
  droppedNoValidCode: number;
  seconds: { read: number; score: number; write: number };
  warnings: string[];
}

export function scoreColumns(r: ScoreResult): string[] {
  return [
    "id",
    "year",
    "n_terms",
    "bs",
    ...r.horizons.map((h) => `fs${h}`),
    ...r.horizons.map((h) => `imp${h}`),
    "breakthrough",
    "censored",
    ...(r.logImpResid ? ["log_imp_resid"] : []),
  ];
}

/** Write a score result for the given ids/years as CSV (atomic). */
export function writeScores(path: string, ids: string[], year: Int32Array, r: ScoreResult): void {
  const K = r.horizons.length;
  writeCsvAtomic(path, scoreColumns(r), ids.length, (p) => {
    let s = `${csvField(ids[p]!)},${year[p]},${r.nTerms[p]},${csvNum(r.bs[p]!)}`;
    for (let k = 0; k < K; k++) s += "," + csvNum(r.fs[k]![p]!);
    for (let k = 0; k < K; k++) s += "," + csvNum(r.imp[k]![p]!);
    const b = r.breakthrough[p]!;
    s += `,${b < 0 ? "" : b},${r.censored[p]}`;
    if (r.logImpResid) s += "," + csvNum(r.logImpResid[p]!);
    return s;
  });
}

/** Warnings a user must see about a score run (censoring, empty BS, skipped codes). */
export function scoreWarnings(table: PatentTable, corpus: TermCorpus, r: ScoreResult, censoring: string): string[] {
  const w: string[] = [];
  const H = r.horizons[r.horizons.length - 1]!;
  if (r.counts.censored > 0) {
    let maxY = -Infinity;
    for (let p = 0; p < corpus.n; p++) maxY = Math.max(maxY, corpus.year[p]!);
    w.push(
      `${r.counts.censored} of ${corpus.n} patents (filed in ${maxY - H + 1} or later) have a ${H}-year forward window that runs past the last data year ${maxY}; ` +
        (censoring === "missing"
          ? "their fs/imp for those horizons are empty (--censoring missing)."
          : "their forward sums cover only the observed years (--censoring truncate); use --censoring missing to set them empty.") +
        ` The ${r.coverage.fullyCensored} patents of ${maxY} have no forward year at all: their fs/imp and breakthrough are empty under either rule.`,
    );
  }
  if (r.counts.bsZero > 0) w.push(`${r.counts.bsZero} patents have BS = 0 (no earlier similar patents, or first data years); their importance is empty.`);
  if (r.counts.zeroVectorPairsYears.length > 0)
    w.push(`pairs whose IDF year is ${r.counts.zeroVectorPairsYears.join(", ")} contribute 0 (no earlier patents to weigh terms); load burn-in years.`);
  if (table.badIpc.count > 0)
    w.push(
      `${table.badIpc.count} malformed IPC codes skipped (--on-bad-ipc skip), e.g. ${table.badIpc.examples
        .slice(0, 5)
        .map((e) => `row ${e.row} '${e.value}'`)
        .join(", ")}.`,
    );
  if (table.droppedNoValidCode > 0) w.push(`${table.droppedNoValidCode} patents dropped: no valid IPC code left after skipping malformed ones.`);
  return w;
}

/** Read, score and write (CSV, or Parquet when `out` ends in .parquet); returns a summary for the CLI / JSON output. */
export async function scoreFile(input: string, out: string, o: ScoreFileOptions): Promise<ScoreFileSummary> {
  const t0 = performance.now();
  const table = await readPatents(input, {
    mapping: o.mapping,
    level: o.level,
    onBadIpc: o.onBadIpc,
    needDate: o.sameYear === "byDate",
    region: false,
    applicant: false,
    ids: false,
  });
  const t1 = performance.now();
  let corpus = termCorpus(table, o.level);
  // rowsOut[i] = table row of the i-th scored patent.
  let rowsOut: Int32Array | null = null;
  if (o.filter) {
    const sub = subCorpus(corpus, categoryFlags(table, o.filter));
    corpus = sub.corpus;
    rowsOut = sub.rows;
  }
  const r = scorePatents(corpus, o);
  const t2 = performance.now();
  const scoreIndex = new Int32Array(table.rows).fill(-1);
  for (let i = 0; i < corpus.n; i++) scoreIndex[table.sourceRow[rowsOut ? rowsOut[i]! : i]!] = i;
  await writeScoresDuck(out, { source: patentSourceSql(input, o.mapping), idColumn: table.used.id!, rows: table.rows, scoreIndex, year: corpus.year, r });
  const t3 = performance.now();
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p < corpus.n; p++) {
    const y = corpus.year[p]!;
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  }
  return {
    patents: corpus.n,
    read: table.n,
    years: corpus.n ? [lo, hi] : null,
    vocabulary: corpus.vocabulary.length,
    bsZero: r.counts.bsZero,
    impMissing: r.counts.impMissing,
    censored: r.counts.censored,
    coverage: r.coverage,
    firstYearSkipped: r.counts.zeroVectorPairsYears,
    badIpc: table.badIpc,
    droppedNoValidCode: table.droppedNoValidCode,
    seconds: { read: (t1 - t0) / 1000, score: (t2 - t1) / 1000, write: (t3 - t2) / 1000 },
    warnings: scoreWarnings(table, corpus, r, o.censoring ?? "truncate"),
  };
}
