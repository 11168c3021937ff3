/**
 * Large patent corpora for the measure-stage benchmark (issue #17), written by DuckDB in one parallel
 * query (10⁸ patents in minutes, not the hours of bench/measure.ts's JS generator). The shape follows
 * bench/measure.ts: 435 counties × 22 filing years 2000–2021 (≈ 8 % yearly growth), counties Zipf(0.7)-sized,
 * each tilted towards a preferred technology area with a digital propensity around 0.5, 1–6 IPC subgroups per
 * patent from the area vocabularies of assets/simulate/ipc_pool.csv and the CNIPA provisional taxonomy
 * (Zipf(1.1)-ranked), applicant ids per county (Zipf(1)), 0–12 citations to patents of the 5 previous years
 * (a third to the same county, 2 % unknown ids, 0.1 % later-filed as data errors).
 *
 * Differences from measure.ts (so the corpora are not the same as its seeded ones): the random numbers are
 * DuckDB hashes of (row, draw, seed), not an Rng stream; within a year the rows are grouped by county (the
 * ids of a county's patents of a year are contiguous), Zipf draws use the continuous inverse CDF, and codes
 * repeated within a patent are kept once in order of first appearance.
 *
 *   node dist/bench/gen-patents.js --n 100000000 [--seed 1] --out /tmp/pat-corpus/gen-100M.csv|.parquet [--threads 2]
 *
 * Never written into the repository (pass a path outside it).
 */
import { statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Rng } from "../src/core/rng.js";
import { peakRssMb, zipfCdf } from "./util.js";
import { areaGroups, COUNTIES, FIRST, LAST } from "./corpus-shape.js";

const lit = (s: string): string => "'" + s.replace(/'/g, "''") + "'";
const intList = (a: ArrayLike<number>): string => "[" + Array.from(a).join(",") + "]";

/** The SQL (macro, list variables, one COPY) that writes the corpus. A county with no patent in a year (possible at small N) sends its same-county citations to the next block. */
export function corpusSql(n: number, seed: number, out: string): string {
  const rng = new Rng(seed);
  const groups = areaGroups();
  const areas = [...groups.keys()].filter((a) => a !== "other");
  const A = areas.length;
  // Vocabulary per area (index A = "other"): every main group × 40 subgroups.
  const vocab = [...areas, "other"].map((a) => {
    const v: string[] = [];
    for (let k = 0; k < 40; k++) for (const g of groups.get(a) ?? []) v.push(`${g}/${k === 0 ? "00" : String(k * 2).padStart(2, "0")}`);
    return v;
  });
  const countyCdf = zipfCdf(COUNTIES, 0.7);
  const prefArea = Int32Array.from({ length: COUNTIES }, () => rng.int(A));
  const digitalP = Float64Array.from({ length: COUNTIES }, () => Math.min(0.9, Math.max(0.1, 0.5 + 0.15 * rng.normal())));
  const apps = Math.max(20, Math.floor(n / COUNTIES / 15));
  const T = LAST - FIRST + 1;
  const w = Array.from({ length: T }, (_, t) => Math.pow(1.08, t));
  const ws = w.reduce((a, b) => a + b, 0);
  const counts = w.map((x) => Math.floor((n * x) / ws));
  counts[T - 1]! += n - counts.reduce((a, b) => a + b, 0);
  const ys = new Float64Array(T + 1);
  for (let t = 0; t < T; t++) ys[t + 1] = ys[t]! + counts[t]!;
  // Block (t, c) = rows [ys[t] + ⌊cum[c]·counts[t]⌋, ys[t] + ⌊cum[c + 1]·counts[t]⌋): county c's patents of year t,
  // counties in Zipf proportion (cum[0] = 0, cum[C] = 1).
  const cum = Float64Array.from({ length: COUNTIES + 1 }, (_, c) => (c === 0 ? 0 : c === COUNTIES ? 1 : countyCdf[c - 1]!));
  // u(i, k): a uniform in [0, 1) from one 64-bit DuckDB hash of (row i, draw k < 8192, seed) — hash(i, seed, k)
  // of several arguments left neighbouring rows correlated — (a macro: no lambdas, no
  // nested lists: DuckDB copies a list-of-lists value per lookup, which made a first version 50× slower).
  /** Zipf(s) rank in [0, m) by the continuous inverse CDF of r^−s on [1, m + 1). */
  const zipf = (m: string, s: number, uu: string): string =>
    s === 1
      ? `least(${m} - 1, floor(pow(${m} + 1, ${uu}))::BIGINT - 1)`
      : `least(${m} - 1, floor(pow((pow(${m} + 1, ${1 - s}) - 1) * ${uu} + 1, ${1 / (1 - s)}))::BIGINT - 1)`;
  const voff: number[] = [];
  let acc = 0;
  for (const v of vocab) {
    voff.push(acc);
    acc += v.length;
  }
  const K = 6;
  const C = 12;
  const range = (m: number): number[] => Array.from({ length: m }, (_, j) => j);
  // Lookups in short lists only (DuckDB's cost per getvariable list lookup grows with the list: 85 ns at 10⁴ items).
  const ysAt = (x: string): string => `getvariable('kt_ys')[${x} + 1]`;
  const bsOf = (tt: string, cc: string): string => `(${ysAt(tt)} + floor(getvariable('kt_cum')[${cc} + 1] * getvariable('kt_cnt')[${tt} + 1])::BIGINT)`;
  const cite = (j: number): string => {
    const u1 = `u(i, ${1000 + j})`;
    const u2 = `u(i, ${2000 + j})`;
    const ty = `(t - 1 - floor(u(i, ${3000 + j}) * least(5, t))::BIGINT)`;
    return `CASE WHEN ${j} < nc THEN CASE
      WHEN ${u1} < 0.02 THEN 'X' || floor(${u2} * 1e7)::BIGINT
      WHEN ${u1} < 0.021 THEN 'CN' || least(${n - 1}, ${ysAt(`least(${T}, t + 1)`)} + floor(${u2} * 1000)::BIGINT)
      WHEN ${u1} < 0.35 THEN 'CN' || (${bsOf(ty, "c")} + floor(${u2} * (${bsOf(ty, "c + 1")} - ${bsOf(ty, "c")}))::BIGINT)
      ELSE 'CN' || (${ysAt("greatest(0, t - 5)")} + floor(${u2} * (${ysAt("t")} - ${ysAt("greatest(0, t - 5)")}))::BIGINT) END END`;
  };
  return `
CREATE MACRO u(i, k) AS (hash(i * 8192 + k + ${seed} * 17592186044416) >> 11)::DOUBLE / 9007199254740992.0;
SET VARIABLE kt_voc = [${vocab.flat().map(lit).join(",")}];
SET VARIABLE kt_voff = ${intList(voff)}::BIGINT[];
SET VARIABLE kt_vlen = ${intList(vocab.map((v) => v.length))}::BIGINT[];
SET VARIABLE kt_cum = [${Array.from(cum).join(",")}]::DOUBLE[];
SET VARIABLE kt_cnt = ${intList(counts)}::BIGINT[];
SET VARIABLE kt_ys = ${intList(ys)}::BIGINT[];
SET VARIABLE kt_pref = ${intList(prefArea)}::BIGINT[];
SET VARIABLE kt_dig = [${Array.from(digitalP).join(",")}]::DOUBLE[];
COPY (
  WITH blocks AS (
    SELECT t, c, ${bsOf("t", "c")} AS s, ${bsOf("t", "c + 1")} AS e FROM (SELECT b // ${COUNTIES} AS t, b % ${COUNTIES} AS c FROM range(${T * COUNTIES}) r(b))
  ), rows AS (
    SELECT t, c, unnest(range(s, e)) AS i FROM blocks WHERE e > s
  ), drawn AS (
    SELECT i, t, c,
      CASE WHEN u(i, 1) < getvariable('kt_dig')[c + 1]
        THEN CASE WHEN u(i, 2) < 0.4 THEN getvariable('kt_pref')[c + 1] ELSE ${zipf(String(A), 0.8, "u(i, 3)")} END
        ELSE ${A} END AS area,
      1 + least(5, floor(-ln(1 - u(i, 4)) * 1.3)::BIGINT) AS k,
      CASE WHEN t = 0 THEN 0 ELSE floor(u(i, 5) * 13)::BIGINT END AS nc
    FROM rows
  ), areas AS (
    SELECT i, t, c, k, nc, area AS a0,
      ${range(K)
        .slice(1)
        .map(
          (j) =>
            `CASE WHEN u(i, ${100 + j}) < 0.7 THEN area WHEN u(i, ${200 + j}) < 0.5 THEN ${A} ELSE ${zipf(String(A), 0.8, `u(i, ${300 + j})`)} END AS a${j}`,
        )
        .join(",\n      ")}
    FROM drawn
  ), raw AS (
    SELECT i, t, c, k, nc,
      ${range(K)
        .map(
          (j) =>
            `${j === 0 ? "" : `CASE WHEN ${j} < k THEN `}getvariable('kt_voc')[getvariable('kt_voff')[a${j} + 1] + ${zipf(`getvariable('kt_vlen')[a${j} + 1]`, 1.1, `u(i, ${400 + j})`)} + 1]${j === 0 ? "" : " END"} AS r${j}`,
        )
        .join(",\n      ")}
    FROM areas
  )
  SELECT
    'CN' || i AS id,
    strftime(make_date(${FIRST} + t::INTEGER, 1 + floor(u(i, 6) * 12)::INTEGER, 1 + floor(u(i, 7) * 28)::INTEGER), '%Y-%m-%d') AS date,
    (110000 + c * 37)::VARCHAR AS region,
    'A' || c || '_' || ${zipf(String(apps), 1, "u(i, 8)")} AS applicant,
    concat_ws(';', ${range(K)
      .map((j) =>
        j === 0
          ? "r0"
          : `CASE WHEN r${j} IS NOT NULL${range(j)
              .map((m) => ` AND r${j} <> r${m}`)
              .join("")} THEN r${j} END`,
      )
      .join(", ")}) AS ipc,
    concat_ws(';', ${range(C).map(cite).join(",\n      ")}) AS cited
  FROM raw
) TO ${lit(out)} ${out.endsWith(".parquet") ? "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)" : "(FORMAT csv, HEADER true)"};`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, def: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1]! : def;
  };
  const n = Number(opt("--n", "1000000"));
  const seed = Number(opt("--seed", "1"));
  const out = opt("--out", "");
  const threads = opt("--threads", "2");
  if (!out) throw new Error("--out FILE(.csv|.parquet) is required");
  console.log(
    `gen-patents: N = ${n}, seed ${seed}, ${out}, ${threads} DuckDB threads (1-minute load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
  );
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const inst = await DuckDBInstance.create(":memory:", { threads, preserve_insertion_order: "true" });
  const con = await inst.connect();
  const t0 = performance.now();
  await con.run(corpusSql(n, seed, out));
  const s = (performance.now() - t0) / 1000;
  const u = process.cpuUsage();
  con.closeSync();
  inst.closeSync();
  console.log(
    `wrote ${(statSync(out).size / 1e6).toFixed(0)} MB in ${s.toFixed(1)} s wall, ${((u.user + u.system) / 1e6).toFixed(1)} s CPU, peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
