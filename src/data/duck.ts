/**
 * A short-lived in-memory DuckDB connection for reading one file. The native DuckDB module is loaded on
 * first use (`loadDuckdb`), not when the CLI starts: commands that never touch DuckDB (the fast numeric
 * CSV path, `--help`, `--version`) do not pay its ~0.2 s load time.
 */
import type { DuckDBConnection } from "@duckdb/node-api";

export type DuckdbModule = typeof import("@duckdb/node-api");

let loaded: DuckdbModule | null = null;

/** The `@duckdb/node-api` module, imported once on first call. */
export async function loadDuckdb(): Promise<DuckdbModule> {
  loaded ??= await import("@duckdb/node-api");
  return loaded;
}

/** The already-loaded module (after any `loadDuckdb`/`openDuck`); throws if DuckDB was never loaded. */
export function duckdbLoaded(): DuckdbModule {
  if (!loaded) throw new Error("internal: DuckDB used before loadDuckdb()");
  return loaded;
}

export interface Duck {
  con: DuckDBConnection;
  close(): void;
}

export async function openDuck(): Promise<Duck> {
  const { DuckDBInstance } = await loadDuckdb();
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
