/**
 * A fast path for the common case of a plain numeric CSV: one pass over the bytes, numbers parsed in
 * place into Float64Arrays, no strings per cell. It returns null at the first thing it does not handle
 * (a quote in a data row, a cell that is not a plain number or a missing token, a row with another
 * number of fields, compression), and the caller then reads the file through DuckDB, whose path finds
 * and names any bad cell. Values are correctly rounded: decimal mantissas of at most 15 digits with a
 * power of ten up to 22 are exact in double arithmetic (Clinger's fast path); any other number is
 * converted by parseFloat on its text.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

export interface FastCsv {
  names: string[];
  nrows: number;
  values: Map<string, Float64Array>;
}

class Grow {
  buf: Float64Array;
  n = 0;
  constructor(cap: number) {
    this.buf = new Float64Array(Math.max(cap, 1024));
  }
  push(v: number): void {
    if (this.n === this.buf.length) {
      const nb = new Float64Array(Math.ceil(this.buf.length * 1.5));
      nb.set(this.buf);
      this.buf = nb;
    }
    this.buf[this.n++] = v;
  }
  done(): Float64Array {
    return this.n === this.buf.length ? this.buf : this.buf.slice(0, this.n);
  }
}

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
  let m = 0, digits = 0, scale = 0, sawDigit = false, slow = false;
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

function headerNames(line: string, delim: string): string[] {
  return line.split(delim).map((h) => {
    const t = h.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
  });
}

/**
 * Read the named columns of a plain delimited file as numbers, or null when the file needs the general
 * reader (see the file comment). `want` must be columns of the header.
 */
export function readNumericCsvFast(path: string, want: string[], delim = ","): FastCsv | null {
  const fd = openSync(path, "r");
  try {
    const CH = 1 << 24;
    let buf = Buffer.allocUnsafe(CH);
    let len = readSync(fd, buf, 0, CH, 0);
    let filePos = len;
    if (len === 0) return null;
    if (buf[0] === 0x1f && buf[1] === 0x8b) return null; // gzip
    const nl = buf.indexOf(10);
    if (nl < 0 || nl >= len) return null;
    const names = headerNames(buf.toString("utf8", buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0, nl).replace(/\r$/, ""), delim);
    const nf = names.length;
    const slot = new Int32Array(nf).fill(-1);
    for (let k = 0; k < want.length; k++) {
      const j = names.indexOf(want[k]!);
      if (j < 0 || slot[j]! >= 0) return null;
      slot[j] = k;
    }
    // rows ≈ file size / mean line length of the first block (+2 %), so columns rarely grow
    let lines = 0;
    for (let i = buf.indexOf(10, nl + 1); i >= 0 && i < len; i = buf.indexOf(10, i + 1)) lines++;
    const size = fstatSync(fd).size;
    const estRows = lines > 0 ? Math.ceil(((size - nl) / ((len - nl) / lines)) * 1.02) + 16 : 1024;
    const cols = want.map(() => new Grow(estRows));
    const d = delim.charCodeAt(0);
    let pos = nl + 1;
    let nrows = 0;
    for (;;) {
      // process complete lines in buf[pos, len)
      let lineStart = pos;
      for (;;) {
        const end = buf.indexOf(10, lineStart);
        if (end < 0 || end >= len) break;
        let lineEnd = end;
        if (lineEnd > lineStart && buf[lineEnd - 1] === 13) lineEnd--;
        if (lineEnd > lineStart) {
          let f = 0, a = lineStart;
          for (let i = lineStart; i <= lineEnd; i++) {
            const c = i < lineEnd ? buf[i]! : d;
            if (c === 34) return null; // quotes: general reader
            if (c === d) {
              if (f >= nf) return null;
              const k = slot[f]!;
              if (k >= 0) {
                const v = parseCell(buf, a, i);
                if (v === undefined) return null;
                cols[k]!.push(v);
              }
              f++;
              a = i + 1;
            }
          }
          if (f !== nf) return null;
          nrows++;
        } else if (lineEnd === lineStart && end + 1 < len) {
          return null; // blank line inside the data
        }
        lineStart = end + 1;
      }
      // carry the partial line over and read more
      const rest = len - lineStart;
      if (filePos >= 0) {
        if (rest > CH / 2) {
          const nb = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(nb, 0, lineStart, len);
          buf = nb;
        } else buf.copy(buf, 0, lineStart, len);
        const got = readSync(fd, buf, rest, buf.length - rest, filePos);
        if (got === 0) {
          // last line without a newline
          if (rest > 0) {
            buf[rest] = 10;
            len = rest + 1;
            pos = 0;
            filePos = -1;
            continue;
          }
          break;
        }
        filePos += got;
        len = rest + got;
        pos = 0;
        continue;
      }
      break;
    }
    const values = new Map<string, Float64Array>();
    want.forEach((w, k) => values.set(w, cols[k]!.done()));
    return { names, nrows, values };
  } finally {
    closeSync(fd);
  }
}
