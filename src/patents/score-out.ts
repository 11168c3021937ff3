/**
 * Write `patents score` output through DuckDB: the score columns (typed arrays) are exposed to DuckDB as
 * a table function that fills its vectors chunk by chunk, POSITIONAL JOINed to the id column re-read from
 * the input (so no id string ever becomes a JS string), and written by `COPY … TO` as CSV or Parquet
 * (by the output's extension). CSV numbers: integers as integers, other values in the shortest text that
 * reads back to the same double; NaN/missing → empty. Parquet: DOUBLE columns with NULL for missing.
 */
import type { DuckDBVector } from "@duckdb/node-api";
import { loadDuckdb } from "../data/duck.js";
import { commitTemp, tempPathFor } from "../core/atomic.js";
import { rmSync } from "node:fs";
import type { ScoreResult } from "./scores.js";

export interface ScoreOutput {
  /** FROM-expression of the input (see patentSourceSql) and its id column. */
  source: string;
  idColumn: string;
  /** Number of data rows of the input. */
  rows: number;
  /** For each data row: the index into the score arrays, or −1 when the row is not written. */
  scoreIndex: Int32Array;
  year: Int32Array;
  r: ScoreResult;
}

function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}
function sqlIdent(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

/** True when the output path asks for Parquet. */
export function isParquetOut(path: string): boolean {
  return /\.(parquet|pq)$/i.test(path);
}

/** Write the score table for the rows with scoreIndex ≥ 0, in input order (atomic). */
export async function writeScoresDuck(path: string, o: ScoreOutput): Promise<void> {
  const { r } = o;
  const K = r.horizons.length;
  const ints: { name: string; get: (p: number) => number }[] = [
    { name: "year", get: (p) => o.year[p]! },
    { name: "n_terms", get: (p) => r.nTerms[p]! },
    { name: "breakthrough", get: (p) => r.breakthrough[p]! },
    { name: "censored", get: (p) => r.censored[p]! },
  ];
  const dbls: { name: string; a: Float64Array }[] = [
    { name: "bs", a: r.bs },
    ...r.horizons.map((h, k) => ({ name: `fs${h}`, a: r.fs[k]! })),
    ...r.horizons.map((h, k) => ({ name: `imp${h}`, a: r.imp[k]! })),
    ...(r.logImpResid ? [{ name: "log_imp_resid", a: r.logImpResid }] : []),
  ];
  const N = o.rows;
  const idx = o.scoreIndex;
  const { DuckDBInstance, DuckDBTableFunction, DOUBLE, INTEGER } = await loadDuckdb();
  const inst = await DuckDBInstance.create(":memory:", { threads: "2", preserve_insertion_order: "true" });
  const con = await inst.connect();
  const tmp = tempPathFor(path);
  try {
    con.registerTableFunction(
      DuckDBTableFunction.create({
        name: "kt_scores",
        bindFunction: (info) => {
          info.addResultColumn("kt_keep", INTEGER);
          for (const c of ints) info.addResultColumn(c.name, INTEGER);
          for (const c of dbls) info.addResultColumn(c.name, DOUBLE);
          info.setCardinality(N, true);
        },
        initFunction: (info) => info.setInitData({ next: 0 }),
        mainFunction: (info, out) => {
          const st = info.initData as { next: number };
          const m = Math.min(2048, N - st.next);
          out.rowCount = m;
          if (m <= 0) return;
          const base = st.next;
          const keep = out.getColumnVector(0) as unknown as { items: Int32Array; flush(): void };
          for (let i = 0; i < m; i++) keep.items[i] = idx[base + i]! >= 0 ? 1 : 0;
          keep.flush();
          ints.forEach((c, k) => {
            const v = out.getColumnVector(1 + k) as DuckDBVector & { items: Int32Array };
            for (let i = 0; i < m; i++) {
              const p = idx[base + i]!;
              v.items[i] = p >= 0 ? c.get(p) : 0;
            }
            v.flush();
          });
          dbls.forEach((c, k) => {
            const v = out.getColumnVector(1 + ints.length + k) as DuckDBVector & { items: Float64Array };
            for (let i = 0; i < m; i++) {
              const p = idx[base + i]!;
              v.items[i] = p >= 0 ? c.a[p]! : 0;
            }
            v.flush();
          });
          st.next += m;
        },
      }),
    );
    const parquet = isParquetOut(path);
    const num = (name: string): string => {
      const x = `k.${sqlIdent(name)}`;
      const e = parquet
        ? `nullif(${x}, 'NaN'::DOUBLE)`
        : `CASE WHEN isnan(${x}) OR isinf(${x}) THEN NULL WHEN ${x} = trunc(${x}) AND abs(${x}) < 1e15 THEN CAST(CAST(${x} AS BIGINT) AS VARCHAR) ELSE CAST(${x} AS VARCHAR) END`;
      return `${e} AS ${sqlIdent(name)}`;
    };
    const dblNames = dbls.map((c) => c.name);
    const cols = [
      "s.kt_id AS id",
      "k.year",
      "k.n_terms",
      ...dblNames.slice(0, 1 + 2 * K).map(num),
      "nullif(k.breakthrough, -1) AS breakthrough",
      "k.censored",
      ...(r.logImpResid ? [num("log_imp_resid")] : []),
    ];
    const fmt = parquet ? "(FORMAT parquet)" : "(FORMAT csv, HEADER)";
    await con.run(
      `COPY (SELECT ${cols.join(", ")} FROM (SELECT CAST(${sqlIdent(o.idColumn)} AS VARCHAR) AS kt_id FROM ${o.source}) s POSITIONAL JOIN kt_scores() k WHERE k.kt_keep = 1) TO ${sqlString(tmp)} ${fmt}`,
    );
    con.closeSync();
    inst.closeSync();
    commitTemp(tmp, path);
  } catch (e) {
    try {
      con.closeSync();
      inst.closeSync();
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}
