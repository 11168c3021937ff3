/**
 * The patent measure stage (`measurePatentPanel`) straight from a file, in bounded memory: the same results,
 * bit for bit, without the whole `PatentTable` (issue #17, 100M patents in ≤ 8 GB).
 *
 * Two passes over the input through DuckDB, in file order:
 *   pass 1  ids, dates, regions, applicants, IPC codes — validated exactly as `readPatents` does (same
 *           messages naming file, row and column) — into the id index (IdBytes), one 12-byte record per kept
 *           patent [filing date (YYYYMMDD, or year·10000 without a date column), applicant, (region + 1)·4 +
 *           key·2 + digital] and the term lists (at `level`) of the key-technology patents only;
 *   pass 2  the cited cells: each citation resolved through the index and classified (citations.ts) at once
 *           into the region × year sums (citations received by key patents, diffusion's numerator and
 *           denominator) — no citation list is kept.
 * Then the index and the records are dropped and the key patents' corpus is scored (`scorePatents`), summed
 * (`regionYearPanel`) and co-specialised (`cospecialisation`) as in `measurePatentPanel`. Every floating sum
 * runs in the in-memory path's order (patents in file order); the citation sums are integer counts, exact in
 * any order. Memory ≈ 24 bytes per slot of the id index (≈ 32 bytes per patent) + 12 bytes per patent +
 * ≈ 110 bytes per key patent while scoring.
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { performance } from "node:perf_hooks";
import type { DuckDBDataChunk, DuckDBListVector } from "@duckdb/node-api";
import { loadDuckdb } from "../data/duck.js";
import { inputError, KeytechError, printable } from "../core/errors.js";
import { checkParquetSignature, checkTextTable } from "./precheck.js";
import { damagedParquetError } from "../data/precheck.js";
import { diagnoseDelimited } from "../data/read.js";
import { ipcTerm, type Ipc, type IpcLevel } from "./ipc.js";
import type { ColumnMapping, PatentField } from "./mapping.js";
import {
  checkHash,
  dataLineCount,
  decodeUtf8,
  duckdbInputError,
  filingDateAt,
  forEachCited,
  GrowInt32,
  HashDict,
  hashHalves,
  internTerm,
  IdBatch,
  IdBytes,
  ipcListOf,
  IpcPieces,
  ipcVectors,
  listEntries,
  patentSourceSql,
  patentsViewDuplicate,
  patentsViewFiles,
  plainHeader,
  separatorClass,
  splitSql,
  sqlIdent,
  sqlString,
  trimmedItem,
  uint32Items,
  varcharBytes,
  varcharView,
} from "./read.js";
import { CITE_COUNTED, CITE_LATER, CITE_SELF, CITE_UNKNOWN, type CitationCounts } from "./citations.js";
import { cospecialisation } from "./cospecialisation.js";
import type { DiffusionPanel } from "./diffusion.js";
import { regionYearGrid } from "./grid.js";
import { regionYearPanel } from "./panel.js";
import { scorePatents } from "./scores.js";
import { categorySet, loadTaxonomy, makeClassifier } from "./taxonomy.js";
import type { CategoryFilter, PatentPanelMeasures, PatentPanelOptions } from "./pipeline.js";
import type { TermCorpus } from "./corpus.js";

/** How the input is read (as `readPatents` with `region: true`, `citations: "auto"`, applicant when present). */
export interface StreamReadOptions {
  mapping: ColumnMapping;
  onBadIpc: "fail" | "skip";
  /** Require a filing date column. */
  needDate?: boolean;
  /**
   * The cluster of each region of the file (regions numbered in order of first appearance, as `readPatents`
   * numbers them), called once after pass 1; overrides `PatentPanelOptions.clusterOfRegion`, whose indices
   * a caller cannot know before the file is read.
   */
  clusterOf?: (regionNames: readonly string[]) => Int32Array;
}

/** Sizes and timings of a streamed run (besides the measures). */
export interface StreamInfo {
  /** Data rows read, patents kept, rows dropped (no valid code), key-tech patents, citations made. */
  rows: number;
  n: number;
  dropped: number;
  keyTech: number;
  citations: number;
  /** Malformed codes dropped (`onBadIpc: "skip"`), the first 20 with their data row (as `readPatents`). */
  badIpc: number;
  badIpcExamples: { row: number; value: string }[];
  /** Filing year of each key-technology patent (the rows of `scores`, in file order). */
  scoredYears: Int32Array;
  /** Distinct codes and terms. */
  codes: number;
  terms: number;
  /** Wall seconds of pass 1 (read), pass 2 (citations), scores, panel, co-specialisation. */
  seconds: { pass1: number; pass2: number; score: number; panel: number; cospecialisation: number };
}

/** A patent → key / digital flag function of a category filter, applied to a patent's kept codes in order. */
function codeFlagger(f: CategoryFilter): (c: Ipc) => boolean {
  const tax = loadTaxonomy(f.taxonomy);
  const want = categorySet(tax, f.categories);
  const cls = makeClassifier(tax);
  return (c) => {
    const k = cls(c);
    return k !== null && want.has(k);
  };
}

/** A growable Int32 buffer growing by half (less slack than doubling at 10⁸ entries). */
class Grow32 {
  buf: Int32Array;
  len = 0;
  constructor(capacity: number) {
    this.buf = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.len === this.buf.length) {
      const nb = new Int32Array(Math.ceil(this.buf.length * 1.5));
      nb.set(this.buf);
      this.buf = nb;
    }
    this.buf[this.len++] = v;
  }
  /** The filled part (a view: no copy). */
  view(): Int32Array {
    return this.buf.subarray(0, this.len);
  }
}

/**
 * `measurePatentPanel(readPatents(file, …), o)` computed in two streamed passes over the file (file comment):
 * the same measures (every array bit-identical), the same input errors. `scores` and `scoredRows` are those of
 * the key-technology patents, as in the in-memory path.
 */
export async function measurePatentPanelStream(
  file: string,
  r: StreamReadOptions,
  o: PatentPanelOptions,
): Promise<PatentPanelMeasures & { stream: StreamInfo }> {
  const name = basename(file);
  if (!existsSync(file)) throw inputError("file not found", { file });
  if (r.mapping.source === "patentsview") {
    for (const f of patentsViewFiles(file))
      if (f.endsWith(".parquet")) checkParquetSignature(f);
      else await checkTextTable(f);
  } else if (file.endsWith(".parquet")) checkParquetSignature(file, name);
  else await checkTextTable(file, name);
  const level: IpcLevel = o.level;
  const keyOf = codeFlagger(o.keyTech);
  const digOf = o.digital ? codeFlagger(o.digital) : keyOf;
  const keyMain = o.keyTech.mainOnly === true;
  const digMain = o.digital ? o.digital.mainOnly === true : keyMain;
  const { DuckDBInstance } = await loadDuckdb();
  const instance = await DuckDBInstance.create(":memory:", { threads: "2", preserve_insertion_order: "true" });
  const conn = await instance.connect();
  let t0 = performance.now();
  const lap = (): number => {
    const t = performance.now();
    const d = (t - t0) / 1000;
    t0 = t;
    return d;
  };
  let reading = true;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    conn.closeSync();
    instance.closeSync();
  };
  try {
    const source = patentSourceSql(file, r.mapping);
    const desc = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const headers = desc.getRowObjects().map((x) => String(x.column_name));
    if (r.mapping.source !== "patentsview" && headers.length < (plainHeader(file)?.length ?? 0)) diagnoseDelimited(file, name);
    const pick = (f: PatentField): string | undefined => (r.mapping.columns[f] ?? []).find((c) => headers.includes(c));
    const missing = (f: PatentField): never => {
      const cands = r.mapping.columns[f] ?? [];
      throw inputError(
        `no '${f}' column (mapping '${r.mapping.name}' looks for ${cands.map((c) => `'${c}'`).join(", ") || "nothing"}); the file has: ${headers.map(printable).join(", ")}`,
        { file: name },
      );
    };
    const cId = pick("id") ?? missing("id");
    const cIpc = pick("ipc") ?? missing("ipc");
    const cDate = pick("date");
    const cYear = pick("year");
    if (cDate === undefined && cYear === undefined) missing("date");
    if (r.needDate && cDate === undefined) missing("date");
    const cRegion = pick("region") ?? missing("region");
    const cApp = pick("applicant");
    const cCited = pick("cited");

    const vc = (c: string): string => `CAST(${sqlIdent(c)} AS VARCHAR)`;
    const cols = [`${ipcListOf(vc(cIpc), sqlString(separatorClass(r.mapping.ipcSeparators)))} AS kt__ipc`];
    cols.push(`coalesce(trim(${vc(cRegion)}), '') AS kt__region`);
    if (cApp !== undefined) cols.push(`coalesce(trim(${vc(cApp)}), '') AS kt__applicant`);
    const from = `(SELECT *, ${cols.join(", ")} FROM ${source})`;
    const sel = [
      `coalesce(${vc(cId)}, '')`, // 0
      `coalesce(${vc(cDate ?? cYear!)}, '')`, // 1
      `list_transform(kt__ipc, x -> hash(x))`, // 2
      `list_transform(kt__ipc, x -> ${checkHash("x")})`, // 3
      `kt__ipc`, // 4
      `hash(kt__region), ${checkHash("kt__region")}, kt__region`, // 5, 6, 7
      cApp === undefined ? "NULL::UBIGINT, NULL::UINTEGER, NULL::VARCHAR" : `hash(kt__applicant), ${checkHash("kt__applicant")}, kt__applicant`, // 8, 9, 10
    ];
    const lines = r.mapping.source === "patentsview" ? null : dataLineCount(file);
    const countRows = async (): Promise<number> => Number((await conn.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0]![0]);
    let total = lines ?? (await countRows());
    const mainSql = `SELECT ${sel.join(", ")} FROM ${from}`;

    // ---- pass 1 ----
    const REC = 3;
    let rec = new Int32Array(REC * Math.max(1, total));
    let idIndex: IdBytes | null = new IdBytes(Math.max(1024, total));
    const regionDict = new HashDict();
    const appDict = new HashDict();
    const dropped = new GrowInt32(16);
    const keyRows = new Grow32(Math.max(16, total >>> 1));
    const termOff = new Grow32(Math.max(16, (total >>> 1) + 1));
    termOff.push(0);
    const termIds = new Grow32(Math.max(16, total));
    const termCnt = new Grow32(Math.max(16, total));
    // Per code (numbered in order of first appearance, as readPatents): its term id (terms numbered in code
    // order, as termCorpus), key and digital flags.
    const codeTerm: number[] = [];
    const codeKey: number[] = [];
    const codeDig: number[] = [];
    const termDict = new Map<string, number>();
    const vocabulary: string[] = [];
    const pieces = new IpcPieces({
      level,
      onBadIpc: r.onBadIpc,
      file: name,
      column: cIpc,
      onNewCode: (c) => {
        codeTerm.push(internTerm(termDict, vocabulary, ipcTerm(c, level)!));
        codeKey.push(keyOf(c) ? 1 : 0);
        codeDig.push(digOf(c) ? 1 : 0);
      },
    });
    const codesOfRow = new GrowInt32(64);
    let nKept = 0;
    let row = 0;
    const span = new Int32Array(2);
    const consume = (chunk: DuckDBDataChunk): { first: number; id: string } | null => {
      const nr = chunk.rowCount;
      const vIdB = varcharView(chunk.getColumnVector(0));
      const vDate = chunk.getColumnVector(1);
      const vDateB = varcharView(vDate);
      const iv = ipcVectors(chunk, 2);
      const regH = hashHalves(chunk.getColumnVector(5));
      const regC = uint32Items(chunk.getColumnVector(6));
      const regT = chunk.getColumnVector(7);
      const appH = cApp !== undefined ? hashHalves(chunk.getColumnVector(8)) : null;
      const appC = cApp !== undefined ? uint32Items(chunk.getColumnVector(9)) : null;
      const appT = chunk.getColumnVector(10);
      const uId = varcharBytes(vIdB);
      const uDate = varcharBytes(vDateB);
      const at = span;
      const index = idIndex!;
      for (let i = 0; i < nr; i++) {
        const idb = trimmedItem(vIdB, uId, i, at);
        const a = at[0]!;
        const e = at[1]!;
        if (a === e) throw inputError("empty id", { file: name, row: row + 1, column: cId });
        const first = index.setIfAbsent(idb, a, e, row);
        if (first !== -1) return { first: (first >= 0 ? keptRowOf(first) : -2 - first) + 1, id: decodeUtf8(idb.subarray(a, e)) };
        row++;
        const dt = filingDateAt(vDate, vDateB, uDate, i, at, cDate, cYear, name, row);
        codesOfRow.len = 0;
        const m0 = pieces.rowCodes(iv, i, row, codesOfRow);
        const scratch = codesOfRow.buf;
        if (m0 === 0) {
          index.setLast(-2 - (row - 1));
          dropped.push(row - 1);
          continue;
        }
        const p = nKept++;
        index.setLast(p);
        let key = 0;
        let dig = 0;
        for (let k = 0; k < (keyMain ? 1 : m0); k++)
          if (codeKey[scratch[k]!]) {
            key = 1;
            break;
          }
        for (let k = 0; k < (digMain ? 1 : m0); k++)
          if (codeDig[scratch[k]!]) {
            dig = 1;
            break;
          }
        const reg = regionDict.get(regH[2 * i]!, regH[2 * i + 1]!, regC[i]!, regT, i);
        rec[REC * p] = dt;
        rec[REC * p + 1] = appH ? appDict.get(appH[2 * i]!, appH[2 * i + 1]!, appC![i]!, appT, i) : -1;
        rec[REC * p + 2] = ((reg + 1) << 2) | (key << 1) | dig;
        if (key) {
          // The patent's term ids sorted (insertion sort), runs counted: termCorpus's order and counts.
          keyRows.push(p);
          const s0 = termIds.len;
          for (let k = 0; k < m0; k++) {
            const v = codeTerm[scratch[k]!]!;
            termIds.push(v);
            const b = termIds.buf;
            let j = termIds.len - 1;
            while (j > s0 && b[j - 1]! > v) {
              b[j] = b[j - 1]!;
              j--;
            }
            b[j] = v;
          }
          const b = termIds.buf;
          const m = termIds.len;
          let w = s0;
          for (let j = s0; j < m;) {
            let e2 = j + 1;
            while (e2 < m && b[e2] === b[j]) e2++;
            b[w] = b[j]!;
            termCnt.push(e2 - j);
            w++;
            j = e2;
          }
          termIds.len = w;
          termOff.push(w);
        }
      }
      return null;
    };
    /** Kept index → 0-based data row (dropped rows are few: a walk over their sorted list). */
    const keptRowOf = (p: number): number => {
      let rr = p;
      const d = dropped.buf;
      for (let k = 0; k < dropped.len && d[k]! <= rr; k++) rr++;
      return rr;
    };
    const runStream = async (sql: string, eat: (c: DuckDBDataChunk) => { first: number; id: string } | null): Promise<void> => {
      const result = await conn.stream(sql);
      let pending: Promise<DuckDBDataChunk | null> | null = result.fetchChunk();
      const settle = async (): Promise<void> => {
        if (pending) await pending.catch(() => null);
        pending = null;
      };
      try {
        for (;;) {
          const chunk: DuckDBDataChunk | null = await pending!;
          pending = null;
          if (!chunk || chunk.rowCount === 0) break;
          pending = result.fetchChunk();
          const dup = eat(chunk);
          if (dup) {
            await settle();
            if (r.mapping.source === "patentsview") throw await patentsViewDuplicate(conn, file, dup.id);
            throw inputError(`duplicate id '${printable(dup.id)}' (also at row ${dup.first}); ids must be unique`, { file: name, row: row + 1, column: cId });
          }
        }
      } finally {
        await settle();
      }
    };
    await runStream(mainSql, consume);
    if (row !== total && lines !== null && row < lines) total = await countRows();
    if (row !== total) {
      await conn.run(mainSql).catch((e: unknown) => {
        throw inputError(`could not read the file: ${String(e instanceof Error ? e.message : e).split("\n")[0]}`, { file: name });
      });
      throw new Error(`internal: DuckDB returned ${row} of ${total} rows`);
    }
    if (row === 0) throw inputError("no data rows", { file: name });
    const n = nKept;
    const rows = row;
    const nKey = keyRows.len;
    const regionNames = regionDict.names;
    const pass1 = lap();

    // The grid (as measurePatentPanel: regionYearGrid of the key patents with the given lists).
    let minY = Infinity;
    let maxY = -Infinity;
    for (let p = 0; p < n; p++) {
      const y = Math.floor(rec[REC * p]! / 10000);
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const keyYear = new Int32Array(nKey);
    const keyRegion = new Int32Array(nKey);
    const keyDate = cDate !== undefined ? new Int32Array(nKey) : undefined;
    {
      const kr = keyRows.buf;
      for (let i = 0; i < nKey; i++) {
        const p = kr[i]!;
        const dt = rec[REC * p]!;
        keyYear[i] = Math.floor(dt / 10000);
        keyRegion[i] = (rec[REC * p + 2]! >> 2) - 1;
        if (keyDate) keyDate[i] = dt;
      }
    }
    const grid = { regions: o.regions, years: o.years };
    const g = regionYearGrid({ n: nKey, year: keyYear, region: keyRegion, regionNames }, grid);
    const cells = { regions: g.regions, years: g.years };
    const T = g.T;
    const R = g.regions.length;
    const regionRow = g.regionRow;
    const yearCol = new Int32Array(Math.max(0, maxY - minY + 1)).fill(-1);
    // As regionYearGrid's Map: a year listed twice maps to its last position.
    g.years.forEach((y, i) => {
      if (y >= minY && y <= maxY) yearCol[y - minY] = i;
    });
    const clusterOfRegion = r.clusterOf ? r.clusterOf(regionNames) : o.clusterOfRegion;
    const groupOf = Int32Array.from(regionNames, (_, ri) => (clusterOfRegion ? clusterOfRegion[ri]! : ri));

    // ---- pass 2: citations ----
    const selfEx = o.selfCitations === "exclude";
    const all = o.denominator === "all";
    const received = new Float64Array(R * T);
    const num = new Float64Array(R * T);
    const den = new Float64Array(R * T);
    const rc = [0, 0, 0, 0];
    const c = [0, 0, 0, 0];
    let counted = 0;
    let nCitations = 0;
    if (cCited !== undefined) {
      const BATCH = Math.min(1 << 21, Math.max(1 << 12, 2 * rows));
      /** Cell of patent p in the grid (any patent), or −1. */
      const cellOf = (v2: number, dt: number): number => {
        const ri = (v2 >> 2) - 1;
        if (ri < 0) return -1;
        const rr = regionRow[ri]!;
        if (rr < 0) return -1;
        const t = yearCol[Math.floor(dt / 10000) - minY]!;
        return t < 0 ? -1 : rr * T + t;
      };
      /** Classify and sum the batched citations (tag = the citing patent's kept index). */
      const flush = (): void => {
        batch.resolve(idIndex!);
        const { out, tag } = batch;
        for (let j = 0; j < batch.len; j++) {
          const p = tag[j]!;
          const k = out[j]!;
          const q = k >= 0 ? k : -1;
          const dp = rec[REC * p]!;
          const ap = rec[REC * p + 1]!;
          const vp = rec[REC * p + 2]!;
          let kind: number;
          let vq = 0;
          if (q < 0) kind = CITE_UNKNOWN;
          else {
            vq = rec[REC * q + 2]!;
            if (rec[REC * q]! > dp) kind = CITE_LATER;
            else if (q === p || (ap >= 0 && ap === rec[REC * q + 1]!)) kind = CITE_SELF;
            else kind = CITE_COUNTED;
          }
          rc[kind]!++;
          if (kind === CITE_COUNTED && vq & 2) {
            const cq = cellOf(vq, rec[REC * q]!);
            if (cq >= 0) received[cq]! += 1;
          }
          const cell = cellOf(vp, dp);
          if (cell < 0) continue;
          c[kind]!++;
          if (kind === CITE_UNKNOWN) {
            if (all) {
              den[cell]! += 1;
              counted++;
            }
            continue;
          }
          if (kind === CITE_LATER || (selfEx && kind === CITE_SELF)) continue;
          den[cell]! += 1;
          counted++;
          if (vq & 1) {
            const rp = (vp >> 2) - 1;
            const rq = (vq >> 2) - 1;
            const gp = rp < 0 ? -1 : groupOf[rp]!;
            if (gp >= 0 && rq >= 0 && groupOf[rq] === gp) num[cell]! += 1;
          }
        }
        batch.clear();
      };
      const batch = new IdBatch(BATCH, flush);
      let citing = 0;
      const cite = (b: Uint8Array, a: number, e: number): void => {
        batch.push(b, a, e, citing);
        nCitations++;
      };
      let row2 = 0;
      let kept2 = 0;
      let nextDrop = 0;
      const dropBuf = dropped.buf;
      const consume2 = (chunk: DuckDBDataChunk): null => {
        const nr = chunk.rowCount;
        const lv = chunk.getColumnVector(0) as DuckDBListVector;
        const ent = listEntries(lv);
        const vB = varcharView(lv.childVector);
        const u = varcharBytes(vB);
        const at = span;
        for (let i = 0; i < nr; i++) {
          const dataRow = row2++;
          if (nextDrop < dropped.len && dropBuf[nextDrop] === dataRow) {
            nextDrop++;
            continue;
          }
          citing = kept2++;
          forEachCited(ent, vB, u, i, at, cite);
        }
        return null;
      };
      const citedSql = `SELECT ${splitSql(`coalesce(${vc(cCited)}, '')`, r.mapping.citedSeparators)} FROM ${source}`;
      await runStream(citedSql, consume2);
      if (batch.len > 0) flush();
      if (row2 !== rows || kept2 !== n) {
        await conn.run(citedSql).catch((e: unknown) => {
          throw inputError(`could not read the file: ${String(e instanceof Error ? e.message : e).split("\n")[0]}`, { file: name });
        });
        throw new Error(`internal: DuckDB returned ${row2} of ${rows} rows (citations)`);
      }
    }
    idIndex = null;
    const pass2 = lap();
    close();
    reading = false;

    // ---- scores, panel, co-specialisation of the key patents ----
    rec = new Int32Array(0);
    const termCounts = new Float64Array(termCnt.len);
    for (let k = 0; k < termCnt.len; k++) termCounts[k] = termCnt.buf[k]!;
    termCnt.buf = new Int32Array(0);
    const corpus: TermCorpus = {
      n: nKey,
      year: keyYear,
      date: keyDate,
      termOffsets: termOff.view(),
      termIds: termIds.view(),
      termCounts,
      vocabulary,
    };
    const scores = scorePatents(corpus, o);
    const H = scores.horizons.length - 1;
    const score = lap();
    const panel = regionYearPanel(
      { n: nKey, year: keyYear, region: keyRegion, regionNames, breakthrough: scores.breakthrough, importance: scores.imp[H]! },
      grid,
    );
    panel.dropped.excluded += n - nKey;
    const panelS = lap();
    const cos = cospecialisation(
      {
        n: nKey,
        year: keyYear,
        region: keyRegion,
        regionNames,
        offsets: corpus.termOffsets,
        fieldIds: corpus.termIds,
        fieldCounts: corpus.termCounts,
        nFields: vocabulary.length,
        clusterOfRegion,
      },
      { window: o.rcaWindow, threshold: o.rcaThreshold, binarise: o.binarise, ...cells },
    );
    const cospecS = lap();
    const hasCited = cCited !== undefined;
    let dif: DiffusionPanel | undefined;
    let citationCounts: { available: boolean } & CitationCounts = { available: false, total: 0, counted: 0, unknown: 0, laterFiled: 0, self: 0 };
    if (hasCited) {
      const share = num.map((v, i) => (den[i]! > 0 ? v / den[i]! : Number.NaN));
      dif = {
        regions: [...cells.regions],
        years: [...cells.years],
        numerator: num,
        denominator: den,
        share,
        citations: { total: c[0]! + c[1]! + c[2]! + c[3]!, counted, unknown: c[CITE_UNKNOWN]!, laterFiled: c[CITE_LATER]!, self: c[CITE_SELF]! },
      };
      citationCounts = {
        available: true,
        total: rc[0]! + rc[1]! + rc[2]! + rc[3]!,
        counted: rc[CITE_COUNTED]!,
        unknown: rc[CITE_UNKNOWN]!,
        laterFiled: rc[CITE_LATER]!,
        self: rc[CITE_SELF]!,
      };
    }
    return {
      regions: panel.regions,
      years: panel.years,
      patents: panel.patents,
      breakthroughs: panel.breakthroughs!,
      sumImportance: panel.sumImportance!,
      citations: hasCited ? received : undefined,
      diffusion: dif,
      cospecialisation: cos,
      horizon: scores.horizons[H]!,
      keyTech: nKey,
      citationCounts,
      dropped: panel.dropped,
      scores,
      scoredRows: keyRows.view(),
      seconds: { classify: 0, terms: 0, score, citations: pass2, panel: panelS, diffusion: 0, cospecialisation: cospecS },
      stream: {
        rows,
        n,
        dropped: dropped.len,
        keyTech: nKey,
        citations: nCitations,
        badIpc: pieces.badIpc.count,
        badIpcExamples: pieces.badIpc.examples,
        scoredYears: keyYear,
        codes: codeTerm.length,
        terms: vocabulary.length,
        seconds: { pass1, pass2, score, panel: panelS, cospecialisation: cospecS },
      },
    };
  } catch (e) {
    if (!reading) throw e;
    if (!(e instanceof KeytechError)) {
      const files = r.mapping.source === "patentsview" ? patentsViewFiles(file) : [file];
      for (const f of files) {
        const shown = r.mapping.source === "patentsview" ? basename(f) : name;
        if (f.endsWith(".parquet")) {
          const pe = damagedParquetError(e, shown);
          if (pe) throw pe;
        } else diagnoseDelimited(f, shown);
      }
    }
    throw duckdbInputError(e, name);
  } finally {
    close();
  }
}
