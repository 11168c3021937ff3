/** Listwise deletion of rows with a missing value in any of the given columns, with counts (never silent). */
import { inputError } from "../core/errors.js";
import { getColumn, selectRows, type Column, type Table } from "./table.js";

export interface Deletion {
  table: Table;
  /** rows dropped in total */
  dropped: number;
  /** rows with a missing value, per column (a row missing in two columns counts in both) */
  byColumn: Record<string, number>;
}

/**
 * Drop every row that has a missing value (NaN / null) in one of `columns`. Errors when no row is left,
 * naming the columns with the most missing values.
 */
export function dropMissing(t: Table, columns: string[]): Deletion {
  const cols = [...new Set(columns)].map((n) => [n, getColumn(t, n)] as const);
  // the common case first: nothing missing in any column (one read-only pass, no row marks)
  if (cols.every(([, c]) => !anyMissing(c, t.nrows))) return { table: t, dropped: 0, byColumn: {} };
  const drop = new Uint8Array(t.nrows);
  const byColumn: Record<string, number> = {};
  for (const [name, c] of cols) {
    let k = 0;
    // one tight loop per column kind (NaN / null; the same test as table.ts isMissing)
    if (c.kind === "num") {
      const v = c.values;
      for (let i = 0; i < t.nrows; i++) {
        if (v[i] !== v[i]) {
          drop[i] = 1;
          k++;
        }
      }
    } else {
      const v = c.values;
      for (let i = 0; i < t.nrows; i++) {
        if (v[i] === null) {
          drop[i] = 1;
          k++;
        }
      }
    }
    if (k > 0) byColumn[c.source === name ? name : c.source] = k;
  }
  let nd = 0;
  for (let i = 0; i < t.nrows; i++) nd += drop[i]!;
  if (nd === 0) return { table: t, dropped: 0, byColumn };
  if (nd === t.nrows) {
    const worst = Object.entries(byColumn)
      .sort((a, b) => b[1] - a[1])
      .map(([n, k]) => `'${n}' (${k})`)
      .join(", ");
    throw inputError(`no complete rows: every one of the ${t.nrows} rows has a missing value; missing per column: ${worst}`, { file: t.file });
  }
  const keep = new Int32Array(t.nrows - nd);
  for (let i = 0, j = 0; i < t.nrows; i++) if (!drop[i]) keep[j++] = i;
  return { table: selectRows(t, keep), dropped: nd, byColumn };
}

/** True when one of the column's first n values is missing (NaN / null; the test of table.ts isMissing). */
function anyMissing(c: Column, n: number): boolean {
  if (c.kind === "num") {
    const x = c.values;
    for (let i = 0; i < n; i++) if (x[i] !== x[i]) return true;
    return false;
  }
  const v = c.values;
  for (let i = 0; i < n; i++) if (v[i] === null) return true;
  return false;
}
