/** A short-lived in-memory DuckDB connection for reading one file. */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

export interface Duck {
  con: DuckDBConnection;
  close(): void;
}

export async function openDuck(): Promise<Duck> {
  const inst = await DuckDBInstance.create(":memory:", { preserve_insertion_order: "true" });
  const con = await inst.connect();
  return {
    con,
    close() {
      con.closeSync();
      inst.closeSync();
    },
  };
}

/** SQL string literal. */
export function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

/** SQL quoted identifier. */
export function sqlIdent(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}
