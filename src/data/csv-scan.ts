/**
 * The byte loop of the fast numeric CSV reader: parse the lines of one byte range of a file into
 * Float64Arrays, numbers converted in place while scanning (no string or object per cell). A range
 * starts at the beginning of a line and ends just after a newline (or at the end of the file), so
 * ranges can be parsed independently, in worker threads, and concatenated.
 *
 * Numbers: a plain decimal `-?d*.d*` with at most 15 digits is m / 10^s with m < 10^15 and s ≤ 15, both
 * exact doubles, so one division gives the correctly rounded value (Clinger's fast path). Anything else
 * (exponents, `+`, spaces, longer mantissas, missing tokens) goes through `parseCell`. The scan stops
 * with "odd" at anything it does not handle (a quote, a blank line, a bare CR, a cell that is not a
 * number) — the caller then uses the general reader — and with "ragged" at a line whose number of
 * fields differs from the header's.
 */
import { closeSync, openSync, readSync } from "node:fs";

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

export const SCAN_OK = 0;
export const SCAN_ODD = 1;
export const SCAN_RAGGED = 2;

/** Parse bytes [a, b) as a number; NaN for a missing token (empty, NA, NaN, .); undefined when not a plain number. */
export function parseCell(bytes: Uint8Array, a: number, b: number): number | undefined {
  while (a < b && bytes[a] === 32) a++;
  while (b > a && bytes[b - 1] === 32) b--;
  if (a === b) return Number.NaN;
  const c0 = bytes[a]!;
  if (c0 === 78 /* N */) {
    if (b - a === 2 && bytes[a + 1] === 65) return Number.NaN; // NA
    if (b - a === 3 && bytes[a + 1] === 97 && bytes[a + 2] === 78) return Number.NaN; // NaN
    return undefined;
  }
  if (b - a === 1 && c0 === 46) return Number.NaN; // "."
  let i = a;
  let neg = false;
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45;
    i++;
  }
  let m = 0,
    digits = 0,
    scale = 0,
    sawDigit = false,
    slow = false;
  while (i < b) {
    const c = bytes[i]!;
    if (c < 48 || c > 57) break;
    sawDigit = true;
    if (digits < 15) {
      if (m !== 0 || c !== 48) digits++;
      m = m * 10 + (c - 48);
    } else {
      slow = true;
    }
    i++;
  }
  if (i < b && bytes[i] === 46) {
    i++;
    while (i < b) {
      const c = bytes[i]!;
      if (c < 48 || c > 57) break;
      sawDigit = true;
      if (digits < 15) {
        if (m !== 0 || c !== 48) digits++;
        m = m * 10 + (c - 48);
        scale--;
      } else if (c !== 48) slow = true;
      i++;
    }
  }
  if (!sawDigit) return undefined;
  let e = 0;
  if (i < b && (bytes[i] === 101 || bytes[i] === 69)) {
    i++;
    let eneg = false;
    if (i < b && (bytes[i] === 45 || bytes[i] === 43)) {
      eneg = bytes[i] === 45;
      i++;
    }
    const start = i;
    while (i < b && bytes[i]! >= 48 && bytes[i]! <= 57 && i - start < 6) e = e * 10 + (bytes[i++]! - 48);
    if (i === start) return undefined;
    if (eneg) e = -e;
  }
  if (i !== b) return undefined;
  const p = scale + e;
  let v: number;
  if (!slow && p >= -22 && p <= 22) v = p >= 0 ? m * POW10[p]! : m / POW10[-p]!;
  else {
    let s = "";
    for (let k = a; k < b; k++) s += String.fromCharCode(bytes[k]!);
    v = Number.parseFloat(s);
    return Number.isFinite(v) ? v : undefined;
  }
  return neg ? -v : v;
}

/** What to parse: `slot[f]` = output column of field f, or −1 to skip it; `nf` fields per line. */
export interface ScanSpec {
  nf: number;
  slot: Int32Array;
  /** number of output columns */
  nk: number;
  /** delimiter byte */
  delim: number;
}

export interface RangeResult {
  status: number;
  /** rows parsed (all rows of the range when status is OK) */
  rows: number;
  /** for RAGGED: 0-based line of the range and the number of fields found on it */
  raggedLine: number;
  raggedFields: number;
  /**
   * A byte ≥ 0x80 or a NUL was passed over in a field the scan does not convert (or in a non-plain numeric
   * cell): the range is not plain ASCII, so the caller's deferred UTF-8 / NUL check must still run. Every
   * other byte of the range was a digit, sign, point, delimiter or line end (or the scan stopped).
   */
  high: boolean;
}

interface State {
  nf: number;
  slot: Int32Array;
  d: number;
  cols: Float64Array[];
  /** next row to write (absolute index into cols) */
  rows: number;
  /** rows may not go past this */
  limit: number;
  raggedFields: number;
  high: boolean;
}

/** Fields on the line starting at i (delimiters + 1), or −1 when it holds a quote. */
function countFields(buf: Uint8Array, i: number, d: number): number {
  let f = 1;
  for (let c = buf[i]!; c !== 10; c = buf[++i]!) {
    if (c === 34) return -1;
    if (c === d) f++;
  }
  return f;
}

/**
 * Parse the lines in buf[pos, stop], where buf[stop] is a newline that ends the last of them. Appends
 * to st.cols from row st.rows on.
 */
function parseLines(buf: Uint8Array, pos: number, stop: number, st: State): number {
  const nf = st.nf,
    slot = st.slot,
    d = st.d;
  const cols = st.cols;
  let row = st.rows;
  const cap = st.limit;
  let i = pos;
  while (i <= stop) {
    if (row === cap) {
      st.rows = row;
      return SCAN_ODD; // more lines than counted
    }
    const lineStart = i;
    let c = buf[i]!;
    if (c === 10 || c === 13) {
      st.rows = row;
      return SCAN_ODD; // blank line: the general reader skips it
    }
    let f = 0;
    for (;;) {
      const k = slot[f]!;
      if (k >= 0) {
        const a = i;
        let neg = false;
        if (c === 45) {
          neg = true;
          c = buf[++i]!;
        }
        let m = 0,
          nd = 0,
          sc = 0;
        while (c >= 48 && c <= 57) {
          m = m * 10 + (c - 48);
          nd++;
          c = buf[++i]!;
        }
        if (c === 46) {
          c = buf[++i]!;
          while (c >= 48 && c <= 57) {
            m = m * 10 + (c - 48);
            nd++;
            sc++;
            c = buf[++i]!;
          }
        }
        let v: number;
        if (nd > 0 && nd <= 15 && (c === d || c === 10 || c === 13)) {
          v = sc === 0 ? m : m / POW10[sc]!;
          if (neg) v = -v;
        } else {
          while (c !== d && c !== 10 && c !== 13) {
            if (c === 34) {
              st.rows = row;
              return SCAN_ODD;
            }
            if (c >= 0x80 || c === 0) st.high = true;
            c = buf[++i]!;
          }
          const pv = parseCell(buf, a, i);
          if (pv === undefined) {
            st.rows = row;
            return SCAN_ODD;
          }
          v = pv;
        }
        cols[k]![row] = v;
      } else {
        while (c !== d && c !== 10 && c !== 13) {
          if (c <= 34) {
            if (c === 34) {
              st.rows = row;
              return SCAN_ODD;
            }
            if (c === 0) st.high = true;
          } else if (c >= 0x80) st.high = true;
          c = buf[++i]!;
        }
      }
      f++;
      if (c === d) {
        if (f === nf) break; // too many fields
        c = buf[++i]!;
        continue;
      }
      if (c === 13) {
        if (buf[i + 1] !== 10) {
          st.rows = row;
          return SCAN_ODD; // a CR that does not end the line
        }
        i++;
      }
      break;
    }
    if (buf[i] !== 10 || f !== nf) {
      st.rows = row;
      const found = countFields(buf, lineStart, d);
      if (found < 0) return SCAN_ODD;
      st.raggedFields = found;
      return SCAN_RAGGED;
    }
    row++;
    i++;
  }
  st.rows = row;
  return SCAN_OK;
}

/** Where parsed values go: columns (possibly shared with other threads) from row `offset` on, `count` rows at most. */
export interface RangeTarget {
  cols: Float64Array[];
  offset: number;
  count: number;
}

/**
 * Parse the lines of file bytes [start, end). `last`: the range ends at the end of the file (a final
 * line without newline is completed; trailing empty lines are ignored). Values go to `target`.
 */
export function parseRange(path: string, start: number, end: number, spec: ScanSpec, target: RangeTarget, last: boolean): RangeResult {
  const st: State = {
    nf: spec.nf,
    slot: spec.slot,
    d: spec.delim,
    cols: target.cols,
    rows: target.offset,
    limit: target.offset + target.count,
    raggedFields: 0,
    high: false,
  };
  const base = st.rows;
  const result = (status: number): RangeResult => ({ status, rows: st.rows - base, raggedLine: st.rows - base, raggedFields: st.raggedFields, high: st.high });
  const fd = openSync(path, "r");
  try {
    let buf = Buffer.allocUnsafe((1 << 23) + 1);
    let have = 0;
    let filePos = start;
    for (;;) {
      const want = Math.min(buf.length - 1 - have, end - filePos);
      const got = want > 0 ? readSync(fd, buf, have, want, filePos) : 0;
      filePos += got;
      have += got;
      const atEnd = filePos >= end || got === 0;
      let stop: number;
      if (atEnd) {
        if (last) {
          while (have > 0 && (buf[have - 1] === 10 || buf[have - 1] === 13)) have--;
          if (have > 0) buf[have++] = 10;
        }
        if (have === 0) break;
        stop = have - 1;
        if (buf[stop] !== 10) return result(SCAN_ODD);
      } else {
        stop = buf.lastIndexOf(10, have - 1);
        if (stop < 0) {
          // a line longer than the buffer
          const nb = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(nb, 0, 0, have);
          buf = nb;
          continue;
        }
      }
      const status = parseLines(buf, 0, stop, st);
      if (status !== SCAN_OK) return result(status);
      if (atEnd) break;
      buf.copyWithin(0, stop + 1, have);
      have -= stop + 1;
    }
    return result(SCAN_OK);
  } finally {
    closeSync(fd);
  }
}

/**
 * Lines in file bytes [start, end) as `parseRange` sees them: newlines, and for the last range of the
 * file the trailing newlines dropped and a final line without newline counted.
 */
export function countLines(path: string, start: number, end: number, last: boolean): number {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    if (last) {
      // drop trailing CR/LF bytes
      for (let more = true; more && end > start;) {
        const from = Math.max(start, end - buf.length);
        const got = readSync(fd, buf, 0, end - from, from);
        let k = got;
        while (k > 0 && (buf[k - 1] === 10 || buf[k - 1] === 13)) k--;
        more = k === 0;
        end = from + k;
      }
    }
    let n = 0;
    for (let pos = start; pos < end;) {
      const got = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (got === 0) break;
      for (let i = buf.indexOf(10); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
      pos += got;
    }
    return last && end > start ? n + 1 : n;
  } finally {
    closeSync(fd);
  }
}

/**
 * The first record (1-based data row; blank lines skipped, as DuckDB does) whose number of fields
 * differs from the header's, reading quotes as RFC 4180 does (a delimiter or newline inside double
 * quotes belongs to the field, `""` is a quote); null when every record has the header's count.
 */
export function findRaggedRow(path: string, delim: string): { row: number; expected: number; found: number } | null {
  const d = delim.charCodeAt(0);
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    let pos = 0;
    let inQuote = false,
      fieldStart = true,
      fields = 1,
      lineEmpty = true;
    let expected = -1,
      row = 0;
    let pending = -1; // byte carried from a quote at the end of a block
    const endRecord = (): { row: number; expected: number; found: number } | null => {
      if (lineEmpty) return null;
      if (expected < 0) expected = fields;
      else {
        row++;
        if (fields !== expected) return { row, expected, found: fields };
      }
      fields = 1;
      fieldStart = true;
      lineEmpty = true;
      return null;
    };
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, pos);
      pos += got;
      if (got === 0) break;
      for (let i = 0; i < got; i++) {
        const c = buf[i]!;
        if (pending === 34) {
          pending = -1;
          if (c === 34) continue; // "" inside quotes
          inQuote = false;
        }
        if (inQuote) {
          if (c === 34) pending = 34;
          continue;
        }
        if (c === 10) {
          const r = endRecord();
          if (r) return r;
          continue;
        }
        if (c === 13) continue;
        lineEmpty = false;
        if (c === d) {
          fields++;
          fieldStart = true;
          continue;
        }
        if (c === 34 && fieldStart) inQuote = true;
        fieldStart = false;
      }
    }
    if (pending === 34) inQuote = false;
    return inQuote ? null : endRecord();
  } finally {
    closeSync(fd);
  }
}

/**
 * A native (`indexOf`) pass over the file for what `findOpenQuote` and `findBareCr` look for: whether it has
 * a double quote at all, and — exact only when it has none — whether it has a CR followed by anything but
 * LF (a CR as the file's last byte ends the last line). When both are false those two scans find nothing,
 * so they can be skipped: ≈ 20× cheaper than their byte loops on a plain LF or CRLF file.
 */
export function scanQuoteCr(path: string, blockBytes = 1 << 22): { quote: boolean; bareCr: boolean } {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(blockBytes);
    let pos = 0;
    let crAtEnd = false; // the previous block ended with a CR
    let bareCr = false;
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, pos);
      pos += got;
      if (got === 0) break;
      const b = got === buf.length ? buf : buf.subarray(0, got);
      if (b.indexOf(34) >= 0) return { quote: true, bareCr: true };
      if (crAtEnd && b[0] !== 10) bareCr = true;
      crAtEnd = false;
      if (!bareCr)
        for (let i = b.indexOf(13); i >= 0; i = b.indexOf(13, i + 1)) {
          if (i + 1 === got) crAtEnd = true;
          else if (b[i + 1] !== 10) {
            bareCr = true;
            break;
          }
        }
    }
    return { quote: false, bareCr };
  } finally {
    closeSync(fd);
  }
}

/**
 * The record (1-based data row, 0 = header) and field (0-based) of a double quote that opens a field and is
 * never closed (RFC 4180 reading, as `findRaggedRow`), or null. A reader would otherwise take the rest of
 * the file as one text value, or its sniffer give up without a row.
 */
export function findOpenQuote(path: string, delim: string): { row: number; field: number } | null {
  const d = delim.charCodeAt(0);
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    let pos = 0;
    let inQuote = false,
      pending = false,
      fieldStart = true,
      lineEmpty = true;
    let record = -1,
      field = 0,
      openRow = 0,
      openField = 0;
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, pos);
      pos += got;
      if (got === 0) break;
      for (let i = 0; i < got; i++) {
        const c = buf[i]!;
        if (pending) {
          pending = false;
          if (c === 34) continue;
          inQuote = false;
        }
        if (inQuote) {
          if (c === 34) pending = true;
          continue;
        }
        if (c === 10) {
          if (!lineEmpty) record++;
          lineEmpty = true;
          fieldStart = true;
          field = 0;
          continue;
        }
        if (c === 13) continue;
        if (lineEmpty) lineEmpty = false;
        if (c === d) {
          field++;
          fieldStart = true;
          continue;
        }
        if (c === 34 && fieldStart) {
          inQuote = true;
          openRow = record + 1;
          openField = field;
        }
        fieldStart = false;
      }
    }
    return inQuote && !pending ? { row: openRow, field: openField } : null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The first carriage return outside double quotes that is not followed by a newline (a bare CR, which
 * DuckDB takes for a line end in the middle of a row): its record (1-based data row, 0 = header) and
 * field, or null.
 */
export function findBareCr(path: string, delim: string): { row: number; field: number } | null {
  const d = delim.charCodeAt(0);
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    let pos = 0;
    let inQuote = false,
      lineEmpty = true,
      cr = false;
    let record = 0,
      field = 0;
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, pos);
      pos += got;
      if (got === 0) break;
      for (let i = 0; i < got; i++) {
        const c = buf[i]!;
        if (cr) {
          cr = false;
          if (c !== 10) return { row: record, field };
        }
        if (c === 34) inQuote = !inQuote;
        if (inQuote) continue;
        if (c === 13) {
          cr = true;
          continue;
        }
        if (c === 10) {
          if (!lineEmpty) record++;
          lineEmpty = true;
          field = 0;
          continue;
        }
        lineEmpty = false;
        if (c === d) field++;
      }
    }
    return null; // a CR at the very end of the file ends the last line
  } finally {
    closeSync(fd);
  }
}
