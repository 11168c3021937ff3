/**
 * Block cache: a DuckDB workspace file (DIR/workspace.duckdb) holding each successfully computed block's
 * output keyed by the hash of its inputs and options. A block is written as soon as it finishes, so a
 * killed run resumes from the blocks already done.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export interface CachedBlock {
  key: string;
  block: string;
  payload: string;
  seconds: number;
}

export class BlockCache {
  private constructor(
    private inst: DuckDBInstance,
    private con: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<BlockCache> {
    mkdirSync(dirname(path), { recursive: true });
    const { DuckDBInstance: Instance } = await import("@duckdb/node-api");
    const inst = await Instance.create(path);
    const con = await inst.connect();
    await con.run("CREATE TABLE IF NOT EXISTS blocks (key VARCHAR PRIMARY KEY, block VARCHAR, payload VARCHAR, seconds DOUBLE, created VARCHAR)");
    return new BlockCache(inst, con);
  }

  async get(key: string): Promise<CachedBlock | null> {
    const r = await this.con.runAndReadAll("SELECT key, block, payload, seconds FROM blocks WHERE key = $1", [key]);
    const rows = r.getRowObjectsJS();
    if (!rows.length) return null;
    const row = rows[0]!;
    return { key: String(row.key), block: String(row.block), payload: String(row.payload), seconds: Number(row.seconds) };
  }

  async put(key: string, block: string, payload: string, seconds: number): Promise<void> {
    await this.con.run("INSERT OR REPLACE INTO blocks VALUES ($1, $2, $3, $4, $5)", [key, block, payload, seconds, new Date().toISOString()]);
    await this.con.run("CHECKPOINT");
  }

  close(): void {
    this.con.closeSync();
    this.inst.closeSync();
  }
}
