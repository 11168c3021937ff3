/**
 * The patent table of a generated world, built in memory: the same PatentTable that readPatents
 * (src/patents/read.ts) returns for the world's patents.csv (patentsCsv) read with the default mapping as
 * the measure stage reads it (region, applicant and cited columns, no id strings) — without writing the
 * CSV and reading it back through DuckDB. Field by field: every row is kept (the simulator writes one or
 * more valid codes per patent); years and YYYYMMDD dates from the ISO dates; regions and applicants
 * numbered in order of first appearance (names = their text); IPC codes parsed by parseIpc and numbered in
 * order of first appearance by (subclass, group, subgroup), kept per patent in cell order with
 * multiplicity; citations resolved to the cited patent's row (every cited patent is in the world, so no
 * unknown ids). test/sim/simulate.test.ts checks it equal to readPatents on the written file.
 */
import { basename } from "node:path";
import { ipcTerm, parseIpc, type Ipc, type IpcLevel } from "../patents/ipc.js";
import { DEFAULT_CITED_SEPARATORS, DEFAULT_IPC_SEPARATORS, loadMapping, type ColumnMapping, type PatentField } from "../patents/mapping.js";
import type { PatentTable } from "../patents/read.js";

/** The fields of a simulated patent record (simulate.ts SimPatent) that patents.csv holds. */
export interface WorldPatent {
  id: string;
  date: string;
  county: number;
  applicant: number;
  ipc: string[];
  /** indices into the world's patent list */
  cited: number[];
}

/** Header of patents.csv (patentsCsv). */
const HEADER = ["id", "filing_date", "county", "applicant", "ipc", "cited"];

/**
 * The columns `mapping` makes readPatents take from patents.csv (the first candidate of each field present
 * in the header, in the reader's field order), or null when that is not the plain reading of the
 * simulator's columns with the default separators (then only reading the file says what it gives).
 */
function plainRead(mapping: ColumnMapping): Partial<Record<PatentField, string>> | null {
  if (mapping.source !== undefined || mapping.ipcSeparators !== DEFAULT_IPC_SEPARATORS || mapping.citedSeparators !== DEFAULT_CITED_SEPARATORS) return null;
  const used: Partial<Record<PatentField, string>> = {};
  for (const f of ["id", "ipc", "date", "year", "region", "applicant", "cited"] as const) {
    const h = (mapping.columns[f] ?? []).find((c) => HEADER.includes(c));
    if (h !== undefined) used[f] = h;
  }
  const plain = { id: "id", ipc: "ipc", date: "filing_date", region: "county", applicant: "applicant", cited: "cited" };
  return JSON.stringify(used) === JSON.stringify(plain) ? used : null;
}

/**
 * The table readPatents gives for patentsCsv(patents) read with `mapping` at IPC `level`, for the measure
 * stage (see the file comment); null if `mapping` does not read the simulator's columns plainly.
 */
export function worldPatentTableFor(patents: readonly WorldPatent[], level: IpcLevel, mapping: ColumnMapping, file = "patents.csv"): PatentTable | null {
  const used = plainRead(mapping);
  return used ? buildTable(patents, level, used, file) : null;
}

/** The table readPatents gives for patentsCsv(patents) with the default mapping at IPC `level` (see the file comment). */
export function worldPatentTable(patents: readonly WorldPatent[], level: IpcLevel, file = "patents.csv"): PatentTable {
  const t = worldPatentTableFor(patents, level, loadMapping("default"), file);
  if (!t) throw new Error("internal: the default patent mapping no longer reads the simulator's patents.csv columns as before");
  return t;
}

function buildTable(patents: readonly WorldPatent[], level: IpcLevel, used: Partial<Record<PatentField, string>>, file: string): PatentTable {
  const n = patents.length;
  const year = new Int32Array(n);
  const date = new Int32Array(n);
  const dict = (): { index: Int32Array; names: string[]; of: Map<string, number> } => ({ index: new Int32Array(n), names: [], of: new Map() });
  const region = dict();
  const applicant = dict();
  const name = (d: ReturnType<typeof dict>, i: number, s: string): void => {
    let v = d.of.get(s);
    if (v === undefined) d.of.set(s, (v = d.names.push(s) - 1));
    d.index[i] = v;
  };
  const codeOf = new Map<string, number>();
  const codes: Ipc[] = [];
  /** code id of each distinct cell piece (pieces repeat a lot) */
  const pieceId = new Map<string, number>();
  let nCodes = 0;
  let nCites = 0;
  for (const p of patents) {
    nCodes += p.ipc.length;
    nCites += p.cited.length;
  }
  const codeOffsets = new Int32Array(n + 1);
  const codeIds = new Int32Array(nCodes);
  const citeOffsets = new Int32Array(n + 1);
  const target = new Int32Array(nCites);
  let kc = 0;
  let kt = 0;
  for (let i = 0; i < n; i++) {
    const p = patents[i]!;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(p.date);
    if (!m) throw new Error(`internal: simulated filing date '${p.date}' is not YYYY-MM-DD`);
    date[i] = Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
    year[i] = Number(m[1]);
    name(region, i, String(p.county));
    name(applicant, i, String(p.applicant));
    if (p.ipc.length === 0) throw new Error(`internal: simulated patent ${p.id} has no IPC code`);
    for (const raw of p.ipc) {
      let cid = pieceId.get(raw);
      if (cid === undefined) {
        const c = parseIpc(raw.trim());
        if (c === null || ipcTerm(c, level) === null || raw.trim() === "" || /[;,|；，]/.test(raw))
          throw new Error(`internal: simulated IPC code '${raw}' is not a valid ${level} code`);
        const key = `${c.subclass}|${c.group}|${c.subgroup}`;
        cid = codeOf.get(key);
        if (cid === undefined) {
          codeOf.set(key, (cid = codes.length));
          codes.push(c);
        }
        pieceId.set(raw, cid);
      }
      codeIds[kc++] = cid;
    }
    codeOffsets[i + 1] = kc;
    for (const j of p.cited) target[kt++] = j;
    citeOffsets[i + 1] = kt;
  }
  return {
    file: basename(file),
    n,
    rows: n,
    sourceRow: Int32Array.from({ length: n }, (_, i) => i),
    ids: undefined,
    year,
    date,
    region: { index: region.index, names: region.names },
    applicant: { index: applicant.index, names: applicant.names },
    codeOffsets,
    codeIds,
    codes,
    cited: { offsets: citeOffsets, target, unknown: 0 },
    badIpc: { count: 0, examples: [] },
    droppedNoValidCode: 0,
    used,
  };
}
