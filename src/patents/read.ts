/**
 * Streaming reader for patent tables (CSV or Parquet, or a PatentsView folder) through DuckDB.
 * Rows arrive in DuckDB chunks (≈2,048 rows) and go straight into compact typed columns; IPC cells are
 * split and each distinct code string is parsed once (memoised). Input problems stop with a message
 * naming file, row (1-based data row) and column: missing columns, unparseable dates/years, duplicate
 * ids, empty IPC lists, malformed codes (unless `onBadIpc: "skip"`, which drops and reports them).
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { inputError } from "../core/errors.js";
import { ipcTerm, parseIpc, splitIpcList, type Ipc, type IpcLevel } from "./ipc.js";
import type { ColumnMapping, PatentField } from "./mapping.js";
import type { TermCorpus } from "./corpus.js";

export interface PatentTable {
  file: string;
  n: number;
  ids: string[];
  year: Int32Array;
  /** YYYYMMDD when a date column was read. */
  date?: Int32Array;
  /** Region code index per patent (−1 = missing) and the region names. */
  region?: { index: Int32Array; names: string[] };
  applicant?: { index: Int32Array; names: string[] };
  /** CSR of code-dictionary ids, codes in input order (main first), with multiplicity. */
  codeOffsets: Int32Array;
  codeIds: Int32Array;
  codes: Ipc[];
  /** Raw cited-id lists as CSR over citedRaw (only when requested). */
  cited?: { offsets: Int32Array; raw: string[] };
  /** Malformed codes seen (skip mode): count and the first few (row, value). */
  badIpc: { count: number; examples: { row: number; value: string }[] };
  /** Patents dropped because no valid code remained (skip mode). */
  droppedNoValidCode: number;
  /** Columns actually used: field → header. */
  used: Partial<Record<PatentField, string>>;
}

export interface ReadOptions {
  mapping: ColumnMapping;
  /** Level the codes must reach (a code less detailed is malformed for this use). */
  level: IpcLevel;
  onBadIpc: "fail" | "skip";
  /** Read the cited column (true: error if absent; "auto": when present). */
  citations?: boolean | "auto";
  /** Read region / applicant (error if absent when true). */
  region?: boolean;
  applicant?: boolean;
  /** Require a filing date (for same-year by-date pairs). */
  needDate?: boolean;
}

/** Parse a date cell to YYYYMMDD; null if not a date (YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, optional time). */
export function parseDate(s: string): number | null {
  if (s.length === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    // Fast path "YYYY-MM-DD".
    let ok = true;
    let y = 0;
    let mo = 0;
    let d = 0;
    for (let i = 0; i < 10; i++) {
      if (i === 4 || i === 7) continue;
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) {
        ok = false;
        break;
      }
      if (i < 4) y = y * 10 + c;
      else if (i < 7) mo = mo * 10 + c;
      else d = d * 10 + c;
    }
    if (ok) return validDate(y, mo, d);
  }
  const m = /^\s*(\d{4})(?:[-/.年]?)(\d{1,2})(?:[-/.月]?)(\d{1,2})日?(?:[ T].*)?\s*$/.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (/^\s*\d{4}\d{1,2}\d{1,2}\s*$/.test(s) && s.trim().length !== 8) return null;
  return validDate(y, mo, d);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function validDate(y: number, mo: number, d: number): number | null {
  if (mo < 1 || mo > 12 || d < 1) return null;
  const dim = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS[mo - 1]!;
  if (d > dim) return null;
  return y * 10000 + mo * 100 + d;
}

function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}
function sqlIdent(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

function findTable(dir: string, stem: string): string | null {
  for (const f of readdirSync(dir)) {
    if (f === stem + ".tsv" || f === stem + ".csv" || f === stem + ".tsv.gz" || f === stem + ".csv.gz" || f === stem + ".parquet") return join(dir, f);
  }
  return null;
}

function tableExpr(path: string): string {
  if (path.endsWith(".parquet")) return `read_parquet(${sqlString(path)})`;
  const tsv = /\.tsv(\.gz)?$/.test(path);
  return `read_csv(${sqlString(path)}, header=true, all_varchar=true${tsv ? ", delim='\\t', quote='\"'" : ""})`;
}

/** The SELECT that turns a PatentsView folder into the patents table shape (id, date, ipc, cited, applicant, region). */
export function patentsViewSql(dir: string): string {
  const need = (stem: string): string => {
    const f = findTable(dir, stem);
    if (!f) throw inputError(`PatentsView folder has no ${stem}.tsv (or .csv/.parquet)`, { file: dir });
    return f;
  };
  const pat = need("g_patent");
  const app = need("g_application");
  const ipc = need("g_ipc_at_issue");
  const cit = findTable(dir, "g_us_patent_citation");
  const asg = findTable(dir, "g_assignee_disambiguated");
  const loc = findTable(dir, "g_location_disambiguated");
  const citeCte = cit
    ? `, c AS (SELECT patent_id, string_agg(citation_patent_id, ';' ORDER BY TRY_CAST(citation_sequence AS INTEGER)) AS cited FROM ${tableExpr(cit)} GROUP BY patent_id)`
    : "";
  const asgCte =
    asg && loc
      ? `, a AS (SELECT x.patent_id, x.assignee_id AS applicant, l.county_fips AS region FROM ${tableExpr(asg)} x LEFT JOIN ${tableExpr(loc)} l ON x.location_id = l.location_id WHERE TRY_CAST(x.assignee_sequence AS INTEGER) = 0)`
      : "";
  return `WITH i AS (SELECT patent_id, string_agg(trim(section) || trim(ipc_class) || trim(subclass) || ' ' || trim(main_group) || '/' || trim(subgroup), ';' ORDER BY TRY_CAST(ipc_sequence AS INTEGER)) AS ipc FROM ${tableExpr(ipc)} GROUP BY patent_id)${citeCte}${asgCte}
SELECT p.patent_id AS id, ap.filing_date AS date, i.ipc AS ipc${cit ? ", c.cited AS cited" : ""}${asgCte ? ", a.applicant AS applicant, a.region AS region" : ""}
FROM ${tableExpr(pat)} p LEFT JOIN ${tableExpr(app)} ap ON p.patent_id = ap.patent_id LEFT JOIN i ON p.patent_id = i.patent_id${cit ? " LEFT JOIN c ON p.patent_id = c.patent_id" : ""}${asgCte ? " LEFT JOIN a ON p.patent_id = a.patent_id" : ""}
ORDER BY p.patent_id`;
}

class Dict {
  readonly map = new Map<string, number>();
  readonly names: string[] = [];
  id(s: string): number {
    let v = this.map.get(s);
    if (v === undefined) {
      v = this.names.length;
      this.map.set(s, v);
      this.names.push(s);
    }
    return v;
  }
}

class GrowInt32 {
  buf = new Int32Array(1024);
  len = 0;
  push(v: number): void {
    if (this.len === this.buf.length) {
      const nb = new Int32Array(this.buf.length * 2);
      nb.set(this.buf);
      this.buf = nb;
    }
    this.buf[this.len++] = v;
  }
  done(): Int32Array {
    return this.buf.slice(0, this.len);
  }
}

/** Read a patents table through DuckDB in chunks (see file comment). */
export async function readPatents(file: string, o: ReadOptions): Promise<PatentTable> {
  const name = basename(file);
  if (!existsSync(file)) throw inputError("file not found", { file });
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const conn = await instance.connect();
  try {
    let source: string;
    if (o.mapping.source === "patentsview") source = `(${patentsViewSql(file)})`;
    else source = file.endsWith(".parquet") ? `read_parquet(${sqlString(file)})` : `read_csv(${sqlString(file)}, header=true, all_varchar=true)`;
    const desc = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const headers = desc.getRowObjects().map((r) => String(r.column_name));
    const used: Partial<Record<PatentField, string>> = {};
    const pick = (f: PatentField): string | undefined => {
      const cands = o.mapping.columns[f] ?? [];
      const h = cands.find((c) => headers.includes(c));
      if (h !== undefined) used[f] = h;
      return h;
    };
    const missing = (f: PatentField): never => {
      const cands = o.mapping.columns[f] ?? [];
      throw inputError(
        `no '${f}' column (mapping '${o.mapping.name}' looks for ${cands.map((c) => `'${c}'`).join(", ") || "nothing"}); the file has: ${headers.join(", ")}`,
        { file: name },
      );
    };
    const cId = pick("id") ?? missing("id");
    const cIpc = pick("ipc") ?? missing("ipc");
    const cDate = pick("date");
    const cYear = pick("year");
    if (cDate === undefined && cYear === undefined) missing("date");
    if (o.needDate && cDate === undefined) missing("date");
    const cRegion = o.region === false ? undefined : pick("region");
    if (o.region === true && cRegion === undefined) missing("region");
    const cApp = o.applicant === false ? undefined : pick("applicant");
    if (o.applicant === true && cApp === undefined) missing("applicant");
    const cCited = o.citations === "auto" ? pick("cited") : o.citations ? (pick("cited") ?? missing("cited")) : undefined;

    // Duplicate ids: found by DuckDB, located in the second pass below only if present.
    const dup = await conn.runAndReadAll(`SELECT CAST(${sqlIdent(cId)} AS VARCHAR) AS id FROM ${source} GROUP BY 1 HAVING count(*) > 1 LIMIT 1`);
    const dupId = dup.getRowObjects()[0]?.id;
    const cols = [cId, cIpc, cDate, cYear, cRegion, cApp, cCited];
    const sel = cols.map((c) => (c === undefined ? "NULL" : `CAST(${sqlIdent(c)} AS VARCHAR)`)).join(", ");
    const result = await conn.stream(`SELECT ${sel} FROM ${source}`);

    const ids: string[] = [];
    const years = new GrowInt32();
    const dates = new GrowInt32();
    const regions = new GrowInt32();
    const apps = new GrowInt32();
    const codeIdx = new GrowInt32();
    const codeOff = new GrowInt32();
    codeOff.push(0);
    const citedOff = new GrowInt32();
    citedOff.push(0);
    const citedRaw: string[] = [];
    const regionDict = new Dict();
    const appDict = new Dict();
    const codeMemo = new Map<string, number>(); // raw piece → code id (−1 malformed)
    const codes: Ipc[] = [];
    const codeKeyDict = new Map<string, number>();
    const badIpc = { count: 0, examples: [] as { row: number; value: string }[] };
    let dropped = 0;
    let firstDupRow = -1;
    let row = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const v = cols.map((c, j) => (c === undefined ? null : chunk.getColumnValues(j)));
      const nr = chunk.rowCount;
      for (let i = 0; i < nr; i++) {
        row++;
        const id = v[0]![i] as string | null;
        if (id === null || id.trim() === "") throw inputError("empty id", { file: name, row, column: cId });
        if (dupId !== undefined && id === dupId) {
          if (firstDupRow < 0) firstDupRow = row;
          else throw inputError(`duplicate id '${id}' (also at row ${firstDupRow}); ids must be unique`, { file: name, row, column: cId });
        }
        let y: number;
        let dt = 0;
        if (cDate !== undefined) {
          const ds = v[2]![i] as string | null;
          const d = ds === null ? null : parseDate(ds);
          if (d === null) throw inputError(`cannot parse date '${ds ?? ""}' (expected YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD or YYYY年M月D日)`, { file: name, row, column: cDate });
          dt = d;
          y = Math.floor(d / 10000);
        } else {
          const ys = (v[3]![i] as string | null)?.trim() ?? "";
          y = /^\d{4}$/.test(ys) ? Number(ys) : Number.NaN;
          if (!Number.isFinite(y)) throw inputError(`cannot parse year '${ys}' (expected a 4-digit year)`, { file: name, row, column: cYear });
        }
        const cell = (v[1]![i] as string | null) ?? "";
        const pieces = splitIpcList(cell, o.mapping.ipcSeparators);
        if (pieces.length === 0) throw inputError("empty IPC list; every patent needs at least one IPC code (fill the codes or remove the row)", { file: name, row, column: cIpc });
        const before = codeIdx.len;
        for (const piece of pieces) {
          let cid = codeMemo.get(piece);
          if (cid === undefined) {
            const c = parseIpc(piece);
            if (c === null || ipcTerm(c, o.level) === null) cid = -1;
            else {
              const key = `${c.subclass}|${c.group}|${c.subgroup}`;
              cid = codeKeyDict.get(key);
              if (cid === undefined) {
                cid = codes.length;
                codeKeyDict.set(key, cid);
                codes.push(c);
              }
            }
            codeMemo.set(piece, cid);
          }
          if (cid < 0) {
            if (o.onBadIpc === "fail") {
              const why = parseIpc(piece) === null ? "malformed IPC code" : `IPC code less detailed than the level '${o.level}'`;
              throw inputError(`${why} '${piece}' (fix it, or pass --on-bad-ipc skip to drop such codes)`, { file: name, row, column: cIpc });
            }
            badIpc.count++;
            if (badIpc.examples.length < 20) badIpc.examples.push({ row, value: piece });
            continue;
          }
          codeIdx.push(cid);
        }
        if (codeIdx.len === before) {
          dropped++;
          continue;
        }
        codeOff.push(codeIdx.len);
        ids.push(id);
        years.push(y);
        if (cDate !== undefined) dates.push(dt);
        if (cRegion !== undefined) {
          const r = (v[4]![i] as string | null)?.trim() ?? "";
          regions.push(r === "" ? -1 : regionDict.id(r));
        }
        if (cApp !== undefined) {
          const a = (v[5]![i] as string | null)?.trim() ?? "";
          apps.push(a === "" ? -1 : appDict.id(a));
        }
        if (cCited !== undefined) {
          const cs = (v[6]![i] as string | null) ?? "";
          for (const x of splitIpcList(cs, o.mapping.citedSeparators)) citedRaw.push(x);
          citedOff.push(citedRaw.length);
        }
      }
    }
    if (row === 0) throw inputError("no data rows", { file: name });
    return {
      file: name,
      n: ids.length,
      ids,
      year: years.done(),
      date: cDate !== undefined ? dates.done() : undefined,
      region: cRegion !== undefined ? { index: regions.done(), names: regionDict.names } : undefined,
      applicant: cApp !== undefined ? { index: apps.done(), names: appDict.names } : undefined,
      codeOffsets: codeOff.done(),
      codeIds: codeIdx.done(),
      codes,
      cited: cCited !== undefined ? { offsets: citedOff.done(), raw: citedRaw } : undefined,
      badIpc,
      droppedNoValidCode: dropped,
      used,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The term corpus of a table at a level (codes truncated; distinct terms with counts). */
export function termCorpus(t: PatentTable, level: IpcLevel): TermCorpus {
  const termOfCode = new Int32Array(t.codes.length);
  const dict = new Map<string, number>();
  const vocabulary: string[] = [];
  t.codes.forEach((c, i) => {
    const s = ipcTerm(c, level)!;
    let id = dict.get(s);
    if (id === undefined) {
      id = vocabulary.length;
      dict.set(s, id);
      vocabulary.push(s);
    }
    termOfCode[i] = id;
  });
  const offsets = new Int32Array(t.n + 1);
  const ids = new Int32Array(t.codeIds.length);
  const counts = new Float64Array(t.codeIds.length);
  let m = 0;
  const scratch: number[] = [];
  for (let p = 0; p < t.n; p++) {
    scratch.length = 0;
    for (let k = t.codeOffsets[p]!; k < t.codeOffsets[p + 1]!; k++) scratch.push(termOfCode[t.codeIds[k]!]!);
    scratch.sort((a, b) => a - b);
    for (let j = 0; j < scratch.length; ) {
      let e = j + 1;
      while (e < scratch.length && scratch[e] === scratch[j]) e++;
      ids[m] = scratch[j]!;
      counts[m] = e - j;
      m++;
      j = e;
    }
    offsets[p + 1] = m;
  }
  return { n: t.n, year: t.year, date: t.date, termOffsets: offsets, termIds: ids.slice(0, m), termCounts: counts.slice(0, m), vocabulary };
}
