/**
 * Byte-level check of a text table (.csv, .tsv, optionally .gz) before DuckDB reads it (issue #14): DuckDB
 * reports invalid UTF-8 with its own line numbers and advice (`ignore_errors=true`), or, for some files,
 * fails internally with a C++ stack trace. Here one pass over the bytes (the file, or the decompressed
 * stream of a .gz) runs Node's SIMD `buffer.isUtf8` on 16 MB chunks cut at character boundaries and
 * `indexOf(0)` for NUL bytes — about 0.03 s per 100 MB from the page cache. Only when a problem is
 * found is the prefix re-read in JS to locate it: line, data row (CSV records: quoted newlines and `""`
 * respected, header = row 0) and column (header name). Every byte shown in a message is escaped.
 * Signatures checked first: gzip (1F 8B) in a file not named .gz, ZIP (an .xlsx), Parquet, UTF-16 BOMs.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import { createGunzip } from "node:zlib";
import { basename } from "node:path";
import { inputError, KeytechError, printable } from "../core/errors.js";

const CHUNK = 1 << 24;

/**
 * The byte chunks of a file (decompressed when gzip); a chunk is valid until the next one is requested.
 * `limit`: the first `limit` bytes only (plain files).
 */
async function* byteChunks(path: string, gz: boolean, chunk = CHUNK, limit = Infinity): AsyncGenerator<Buffer> {
  if (gz) {
    const stream = createReadStream(path, { highWaterMark: Math.min(chunk, 1 << 20) }).pipe(
      createGunzip({ chunkSize: Math.max(64, Math.min(chunk, 1 << 20)) }),
    );
    for await (const c of stream) yield c as Buffer;
    return;
  }
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(Math.min(chunk, Math.max(1, limit)));
    for (let left = limit; left > 0;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, left), null);
      if (n <= 0) return;
      left -= n;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Index of the first byte of `b` that starts no valid UTF-8 sequence (RFC 3629: no overlongs, surrogates or > U+10FFFF), or −1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    if (i + len > n) return i;
    const c1 = b[i + 1]!;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k < len; k++) {
      const ck = b[i + k]!;
      if (ck < 0x80 || ck > 0xbf) return i;
    }
    i += len;
  }
  return -1;
}

const hex = (x: number): string => "0x" + x.toString(16).toUpperCase().padStart(2, "0");

/** Bytes shown in a message: printable ASCII and valid UTF-8 as is, everything else as \xNN. */
function showBytes(b: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < b.length) {
    const bad = firstInvalidUtf8(b.subarray(i));
    const end = bad < 0 ? b.length : i + bad;
    out += printable(Buffer.from(b.subarray(i, end)).toString("utf8"));
    if (bad < 0) break;
    out += "\\x" + b[end]!.toString(16).toUpperCase().padStart(2, "0");
    i = end + 1;
  }
  return out;
}

interface Where {
  line: number;
  /** CSV record of the byte (0 = header). */
  record: number;
  field: number;
  header: string[];
  /** The bytes of the byte's line around it (at most 80 before, 40 after, newline excluded). */
  around: Uint8Array;
}

/** Locate a byte offset of the (decompressed) content: line, CSV record and field, the header names. */
async function locate(path: string, gz: boolean, offset: number): Promise<Where> {
  let line = 1;
  let record = 0;
  let field = 0;
  let inQuote = false;
  let delim = -1;
  const head: number[] = [];
  let pos = 0;
  let lineStart = 0;
  for await (const b of byteChunks(path, gz)) {
    const stop = Math.min(b.length, offset - pos);
    for (let i = 0; i < stop; i++) {
      const c = b[i]!;
      if (record === 0 && head.length < 1 << 16) head.push(c);
      if (c === 0x22) inQuote = !inQuote;
      else if (c === 0x0a) {
        line++;
        lineStart = pos + i + 1;
        if (!inQuote) {
          if (record === 0) delim = pickDelimiter(head, path);
          record++;
          field = 0;
        }
      } else if (!inQuote && record > 0 && c === delim) field++;
    }
    if (stop < b.length) {
      // The chunk holding the offset: the bytes of its line around it.
      const from = Math.max(0, lineStart - pos, offset - pos - 80);
      let to = offset - pos;
      while (to < b.length && to < offset - pos + 40 && b[to] !== 0x0a && b[to] !== 0x0d) to++;
      const header = record === 0 ? [] : headerNames(head, delim);
      return { line, record, field, header, around: Uint8Array.from(b.subarray(from, to)) };
    }
    pos += b.length;
  }
  return { line, record, field, header: record === 0 ? [] : headerNames(head, delim), around: new Uint8Array(0) };
}

/** The delimiter of a header line: tab for .tsv, else the most frequent of , \t ; | (comma on ties). */
function pickDelimiter(head: number[], path: string): number {
  if (/\.tsv(\.gz)?$/i.test(path)) return 0x09;
  let best = 0x2c;
  let bestN = head.filter((c) => c === 0x2c).length;
  for (const d of [0x09, 0x3b, 0x7c]) {
    const k = head.filter((c) => c === d).length;
    if (k > bestN) {
      best = d;
      bestN = k;
    }
  }
  return best;
}

function headerNames(head: number[], delim: number): string[] {
  const text = Buffer.from(head)
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .replace(/\r?\n$/, "");
  return text.split(String.fromCharCode(delim)).map((h) => h.trim().replace(/^"|"$/g, ""));
}

/** A likely source encoding from the bytes at an invalid UTF-8 position (a hint for the iconv line). */
function guessEncoding(b0: number, b1: number | undefined): string {
  // GBK / GB18030 two-byte characters: lead 0x81–0xFE, trail 0x40–0x7E or 0x80–0xFE.
  if (b0 >= 0x81 && b0 <= 0xfe && b1 !== undefined && ((b1 >= 0x40 && b1 <= 0x7e) || (b1 >= 0x80 && b1 <= 0xfe))) return "GB18030";
  return "CP1252";
}

/** name.csv → name.utf8.csv (the iconv output suggested in messages). */
function utf8Name(name: string): string {
  const m = /^(.*?)(\.(?:csv|tsv|txt))?(\.gz)?$/i.exec(name)!;
  return `${m[1]}.utf8${m[2] ?? ".csv"}`;
}

/** A located input error at a byte offset: row and column when the offset is in a data row. */
async function errorAt(path: string, name: string, gz: boolean, offset: number, what: (w: Where) => string): Promise<Error> {
  const w = await locate(path, gz, offset);
  const msg = what(w);
  if (w.record === 0) return inputError(msg.replace(/ at line \d+ \(byte offset (\d+)\)/, ` in the header (line ${w.line}, byte offset $1)`), { file: name });
  return inputError(msg, { file: name, row: w.record, column: w.header[w.field] });
}

/**
 * Check the bytes of a text table (see file comment); throws a located input error naming the file, row,
 * column, the offending byte(s) and the fix. `.gz` files are decompressed in the stream (a truncated or
 * non-gzip file is reported). Returns the number of (decompressed) bytes checked. `chunkBytes` (default
 * 16 MB) is the scan's chunk size (small values test the chunk boundaries). `upTo`: check only the file's
 * first `upTo` bytes (plain files; the caller cuts just after a newline, e.g. the header line's, and scans
 * the rest itself or later).
 */
export async function checkTextTable(
  path: string,
  name = basename(path),
  chunkBytes = CHUNK,
  headerHint = "id, ipc, date or year, …",
  upTo = Infinity,
): Promise<number> {
  const gz = /\.gz$/i.test(path);
  if (gz) upTo = Infinity;
  const size = statSync(path).size;
  // Signatures (the first bytes of the file itself).
  const fd = openSync(path, "r");
  const sig = Buffer.alloc(4);
  const ns = readSync(fd, sig, 0, 4, 0);
  closeSync(fd);
  const first = Array.from(sig.subarray(0, ns), hex).join(" ");
  if (gz) {
    if (!(sig[0] === 0x1f && sig[1] === 0x8b))
      throw inputError(
        `is not gzip data (first bytes ${first}) although its name ends in .gz: rename it without .gz if it is plain text, or compress it with gzip`,
        { file: name },
      );
  } else {
    if (sig[0] === 0x1f && sig[1] === 0x8b)
      throw inputError(
        `starts with the gzip signature 0x1F 0x8B: the file is compressed; name it ${name}.gz (keytech reads .csv.gz) or decompress it (gunzip)`,
        { file: name },
      );
    if (ns === 4 && sig.toString("latin1") === "PK\x03\x04")
      throw inputError(`starts with the ZIP signature "PK\\x03\\x04" (an Excel .xlsx workbook?): export the table as CSV (UTF-8), or unzip it`, { file: name });
    if (ns === 4 && sig.toString("latin1") === "PAR1")
      throw inputError(`starts with the Parquet signature "PAR1": name it with the .parquet extension`, { file: name });
  }
  let pos = 0;
  let carry: Buffer | null = null;
  let blank = true;
  let atStart = true;
  try {
    for await (const chunk of byteChunks(path, gz, chunkBytes, upTo)) {
      const b: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      const base = pos - (carry ? carry.length : 0);
      carry = null;
      if (atStart) {
        atStart = false;
        if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))
          throw inputError(
            `starts with a UTF-16 byte-order mark (${hex(b[0])} ${hex(b[1])}): re-encode it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8 ${name} > ${utf8Name(name)}`,
            { file: name },
          );
      }
      if (blank) {
        // a UTF-8 byte-order mark alone does not make the file non-empty
        for (let i = base === 0 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0; i < b.length; i++) {
          const c = b[i]!;
          if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
            blank = false;
            break;
          }
        }
      }
      // Cut before an incomplete trailing sequence (a lead byte within the last 4 bytes); it goes with the next chunk.
      let cut = b.length;
      for (let j = b.length - 1; j >= Math.max(0, b.length - 4); j--) {
        const c = b[j]!;
        if ((c & 0xc0) === 0x80) continue;
        if (c >= 0xc0) cut = j;
        break;
      }
      const body = b.subarray(0, cut);
      const nul = body.indexOf(0);
      const bad = isUtf8(body) ? -1 : firstInvalidUtf8(body);
      if (nul >= 0 && (bad < 0 || nul < bad)) {
        throw await errorAt(
          path,
          name,
          gz,
          base + nul,
          (w) => `a NUL byte (0x00) at line ${w.line} (byte offset ${base + nul}): this is binary data, not a text table; export the table as CSV (UTF-8)`,
        );
      }
      if (bad >= 0) {
        const off = base + bad;
        const b0 = body[bad]!;
        const b1 = bad + 1 < b.length ? b[bad + 1] : undefined;
        const enc = guessEncoding(b0, b1);
        const follow = b1 !== undefined && b1 >= 0x80 ? ` (followed by ${hex(b1)})` : "";
        throw await errorAt(
          path,
          name,
          gz,
          off,
          (w) =>
            `invalid UTF-8 byte ${hex(b0)}${follow} at line ${w.line} (byte offset ${off}) in "${showBytes(w.around)}"; the file must be UTF-8: re-encode it, e.g. iconv -f ${enc} -t UTF-8 ${name} > ${utf8Name(name)} (use the encoding the file was saved in: GB18030 for GBK/Chinese-locale exports, CP1252 or LATIN1 for Western ones)`,
        );
      }
      if (cut < b.length) carry = Buffer.from(b.subarray(cut));
      pos += chunk.length;
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (gz && (code === "Z_BUF_ERROR" || /unexpected end of file/.test(String((e as Error).message)))) {
      const line = await countLinesOfPrefix(path);
      throw inputError(
        `the gzip data ends early, after ${line.bytes} decompressed bytes (line ${line.lines}): the file is truncated; copy or download it again (gzip -t ${name} checks it)`,
        { file: name },
      );
    }
    if (gz && typeof code === "string" && code.startsWith("Z_"))
      throw inputError(
        `corrupt gzip data (${printable(String((e as Error).message))}, after ${pos} decompressed bytes): copy or download it again (gzip -t ${name} checks it)`,
        { file: name },
      );
    throw e;
  }
  if (carry) {
    const bad = firstInvalidUtf8(carry);
    if (bad >= 0) {
      const off = pos - carry.length + bad;
      throw await errorAt(
        path,
        name,
        gz,
        off,
        (w) =>
          `invalid UTF-8 byte ${hex(carry[bad]!)} at line ${w.line} (byte offset ${off}) in "${showBytes(w.around)}": the file ends inside a multi-byte character; re-encode it as UTF-8 or check that it is complete`,
      );
    }
  }
  if (blank)
    throw inputError(
      `the file is empty (${gz ? `${pos} decompressed bytes` : `${size} byte${size === 1 ? "" : "s"}`}, no header row); it needs a header line (${headerHint}) and data rows`,
      { file: name },
    );
  return pos;
}

/** Lines and bytes of a gzip file's decompressible prefix (for the truncation message). */
async function countLinesOfPrefix(path: string): Promise<{ lines: number; bytes: number }> {
  let lines = 1;
  let bytes = 0;
  try {
    for await (const b of byteChunks(path, true)) {
      bytes += b.length;
      for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) lines++;
    }
  } catch {
    // the truncation itself
  }
  return { lines, bytes };
}

/**
 * A .parquet file must start and end with "PAR1" (Parquet's magic bytes); otherwise stop naming what it
 * starts with (text → probably a CSV with the wrong extension; gzip) instead of DuckDB's "no magic bytes".
 */
export function checkParquetSignature(path: string, name = basename(path)): void {
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  const head = Buffer.alloc(4);
  const tail = Buffer.alloc(4);
  try {
    readSync(fd, head, 0, 4, 0);
    if (size >= 8) readSync(fd, tail, 0, 4, size - 4);
  } finally {
    closeSync(fd);
  }
  if (head.toString("latin1") === "PAR1" && tail.toString("latin1") === "PAR1" && size >= 12) return;
  if (head.toString("latin1") === "PAR1")
    throw inputError(`is not a complete Parquet file (${size} bytes, no closing "PAR1" footer): it is truncated; copy or write it again`, { file: name });
  const text =
    size > 0 &&
    isUtf8(head.subarray(0, Math.min(4, size))) &&
    head.subarray(0, Math.min(4, size)).every((b) => b >= 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);
  const first = Array.from(head.subarray(0, Math.min(4, size)), hex).join(" ");
  throw inputError(
    size === 0
      ? "is empty (0 bytes), not a Parquet file"
      : `is not a Parquet file (it starts with ${first}${text ? `, text "${showBytes(head.subarray(0, Math.min(4, size)))}…": a CSV named .parquet? rename it .csv` : head[0] === 0x1f && head[1] === 0x8b ? ": gzip data" : ""}); Parquet files start and end with "PAR1"`,
    { file: name },
  );
}

/**
 * A DuckDB error reading a .parquet file that means the file itself is damaged (its Thrift metadata, footer
 * length, pages or compression), as a keytech message saying so and what to do; null for other errors.
 */
export function damagedParquetError(e: unknown, name: string): KeytechError | null {
  if (e instanceof KeytechError || !(e instanceof Error)) return null;
  const m = /^(Invalid Error|Invalid Input Error|IO Error|Serialization Error|INTERNAL Error): ?(.*)$/m.exec(e.message);
  // Invalid Error / IO Error come from the file's bytes (Thrift, pages, buffers); other kinds only with these words
  if (
    !m ||
    !(
      /^(Invalid Error|IO Error|Serialization Error)$/.test(m[1]!) ||
      /TProtocolException|TType|don't know what type|Footer length|decompression|Could not read enough bytes|buffer|corrupt|Invalid data|Unsupported|page|Parquet|thrift|magic|out of range|encoding/i.test(
        m[2]!,
      )
    )
  )
    return null;
  // DuckDB's text names the file by its full path: drop it (the message names the file)
  const what = printable(
    m[2]!
      .replace(/Failed to read file "[^"]*":\s*/, "")
      .replace(/ (in|from) file ('[^']*'|"[^"]*")/, "")
      .trim()
      .slice(0, 160),
  );
  return inputError(
    `is a damaged Parquet file (DuckDB: ${what}): it was not completely or correctly written; write it again, or copy it again from its source`,
    { file: name },
  );
}
