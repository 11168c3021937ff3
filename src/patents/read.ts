/**
 * Streaming reader for patent tables (CSV or Parquet, or a PatentsView folder) through DuckDB.
 * Rows arrive in DuckDB chunks (≈2,048 rows) and go straight into compact typed columns; IPC cells are
 * split and each distinct code string is parsed once (memoised). Input problems stop with a message
 * naming file, row (1-based data row) and column: missing columns, unparseable dates/years, duplicate
 * ids, empty IPC lists, malformed codes (unless `onBadIpc: "skip"`, which drops and reports them).
 */
import { closeSync, existsSync, openSync, readdirSync, readSync } from "node:fs";
import { basename, join } from "node:path";
import type { DuckDBConnection, DuckDBDataChunk, DuckDBListVector, DuckDBVector } from "@duckdb/node-api";
import { loadDuckdb } from "../data/duck.js";
import { Hash64Map, u64Halves } from "./hash64.js";
import { inputError, KeytechError, printable } from "../core/errors.js";
import { checkParquetSignature, checkTextTable } from "./precheck.js";
import { damagedParquetError } from "../data/precheck.js";
import { diagnoseDelimited } from "../data/read.js";
import { ipcTerm, parseIpc, splitIpcList, type Ipc, type IpcLevel } from "./ipc.js";
import type { ColumnMapping, PatentField } from "./mapping.js";
import type { TermCorpus } from "./corpus.js";
import type { CitationLinks } from "./citations.js";

export interface PatentTable {
  file: string;
  /** Patents kept (rows with at least one valid code). */
  n: number;
  /** Data rows read. */
  rows: number;
  /** 0-based data row of each kept patent (file order). */
  sourceRow: Int32Array;
  /** Id strings of the kept patents (absent when read with `ids: false` and no citations). */
  ids?: string[];
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
  /** Citation links resolved to kept-patent indices (−1 = id not in the table, or a dropped patent), only when requested. */
  cited?: CitationLinks;
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
  /** Keep the id strings (default true; `patents score` writes ids through DuckDB and does not need them). */
  ids?: boolean;
}

/** Filing years outside this range are data errors (the first patent acts are of the 1790s): refused with row. */
export const MIN_FILING_YEAR = 1790;
export const MAX_FILING_YEAR = 2100;

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

/** The table files of a PatentsView folder that the reader may open. */
function patentsViewFiles(dir: string): string[] {
  const out: string[] = [];
  for (const stem of ["g_patent", "g_application", "g_ipc_at_issue", "g_us_patent_citation", "g_assignee_disambiguated", "g_location_disambiguated"]) {
    const f = findTable(dir, stem);
    if (f) out.push(f);
  }
  return out;
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

/** Header names of a plain .tsv/.csv file (null when it cannot be read cheaply: compressed or Parquet). */
function plainHeader(path: string): string[] | null {
  if (!/\.(tsv|csv)$/.test(path)) return null;
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const line = buf.subarray(0, n).toString("utf8").split(/\r?\n/)[0] ?? "";
    return line.split(path.endsWith(".tsv") ? "\t" : ",").map((h) => h.replace(/^"|"$/g, "").trim());
  } finally {
    closeSync(fd);
  }
}

/**
 * The SELECT that turns a PatentsView folder into the patents table shape (id, date, ipc, cited, applicant,
 * region). Column names follow PatentsView's bulk download tables: g_patent(patent_id), g_application
 * (patent_id, filing_date), g_ipc_at_issue(patent_id, ipc_sequence, section, ipc_class, subclass, main_group,
 * subgroup), g_us_patent_citation(patent_id, citation_patent_id[, citation_sequence]); optional
 * g_assignee_disambiguated(patent_id, assignee_id, location_id[, assignee_sequence]) and
 * g_location_disambiguated(location_id, county_fips). Optional ordering columns are used only when present.
 */
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
  const has = (f: string, col: string): boolean => plainHeader(f)?.includes(col) ?? true;
  const citeOrder = cit && has(cit, "citation_sequence") ? " ORDER BY TRY_CAST(citation_sequence AS INTEGER)" : "";
  const citeCte = cit ? `, c AS (SELECT patent_id, string_agg(citation_patent_id, ';'${citeOrder}) AS cited FROM ${tableExpr(cit)} GROUP BY patent_id)` : "";
  // First assignee: assignee_sequence 0 when the column exists, else the smallest assignee id.
  const asgCte =
    asg && loc
      ? has(asg, "assignee_sequence")
        ? `, a AS (SELECT x.patent_id, x.assignee_id AS applicant, l.county_fips AS region FROM ${tableExpr(asg)} x LEFT JOIN ${tableExpr(loc)} l ON x.location_id = l.location_id WHERE TRY_CAST(x.assignee_sequence AS INTEGER) = 0)`
        : `, a AS (SELECT x.patent_id, min(x.assignee_id) AS applicant, arg_min(l.county_fips, x.assignee_id) AS region FROM ${tableExpr(asg)} x LEFT JOIN ${tableExpr(loc)} l ON x.location_id = l.location_id GROUP BY x.patent_id)`
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
  buf: Int32Array;
  len = 0;
  constructor(capacity = 1024) {
    this.buf = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.len === this.buf.length) {
      const nb = new Int32Array(this.buf.length * 2);
      nb.set(this.buf);
      this.buf = nb;
    }
    this.buf[this.len++] = v;
  }
  done(): Int32Array {
    return this.len === this.buf.length ? this.buf : this.buf.slice(0, this.len);
  }
}

/** The SQL FROM-expression of a patents input (a file, or the PatentsView join for a folder). */
export function patentSourceSql(file: string, mapping: ColumnMapping): string {
  if (mapping.source === "patentsview") return `(${patentsViewSql(file)})`;
  return file.endsWith(".parquet") ? `read_parquet(${sqlString(file)})` : `read_csv(${sqlString(file)}, header=true, all_varchar=true)`;
}

/**
 * SQL trimming an id (and each cited id): the whitespace JS `trim()` removes in practice (space, tab, line
 * breaks, form feed, no-break space, ideographic space, BOM), so ids and citations match as trimmed text.
 */
function sqlTrim(expr: string): string {
  return `trim(${expr}, ${JS_WHITESPACE.map((c) => `chr(${c})`).join(" || ")})`;
}

/** The code points String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator). */
const JS_WHITESPACE = [9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288, 65279];

function isJsWhitespace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && JS_WHITESPACE.includes(c));
}

/**
 * Exact id → kept-index lookup on typed arrays: open addressing on a 32-bit FNV-1a hash of the UTF-16
 * code units, confirmed on the characters, which are copied into one contiguous buffer so that a probe
 * touches its slot and the id's characters only (no string object); `get` looks a substring up without
 * making it.
 */
class IdIndex {
  /** Per slot: [kept index (−1 = empty), hash, offset into chars, length]. */
  private readonly table: Int32Array;
  private readonly chars: Uint16Array;
  private readonly mask: number;
  constructor(ids: readonly string[]) {
    let cap = 16;
    while (cap < ids.length * 2) cap *= 2;
    this.table = new Int32Array(4 * cap).fill(-1);
    this.mask = cap - 1;
    let total = 0;
    for (const s of ids) total += s.length;
    this.chars = new Uint16Array(total);
    let off = 0;
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i]!;
      for (let j = 0; j < s.length; j++) this.chars[off + j] = s.charCodeAt(j);
      const h = IdIndex.hash(s, 0, s.length);
      let k = h & this.mask;
      while (this.table[4 * k]! >= 0) k = (k + 1) & this.mask;
      this.table[4 * k] = i;
      this.table[4 * k + 1] = h;
      this.table[4 * k + 2] = off;
      this.table[4 * k + 3] = s.length;
      off += s.length;
    }
  }
  static hash(s: string, a: number, b: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return (h ^ (h >>> 15)) | 0;
  }
  /** Index of the id equal to s[a, b), or −1 (ids are unique after the reader's check). */
  get(s: string, a: number, b: number): number {
    const h = IdIndex.hash(s, a, b);
    const len = b - a;
    const t = this.table;
    const c = this.chars;
    for (let k = h & this.mask; ; k = (k + 1) & this.mask) {
      const v = t[4 * k]!;
      if (v < 0) return -1;
      if (t[4 * k + 1] !== h || t[4 * k + 3] !== len) continue;
      const off = t[4 * k + 2]!;
      let i = 0;
      while (i < len && c[off + i] === s.charCodeAt(a + i)) i++;
      if (i === len) return v;
    }
  }
}

/** An RE2 character class matching any of the separator characters. */
export function separatorClass(seps: string): string {
  let out = "";
  for (const ch of seps) out += /[A-Za-z0-9\s]/.test(ch) || ch.charCodeAt(0) > 127 ? ch : "\\" + ch;
  return `[${out}]`;
}

/** u32 halves view of a DuckDB UBIGINT vector's items. */
function hashHalves(v: DuckDBVector): Uint32Array {
  return u64Halves((v as unknown as { items: BigUint64Array }).items);
}
function int32Items(v: DuckDBVector): Int32Array {
  return (v as unknown as { items: Int32Array }).items;
}

/**
 * Read a patents table through DuckDB (see file comment). DuckDB does the per-cell string work: it hashes
 * each id, turns ISO (YYYY-MM-DD) and YYYYMMDD dates (and 4-digit years) into integers, and splits each
 * IPC cell into pieces that it hashes; JS receives typed vectors only. Each distinct piece is parsed once
 * (from a DISTINCT query); a date DuckDB did not recognise is passed as text and parsed here, so every
 * error message is the same as a cell-by-cell parse would give. Duplicate ids are found by their 64-bit
 * hashes and confirmed on the strings (a hash collision between different ids is not a duplicate).
 */
export async function readPatents(file: string, o: ReadOptions): Promise<PatentTable> {
  const name = basename(file);
  if (!existsSync(file)) throw inputError("file not found", { file });
  // Bytes first (UTF-8, compression, binary, empty): DuckDB's own reports of these are not located or crash.
  if (o.mapping.source === "patentsview") {
    for (const f of patentsViewFiles(file)) if (f.endsWith(".parquet")) checkParquetSignature(f);
      else await checkTextTable(f);
  } else if (file.endsWith(".parquet")) checkParquetSignature(file, name);
  else await checkTextTable(file, name);
  const { DuckDBInstance } = await loadDuckdb();
  const instance = await DuckDBInstance.create(":memory:", { threads: "2", preserve_insertion_order: "true" });
  const conn = await instance.connect();
  try {
    const source = patentSourceSql(file, o.mapping);
    const desc = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const headers = desc.getRowObjects().map((r) => String(r.column_name));
    // DuckDB's sniffer settles on fewer columns than the header names (another delimiter, or one column) when
    // a row is ragged or a quote is open: name that row instead of a missing column
    if (o.mapping.source !== "patentsview" && headers.length < (plainHeader(file)?.length ?? 0)) diagnoseDelimited(file, name);
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
        `no '${f}' column (mapping '${o.mapping.name}' looks for ${cands.map((c) => `'${c}'`).join(", ") || "nothing"}); the file has: ${headers.map(printable).join(", ")}`,
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
    const wantIds = o.ids !== false || cCited !== undefined;

    const vc = (c: string): string => `CAST(${sqlIdent(c)} AS VARCHAR)`;
    const re = sqlString(separatorClass(o.mapping.ipcSeparators));
    const ipcList = `string_split_regex(coalesce(${vc(cIpc)}, ''), ${re})`;
    // Distinct IPC pieces (as split, untrimmed) with their hashes: each is parsed once below.
    const dictRes = await conn.run(`SELECT DISTINCT x, hash(x) FROM (SELECT unnest(${ipcList}) AS x FROM ${source})`);
    const pieceOf = new Hash64Map(Math.max(1024, dictRes.rowCount));
    const pieceText: string[] = [];
    // Codes in DISTINCT-query order (nondeterministic); renumbered below in order of first appearance.
    const dictCodes: Ipc[] = [];
    const codeKeyDict = new Map<string, number>();
    /** Per piece: code id, −1 malformed / too coarse, −2 empty (ignored). */
    const pieceCode: number[] = [];
    for (let k = 0; k < dictRes.chunkCount; k++) {
      const ch = dictRes.getChunk(k);
      const txt = ch.getColumnVector(0);
      const h = hashHalves(ch.getColumnVector(1));
      for (let i = 0; i < ch.rowCount; i++) {
        const piece = ((txt.getItem(i) as string | null) ?? "").trim();
        let cid: number;
        if (piece === "") cid = -2;
        else {
          const c = parseIpc(piece);
          if (c === null || ipcTerm(c, o.level) === null) cid = -1;
          else {
            const key = `${c.subclass}|${c.group}|${c.subgroup}`;
            const have = codeKeyDict.get(key);
            if (have === undefined) {
              cid = dictCodes.length;
              codeKeyDict.set(key, cid);
              dictCodes.push(c);
            } else cid = have;
          }
        }
        const idx = pieceCode.length;
        pieceCode.push(cid);
        pieceText.push(piece);
        if (pieceOf.setIfAbsent(h[2 * i]!, h[2 * i + 1]!, idx) !== idx) throw new Error("internal: two IPC pieces share a 64-bit hash; please report this input");
      }
    }

    let dateSel: string;
    let from = source;
    if (cDate !== undefined) {
      const r = vc(cDate);
      // ISO and YYYYMMDD dates become integers in DuckDB (TRY_CAST validates them); anything else comes
      // back as text for parseDate, which accepts the other spellings or names the bad cell.
      const dd = `CASE WHEN regexp_full_match(${r}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(${r} AS DATE) WHEN regexp_full_match(${r}, '[0-9]{8}') THEN TRY_CAST(substr(${r}, 1, 4) || '-' || substr(${r}, 5, 2) || '-' || substr(${r}, 7, 2) AS DATE) END`;
      from = `(SELECT *, ${dd} AS kt__date FROM ${source})`;
      dateSel = `coalesce(year(kt__date) * 10000 + month(kt__date) * 100 + day(kt__date), 0)::INTEGER, CASE WHEN kt__date IS NULL THEN coalesce(${r}, '') END`;
    } else {
      const y = `trim(coalesce(${vc(cYear!)}, ''))`;
      dateSel = `CASE WHEN regexp_full_match(${y}, '[0-9]{4}') THEN CAST(${y} AS INTEGER) * 10000 ELSE 0 END::INTEGER, CASE WHEN NOT regexp_full_match(${y}, '[0-9]{4}') THEN ${y} END`;
    }
    const sel = [
      `hash(${sqlTrim(vc(cId))})`,
      `CASE WHEN ${sqlIdent(cId)} IS NULL OR ${sqlTrim(vc(cId))} = '' THEN 1 ELSE 0 END::INTEGER`,
      dateSel,
      `list_transform(${ipcList}, x -> hash(x))`,
      cRegion === undefined ? "NULL::VARCHAR" : `trim(${vc(cRegion)})`,
      cApp === undefined ? "NULL::VARCHAR" : `trim(${vc(cApp)})`,
      wantIds ? sqlTrim(vc(cId)) : "NULL::VARCHAR",
    ];
    // Rows are counted first (Parquet: from metadata), so that a streamed result that ends early (DuckDB's
    // stream stops silently at an error) is detected; the query is then re-run materialised to report it.
    const total = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0]![0]);
    const mainSql = `SELECT ${sel.join(", ")} FROM ${from}`;
    const result = await conn.stream(mainSql);

    const ids: string[] = [];
    const years = new GrowInt32(total);
    const dates = new GrowInt32(cDate !== undefined ? total : 0);
    const regions = new GrowInt32(cRegion !== undefined ? total : 0);
    const apps = new GrowInt32(cApp !== undefined ? total : 0);
    const codeIdx = new GrowInt32(Math.max(1024, total * 2));
    const codeOff = new GrowInt32(total + 1);
    codeOff.push(0);
    const sourceRow = new GrowInt32(total);
    const regionDict = new Dict();
    const appDict = new Dict();
    const idSeen = new Hash64Map(Math.max(1024, total));
    const codes: Ipc[] = [];
    const finalCode = new Int32Array(dictCodes.length).fill(-1);
    const badIpc = { count: 0, examples: [] as { row: number; value: string }[] };
    let dropped = 0;
    let row = 0;
    /**
     * Consume rows [start, nr) of a chunk synchronously (a hot loop without awaits); returns the index of a
     * row whose id hash was seen before (to be checked on the strings), or −1 when the chunk is done.
     */
    const consume = (chunk: DuckDBDataChunk, start: number, checked: number): number => {
      const nr = chunk.rowCount;
      const idH = hashHalves(chunk.getColumnVector(0));
      const idEmpty = int32Items(chunk.getColumnVector(1));
      const dInt = int32Items(chunk.getColumnVector(2));
      const dRaw = chunk.getColumnVector(3);
      const lv = chunk.getColumnVector(4) as DuckDBListVector;
      const ent = u64Halves((lv as unknown as { entryData: BigUint64Array }).entryData);
      const ph = hashHalves(lv.childVector);
      const vRegion = cRegion !== undefined ? chunk.getColumnVector(5) : null;
      const vApp = cApp !== undefined ? chunk.getColumnVector(6) : null;
      const vId = wantIds ? chunk.getColumnVector(7) : null;
      for (let i = start; i < nr; i++) {
        if (i !== checked) {
          if (idEmpty[i]) throw inputError("empty id", { file: name, row: row + 1, column: cId });
          const first = idSeen.setIfAbsent(idH[2 * i]!, idH[2 * i + 1]!, row + 1);
          if (first !== row + 1) {
            dupFirst = first;
            return i;
          }
        }
        row++;
        let dt = dInt[i]!;
        let y: number;
        if (cDate !== undefined) {
          if (dt === 0) {
            const ds = (dRaw.getItem(i) as string | null) ?? "";
            const d = parseDate(ds);
            if (d === null) throw inputError(`cannot parse date '${printable(ds)}' (expected YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD or YYYY年M月D日)`, { file: name, row, column: cDate });
            dt = d;
          }
          y = Math.floor(dt / 10000);
        } else {
          if (dt === 0) throw inputError(`cannot parse year '${printable((dRaw.getItem(i) as string | null) ?? "")}' (expected a 4-digit year)`, { file: name, row, column: cYear });
          y = dt / 10000;
        }
        if (y < MIN_FILING_YEAR || y > MAX_FILING_YEAR)
          throw inputError(`filing year ${y} is not plausible (keytech reads filing years ${MIN_FILING_YEAR}–${MAX_FILING_YEAR}); fix the date, or remove the row`, { file: name, row, column: cDate ?? cYear });
        const off = ent[4 * i]!;
        const len = ent[4 * i + 2]!;
        const before = codeIdx.len;
        let pieces = 0;
        for (let j = off; j < off + len; j++) {
          const pi = pieceOf.get(ph[2 * j]!, ph[2 * j + 1]!);
          if (pi < 0) throw new Error("internal: an IPC piece missing from the piece dictionary");
          const cid = pieceCode[pi]!;
          if (cid === -2) continue;
          pieces++;
          if (cid < 0) {
            const piece = pieceText[pi]!;
            if (o.onBadIpc === "fail") {
              const why = parseIpc(piece) === null ? "malformed IPC code" : `IPC code less detailed than the level '${o.level}'`;
              throw inputError(`${why} '${printable(piece)}' (fix it, or pass --on-bad-ipc skip to drop such codes)`, { file: name, row, column: cIpc });
            }
            badIpc.count++;
            if (badIpc.examples.length < 20) badIpc.examples.push({ row, value: piece });
            continue;
          }
          let fc = finalCode[cid]!;
          if (fc < 0) {
            fc = finalCode[cid] = codes.length;
            codes.push(dictCodes[cid]!);
          }
          codeIdx.push(fc);
        }
        if (pieces === 0) throw inputError("empty IPC list; every patent needs at least one IPC code (fill the codes or remove the row)", { file: name, row, column: cIpc });
        if (codeIdx.len === before) {
          dropped++;
          continue;
        }
        codeOff.push(codeIdx.len);
        sourceRow.push(row - 1);
        years.push(y);
        if (cDate !== undefined) dates.push(dt);
        if (vRegion) {
          const r = (vRegion.getItem(i) as string | null) ?? "";
          regions.push(r === "" ? -1 : regionDict.id(r));
        }
        if (vApp) {
          const a = (vApp.getItem(i) as string | null) ?? "";
          apps.push(a === "" ? -1 : appDict.id(a));
        }
        if (vId) ids.push(vId.getItem(i) as string);
      }
      return -1;
    };
    let dupFirst = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      let checked = -1;
      for (let at = consume(chunk, 0, checked); at >= 0; at = consume(chunk, at, checked)) {
        // Same id hash as an earlier row: a duplicate if the strings agree (they do, unless a 64-bit collision).
        const [a, b] = await idsAtRows(conn, source, cId, dupFirst, row + 1);
        if (a === b) {
          if (o.mapping.source === "patentsview") throw await patentsViewDuplicate(conn, file, b);
          throw inputError(`duplicate id '${printable(b)}' (also at row ${dupFirst}); ids must be unique`, { file: name, row: row + 1, column: cId });
        }
        checked = at;
      }
    }
    if (row !== total) {
      await conn.run(mainSql).catch((e: unknown) => {
        throw inputError(`could not read the file: ${String(e instanceof Error ? e.message : e).split("\n")[0]}`, { file: name });
      });
      throw new Error(`internal: DuckDB returned ${row} of ${total} rows`);
    }
    if (row === 0) throw inputError("no data rows", { file: name });
    const rowsKept = sourceRow.done();
    // Citations: a second, streamed query of the cited column only, each cell split, trimmed and resolved
    // against the ids as it arrives (IdIndex: no substring is made, no per-citation string is kept).
    let cited: CitationLinks | undefined;
    if (cCited !== undefined) {
      const index = new IdIndex(ids);
      const keptOf = new Uint8Array(row);
      for (let i = 0; i < rowsKept.length; i++) keptOf[rowsKept[i]!] = 1;
      const seps = o.mapping.citedSeparators;
      const isSep = new Uint8Array(65536);
      for (const ch of seps) isSep[ch.charCodeAt(0)] = 1;
      const astral = Array.from(seps).some((ch) => ch.length > 1);
      const off = new GrowInt32(rowsKept.length + 1);
      off.push(0);
      const target = new GrowInt32(Math.max(1024, rowsKept.length * 4));
      let unknown = 0;
      const citedSql = `SELECT ${vc(cCited)} FROM ${source}`;
      const res2 = await conn.stream(citedSql);
      let r2 = 0;
      for (;;) {
        const chunk = await res2.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const vals = chunk.getColumnVector(0);
        for (let i = 0; i < chunk.rowCount; i++, r2++) {
          if (!keptOf[r2]) continue;
          const cs = (vals.getItem(i) as string | null) ?? "";
          if (cs !== "") {
            if (astral) {
              for (const x of splitIpcList(cs, seps)) {
                const j = index.get(x, 0, x.length);
                if (j < 0) unknown++;
                target.push(j);
              }
            } else {
              // Pieces between separators, trimmed as String.prototype.trim does; empty pieces dropped.
              for (let a = 0; a <= cs.length; ) {
                let b = a;
                while (b < cs.length && !isSep[cs.charCodeAt(b)]) b++;
                let x0 = a;
                let x1 = b;
                while (x0 < x1 && isJsWhitespace(cs.charCodeAt(x0))) x0++;
                while (x1 > x0 && isJsWhitespace(cs.charCodeAt(x1 - 1))) x1--;
                if (x1 > x0) {
                  const j = index.get(cs, x0, x1);
                  if (j < 0) unknown++;
                  target.push(j);
                }
                a = b + 1;
              }
            }
          }
          off.push(target.len);
        }
      }
      if (r2 !== row) {
        await conn.run(citedSql).catch((e: unknown) => {
          throw inputError(`could not read the cited column: ${printable(String(e instanceof Error ? e.message : e).split("\n")[0]!)}`, { file: name, column: cCited });
        });
        throw new Error(`internal: DuckDB returned ${r2} of ${row} rows of the cited column`);
      }
      cited = { offsets: off.done(), target: target.done(), unknown };
    }
    return {
      file: name,
      n: rowsKept.length,
      rows: row,
      sourceRow: rowsKept,
      ids: wantIds ? ids : undefined,
      year: years.done(),
      date: cDate !== undefined ? dates.done() : undefined,
      region: cRegion !== undefined ? { index: regions.done(), names: regionDict.names } : undefined,
      applicant: cApp !== undefined ? { index: apps.done(), names: appDict.names } : undefined,
      codeOffsets: codeOff.done(),
      codeIds: codeIdx.done(),
      codes,
      cited,
      badIpc,
      droppedNoValidCode: dropped,
      used,
    };
  } catch (e) {
    if (!(e instanceof KeytechError)) {
      // DuckDB gave up on a file: name the cause where keytech can find it (a damaged Parquet file; a bare CR,
      // an open quote or a ragged row in a text table), else pass DuckDB's first line on
      const files = o.mapping.source === "patentsview" ? patentsViewFiles(file) : [file];
      for (const f of files) {
        const shown = o.mapping.source === "patentsview" ? basename(f) : name;
        if (f.endsWith(".parquet")) {
          const pe = damagedParquetError(e, shown);
          if (pe) throw pe;
        } else diagnoseDelimited(f, shown);
      }
    }
    throw duckdbInputError(e, name);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * A DuckDB error escaping the reader becomes a one-line input error naming the file (DuckDB's first
 * line, escaped; never its stack trace or its advice such as `ignore_errors=true`); other errors pass.
 */
export function duckdbInputError(e: unknown, file: string): unknown {
  if (e instanceof KeytechError || !(e instanceof Error)) return e;
  const m = /^([A-Za-z ]*Error): ?(.*)$/m.exec(e.message);
  if (!m || /^internal:/.test(e.message)) return e;
  const first = printable(m[2]!.trim());
  return m[1] === "INTERNAL Error"
    ? inputError(`DuckDB failed internally while reading the file (${first}); check the file's encoding (UTF-8) and format, and please report this input`, { file })
    : inputError(`could not read the file: ${m[1]}: ${first}`, { file });
}

/**
 * The error for a patent_id repeated in a PatentsView folder's join: the table that lists it twice (g_patent,
 * g_application; rows are 1-based data rows of that file), else the folder.
 */
async function patentsViewDuplicate(conn: DuckDBConnection, dir: string, id: string): Promise<Error> {
  for (const [stem, why] of [["g_patent", ""], ["g_application", " (one filing per patent)"]] as const) {
    const f = findTable(dir, stem);
    if (!f) continue;
    const res = await conn.runAndReadAll(
      `SELECT r FROM (SELECT row_number() OVER () AS r, trim(CAST(patent_id AS VARCHAR)) AS id FROM ${tableExpr(f)}) WHERE id = ${sqlString(id)} ORDER BY r LIMIT 2`,
    );
    const rows = res.getRows().map((x) => Number(x[0]));
    if (rows.length === 2) return inputError(`duplicate id '${printable(id)}' (also at row ${rows[0]}); ids must be unique${why}`, { file: basename(f), row: rows[1], column: "patent_id" });
  }
  return inputError(`duplicate id '${printable(id)}' after joining the folder's tables (an assignee table listing the patent twice as first assignee?); ids must be unique`, { file: basename(dir), column: "patent_id" });
}

/** The id strings (trimmed) at two 1-based data rows (file order). */
async function idsAtRows(conn: DuckDBConnection, source: string, cId: string, a: number, b: number): Promise<[string, string]> {
  const q = async (r: number): Promise<string> => {
    const res = await conn.runAndReadAll(`SELECT ${sqlTrim(`CAST(${sqlIdent(cId)} AS VARCHAR)`)} FROM ${source} LIMIT 1 OFFSET ${r - 1}`);
    return String(res.getRows()[0]![0]);
  };
  return [await q(a), await q(b)];
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
  // Per patent: its term ids sorted (insertion sort: lists are short), then runs counted.
  for (let p = 0; p < t.n; p++) {
    const k0 = t.codeOffsets[p]!;
    const k1 = t.codeOffsets[p + 1]!;
    const s0 = m;
    for (let k = k0; k < k1; k++) {
      const v = termOfCode[t.codeIds[k]!]!;
      let j = m;
      while (j > s0 && ids[j - 1]! > v) {
        ids[j] = ids[j - 1]!;
        j--;
      }
      ids[j] = v;
      m++;
    }
    // Collapse equal neighbours into (id, count).
    let w = s0;
    for (let j = s0; j < m; ) {
      let e = j + 1;
      while (e < m && ids[e] === ids[j]) e++;
      ids[w] = ids[j]!;
      counts[w] = e - j;
      w++;
      j = e;
    }
    m = w;
    offsets[p + 1] = m;
  }
  return { n: t.n, year: t.year, date: t.date, termOffsets: offsets, termIds: ids.slice(0, m), termCounts: counts.slice(0, m), vocabulary };
}
