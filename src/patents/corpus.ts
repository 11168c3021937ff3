/**
 * In-memory patent corpus as typed columns: one row per patent, its filing year (and optional date),
 * and its terms (IPC codes truncated to a level) stored as distinct term ids with counts (CSR layout).
 * This is what the score engine, the panels and the mediators take; the file reader produces it.
 */
import { inputError } from "../core/errors.js";
import { ipcTerm, parseIpc, type IpcLevel } from "./ipc.js";

export interface TermCorpus {
  /** Number of patents. */
  n: number;
  /** Filing year of each patent. */
  year: Int32Array;
  /** Filing date as a sortable integer (e.g. YYYYMMDD); needed only for `sameYear: "byDate"`. */
  date?: Int32Array;
  /** CSR offsets into termIds/termCounts, length n + 1. */
  termOffsets: Int32Array;
  /** Distinct term ids of each patent (ascending within a patent). */
  termIds: Int32Array;
  /** Count c_pw of each term (codes truncated to the level, with multiplicity). */
  termCounts: Float64Array;
  /** Term names by id. */
  vocabulary: string[];
}

/**
 * Build a corpus from term lists (one array of term strings per patent, multiplicity counts).
 * Term strings are used as given (already truncated).
 */
export function corpusFromTerms(year: ArrayLike<number>, terms: readonly (readonly string[])[], date?: ArrayLike<number>): TermCorpus {
  const n = year.length;
  if (terms.length !== n) throw new Error("corpusFromTerms: year and terms differ in length");
  const dict = new Map<string, number>();
  const vocabulary: string[] = [];
  const offsets = new Int32Array(n + 1);
  const ids: number[] = [];
  const counts: number[] = [];
  for (let p = 0; p < n; p++) {
    const local = new Map<number, number>();
    for (const t of terms[p]!) {
      let id = dict.get(t);
      if (id === undefined) {
        id = vocabulary.length;
        dict.set(t, id);
        vocabulary.push(t);
      }
      local.set(id, (local.get(id) ?? 0) + 1);
    }
    const ks = [...local.keys()].sort((a, b) => a - b);
    for (const k of ks) {
      ids.push(k);
      counts.push(local.get(k)!);
    }
    offsets[p + 1] = ids.length;
  }
  return {
    n,
    year: Int32Array.from(year),
    date: date ? Int32Array.from(date) : undefined,
    termOffsets: offsets,
    termIds: Int32Array.from(ids),
    termCounts: Float64Array.from(counts),
    vocabulary,
  };
}

/** Build a corpus from raw IPC code lists, truncating each code to `level` (malformed codes throw). */
export function corpusFromIpc(year: ArrayLike<number>, codes: readonly (readonly string[])[], level: IpcLevel, date?: ArrayLike<number>): TermCorpus {
  const terms = codes.map((list, p) =>
    list.map((raw) => {
      const c = parseIpc(raw);
      const t = c ? ipcTerm(c, level) : null;
      if (t === null) throw inputError(`malformed IPC code '${raw}'`, { row: p + 1, column: "ipc" });
      return t;
    }),
  );
  return corpusFromTerms(year, terms, date);
}
