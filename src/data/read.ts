/**
 * Read CSV and Parquet files through DuckDB into a typed `Table`, with checks that name the file, the
 * 1-based data row (header excluded) and the column of every bad value.
 *
 * CSV columns are read as text and converted in DuckDB (`TRY_CAST`), so a value that is not a number is
 * found with its row; rows arrive in file order (DuckDB's `preserve_insertion_order`) and are counted
 * here, so row numbers are record numbers even when quoted fields span lines. Numeric columns are copied
 * chunk by chunk from DuckDB's vectors into Float64Arrays: no per-row objects.
 *
 * Missing values: an empty cell, `NA`, `NaN`, `.` (Stata) or SQL NULL. They become NaN (numbers) or
 * null (text); dropping them is the caller's decision (see missing.ts), never done here.
 */
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import type { DuckDBConnection, DuckDBDataChunk, DuckDBVector } from "@duckdb/node-api";
import { inputError, KeytechError } from "../core/errors.js";
import { duckdbLoaded, loadDuckdb, openDuck, sqlIdent, sqlString, type Duck } from "./duck.js";
import { closestName } from "./suggest.js";
import { raggedRowError, readNumericCsv, readNumericCsvFast } from "./fast-csv.js";
import { findBareCr, findOpenQuote, findRaggedRow, scanQuoteCr } from "./csv-scan.js";
import { checkParquetSignature, checkTextTable, damagedParquetError } from "./precheck.js";
import type { Column, Table } from "./table.js";

/** number: must parse as a number; text: kept as strings; auto: numbers when every value parses, else text. */
export type ColumnType = "number" | "text" | "auto";

export interface ColumnRequest {
  /** column name in the file */
  column: string;
  /** name in the returned table (default: the file's name) */
  as?: string;
  type: ColumnType;
}

export type FileFormat = "csv" | "tsv" | "parquet";

const MISSING_TOKENS = ["", "NA", "NaN", "nan", "."];

/** The reader a file name implies, or an input error naming the supported extensions. */
export function fileFormat(path: string): FileFormat {
  const p = path.toLowerCase();
  if (/\.(csv|txt)(\.gz|\.zst)?$/.test(p)) return "csv";
  if (/\.tsv(\.gz|\.zst)?$/.test(p)) return "tsv";
  if (/\.(parquet|pq)$/.test(p)) return "parquet";
  const m = /(\.[^./\\]+)$/.exec(path);
  const ext = m ? `'${m[1]}'` : "(none)";
  throw inputError(`unsupported file type ${ext}; keytech reads .csv, .tsv, .txt (optionally .gz) and .parquet files — export the data to one of these`, {
    file: path,
  });
}

function sourceSql(path: string, fmt: FileFormat): string {
  if (fmt === "parquet") return `read_parquet(${sqlString(path)})`;
  const delim = fmt === "tsv" ? ", delim='\\t'" : "";
  return `read_csv(${sqlString(path)}, all_varchar=true, header=true${delim})`;
}

function checkFile(path: string): FileFormat {
  if (!existsSync(path)) throw inputError("file not found; check the path", { file: path });
  const st = statSync(path);
  if (st.isDirectory()) throw inputError("is a folder, not a data file", { file: path });
  const fmt = fileFormat(path);
  if (st.size === 0) throw inputError("the file is empty", { file: path });
  return fmt;
}

/**
 * Byte checks before DuckDB sees the file (issue #14): gzip/ZIP/Parquet signatures, a truncated or corrupt
 * .gz, NUL bytes and invalid UTF-8 (located by row and column), a file of blank lines; then the header: a
 * column name given twice is refused naming both positions (a reader would silently take the first).
 *
 * `deferScans`: the caller reads the file with the byte parser (fast-csv.ts) next, which accepts no double
 * quote and no bare CR in a data row. When the header's quotes close on its line and the header and the
 * file's trailing line ends have no stray CR (`plainEnds`),
 * the two whole-file scans for a quote never closed and a bare CR (`textChecks`) cannot find anything
 * if that parse succeeds, so they are left to the caller (`true` returned): it runs them only when the
 * parse declines or stops at a ragged row, which gives the same message, in the same precedence, as
 * running them here.
 */
async function precheck(path: string, fmt: FileFormat, deferScans = false): Promise<boolean> {
  if (fmt === "parquet") {
    checkParquetSignature(path, path);
    return false;
  }
  if (/\.zst$/i.test(path)) return false;
  // Deferring also the byte check (UTF-8, NUL) past the header line: the byte parser then sees every data byte
  // and reports any byte ≥ 0x80 or NUL (FastCsv.highBytes), so the whole-file scan runs only for such a file
  // or when the parse does not succeed (`byteScan`), before any other message, as here.
  const first = deferScans && isPlainText(path, fmt) ? firstBytes(path) : null;
  const head = first ? plainHeaderEnd(first) : -1;
  if (head > 0) await checkTextTable(path, path, undefined, HEADER_HINT, head);
  else await checkTextTable(path, path, undefined, HEADER_HINT);
  const names = headerFields(path, fmt);
  const emptyHeader = names.length === 1 && names[0] === "";
  const unique = new Set(names).size === names.length;
  const deferred = first !== null && !emptyHeader && unique && plainEnds(path, fmt, first);
  // not deferred after all: the rest of the byte check first, as before any header message
  if (head > 0 && !deferred) await checkTextTable(path, path, undefined, HEADER_HINT);
  if (emptyHeader)
    throw inputError("the first line (the header) is empty; it must name the columns, one per field (remove the blank line above the header)", { file: path });
  if (!deferred && isPlainText(path, fmt)) textChecks(path, path, fmt, names);
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    const j = seen.get(n);
    if (j !== undefined)
      throw inputError(`the header names this column twice (columns ${j + 1} and ${i + 1}); rename one of them so that every column has its own name`, {
        file: path,
        column: n,
      });
    seen.set(n, i);
  });
  return deferred;
}

const HEADER_HINT = "one name per column";

/** The file's first 64 KiB (or all of it), read once for `plainHeaderEnd` and `plainEnds`. */
function firstBytes(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.allocUnsafe(Math.min(fstatSync(fd).size, 1 << 16));
    return b.subarray(0, readSync(fd, b, 0, b.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Bytes up to and including the first newline when that line (the header) holds a byte other than space,
 * tab or CR (so the file is not blank) within `first` (the first 64 KiB); else −1 (check the whole file at once).
 */
function plainHeaderEnd(first: Buffer): number {
  const nl = first.indexOf(10);
  if (nl < 0) return -1;
  for (let i = 0; i < nl; i++) {
    const c = first[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return nl + 1;
  }
  return -1;
}

/**
 * True when the header line's quotes all close on it (read as `findOpenQuote` reads them, RFC 4180, and as
 * `findBareCr` counts them: an even number) and it has no CR but the one before its newline, and the run of
 * CR/LF bytes that ends the file holds no CR followed by anything but LF (the byte parser drops that run;
 * `findBareCr` would flag such a CR): then neither scan reports anything in the header or the file's end,
 * and both leave the header in the state of a plain one. False when it cannot be told from the first
 * (`b`, from `firstBytes`) and last 64 KiB.
 */
function plainEnds(path: string, fmt: FileFormat, b: Buffer): boolean {
  const nl = b.indexOf(10);
  if (nl < 0) return false;
  const d = fmt === "tsv" ? 9 : 44;
  let quotes = 0,
    inQ = false,
    pending = false,
    fieldStart = true;
  for (let i = 0; i < nl; i++) {
    const c = b[i]!;
    if (c === 13 && i !== nl - 1) return false;
    if (c === 34) quotes++;
    if (pending) {
      pending = false;
      if (c === 34) continue;
      inQ = false;
    }
    if (inQ) {
      if (c === 34) pending = true;
      continue;
    }
    if (c === 13) continue;
    if (c === d) {
      fieldStart = true;
      continue;
    }
    if (c === 34 && fieldStart) inQ = true;
    fieldStart = false;
  }
  if ((inQ && !pending) || quotes % 2 !== 0) return false;
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.allocUnsafe(Math.min(size, 1 << 16));
    const from = Math.max(0, size - tail.length);
    const got = readSync(fd, tail, 0, size - from, from);
    let k = got;
    while (k > 0 && (tail[k - 1] === 10 || tail[k - 1] === 13)) k--;
    if (k === 0) return false;
    for (let i = k; i < got - 1; i++) if (tail[i] === 13 && tail[i + 1] !== 10) return false;
    return true;
  } finally {
    closeSync(fd);
  }
}

/** The header's field names (quotes respected, BOM and CR removed, trimmed); a .gz is decompressed in part. */
function headerFields(path: string, fmt: FileFormat): string[] {
  const fd = openSync(path, "r");
  let b: Buffer;
  try {
    const raw = Buffer.allocUnsafe(1 << 18);
    const got = readSync(fd, raw, 0, raw.length, 0);
    b = raw.subarray(0, got);
  } finally {
    closeSync(fd);
  }
  if (/\.gz$/i.test(path)) {
    try {
      b = gunzipSync(b, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return [];
    }
  }
  const d = fmt === "tsv" ? 9 : 44;
  const out: string[] = [];
  let cur: number[] = [];
  let q = false;
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  for (; i < b.length; i++) {
    const c = b[i]!;
    if (q) {
      if (c === 34) {
        if (b[i + 1] === 34) {
          cur.push(34);
          i++;
        } else q = false;
      } else cur.push(c);
      continue;
    }
    if (c === 34) q = true;
    else if (c === d) {
      out.push(Buffer.from(cur).toString("utf8").trim());
      cur = [];
    } else if (c === 10) break;
    else if (c !== 13) cur.push(c);
  }
  if (i >= b.length && q) return [];
  out.push(Buffer.from(cur).toString("utf8").trim());
  return out;
}

/** Quote and line-end checks of a plain delimited file `scan`, reported as file `name`. */
function textChecks(scan: string, name: string, fmt: FileFormat, names: string[]): void {
  const pre = scanQuoteCr(scan);
  if (!pre.quote && !pre.bareCr) return; // neither scan below can find anything
  const cr = findBareCr(scan, fmt === "tsv" ? "\t" : ",");
  if (cr) {
    const col = names[cr.field];
    throw inputError(
      `a carriage return (\\r) not followed by a newline ${cr.row === 0 ? "in the header" : "inside this row"}; line ends must be LF or CRLF — remove the stray CR, or re-save the file with Unix or Windows line ends`,
      cr.row === 0 ? { file: name } : { file: name, row: cr.row, ...(col !== undefined ? { column: col } : {}) },
    );
  }
  const q = findOpenQuote(scan, fmt === "tsv" ? "\t" : ",");
  if (q) {
    const loc = q.row === 0 ? { file: name } : { file: name, row: q.row, ...(names[q.field] !== undefined ? { column: names[q.field]! } : {}) };
    throw inputError(
      `${q.row === 0 ? "the header has" : "this cell opens"} a double quote that is never closed, so the rest of the file would be read as one value; close the quote, or double it ("") if it is part of the text`,
      loc,
    );
  }
}

/**
 * After DuckDB failed on a .gz: decompress it to a scratch file and run the located checks there (ragged
 * row, open quote, bare CR), so that the message names the row instead of DuckDB's sniffer.
 */
function diagnoseGzip(path: string, fmt: FileFormat): void {
  if (!/\.gz$/i.test(path)) return;
  const dir = mkdtempSync(join(tmpdir(), "keytech-gz-"));
  try {
    const tmp = join(dir, "data.csv");
    writeFileSync(tmp, gunzipSync(readFileSync(path)));
    textChecks(tmp, path, fmt, headerFields(path, fmt));
    const r = findRaggedRow(tmp, fmt === "tsv" ? "\t" : ",");
    if (r) throw raggedRowError(path, r.row, r.expected, r.found, fmt === "tsv" ? "\t" : ",");
  } catch (e) {
    if (e instanceof KeytechError) throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Described {
  names: string[];
  types: string[];
}

async function describe(duck: Duck, path: string, fmt: FileFormat): Promise<Described> {
  let rows: Record<string, unknown>[];
  try {
    const r = await duck.con.runAndReadAll(`DESCRIBE SELECT * FROM ${sourceSql(path, fmt)}`);
    rows = r.getRowObjectsJS() as Record<string, unknown>[];
  } catch (e) {
    checkRagged(path, fmt);
    diagnoseGzip(path, fmt);
    throw (fmt === "parquet" ? damagedParquetError(e, path) : null) ?? inputError(`could not read the file: ${firstLine(e)}`, { file: path });
  }
  // DuckDB's sniffer settles on fewer columns than the header has when a row is ragged
  if (fmt !== "parquet" && rows.length < headerFieldCount(path, fmt)) checkRagged(path, fmt);
  return { names: rows.map((r) => String(r.column_name)), types: rows.map((r) => String(r.column_type)) };
}

function isPlainText(path: string, fmt: FileFormat): boolean {
  return fmt !== "parquet" && /\.(csv|tsv|txt)$/i.test(path);
}

/** Fields in the header line (quotes respected), or 0 when it cannot be told cheaply. */
function headerFieldCount(path: string, fmt: FileFormat): number {
  if (!isPlainText(path, fmt)) return 0;
  const fd = openSync(path, "r");
  try {
    const b = Buffer.allocUnsafe(1 << 16);
    const got = readSync(fd, b, 0, b.length, 0);
    const nl = b.indexOf(10);
    if (nl < 0 || nl >= got) return 0;
    const d = fmt === "tsv" ? 9 : 44;
    let f = 1,
      q = false;
    for (let i = 0; i < nl; i++) {
      if (b[i] === 34) q = !q;
      else if (!q && b[i] === d) f++;
    }
    return f;
  } finally {
    closeSync(fd);
  }
}

/** Throw our message for the first ragged row of a plain CSV/TSV file, if there is one. */
function checkRagged(path: string, fmt: FileFormat): void {
  if (!isPlainText(path, fmt)) return;
  const delim = fmt === "tsv" ? "\t" : ",";
  const r = findRaggedRow(path, delim);
  if (r) throw raggedRowError(path, r.row, r.expected, r.found, delim);
}

/**
 * After DuckDB failed on a delimited text file (plain or .gz): throw the located reason (a bare CR, a quote
 * never closed, a ragged row) if there is one, with the file called `name`; return when none is found.
 */
export function diagnoseDelimited(path: string, name = path): void {
  const fmt = fileFormat(path);
  if (fmt === "parquet") return;
  if (/\.gz$/i.test(path)) return diagnoseGzip(path, fmt);
  if (!isPlainText(path, fmt)) return;
  textChecks(path, name, fmt, headerFields(path, fmt));
  const delim = fmt === "tsv" ? "\t" : ",";
  const r = findRaggedRow(path, delim);
  if (r) throw raggedRowError(name, r.row, r.expected, r.found, delim);
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0]!.trim();
}

/** Column names of a CSV/Parquet file (in file order). */
export async function listColumns(path: string): Promise<string[]> {
  const fmt = checkFile(path);
  await precheck(path, fmt);
  const duck = await openDuck();
  try {
    return (await describe(duck, path, fmt)).names;
  } finally {
    duck.close();
  }
}

/** The error for a requested column that the file does not have: lists the columns and suggests the closest. */
export function missingColumnError(file: string, column: string, have: string[]): Error {
  const near = closestName(column, have);
  const hint = near ? `; did you mean '${near}'?` : "";
  return inputError(`no such column; the file has: ${have.join(", ")}${hint}`, { file, column });
}

const NUMERIC_TYPES = /^(DOUBLE|FLOAT|REAL|INTEGER|BIGINT|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|UHUGEINT|BOOLEAN|DECIMAL.*)$/;

interface Plan {
  req: ColumnRequest;
  name: string;
  /** expression giving a DOUBLE (NaN when missing or unparsable) */
  value: string;
  /** true when non-missing and not a number */
  bad: string;
  /** true when ±Inf */
  inf: string;
  raw: string;
  nativeNumeric: boolean;
}

function planColumn(req: ColumnRequest, type: string): Plan {
  const c = sqlIdent(req.column);
  const name = req.as ?? req.column;
  if (NUMERIC_TYPES.test(type)) {
    const v = `CAST(${c} AS DOUBLE)`;
    return { req, name, value: `COALESCE(${v}, 'NaN'::DOUBLE)`, bad: "false", inf: `isinf(${v})`, raw: `CAST(${c} AS VARCHAR)`, nativeNumeric: true };
  }
  const raw = `trim(CAST(${c} AS VARCHAR))`;
  const miss = `(${c} IS NULL OR ${raw} IN (${MISSING_TOKENS.map(sqlString).join(", ")}))`;
  const v = `TRY_CAST(${raw} AS DOUBLE)`;
  return {
    req,
    name,
    value: `CASE WHEN ${miss} THEN 'NaN'::DOUBLE ELSE COALESCE(${v}, 'NaN'::DOUBLE) END`,
    bad: `(NOT ${miss} AND ${v} IS NULL)`,
    inf: `(NOT ${miss} AND isinf(${v}))`,
    raw,
    nativeNumeric: false,
  };
}

function textExpr(req: ColumnRequest, type: string): string {
  const c = sqlIdent(req.column);
  const raw = `trim(CAST(${c} AS VARCHAR))`;
  if (NUMERIC_TYPES.test(type)) return `CAST(${c} AS VARCHAR)`;
  return `CASE WHEN ${c} IS NULL OR ${raw} IN (${MISSING_TOKENS.map(sqlString).join(", ")}) THEN NULL ELSE ${raw} END`;
}

function doubles(v: DuckDBVector): Float64Array {
  if (!(v instanceof duckdbLoaded().DuckDBDoubleVector)) throw new Error("internal: expected a DOUBLE vector");
  return (v as unknown as { items: Float64Array }).items;
}

/**
 * Run a query and hand its chunks, in order, to `onChunk` (after `onStart(rowCount)`). The result is
 * materialised (`run`, not `stream`): a streaming DuckDB result ends silently at an error (the C API's
 * fetch returns no chunk), which would truncate the data without a word; a materialised query rejects
 * with the error instead. Its chunks are then read synchronously, and the row count is known up front,
 * so columns are allocated once at their final size.
 */
async function streamChunks(
  duck: Duck,
  sql: string,
  file: string,
  onChunk: (chunk: DuckDBDataChunk, offset: number) => void,
  onStart: (rows: number) => void = () => {},
): Promise<number> {
  const res = await duck.con.run(sql).catch((e: unknown) => {
    checkRagged(file, fileFormat(file));
    diagnoseGzip(file, fileFormat(file));
    throw inputError(`could not read the file: ${firstLine(e)}`, { file });
  });
  const rows = res.rowCount;
  onStart(rows);
  let offset = 0;
  const nc = res.chunkCount;
  for (let c = 0; c < nc; c++) {
    const chunk = res.getChunk(c);
    if (chunk.rowCount === 0) continue;
    onChunk(chunk, offset);
    offset += chunk.rowCount;
  }
  if (offset !== rows) throw new Error(`internal: DuckDB returned ${offset} of ${rows} rows`);
  return offset;
}

/** Read text columns (missing tokens → null) in one query; returns the values and the row count. */
async function readTextColumns(
  duck: Duck,
  texts: ColumnRequest[],
  typeOf: Map<string, string>,
  src: string,
  path: string,
): Promise<{ outs: (string | null)[][]; rows: number }> {
  const outs = texts.map(() => [] as (string | null)[]);
  const rows = await streamChunks(duck, `SELECT ${texts.map((r) => textExpr(r, typeOf.get(r.column)!)).join(", ")} FROM ${src}`, path, (chunk) => {
    const m = chunk.rowCount;
    for (let k = 0; k < texts.length; k++) {
      const v = chunk.getColumnVector(k);
      const o = outs[k]!;
      for (let j = 0; j < m; j++) o.push(v.getItem(j) as string | null);
    }
  });
  return { outs, rows };
}

/** Fixed-size column filled chunk by chunk. */
class ColumnBuffer {
  buf = new Float64Array(0);
  n = 0;
  alloc(rows: number): void {
    this.buf = new Float64Array(rows);
  }
  push(src: Float64Array): void {
    this.buf.set(src, this.n);
    this.n += src.length;
  }
  done(): Float64Array {
    return this.buf;
  }
}

/** Copy the NaN-coded DOUBLE vectors of a chunk into growable buffers; false when a value is ±Inf. */
function pushFinite(chunk: DuckDBDataChunk, bufs: ColumnBuffer[]): boolean {
  for (let k = 0; k < bufs.length; k++) {
    const v = doubles(chunk.getColumnVector(k));
    for (let j = 0; j < v.length; j++) if (v[j] === Infinity || v[j] === -Infinity) return false;
    bufs[k]!.push(v);
  }
  return true;
}

/**
 * Fast path for CSV: DuckDB parses the numeric columns itself (`types = {col: DOUBLE}`, missing tokens as
 * NULL). Returns null on any parse error or ±Inf, so that the precise path finds and names the bad cell.
 */
async function fastCsv(duck: Duck, path: string, fmt: FileFormat, columns: ColumnRequest[]): Promise<Table | null> {
  const strict = [...new Set(columns.filter((r) => r.type === "number").map((r) => r.column))];
  const delim = fmt === "tsv" ? ", delim='\\t'" : "";
  const types = strict.length ? `, types={${strict.map((c) => `${sqlString(c)}: 'DOUBLE'`).join(", ")}}` : "";
  const src = `read_csv(${sqlString(path)}, header=true${delim}, nullstr=[${MISSING_TOKENS.map(sqlString).join(", ")}]${types})`;
  let typeOf: Map<string, string>;
  try {
    const r = await duck.con.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
    const rows = r.getRowObjectsJS() as Record<string, unknown>[];
    typeOf = new Map(rows.map((x) => [String(x.column_name), String(x.column_type)]));
  } catch {
    return null;
  }
  const nums = columns.filter((r) => r.type === "number" || (r.type === "auto" && NUMERIC_TYPES.test(typeOf.get(r.column) ?? "")));
  const texts = columns.filter((r) => !nums.includes(r));
  const cols = new Map<string, Column>();
  let nrows: number;
  try {
    // one query (one parse of the file): the numeric columns as DOUBLE vectors, then the text columns
    const sel = [...nums.map((r) => `COALESCE(CAST(${sqlIdent(r.column)} AS DOUBLE), 'NaN'::DOUBLE)`), ...texts.map((r) => textExpr(r, typeOf.get(r.column)!))];
    const bufs = nums.map(() => new ColumnBuffer());
    const outs = texts.map(() => [] as (string | null)[]);
    const nn = nums.length;
    let finite = true;
    nrows = await streamChunks(
      duck,
      `SELECT ${sel.length ? sel.join(", ") : "0::DOUBLE"} FROM ${src}`,
      path,
      (chunk) => {
        if (finite && !pushFinite(chunk, bufs)) finite = false;
        const m = chunk.rowCount;
        for (let k = 0; k < outs.length; k++) {
          const v = chunk.getColumnVector(nn + k);
          const o = outs[k]!;
          for (let j = 0; j < m; j++) o.push(v.getItem(j) as string | null);
        }
      },
      (rows) => bufs.forEach((b) => b.alloc(rows)),
    );
    if (!finite) return null;
    nums.forEach((r, k) => cols.set(r.as ?? r.column, { kind: "num", source: r.column, values: bufs[k]!.done() }));
    texts.forEach((r, k) => cols.set(r.as ?? r.column, { kind: "str", source: r.column, values: outs[k]! }));
  } catch {
    return null;
  }
  if (nrows === 0) throw inputError("the file has a header but no data rows", { file: path });
  const ordered = new Map<string, Column>();
  for (const r of columns) ordered.set(r.as ?? r.column, cols.get(r.as ?? r.column)!);
  return { file: path, nrows, columns: ordered, rowNumbers: null };
}

/**
 * Read the requested columns of a CSV/Parquet file. Errors: file not found, unsupported extension,
 * empty file, header without rows, missing column (with the closest name), a value that is not a
 * number in a numeric column, ±Inf — each naming the file, data row and column.
 */
export async function readTable(
  path: string,
  columns: ColumnRequest[],
  opts: {
    /** duckdb: skip the byte parser (fast-csv.ts) */
    engine?: "auto" | "duckdb";
    /** run the whole-file quote / bare-CR scans before the byte parser, as before they were deferred (tests) */
    scansFirst?: boolean;
  } = {},
): Promise<Table> {
  const fmt = checkFile(path);
  const byteParser =
    (opts.engine ?? "auto") === "auto" &&
    (fmt === "csv" || fmt === "tsv") &&
    /\.(csv|tsv|txt)$/i.test(path) &&
    columns.length > 0 &&
    columns.every((r) => r.type !== "text");
  const deferred = await precheck(path, fmt, byteParser && !opts.scansFirst);
  // the byte check and the quote / bare-CR scans precheck left to us (see there), in its order: run when the
  // byte parser does not succeed; the byte check alone when it succeeded on a file that is not plain ASCII
  const byteScan = () => checkTextTable(path, path, undefined, HEADER_HINT);
  const scans = async () => {
    if (!deferred) return;
    await byteScan();
    textChecks(path, path, fmt, headerFields(path, fmt));
  };
  if (byteParser) {
    const want = [...new Set(columns.map((r) => r.column))];
    const delim = fmt === "tsv" ? "\t" : ",";
    let fast;
    try {
      // worker threads unavailable or failing: the same parse on this thread (input errors pass through)
      fast = await readNumericCsv(path, want, delim).catch((e: unknown) => {
        if (e instanceof KeytechError) throw e;
        return readNumericCsvFast(path, want, delim);
      });
    } catch (e) {
      await scans();
      throw e;
    }
    if (!fast || fast.nrows === 0) await scans();
    else {
      if (deferred && fast.highBytes) await byteScan();
      const cols = new Map<string, Column>();
      const used = new Set<string>();
      for (const r of columns) {
        const v = fast.values.get(r.column)!;
        cols.set(r.as ?? r.column, { kind: "num", source: r.column, values: used.has(r.column) ? v.slice() : v });
        used.add(r.column);
      }
      return { file: path, nrows: fast.nrows, columns: cols, rowNumbers: null };
    }
  }
  const duck = await openDuck();
  try {
    const desc = await describe(duck, path, fmt);
    const typeOf = new Map(desc.names.map((n, i) => [n, desc.types[i]!]));
    // DuckDB names fields it cannot read a name for column0, column1, …: list the header as written
    const have = (): string[] => {
      const h = fmt === "parquet" ? [] : headerFields(path, fmt);
      return h.length ? h.map((x) => (x === "" ? "(empty)" : x)) : desc.names;
    };
    for (const r of columns) if (!typeOf.has(r.column)) throw missingColumnError(path, r.column, have());
    if (fmt !== "parquet") {
      const fast = await fastCsv(duck, path, fmt, columns);
      if (fast) return fast;
    }
    const src = sourceSql(path, fmt);

    const numPlans: Plan[] = [];
    const textReqs: ColumnRequest[] = [];
    for (const r of columns) {
      if (r.type === "text") textReqs.push(r);
      else numPlans.push(planColumn(r, typeOf.get(r.column)!));
    }
    const cols = new Map<string, Column>();
    const autoText: ColumnRequest[] = [];
    let nrows = 0;
    if (numPlans.length > 0 || textReqs.length === 0) {
      const strict = numPlans.map((p, k) => ({ p, k })).filter(({ p }) => p.req.type === "number");
      const badCode = strict.length
        ? `CASE ${strict.map(({ p, k }) => `WHEN ${p.bad} THEN ${k + 1} WHEN ${p.inf} THEN ${-(k + 1)}`).join(" ")} ELSE 0 END`
        : "0";
      const badRaw = strict.length ? `CASE ${strict.map(({ p }) => `WHEN ${p.bad} OR ${p.inf} THEN ${p.raw}`).join(" ")} END` : "NULL";
      const autos = numPlans.map((p, k) => ({ p, k })).filter(({ p }) => p.req.type === "auto");
      const autoFlags = autos.map(({ p }) => `(CASE WHEN ${p.bad} THEN 1 ELSE 0 END)::DOUBLE`);
      const autoInf = autos.map(({ p }) => `(CASE WHEN ${p.inf} THEN 1 ELSE 0 END)::DOUBLE`);
      const sel = [...numPlans.map((p) => p.value), `(${badCode})::DOUBLE`, `${badRaw}::VARCHAR`, ...autoFlags, ...autoInf];
      const bufs = numPlans.map(() => new ColumnBuffer());
      const autoIsText = autos.map(() => false);
      const np = numPlans.length;
      nrows = await streamChunks(
        duck,
        `SELECT ${sel.join(", ")} FROM ${src}`,
        path,
        (chunk, offset) => {
          for (let k = 0; k < np; k++) bufs[k]!.push(doubles(chunk.getColumnVector(k)));
          const bad = doubles(chunk.getColumnVector(np));
          for (let j = 0; j < bad.length; j++) {
            if (bad[j] !== 0) {
              const code = bad[j]!;
              const p = strict.find((s) => s.k === Math.abs(code) - 1)!.p;
              const raw = String(chunk.getColumnVector(np + 1).getItem(j));
              const loc = { file: path, row: offset + j + 1, column: p.req.column };
              if (code > 0) throw inputError(`'${raw}' is not a number; fix the value, or leave the cell empty (or NA) to mark it missing`, loc);
              throw inputError(`'${raw}' is infinite; keytech needs finite numbers (leave the cell empty or NA to mark it missing)`, loc);
            }
          }
          for (let a = 0; a < autos.length; a++) {
            if (autoIsText[a]) continue;
            const f = doubles(chunk.getColumnVector(np + 2 + a));
            for (let j = 0; j < f.length; j++)
              if (f[j] !== 0) {
                autoIsText[a] = true;
                break;
              }
            const fi = doubles(chunk.getColumnVector(np + 2 + autos.length + a));
            for (let j = 0; j < fi.length; j++)
              if (fi[j] !== 0) {
                autoIsText[a] = true;
                break;
              }
          }
        },
        (rows) => bufs.forEach((b) => b.alloc(rows)),
      );
      for (let k = 0; k < np; k++) {
        const p = numPlans[k]!;
        const a = autos.findIndex((x) => x.k === k);
        if (a >= 0 && autoIsText[a]) autoText.push(p.req);
        else cols.set(p.name, { kind: "num", source: p.req.column, values: bufs[k]!.done() });
      }
    }
    const texts = [...textReqs, ...autoText];
    if (texts.length > 0) {
      const { outs, rows: n2 } = await readTextColumns(duck, texts, typeOf, src, path);
      if (numPlans.length > 0 && n2 !== nrows) throw new Error("internal: row counts differ between passes");
      nrows = n2;
      texts.forEach((r, k) => cols.set(r.as ?? r.column, { kind: "str", source: r.column, values: outs[k]! }));
    }
    if (nrows === 0) throw inputError("the file has a header but no data rows", { file: path });
    // keep the requested order
    const ordered = new Map<string, Column>();
    for (const r of columns) ordered.set(r.as ?? r.column, cols.get(r.as ?? r.column)!);
    return { file: path, nrows, columns: ordered, rowNumbers: null };
  } finally {
    duck.close();
  }
}

function sqlPathLiteral(p: string): string {
  return "'" + p.replaceAll("'", "''") + "'";
}

function textSource(path: string): string {
  return /\.parquet$/i.test(path) ? `read_parquet(${sqlPathLiteral(path)})` : `read_csv(${sqlPathLiteral(path)}, header = true, all_varchar = true)`;
}

let shared: Promise<DuckDBConnection> | null = null;

/** One in-memory DuckDB connection for reading inputs (created on first use). */
function connection(): Promise<DuckDBConnection> {
  if (!shared)
    shared = loadDuckdb()
      .then((m) => m.DuckDBInstance.create(":memory:"))
      .then((i) => i.connect());
  return shared;
}

/** Column names of a CSV/Parquet file (header only). */
export async function fileColumns(path: string): Promise<string[]> {
  const con = await connection();
  const r = await con.runAndReadAll(`SELECT * FROM ${textSource(path)} LIMIT 0`);
  return r.columnNames();
}

/**
 * Read a whole CSV/Parquet table as text columns (every value as string or null), through one shared
 * in-memory DuckDB connection: the study's reader (it converts and checks the columns itself).
 */
export async function readTextTable(path: string): Promise<{ names: string[]; cols: (string | null)[][] }> {
  const con = await connection();
  const r = await con.runAndReadAll(`SELECT * FROM ${textSource(path)}`);
  const names = r.columnNames();
  const cols = r.getColumnsJS().map((c) => c.map((v) => (v === null || v === undefined ? null : String(v))));
  return { names, cols };
}
