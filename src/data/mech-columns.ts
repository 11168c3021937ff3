/** Columns of a data file for the mechanism commands (dea, paths), read through the DuckDB data layer. Moved from src/cli/commands/dea.ts. */
import { inputError } from "../core/errors.js";
import { fileRow, getColumn } from "./table.js";
import { readTable, type ColumnRequest } from "./read.js";

/** Columns of a data file for the mechanism commands, read through the DuckDB data layer (src/data). */
export interface MechColumns {
  nrows: number;
  /** A numeric column (NaN = missing; the analyses refuse missing values with file, row and column). */
  num(name: string): Float64Array;
  /** A label column (id, cluster: text as written; period: numbers when every value is one, else text); no missing values. */
  label(name: string): (string | number)[];
}

/**
 * Read `numeric`, `labels` (text) and `periods` columns with `readTable` (CSV/TSV/Parquet; its messages name the file, row
 * and column: unknown column with the closest name, a value that is not a number, ±Inf). A missing label
 * (empty, NA, .) stops with its file row and column.
 */
export async function readMechColumns(file: string, numeric: string[], labels: string[], periods: string[] = []): Promise<MechColumns> {
  const reqs: ColumnRequest[] = [];
  const seen = new Set<string>();
  for (const c of periods)
    if (!seen.has(c)) {
      seen.add(c);
      reqs.push({ column: c, as: `label:${c}`, type: "auto" });
    }
  for (const c of labels)
    if (!seen.has(c)) {
      seen.add(c);
      reqs.push({ column: c, as: `label:${c}`, type: "text" });
    }
  for (const c of new Set(numeric)) reqs.push({ column: c, as: `num:${c}`, type: "number" });
  const t = await readTable(file, reqs);
  return {
    nrows: t.nrows,
    num: (name) => {
      const c = getColumn(t, `num:${name}`);
      if (c.kind !== "num") throw new Error(`internal: column '${name}' is not numeric`);
      return c.values;
    },
    label: (name) => {
      const c = getColumn(t, `label:${name}`);
      const out: (string | number)[] = new Array(t.nrows);
      for (let i = 0; i < t.nrows; i++) {
        const v = c.kind === "num" ? c.values[i]! : c.values[i]!;
        if (v === null || (typeof v === "number" && Number.isNaN(v)))
          throw inputError("missing value in a label column; fill it in or drop the row", { file, row: fileRow(t, i), column: name });
        out[i] = v;
      }
      return out;
    },
  };
}
