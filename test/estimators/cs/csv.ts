/** Minimal CSV reader for tests only (quoted header, numeric or quoted-string cells, no embedded commas). */
import { readFileSync } from "node:fs";

export interface TestTable {
  columns: string[];
  num(name: string): Float64Array;
  str(name: string): string[];
  nrow: number;
}

export function readCsvForTest(path: string): TestTable {
  const lines = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const unq = (s: string) => s.replace(/^"(.*)"$/, "$1");
  const columns = lines[0]!.split(",").map(unq);
  const rows = lines.slice(1).map((l) => l.split(",").map(unq));
  const col = (name: string) => {
    const j = columns.indexOf(name);
    if (j < 0) throw new Error(`no column ${name}`);
    return j;
  };
  return {
    columns,
    nrow: rows.length,
    num: (name) => {
      const j = col(name);
      return Float64Array.from(rows, (r) => (r[j] === "" || r[j] === "NA" ? Number.NaN : Number(r[j])));
    },
    str: (name) => {
      const j = col(name);
      return rows.map((r) => r[j]!);
    },
  };
}
