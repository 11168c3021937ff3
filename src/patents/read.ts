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
import { getStringBytes } from "@duckdb/node-api/lib/vectors/dataAccessors.js";
import { damagedParquetError } from "../data/precheck.js";
import { diagnoseDelimited } from "../data/read.js";
import { ipcTerm, parseIpc, type Ipc, type IpcLevel } from "./ipc.js";
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
  /** Id strings of the kept patents (absent when read with `ids: false`). */
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
  /** Keep the id strings (default true; `patents score` and the measure stage do not need them: citations are resolved on hashes). */
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

export function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}
export function sqlIdent(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

/** The table files of a PatentsView folder that the reader may open. */
export function patentsViewFiles(dir: string): string[] {
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
export function plainHeader(path: string): string[] | null {
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

/**
 * Dictionary of DuckDB-hashed strings (region, applicant) in order of first appearance: a string is
 * looked up by its 64-bit hash, confirmed by a second 32-bit hash, and read from its vector only the first
 * time it is seen; the empty string is −1.
 */
export class HashDict {
  private readonly map = new Hash64Map(1024);
  /** Check hash per stored value (value = name index + 1; 0 = the empty string). */
  private readonly check: number[] = [];
  readonly names: string[] = [];
  get(lo: number, hi: number, check: number, text: DuckDBVector, i: number): number {
    let v = this.map.get(lo, hi);
    if (v < 0) {
      const s = (text.getItem(i) as string | null) ?? "";
      v = s === "" ? 0 : this.names.push(s);
      this.map.setIfAbsent(lo, hi, v);
      this.check[v] = check;
    } else if (this.check[v] !== check) throw new Error("internal: two different strings share a 64-bit hash; please report this input");
    return v - 1;
  }
}

export class GrowInt32 {
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

/** Work arrays of IdBytes.getBatch for batches of up to `size` keys. */
export interface IdBatchScratch {
  order: Int32Array;
  buckets: Int32Array;
  keys: Int32Array;
}
export function idBatchScratch(size: number): IdBatchScratch {
  return { order: new Int32Array(size), buckets: new Int32Array(size > 0 ? 65537 : 0), keys: new Int32Array(5 * size) };
}

/**
 * Exact lookup of UTF-8 byte strings (trimmed ids) → a non-negative value (the data row): open addressing
 * (linear probing, load ≤ 3/4) on a 32-bit FNV-1a hash, confirmed on the bytes. A slot is six int32:
 * [value (−1 = empty), hash, length, k0, k1, k2]; a key of ≤ 12 bytes is kept in k0–k2 (little-endian,
 * zero-padded), so that a probe touches its slot only, a longer key in one growing buffer (k0 = offset).
 * `getBatch` resolves many keys in slot order (a counting sort on the slot's top bits), so that the probes
 * sweep the table instead of jumping about it (the citations' random access into a 10⁷-id table was the
 * reader's top cost).
 */
export class IdBytes {
  private table: Int32Array;
  private mask: number;
  private bits: number;
  private bytes: Uint8Array;
  private used = 0;
  private size = 0;
  constructor(expected: number) {
    let cap = 16;
    let bits = 4;
    while (cap * 3 < expected * 4) {
      cap *= 2;
      bits++;
    }
    this.table = new Int32Array(6 * cap).fill(-1);
    this.mask = cap - 1;
    this.bits = bits;
    this.bytes = new Uint8Array(1024);
  }
  static hash(b: Uint8Array, a: number, e: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = a; i < e; i++) h = Math.imul(h ^ b[i]!, 16777619);
    return (h ^ (h >>> 15)) | 0;
  }
  /** Word w (0–2) of a short key b[a, e) as stored inline (little-endian, zero-padded). */
  static word(b: Uint8Array, a: number, e: number, w: number): number {
    const s = a + 4 * w;
    return (s < e ? b[s]! : 0) | (s + 1 < e ? b[s + 1]! << 8 : 0) | (s + 2 < e ? b[s + 2]! << 16 : 0) | (s + 3 < e ? b[s + 3]! << 24 : 0) | 0;
  }
  /** The slot holding the key b[a, e) of hash h, or the empty slot where it would go (as 6 × index). */
  private find(b: Uint8Array, a: number, e: number, h: number): number {
    const len = e - a;
    const t = this.table;
    const m = this.mask;
    if (len <= 12) {
      const w0 = IdBytes.word(b, a, e, 0);
      const w1 = len > 4 ? IdBytes.word(b, a, e, 1) : 0;
      const w2 = len > 8 ? IdBytes.word(b, a, e, 2) : 0;
      for (let k = h & m; ; k = (k + 1) & m) {
        const s = 6 * k;
        if (t[s] === -1) return s;
        if (t[s + 1] === h && t[s + 2] === len && t[s + 3] === w0 && t[s + 4] === w1 && t[s + 5] === w2) return s;
      }
    }
    const c = this.bytes;
    for (let k = h & m; ; k = (k + 1) & m) {
      const s = 6 * k;
      if (t[s] === -1) return s;
      if (t[s + 1] !== h || t[s + 2] !== len) continue;
      const off = t[s + 3]!;
      let i = 0;
      while (i < len && c[off + i] === b[a + i]) i++;
      if (i === len) return s;
    }
  }
  /** Slot (6 × index) of the last setIfAbsent's key. */
  private last = 0;
  /** The value of the key equal to b[a, e), or −1. */
  get(b: Uint8Array, a: number, e: number): number {
    return this.table[this.find(b, a, e, IdBytes.hash(b, a, e))]!;
  }
  /** Replace the value of the last setIfAbsent's key (any int32 but −1). */
  setLast(value: number): void {
    this.table[this.last] = value;
  }
  /** Store value (any int32 but −1) for the key b[a, e) unless present; returns the value already stored, or −1 when stored now. */
  setIfAbsent(b: Uint8Array, a: number, e: number, value: number): number {
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    const h = IdBytes.hash(b, a, e);
    const s = this.find(b, a, e, h);
    const t = this.table;
    this.last = s;
    if (t[s] !== -1) return t[s]!;
    const len = e - a;
    t[s] = value;
    t[s + 1] = h;
    t[s + 2] = len;
    if (len <= 12) {
      t[s + 3] = IdBytes.word(b, a, e, 0);
      t[s + 4] = IdBytes.word(b, a, e, 1);
      t[s + 5] = IdBytes.word(b, a, e, 2);
    } else {
      if (this.used + len > this.bytes.length) {
        const nb = new Uint8Array(Math.max(this.bytes.length * 2, this.used + len));
        nb.set(this.bytes.subarray(0, this.used));
        this.bytes = nb;
      }
      this.bytes.set(b.subarray(a, e), this.used);
      t[s + 3] = this.used;
      t[s + 4] = 0;
      t[s + 5] = 0;
      this.used += len;
    }
    this.size++;
    return -1;
  }
  /**
   * The values of `count` keys (key j = bytes[off[j], off[j + 1]), its hash hashes[j]) into out[j] (−1 = absent),
   * probed in the order of their home slots.
   */
  getBatch(bytes: Uint8Array, off: Int32Array, hashes: Int32Array, count: number, out: Int32Array, scratch: IdBatchScratch): void {
    const { order, buckets, keys } = scratch;
    const shift = Math.max(0, this.bits - 16);
    const nb = buckets.length;
    const m = this.mask;
    buckets.fill(0);
    for (let j = 0; j < count; j++) buckets[((hashes[j]! & m) >>> shift) + 1]!++;
    for (let q = 1; q < nb; q++) buckets[q]! += buckets[q - 1]!;
    // Scatter the keys into slot order as [hash, length, k0, k1, k2] (a long key: k0 = its batch index), so that
    // the probe loop below reads the batch sequentially too.
    for (let j = 0; j < count; j++) {
      const h = hashes[j]!;
      const d = buckets[(h & m) >>> shift]!++;
      order[d] = j;
      const a = off[j]!;
      const e = off[j + 1]!;
      const len = e - a;
      const s = 5 * d;
      keys[s] = h;
      keys[s + 1] = len;
      if (len <= 12) {
        keys[s + 2] = IdBytes.word(bytes, a, e, 0);
        keys[s + 3] = IdBytes.word(bytes, a, e, 1);
        keys[s + 4] = IdBytes.word(bytes, a, e, 2);
      } else keys[s + 2] = j;
    }
    const t = this.table;
    for (let q = 0; q < count; q++) {
      const s = 5 * q;
      const h = keys[s]!;
      const len = keys[s + 1]!;
      let v: number;
      if (len <= 12) {
        const w0 = keys[s + 2]!;
        const w1 = keys[s + 3]!;
        const w2 = keys[s + 4]!;
        for (let k = h & m; ; k = (k + 1) & m) {
          const x = 6 * k;
          v = t[x]!;
          if (v === -1 || (t[x + 1] === h && t[x + 2] === len && t[x + 3] === w0 && t[x + 4] === w1 && t[x + 5] === w2)) break;
        }
      } else {
        const j = keys[s + 2]!;
        v = t[this.find(bytes, off[j]!, off[j + 1]!, h)]!;
      }
      out[order[q]!] = v;
    }
  }
  private grow(): void {
    const old = this.table;
    const cap = (this.mask + 1) * 2;
    const t = new Int32Array(6 * cap).fill(-1);
    const mask = cap - 1;
    for (let s = 0; s < old.length; s += 6) {
      if (old[s] === -1) continue;
      let k = old[s + 1]! & mask;
      while (t[6 * k]! >= 0) k = (k + 1) & mask;
      t.set(old.subarray(s, s + 6), 6 * k);
    }
    this.table = t;
    this.mask = mask;
    this.bits++;
  }
}

/** The 16-byte string_t items of a DuckDB VARCHAR vector (for getStringBytes: no JS string is made). */
export function varcharView(v: DuckDBVector): DataView {
  return (v as unknown as { dataView: DataView }).dataView;
}
const utf8Decoder = new TextDecoder();
export function decodeUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}
export function utf8(s: string): Uint8Array {
  return Buffer.from(s, "utf8");
}
/** ASCII characters that String.prototype.trim removes (tab, line breaks, vertical tab, form feed, space). */
export function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
/** The bytes of a vector's string_t items (a string of ≤ 12 bytes is stored inline, at 16·i + 4). */
export function varcharBytes(dv: DataView): Uint8Array {
  return new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength);
}
/**
 * Item i of a VARCHAR vector as bytes b[a, e): an inline string (≤ 12 bytes) in the vector's own bytes `u8`
 * (no object made), a longer one through getStringBytes (a native call). Returns b; a and e in `at`.
 */
export function itemBytes(dv: DataView, u8: Uint8Array, i: number, at: Int32Array): Uint8Array {
  const len = dv.getUint32(16 * i, true);
  if (len <= 12) {
    at[0] = 16 * i + 4;
    at[1] = 16 * i + 4 + len;
    return u8;
  }
  const b = getStringBytes(dv, 16 * i);
  at[0] = 0;
  at[1] = b.length;
  return b;
}

/**
 * Item i of a VARCHAR vector trimmed as String.prototype.trim does: on the bytes, unless a trimmed end is a
 * non-ASCII character (then through a JS string). Returns the bytes b; the span [a, e) in `at` (a = e: empty).
 */
export function trimmedItem(dv: DataView, u8: Uint8Array, i: number, at: Int32Array): Uint8Array {
  const b = itemBytes(dv, u8, i, at);
  let a = at[0]!;
  let e = at[1]!;
  while (a < e && isAsciiSpace(b[a]!)) a++;
  while (e > a && isAsciiSpace(b[e - 1]!)) e--;
  if (e > a && (b[a]! >= 128 || b[e - 1]! >= 128)) {
    const t = utf8(decodeUtf8(b.subarray(a, e)).trim());
    at[0] = 0;
    at[1] = t.length;
    return t;
  }
  at[0] = a;
  at[1] = e;
  return b;
}

/** Each non-empty trimmed piece (trimmedItem) of row i of a split cited column (a list of VARCHAR) → cite(b, a, e). */
export function forEachCited(
  ent: Uint32Array,
  dv: DataView,
  u8: Uint8Array,
  i: number,
  at: Int32Array,
  cite: (b: Uint8Array, a: number, e: number) => void,
): void {
  const c0 = ent[4 * i]!;
  const c1 = c0 + ent[4 * i + 2]!;
  for (let m = c0; m < c1; m++) {
    const b = trimmedItem(dv, u8, m, at);
    if (at[1]! > at[0]!) cite(b, at[0]!, at[1]!);
  }
}

/**
 * Cited ids collected for one batched IdBytes.getBatch lookup: per id its bytes, hash and a caller's tag
 * (`push`, flushing through `flush` when full). `resolve` looks the batch up (out[j] = the index's value or
 * a miss code, see getBatch) and empties it.
 */
export class IdBatch {
  readonly size: number;
  readonly tag: Int32Array;
  readonly hash: Int32Array;
  readonly off: Int32Array;
  readonly out: Int32Array;
  bytes: Uint8Array;
  len = 0;
  private readonly scratch: IdBatchScratch;
  constructor(
    size: number,
    private readonly flush: () => void,
  ) {
    this.size = size;
    this.tag = new Int32Array(size);
    this.hash = new Int32Array(size);
    this.off = new Int32Array(size + 1);
    this.out = new Int32Array(size);
    this.scratch = idBatchScratch(size);
    this.bytes = new Uint8Array(size * 12);
  }
  /** Add the id b[a, e) with `tag` (the batch is flushed first when full). */
  push(b: Uint8Array, a: number, e: number, tag: number): void {
    if (this.len === this.size) this.flush();
    const at = this.off[this.len]!;
    const len = e - a;
    if (at + len > this.bytes.length) {
      const nb = new Uint8Array(Math.max(this.bytes.length * 2, at + len));
      nb.set(this.bytes.subarray(0, at));
      this.bytes = nb;
    }
    const bb = this.bytes;
    for (let k = 0; k < len; k++) bb[at + k] = b[a + k]!;
    this.hash[this.len] = IdBytes.hash(b, a, e);
    this.tag[this.len] = tag;
    this.off[++this.len] = at + len;
  }
  /** Look the batch's ids up in `index` (results in `out[0, len)`); the caller reads them, then calls clear(). */
  resolve(index: IdBytes): void {
    index.getBatch(this.bytes, this.off, this.hash, this.len, this.out, this.scratch);
  }
  clear(): void {
    this.len = 0;
  }
}

/**
 * The IPC pieces of a patents file and the codes they hold (both readers: readPatents and the streamed
 * stage). Pieces are recognised by their 64-bit hash (and a 32-bit check hash); each distinct piece is parsed
 * once. Codes are numbered in order of first appearance (`codes`); `onNewCode` sees each new one.
 * Malformed codes (or codes coarser than `level`) stop the read (`onBadIpc: "fail"`, naming file, row and
 * column) or are counted in `badIpc` with the first 20 examples.
 */
export class IpcPieces {
  private readonly pieceOf = new Hash64Map(1024);
  private readonly pieceCheck: number[] = [];
  private readonly pieceText: string[] = [];
  /** per piece: code id, −1 malformed / too coarse, −2 empty */
  private readonly pieceCode: number[] = [];
  private readonly codeKey = new Map<string, number>();
  readonly codes: Ipc[] = [];
  readonly badIpc = { count: 0, examples: [] as { row: number; value: string }[] };
  constructor(private readonly o: { level: IpcLevel; onBadIpc: "fail" | "skip"; file: string; column: string; onNewCode?: (c: Ipc) => void }) {}
  private newPiece(lo: number, hi: number, check: number, raw: string): number {
    const piece = raw.trim();
    let cid: number;
    if (piece === "") cid = -2;
    else {
      const c = parseIpc(piece);
      if (c === null || ipcTerm(c, this.o.level) === null) cid = -1;
      else {
        const key = `${c.subclass}|${c.group}|${c.subgroup}`;
        const have = this.codeKey.get(key);
        if (have === undefined) {
          cid = this.codes.length;
          this.codeKey.set(key, cid);
          this.codes.push(c);
          this.o.onNewCode?.(c);
        } else cid = have;
      }
    }
    const idx = this.pieceCode.length;
    this.pieceCode.push(cid);
    this.pieceText.push(piece);
    this.pieceCheck.push(check);
    this.pieceOf.setIfAbsent(lo, hi, idx);
    return idx;
  }
  /**
   * The valid code ids of data row `row` (item i of a chunk's IPC vectors) appended to `out`, in list order;
   * returns how many (0: every code was skipped). An empty list stops the read.
   */
  rowCodes(v: IpcVectors, i: number, row: number, out: GrowInt32): number {
    const off = v.entH[4 * i]!;
    const len = v.entH[4 * i + 2]!;
    const offC = v.entC[4 * i]!;
    const before = out.len;
    let pieces = 0;
    for (let m = 0; m < len; m++) {
      const j = off + m;
      const lo = v.ph[2 * j]!;
      const hi = v.ph[2 * j + 1]!;
      const check = v.pc[offC + m]!;
      let pi = this.pieceOf.get(lo, hi);
      if (pi < 0) pi = this.newPiece(lo, hi, check, (v.texts.childVector.getItem(v.entT[4 * i]! + m) as string | null) ?? "");
      else if (this.pieceCheck[pi] !== check) throw new Error("internal: two IPC pieces share a 64-bit hash; please report this input");
      const cid = this.pieceCode[pi]!;
      if (cid === -2) continue;
      pieces++;
      if (cid < 0) {
        const piece = this.pieceText[pi]!;
        if (this.o.onBadIpc === "fail") {
          const why = parseIpc(piece) === null ? "malformed IPC code" : `IPC code less detailed than the level '${this.o.level}'`;
          throw inputError(`${why} '${printable(piece)}' (fix it, or pass --on-bad-ipc skip to drop such codes)`, {
            file: this.o.file,
            row,
            column: this.o.column,
          });
        }
        this.badIpc.count++;
        if (this.badIpc.examples.length < 20) this.badIpc.examples.push({ row, value: piece });
        continue;
      }
      out.push(cid);
    }
    if (pieces === 0)
      throw inputError("empty IPC list; every patent needs at least one IPC code (fill the codes or remove the row)", {
        file: this.o.file,
        row,
        column: this.o.column,
      });
    return out.len - before;
  }
}

/** A chunk's IPC list vectors as IpcPieces.rowCodes reads them (columns: piece hashes, check hashes, pieces). */
export interface IpcVectors {
  entH: Uint32Array;
  ph: Uint32Array;
  entC: Uint32Array;
  pc: Uint32Array;
  texts: DuckDBListVector;
  entT: Uint32Array;
}

/** The IPC vectors of a chunk whose columns h, h + 1, h + 2 are the piece hashes, check hashes and pieces. */
export function ipcVectors(chunk: DuckDBDataChunk, h: number): IpcVectors {
  const lvH = chunk.getColumnVector(h) as DuckDBListVector;
  const lvC = chunk.getColumnVector(h + 1) as DuckDBListVector;
  const lvT = chunk.getColumnVector(h + 2) as DuckDBListVector;
  return {
    entH: listEntries(lvH),
    ph: hashHalves(lvH.childVector),
    entC: listEntries(lvC),
    pc: uint32Items(lvC.childVector),
    texts: lvT,
    entT: listEntries(lvT),
  };
}

/**
 * The filing date of row `i` of a DuckDB chunk's date (or year) column as YYYYMMDD (YYYY·10000 when the file
 * has only a year column), checked: an unparsable date or year, or a year outside MIN_FILING_YEAR…
 * MAX_FILING_YEAR, stops with the file, the 1-based data row and the column. `view`/`bytes` are the
 * column's varcharView/varcharBytes, `at` a 2-slot scratch for itemBytes. Shared by readPatents and the
 * streamed stage (stream.ts) so both accept and refuse the same cells with the same words.
 */
export function filingDateAt(
  v: DuckDBVector,
  view: DataView,
  bytes: Uint8Array,
  i: number,
  at: Int32Array,
  cDate: string | undefined,
  cYear: string | undefined,
  name: string,
  row: number,
): number {
  const db = itemBytes(view, bytes, i, at);
  if (cDate !== undefined) {
    let d = isoOrCompactDate(db, at[0]!, at[1]!);
    if (d === null) {
      const ds = (v.getItem(i) as string | null) ?? "";
      d = parseDate(ds);
      if (d === null)
        throw inputError(`cannot parse date '${printable(ds)}' (expected YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD or YYYY年M月D日)`, {
          file: name,
          row,
          column: cDate,
        });
    }
    const y = Math.floor(d / 10000);
    if (y < MIN_FILING_YEAR || y > MAX_FILING_YEAR)
      throw inputError(
        `filing year ${y} is not plausible (keytech reads filing years ${MIN_FILING_YEAR}–${MAX_FILING_YEAR}); fix the date, or remove the row`,
        { file: name, row, column: cDate },
      );
    return d;
  }
  const y = fourDigitYear(db, at[0]!, at[1]!);
  if (y < 0)
    throw inputError(`cannot parse year '${printable(((v.getItem(i) as string | null) ?? "").replace(/^ +| +$/g, ""))}' (expected a 4-digit year)`, {
      file: name,
      row,
      column: cYear,
    });
  if (y < MIN_FILING_YEAR || y > MAX_FILING_YEAR)
    throw inputError(`filing year ${y} is not plausible (keytech reads filing years ${MIN_FILING_YEAR}–${MAX_FILING_YEAR}); fix the date, or remove the row`, {
      file: name,
      row,
      column: cYear,
    });
  return y * 10000;
}
/** YYYYMMDD of a cell b[a0, a0 + n) that is exactly YYYY-MM-DD or YYYYMMDD and a valid date, else null (parseDate decides the rest). */
export function isoOrCompactDate(b: Uint8Array, a0: number, e0: number): number | null {
  const n = e0 - a0;
  if (n !== 10 && n !== 8) return null;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = b[a0 + i]!;
    if (n === 10 && (i === 4 || i === 7)) {
      if (c !== 45) return null;
      continue;
    }
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  return validDate(Math.floor(v / 10000), Math.floor(v / 100) % 100, v % 100);
}
/** The year of a cell b[a0, e0) that is 4 ASCII digits once spaces are trimmed (as DuckDB's trim), else −1. */
export function fourDigitYear(b: Uint8Array, a0: number, e0: number): number {
  let a = a0;
  let e = e0;
  while (a < e && b[a] === 32) a++;
  while (e > a && b[e - 1] === 32) e--;
  if (e - a !== 4) return -1;
  let y = 0;
  for (let i = a; i < e; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return -1;
    y = y * 10 + (c - 48);
  }
  return y;
}

/** An RE2 character class matching any of the separator characters. */
export function separatorClass(seps: string): string {
  let out = "";
  for (const ch of seps) out += /[A-Za-z0-9\s]/.test(ch) || ch.charCodeAt(0) > 127 ? ch : "\\" + ch;
  return `[${out}]`;
}

/**
 * SQL splitting a (non-NULL) text cell at any of the separator characters (pieces as split, untrimmed; '' is
 * one empty piece; no separators: the cell itself): every separator is first translated to the first one,
 * then one plain `string_split` — the same pieces as `string_split_regex` on their character class, about
 * cheaper in DuckDB's scan (used for the cited cells; the IPC cells keep `string_split_regex`, see
 * bench/README.md, issue #17 2026-12-06).
 */
export function splitSql(cell: string, seps: string): string {
  const chars = Array.from(seps);
  const first = chars[0];
  if (first === undefined) return `[${cell}]`;
  if (chars.length === 1) return `string_split(${cell}, ${sqlString(first)})`;
  return `string_split(translate(${cell}, ${sqlString(chars.slice(1).join(""))}, ${sqlString(
    chars
      .slice(1)
      .map(() => first)
      .join(""),
  )}), ${sqlString(first)})`;
}

/** u32 halves view of a DuckDB UBIGINT vector's items. */
export function hashHalves(v: DuckDBVector): Uint32Array {
  return u64Halves((v as unknown as { items: BigUint64Array }).items);
}
export function uint32Items(v: DuckDBVector): Uint32Array {
  return (v as unknown as { items: Uint32Array }).items;
}
/** u32 view of a DuckDB LIST vector's entries: [offset lo, offset hi, length lo, length hi] per row. */
export function listEntries(v: DuckDBListVector): Uint32Array {
  return u64Halves((v as unknown as { entryData: BigUint64Array }).entryData);
}
/** The low 32 bits of a second, seeded DuckDB hash of a string: confirms a match of the 64-bit hash. */
export function checkHash(x: string): string {
  return `(hash(${x}, 'kt') & 4294967295)::UINTEGER`;
}
/** An IPC cell split at the separators (pieces as split, untrimmed; a NULL cell is one empty piece). */
export function ipcListOf(cell: string, re: string): string {
  return `string_split_regex(coalesce(${cell}, ''), ${re})`;
}

/**
 * Data lines of a plain text table (line breaks — LF, CRLF or a lone CR — after the header's; a last line
 * without a break counts), an upper bound on its data rows; null for compressed files and Parquet.
 */
export function dataLineCount(file: string): number | null {
  if (/\.(gz|parquet)$/i.test(file)) return null;
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    let breaks = 0;
    let last = -1;
    let prevCr = false;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const b = buf.subarray(0, n);
      if (prevCr && b[0] !== 10) breaks++;
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) breaks++;
      for (let i = b.indexOf(13); i >= 0; i = b.indexOf(13, i + 1)) if (i + 1 < n && b[i + 1] !== 10) breaks++;
      prevCr = b[n - 1] === 13;
      last = b[n - 1]!;
    }
    if (prevCr) breaks++;
    if (last < 0) return 0;
    return Math.max(0, breaks + (last === 10 || last === 13 ? 0 : 1) - 1);
  } finally {
    closeSync(fd);
  }
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
    for (const f of patentsViewFiles(file))
      if (f.endsWith(".parquet")) checkParquetSignature(f);
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
    const wantIds = o.ids !== false;

    const vc = (c: string): string => `CAST(${sqlIdent(c)} AS VARCHAR)`;
    // One pass over the input. IPC pieces (as split, untrimmed), regions and applicants (trimmed) come as
    // two DuckDB hashes (64 bits to look up, and the low 32 bits of a second, seeded hash that confirms the
    // match); a string's text is read only the first time its hash is seen (each distinct IPC piece is parsed
    // once, each region / applicant named once). Ids and cited ids come as UTF-8 bytes, trimmed and split
    // here and matched exactly on their bytes (IdBytes); only the year/date cells that are not ISO dates
    // become JS strings.
    const cols = [`${ipcListOf(vc(cIpc), sqlString(separatorClass(o.mapping.ipcSeparators)))} AS kt__ipc`];
    if (cRegion !== undefined) cols.push(`coalesce(trim(${vc(cRegion)}), '') AS kt__region`);
    if (cApp !== undefined) cols.push(`coalesce(trim(${vc(cApp)}), '') AS kt__applicant`);
    const from = `(SELECT *, ${cols.join(", ")} FROM ${source})`;
    const sel = [
      `coalesce(${vc(cId)}, '')`, // 0
      `coalesce(${vc(cDate ?? cYear!)}, '')`, // 1
      `list_transform(kt__ipc, x -> hash(x))`, // 2
      `list_transform(kt__ipc, x -> ${checkHash("x")})`, // 3
      `kt__ipc`, // 4
      cRegion === undefined ? "NULL::UBIGINT, NULL::UINTEGER, NULL::VARCHAR" : `hash(kt__region), ${checkHash("kt__region")}, kt__region`, // 5, 6, 7
      cApp === undefined ? "NULL::UBIGINT, NULL::UINTEGER, NULL::VARCHAR" : `hash(kt__applicant), ${checkHash("kt__applicant")}, kt__applicant`, // 8, 9, 10
      // The cited cell split at the separators by DuckDB (pieces as split, untrimmed): short pieces (≤ 12 bytes,
      // every usual id) are then read from the vector's own bytes, no native call per cell.
      cCited === undefined ? "NULL::VARCHAR[]" : splitSql(`coalesce(${vc(cCited)}, '')`, o.mapping.citedSeparators), // 11
    ];
    // A streamed result that ends early (DuckDB's stream stops silently at an error) is detected by the row
    // count: of a plain text file, the line breaks bound the data rows from above (a row spans at least one
    // line), so as many rows as data lines means none is missing; otherwise (compressed, Parquet: from
    // metadata, a PatentsView join, or fewer rows than lines) the rows are counted by DuckDB. A short stream
    // is re-run materialised to report DuckDB's error.
    const lines = o.mapping.source === "patentsview" ? null : dataLineCount(file);
    const countRows = async (): Promise<number> => Number((await conn.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0]![0]);
    let total = lines ?? (await countRows());
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
    const regionDict = new HashDict();
    const appDict = new HashDict();
    /**
     * Trimmed id bytes → the row's kept index (≥ 0), or −2 − data row for a dropped row (every row: duplicates
     * are found here, and citations resolved without a second row → kept-index lookup).
     */
    const idIndex = new IdBytes(Math.max(1024, total));
    const citeOff = new GrowInt32(cCited !== undefined ? total + 1 : 0);
    if (cCited !== undefined) citeOff.push(0);
    const target = new GrowInt32(cCited !== undefined ? Math.max(1024, total * 4) : 0);
    /** Citations not resolved in the pass (an id not seen yet, or not in the table): position in target, and the id's bytes. */
    const deferred = new GrowInt32(cCited !== undefined ? 1024 : 0);
    let deferredBytes = new Uint8Array(cCited !== undefined ? 1 << 16 : 0);
    const deferredOff = new GrowInt32(cCited !== undefined ? 1024 : 0);
    if (cCited !== undefined) deferredOff.push(0);
    let unknown = 0;
    const pieces = new IpcPieces({ level: o.level, onBadIpc: o.onBadIpc, file: name, column: cIpc });
    const codes = pieces.codes;
    // Cited ids are looked up in batches (IdBytes.getBatch: in slot order): per batched citation its position
    // in target, its hash and its bytes. A citation whose id is not in the index when its batch is resolved
    // (a later row's id, or not in the table) is deferred to the end of the pass.
    const BATCH = cCited !== undefined ? Math.min(1 << 21, Math.max(1 << 12, 2 * total)) : 0;
    const defer = (b: Uint8Array, a: number, e: number, pos: number): void => {
      deferred.push(pos);
      const len = e - a;
      const at = deferredOff.buf[deferredOff.len - 1]!;
      if (at + len > deferredBytes.length) {
        const nb = new Uint8Array(Math.max(deferredBytes.length * 2, at + len));
        nb.set(deferredBytes.subarray(0, at));
        deferredBytes = nb;
      }
      deferredBytes.set(b.subarray(a, e), at);
      deferredOff.push(at + len);
    };
    /** Resolve the batched citations (tag = position in target): the kept index of the cited row (−1 = a dropped row, counted unknown), or deferred. */
    const flush = (): void => {
      batch.resolve(idIndex);
      const t = target.buf;
      const { out, tag, off, bytes } = batch;
      for (let j = 0; j < batch.len; j++) {
        const k = out[j]!;
        if (k >= 0) t[tag[j]!] = k;
        else if (k !== -1) {
          unknown++;
          t[tag[j]!] = -1;
        } else defer(bytes, off[j]!, off[j + 1]!, tag[j]!);
      }
      batch.clear();
    };
    const batch = new IdBatch(BATCH, flush);
    /** One cited id (bytes b[a, e), trimmed, non-empty) of the current kept row. */
    const cite = (b: Uint8Array, a: number, e: number): void => {
      batch.push(b, a, e, target.len);
      target.push(-1);
    };
    let dropped = 0;
    let row = 0;
    const span = new Int32Array(2);
    /** Consume the rows of a chunk synchronously (a hot loop without awaits); returns the duplicate-id error, if any. */
    const consume = (chunk: DuckDBDataChunk): { first: number; id: string } | null => {
      const nr = chunk.rowCount;
      const vIdB = varcharView(chunk.getColumnVector(0));
      const vDate = chunk.getColumnVector(1);
      const vDateB = varcharView(vDate);
      const iv = ipcVectors(chunk, 2);
      const regH = cRegion !== undefined ? hashHalves(chunk.getColumnVector(5)) : null;
      const regC = cRegion !== undefined ? uint32Items(chunk.getColumnVector(6)) : null;
      const regT = chunk.getColumnVector(7);
      const appH = cApp !== undefined ? hashHalves(chunk.getColumnVector(8)) : null;
      const appC = cApp !== undefined ? uint32Items(chunk.getColumnVector(9)) : null;
      const appT = chunk.getColumnVector(10);
      const lvCited = cCited !== undefined ? (chunk.getColumnVector(11) as DuckDBListVector) : null;
      const entCited = lvCited ? listEntries(lvCited) : null;
      const vCitedB = lvCited ? varcharView(lvCited.childVector) : null;
      const uId = varcharBytes(vIdB);
      const uDate = varcharBytes(vDateB);
      const uCited = vCitedB ? varcharBytes(vCitedB) : null;
      const at = span;
      for (let i = 0; i < nr; i++) {
        const idb = trimmedItem(vIdB, uId, i, at);
        const a = at[0]!;
        const e = at[1]!;
        if (a === e) throw inputError("empty id", { file: name, row: row + 1, column: cId });
        const first = idIndex.setIfAbsent(idb, a, e, row);
        if (first !== -1) return { first: (first >= 0 ? sourceRow.buf[first]! : -2 - first) + 1, id: decodeUtf8(idb.subarray(a, e)) };
        row++;
        const dt = filingDateAt(vDate, vDateB, uDate, i, at, cDate, cYear, name, row);
        const y = Math.floor(dt / 10000);
        const kept = pieces.rowCodes(iv, i, row, codeIdx) > 0;
        idIndex.setLast(kept ? sourceRow.len : -2 - (row - 1));
        if (!kept) {
          dropped++;
          continue;
        }
        codeOff.push(codeIdx.len);
        sourceRow.push(row - 1);
        years.push(y);
        if (cDate !== undefined) dates.push(dt);
        if (regH) regions.push(regionDict.get(regH[2 * i]!, regH[2 * i + 1]!, regC![i]!, regT, i));
        if (appH) apps.push(appDict.get(appH[2 * i]!, appH[2 * i + 1]!, appC![i]!, appT, i));
        if (wantIds) ids.push(decodeUtf8(idb.subarray(a, e)));
        if (vCitedB) {
          // The pieces DuckDB split, trimmed (trimmedItem); empty pieces dropped.
          forEachCited(entCited!, vCitedB, uCited!, i, at, cite);
          citeOff.push(target.len);
        }
      }
      return null;
    };
    // The next chunk is requested before this one is consumed: DuckDB computes it (in a worker thread) while
    // the JS loop runs, instead of the two taking turns. Each fetched chunk is its own object, so the one
    // being consumed stays valid. Before anything else is done with the connection (an error, a query for
    // a message, closing) the request in flight is awaited.
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
        const dup = consume(chunk);
        if (dup) {
          await settle();
          if (o.mapping.source === "patentsview") throw await patentsViewDuplicate(conn, file, dup.id);
          throw inputError(`duplicate id '${printable(dup.id)}' (also at row ${dup.first}); ids must be unique`, { file: name, row: row + 1, column: cId });
        }
      }
    } finally {
      await settle();
    }
    if (batch.len > 0) flush();
    if (row !== total && lines !== null && row < lines) total = await countRows();
    if (row !== total) {
      await conn.run(mainSql).catch((e: unknown) => {
        throw inputError(`could not read the file: ${String(e instanceof Error ? e.message : e).split("\n")[0]}`, { file: name });
      });
      throw new Error(`internal: DuckDB returned ${row} of ${total} rows`);
    }
    if (row === 0) throw inputError("no data rows", { file: name });
    const rowsKept = sourceRow.done();
    let cited: CitationLinks | undefined;
    if (cCited !== undefined) {
      // The citations to ids not seen when their row was read: a later row's id, or not in the table.
      const t = target.buf;
      const dOff = deferredOff.buf;
      for (let k = 0; k < deferred.len; k++) {
        const r = idIndex.get(deferredBytes, dOff[k]!, dOff[k + 1]!);
        const v = r >= 0 ? r : -1;
        if (v < 0) unknown++;
        t[deferred.buf[k]!] = v;
      }
      cited = { offsets: citeOff.done(), target: target.done(), unknown };
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
      badIpc: pieces.badIpc,
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
    ? inputError(`DuckDB failed internally while reading the file (${first}); check the file's encoding (UTF-8) and format, and please report this input`, {
        file,
      })
    : inputError(`could not read the file: ${m[1]}: ${first}`, { file });
}

/**
 * The error for a patent_id repeated in a PatentsView folder's join: the table that lists it twice (g_patent,
 * g_application; rows are 1-based data rows of that file), else the folder.
 */
export async function patentsViewDuplicate(conn: DuckDBConnection, dir: string, id: string): Promise<Error> {
  for (const [stem, why] of [
    ["g_patent", ""],
    ["g_application", " (one filing per patent)"],
  ] as const) {
    const f = findTable(dir, stem);
    if (!f) continue;
    const res = await conn.runAndReadAll(
      `SELECT r FROM (SELECT row_number() OVER () AS r, trim(CAST(patent_id AS VARCHAR)) AS id FROM ${tableExpr(f)}) WHERE id = ${sqlString(id)} ORDER BY r LIMIT 2`,
    );
    const rows = res.getRows().map((x) => Number(x[0]));
    if (rows.length === 2)
      return inputError(`duplicate id '${printable(id)}' (also at row ${rows[0]}); ids must be unique${why}`, {
        file: basename(f),
        row: rows[1],
        column: "patent_id",
      });
  }
  return inputError(
    `duplicate id '${printable(id)}' after joining the folder's tables (an assignee table listing the patent twice as first assignee?); ids must be unique`,
    { file: basename(dir), column: "patent_id" },
  );
}

/** The id of term `s` in (dict, vocabulary), appended if new: terms numbered in order of first appearance. */
export function internTerm(dict: Map<string, number>, vocabulary: string[], s: string): number {
  let id = dict.get(s);
  if (id === undefined) {
    id = vocabulary.length;
    dict.set(s, id);
    vocabulary.push(s);
  }
  return id;
}

/** The term corpus of a table at a level (codes truncated; distinct terms with counts). */
export function termCorpus(t: PatentTable, level: IpcLevel): TermCorpus {
  const termOfCode = new Int32Array(t.codes.length);
  const dict = new Map<string, number>();
  const vocabulary: string[] = [];
  t.codes.forEach((c, i) => {
    termOfCode[i] = internTerm(dict, vocabulary, ipcTerm(c, level)!);
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
    for (let j = s0; j < m;) {
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
