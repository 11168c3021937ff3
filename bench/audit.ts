/**
 * `node dist/bench/audit.js [--out FILE.md]`: the hostile-input audit of issue #14, re-run. For each of the
 * issue's ten numbered items (and the sub-items of items 9 and 10) it writes small inputs to a temp folder,
 * runs the reproducing command with the built CLI (dist/src/cli/main.js, a child process per command, 60 s
 * limit) and prints a Markdown table: item | command | exit code | the first line keytech prints now (stderr,
 * else stdout). Item 3 (a half-written output folder) runs `study run` on a small simulated world and kills
 * re-runs at the swap steps (KEYTECH_TEST_KILL_AT), then says what the folder holds. Saved as bench/audit-14.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { simulatePaperWorld, writePaperWorld } from "../src/sim/simulate.js";
import { studyTemplate } from "../src/study/spec-template.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const cli = join(root, "dist/src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "keytech-audit-"));
const args = process.argv.slice(2);
const outArg = args.includes("--out") ? args[args.indexOf("--out") + 1] : undefined;

interface Row {
  item: string;
  command: string;
  exit: string;
  says: string;
}
const rows: Row[] = [];

/** Run `keytech …args` in the temp folder; the row shows the command as typed there. */
function run(
  item: string,
  argv: string[],
  o: { env?: Record<string, string>; shown?: string; note?: (r: { status: number | null; stdout: string; stderr: string }) => string } = {},
): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, ...argv], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, KEYTECH_NO_PROGRESS: "1", ...o.env },
    maxBuffer: 64 << 20,
  });
  const secs = (Date.now() - t0) / 1000;
  // the error or warning line when there is one (study run prints progress first), with the line after a "…:" header
  const lines = (r.stderr.trim() || r.stdout.trim()).split("\n");
  let at = lines.findIndex((l) => /^keytech: (error|warning)/.test(l));
  if (at < 0) at = 0;
  const first = (lines[at] ?? "") + (lines[at]?.endsWith(":") && lines[at + 1] ? " " + lines[at + 1] : "");
  const exit = r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? "timeout (60 s)" : r.signal ? `killed (${r.signal})` : String(r.status);
  const shown = o.shown ?? "keytech " + argv.map((a) => (/^[\w./=:,^-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
  const says = o.note ? o.note({ status: r.status, stdout: r.stdout, stderr: r.stderr }) : first.replaceAll(dir + "/", "");
  rows.push({ item, command: shown, exit: exit + (secs > 5 ? ` after ${secs.toFixed(0)} s` : ""), says });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, body: string | Buffer): string {
  const p = join(dir, name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, body);
  return name;
}

// ---------- inputs ----------
let s = 1;
const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
const panelLines = ["unit,time,x,z,y,yc,exact,cohort,one"];
for (let u = 1; u <= 20; u++)
  for (let t = 2000; t < 2006; t++) {
    const x = rnd();
    const z = rnd();
    panelLines.push(
      `${u},${t},${x.toFixed(6)},${z.toFixed(6)},${(2 * x + rnd()).toFixed(6)},${u},${(x + 2 * z + u).toFixed(6)},${u < 8 ? 2003 : u < 14 ? 2004 : 0},1`,
    );
  }
const panel = file("panel.csv", panelLines.join("\n") + "\n");
const patentsHead = "id,date,region,applicant,ipc,cited\n";
const patentRows = Array.from(
  { length: 12 },
  (_, i) => `P${i + 1},${2001 + (i % 4)}-03-0${1 + (i % 8)},R${1 + (i % 3)},A${i % 4},G06F 17/30,${i >= 4 ? `P${i - 3}` : ""}`,
);
const patents = file("patents.csv", patentsHead + patentRows.join("\n") + "\n");

// ---------- 1. invalid UTF-8 in a patents CSV ----------
const bad = Buffer.from(patentsHead + patentRows.join("\n").replace("R2,A1", "R2,A\u0001") + "\n");
bad[bad.indexOf(1)] = 0xff;
file("bad-utf8.csv", bad);
run("1. invalid UTF-8 byte in a patents CSV (was a DuckDB INTERNAL stack trace)", ["patents", "panel", "--patents", "bad-utf8.csv", "--out", "p.csv"]);
const badLatin = Buffer.from(patentsHead + patentRows.join("\n").replace("A3", "Soci\u0001t\u0001") + "\n");
for (let i = badLatin.indexOf(1); i >= 0; i = badLatin.indexOf(1, i)) badLatin[i] = 0xe9;
file("latin1.csv", badLatin);
run("1. Latin-1 bytes (was raw DuckDB text with DuckDB's line number and `ignore_errors=true`)", [
  "patents",
  "score",
  "--patents",
  "latin1.csv",
  "--out",
  "s.csv",
]);

// ---------- the study world (items 1, 2, 3, 9) ----------
const world = await simulatePaperWorld({ seed: 11, nCounties: 110, patentsPerCountyYear: 0.3, policyTwins: false });
await writePaperWorld(world, join(dir, "data"));
function spec(lead: number, dataDir = "data"): string {
  const full = studyTemplate({ dataDir, fast: true, truth: true });
  return full.slice(0, full.indexOf("blocks:")) + `blocks:\n  patents: {}\n  baseline:\n    columns: [fe_only, lead]\n    lead: ${lead}\n`;
}
file("a.yaml", spec(1));
file("b.yaml", spec(2));
const pat = readFileSync(join(dir, "data", "patents.csv"));
const lines = pat.toString("latin1").split("\n");
mkdirSync(join(dir, "bad"), { recursive: true });
for (const f of ["panel.csv", "counties.csv", "policies.csv", "truth.json"])
  if (existsSync(join(dir, "data", f))) writeFileSync(join(dir, "bad", f), readFileSync(join(dir, "data", f)));
lines[Math.min(5, lines.length - 2)] += "\xff";
writeFileSync(join(dir, "bad", "patents.csv"), Buffer.from(lines.join("\n"), "latin1"));
file("bad-utf8.yaml", spec(1, "bad"));
run("1. … inside `study run`", ["study", "run", "bad-utf8.yaml", "--out", "o-bad"]);

// ---------- 2. --out under /proc ----------
run("2. `--out` under /proc (spun at 80 % CPU forever)", ["feols", "--data", panel, "--formula", "y ~ x | unit", "--out", "/proc/keytech/r.json"]);
run("2. … `study run`", ["study", "run", "a.yaml", "--out", "/proc/keytech"]);

// ---------- 3. half-written output folder ----------
/** Which run an output folder holds, and whether its files agree (results.json, report.html, Table 1). */
function state(out: string): string {
  const p = join(dir, out);
  if (!existsSync(p)) return "absent";
  const has = ["results.json", "report.html", "run.log", "tables/table_1_baseline.md"].filter((f) => existsSync(join(p, f)));
  if (!has.includes("results.json")) {
    const held = readdirSync(p);
    return held.length ? `a folder without results.json or a report (holds: ${held.join(", ")})` : "an empty folder (no partial output)";
  }
  const res = JSON.parse(readFileSync(join(p, "results.json"), "utf8")) as {
    spec: { hash: string };
    blocks: { id: string; options: Record<string, unknown> }[];
  };
  const lead = res.blocks.find((b) => b.id === "baseline")?.options.lead;
  const html = has.includes("report.html") ? readFileSync(join(p, "report.html"), "utf8") : "";
  const md = has.includes("tables/table_1_baseline.md") ? readFileSync(join(p, "tables", "table_1_baseline.md"), "utf8") : "";
  const whole = html.includes(res.spec.hash) && md.includes(`Lead ${String(lead)}`);
  return `${lead === 1 ? "run a.yaml" : lead === 2 ? "run b.yaml" : "an unknown run"} — ${whole ? "complete (results.json, report.html and Table 1 agree)" : `MIXED (has: ${has.join(", ")})`}`;
}
const stable = (out: string): string =>
  JSON.stringify(
    (JSON.parse(readFileSync(join(dir, out, "results.json"), "utf8")) as { blocks: { id: string; status: string; output?: unknown }[] }).blocks.map((b) => ({
      id: b.id,
      status: b.status,
      output: b.output,
    })),
  );
run("3. first run of a study (for the re-runs below)", ["study", "run", "a.yaml", "--out", "out"], {
  note: (r) => `exit ${r.status}; out/ holds ${state("out")}`,
});
run("3. an uninterrupted run of b.yaml (the reference)", ["study", "run", "b.yaml", "--out", "clean"], { note: () => `clean/ holds ${state("clean")}` });
for (const step of ["marked", "carried", "moved-old", "swapped"]) {
  if (step !== "marked")
    spawnSync(process.execPath, [cli, "study", "run", "a.yaml", "--out", "out"], { cwd: dir, env: { ...process.env, KEYTECH_NO_PROGRESS: "1" } });
  run(`3. re-run with changed options, SIGKILL at swap step '${step}'`, ["study", "run", "b.yaml", "--out", "out"], {
    env: { KEYTECH_TEST_KILL_AT: step },
    shown: `KEYTECH_TEST_KILL_AT=${step} keytech study run b.yaml --out out`,
    note: () =>
      `out/ holds ${state("out")}${step === "moved-old" ? `; out.keytech-old/ holds ${state("out.keytech-old")}, out.keytech-new/ holds ${state("out.keytech-new")}` : ""}`,
  });
  run("3. … the next run", ["study", "run", "b.yaml", "--out", "out"], {
    note: (r) => `exit ${r.status}; out/ holds ${state("out")}; results ${stable("out") === stable("clean") ? "equal" : "DIFFER from"} the uninterrupted run's`,
  });
}
run("3. a killed first run", ["study", "run", "a.yaml", "--out", "fresh"], {
  env: { KEYTECH_TEST_KILL_AT: "carried" },
  shown: "KEYTECH_TEST_KILL_AT=carried keytech study run a.yaml --out fresh",
  note: () => `fresh/ is ${state("fresh")}`,
});

// ---------- 4–8 ----------
run("4. `--cluster` on a constant column (exited 0 with SE null, p = 1)", ["feols", "--data", panel, "--formula", "y ~ x | unit", "--cluster", "one"]);
file("dup.csv", "unit,time,x,y,x\n1,1,1,2,3\n2,1,2,3,4\n3,1,5,1,0\n");
run("5. a header naming a column twice (the first copy was used)", ["feols", "--data", "dup.csv", "--formula", "y ~ x"]);
file(
  "cites.csv",
  patentsHead +
    [
      "C1,2001-01-01,R1,A1,G06F 17/30,C2",
      "C2,2003-01-01,R2,A2,G06F 17/30,C2",
      "C3,2004-01-01,R1,A1,G06F 17/30,C1;NOPE",
      "C4,2005-01-01,R2,A3,G06F 17/30,C1;C3",
    ].join("\n") +
    "\n",
);
run(
  "6. a later-filed cited patent, a self-citation, a dangling cited id (counted / vanished silently)",
  ["patents", "panel", "--patents", "cites.csv", "--out", "c.csv"],
  { note: (r) => r.stderr.split("\n").filter((l) => /citations/.test(l))[0] ?? r.stderr.split("\n")[0]! },
);
run("7. an outcome constant within units (exit 0, estimate 0, SE 0)", ["feols", "--data", panel, "--formula", "yc ~ x | unit"]);
run("7. `y ~ y` (R² = 1 without a word)", ["feols", "--data", panel, "--formula", "y ~ y"]);
run("7. `sunab` with no within variation (exit 0, no estimates)", [
  "did",
  "sunab",
  "--data",
  panel,
  "--y",
  "yc",
  "--unit",
  "unit",
  "--time",
  "time",
  "--cohort",
  "cohort",
]);
run(
  "7. regressors that fit the outcome exactly together (exact = x + 2z + unit: was silent)",
  ["feols", "--data", panel, "--formula", "exact ~ x + z | unit", "--json"],
  { note: (r) => r.stderr.split("\n")[0] || "(nothing on stderr)" },
);
run("8. `i(var, ref = k)` with k not a level (ignored)", ["feols", "--data", panel, "--formula", "y ~ i(cohort, ref = 1999) | time"]);
run('8. `keep =` matching nothing ("collinear with the fixed effects ()")', [
  "feols",
  "--data",
  panel,
  "--formula",
  "y ~ i(cohort, ref = 0, keep = 1999) | time",
]);

// ---------- 9. raw Node / DuckDB errors ----------
mkdirSync(join(dir, "adir"), { recursive: true });
run("9. `--out` naming a folder (EISDIR)", ["feols", "--data", panel, "--formula", "y ~ x | unit", "--out", "adir"]);
run("9. `--out` under a file (ENOTDIR / EEXIST)", ["feols", "--data", panel, "--formula", "y ~ x | unit", "--out", "panel.csv/r.json"]);
run("9. the spec path is a folder (EISDIR)", ["study", "run", "adir", "--out", "o-dir"]);
run("9. `study run --out` naming a file (EEXIST)", ["study", "run", "a.yaml", "--out", "panel.csv"]);
const gz = gzipSync(readFileSync(join(dir, panel)));
file("trunc.csv.gz", gz.subarray(0, Math.floor(gz.length / 2)));
run("9. a truncated .gz (reported as a missing column)", ["feols", "--data", "trunc.csv.gz", "--formula", "y ~ x | unit"]);
file("gz.csv", gz);
run('9. gzip bytes in a .csv ("expected N fields")', ["feols", "--data", "gz.csv", "--formula", "y ~ x | unit"]);
file("bin.csv", Buffer.concat([Buffer.from("unit,time,x,y\n1,1,1,2\n2,1,"), Buffer.from([0, 1, 2, 0xff]), Buffer.from(",4\n")]));
run("9. binary bytes in a .csv", ["feols", "--data", "bin.csv", "--formula", "y ~ x"]);
file("nl.csv", "\n");
run('9. a file holding one newline ("the file has: column0")', ["feols", "--data", "nl.csv", "--formula", "y ~ x"]);
file("quote.csv", 'unit,time,x,y\n1,1,1,2\n2,1,"4,3\n3,1,5,6\n');
run('9. an open quote (DuckDB\'s "Error when sniffing file", no row)', ["feols", "--data", "quote.csv", "--formula", "y ~ x"]);
mkdirSync(join(dir, "abc"), { recursive: true });
for (const f of ["counties.csv", "policies.csv", "patents.csv", "truth.json"])
  if (existsSync(join(dir, "data", f))) writeFileSync(join(dir, "abc", f), readFileSync(join(dir, "data", f)));
const pl = readFileSync(join(dir, "data", "panel.csv"), "utf8").split("\n");
const pc = pl[0]!.split(",");
const gi = pc.indexOf("gdp_pc");
const cells = pl[7]!.split(",");
cells[gi] = "abc";
pl[7] = cells.join(",");
writeFileSync(join(dir, "abc", "panel.csv"), pl.join("\n"));
file(
  "abc.yaml",
  spec(1, "abc").replace(
    "blocks:\n  patents: {}\n  baseline:\n    columns: [fe_only, lead]",
    "blocks:\n  patents: {}\n  baseline:\n    columns: [fe_only, controls, lead]",
  ),
);
run("9. an 'abc' cell in `study run` (lost its row number)", ["study", "run", "abc.yaml", "--out", "o-abc"]);

// ---------- 10. ----------
run("10. a seed beyond 2^53 (collapsed to the same draws)", [
  "feols",
  "--data",
  panel,
  "--formula",
  "y ~ x | unit",
  "--cluster",
  "unit",
  "--bootstrap",
  "wild",
  "--reps",
  "9",
  "--seed",
  "9007199254740993",
]);
spawnSync(process.execPath, [cli, "feols", "--data", panel, "--formula", "y ~ x | unit", "--out", "r.json"], { cwd: dir });
run("10. `--out x.xlsx` (wrote CSV text)", ["table", "r.json", "--out", "t.xlsx"]);
file("y1066.csv", patentsHead + patentRows.join("\n").replace(/^P1,\d{4}/, "P1,1066") + "\n");
run("10. a filing year 1066 (accepted)", ["patents", "panel", "--patents", "y1066.csv", "--out", "y.csv"], {
  note: (r) => (r.status === 0 ? `(accepted) ${r.stdout.trim().split("\n")[0]}` : r.stderr.split("\n")[0]!),
});
run("10. `--lead -1` (acted as a lag)", ["did", "twfe", "--data", panel, "--y", "y", "--unit", "unit", "--time", "time", "--cohort", "cohort", "--lead", "-1"]);
run("10. a repeated flag (the last value taken silently)", [
  "did",
  "twfe",
  "--data",
  panel,
  "--y",
  "y",
  "--y",
  "x",
  "--unit",
  "unit",
  "--time",
  "time",
  "--cohort",
  "cohort",
]);
run('10. every row a singleton (reported as "collinear")', ["feols", "--data", panel, "--formula", "y ~ x | unit^time"]);
run("10. `patents score` with an unwritable `--out` (computed everything first)", ["patents", "score", "--patents", patents, "--out", "panel.csv/s.csv"]);
run("10. control bytes in a value (echoed raw)", ["feols", "--data", panel, "--formula", "y ~ x\u001b[31m"], {
  shown: 'keytech feols --data panel.csv --formula "y ~ x\\x1b[31m"',
});

// ---------- the table ----------
const esc = (t: string): string => t.replaceAll("|", "\\|").replaceAll("\n", " ");
const md = [
  `# Issue #14: the audit's items, re-run (${new Date().toISOString().slice(0, 10)}, \`node dist/bench/audit.js\`)`,
  "",
  "Each row: the reproducing command (run in a temp folder holding the generated inputs), its exit code and the first line keytech prints now (stderr, else stdout; item 3: what the output folder holds).",
  "",
  "| item | command | exit | keytech prints |",
  "|---|---|---|---|",
  ...rows.map((r) => `| ${esc(r.item)} | \`${esc(r.command)}\` | ${esc(r.exit)} | ${esc(r.says)} |`),
  "",
].join("\n");
process.stdout.write(md);
if (outArg) writeFileSync(outArg, md);
rmSync(dir, { recursive: true, force: true });
