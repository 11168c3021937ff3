/**
 * Issue #14 ("Nothing silent"): bad inputs that used to run through without a word (or with a raw Node /
 * DuckDB message) are refused with a located message, exit 1 for bad input and 2 for bad usage.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTable } from "../../src/data/read.js";
import { runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-silent-"));
function file(name: string, body: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

/** A small seeded panel: 20 units × 6 years, staggered cohorts, x and an outcome; extra columns for the cases. */
function panelCsv(): string {
  let s = 1;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const lines = ["unit,time,x,y,yc,cohort,one,c"];
  for (let u = 1; u <= 20; u++)
    for (let t = 2000; t < 2006; t++) {
      const x = rnd();
      lines.push(`${u},${t},${x},${2 * x + rnd()},${u},${u < 8 ? 2003 : u < 14 ? 2004 : 0},1,5`);
    }
  return lines.join("\n") + "\n";
}
const panel = file("panel.csv", panelCsv());

async function rejectsWith(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, "KeytechError", `not a KeytechError: ${e.name}: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

function fails(args: string[], status: number, re: RegExp): void {
  const r = runCli(args);
  assert.equal(r.status, status, `exit ${r.status}; stderr: ${r.stderr}; stdout: ${r.stdout.slice(0, 300)}`);
  assert.match(r.stderr, re);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

test("1. --cluster on a constant column (one cluster) is refused", () => {
  fails(["feols", "--data", panel, "--formula", "y ~ x | unit", "--cluster", "one"], 1, /'one' has a single cluster.*at least 2 clusters/);
});

test("2. a header naming a column twice is refused, naming both positions", async () => {
  const p = file("dup.csv", "unit,time,x,y,x\n1,1,1,2,3\n2,1,2,3,4\n");
  await rejectsWith(readTable(p, [{ column: "x", type: "number" }]), /column 'x'.*columns 3 and 5/);
  await rejectsWith(readTable(p, [{ column: "y", type: "number" }]), /columns 3 and 5/);
  const g = file("dup.csv.gz", gzipSync("a,b,a\n1,2,3\n"));
  await rejectsWith(readTable(g, [{ column: "b", type: "number" }]), /columns 1 and 3/);
});

test("3. no within variation: constant outcome, outcome constant within FE, y ~ y, sunab", () => {
  fails(["feols", "--data", panel, "--formula", "c ~ x"], 1, /dependent variable 'c' is constant/);
  fails(["feols", "--data", panel, "--formula", "yc ~ x | unit"], 1, /'yc' is constant within the fixed effects/);
  fails(["feols", "--data", panel, "--formula", "y ~ y"], 1, /'y' is also the dependent variable/);
  fails(["feols", "--data", panel, "--formula", "y ~ x + I(2 * y)"], 1, /'I\(2 \* y\)' is computed from the dependent variable 'y'/);
  fails(
    ["did", "sunab", "--data", panel, "--y", "yc", "--unit", "unit", "--time", "time", "--cohort", "cohort"],
    1,
    /'yc' is constant within the fixed effects/,
  );
});

test("4. i(var, ref = k) with k not a level, keep = matching nothing", () => {
  fails(["feols", "--data", panel, "--formula", "y ~ i(cohort, ref = 1999) | time"], 1, /ref = 1999.*not a value of 'cohort'/);
  fails(["feols", "--data", panel, "--formula", "y ~ i(cohort, ref = 0, keep = 1999) | time"], 1, /keep = 1999.*matches no value of 'cohort'/);
});

test("5. the panel reader: truncated .gz, gzip/binary bytes in a .csv, a lone newline, a sniffing failure", async () => {
  const full = gzipSync(panelCsv());
  const trunc = file("trunc.csv.gz", full.subarray(0, Math.floor(full.length / 2)));
  await rejectsWith(readTable(trunc, [{ column: "y", type: "number" }]), /truncated/);
  const gzAsCsv = file("gz.csv", full);
  await rejectsWith(readTable(gzAsCsv, [{ column: "y", type: "number" }]), /gzip signature/);
  const bin = file("bin.csv", Buffer.concat([Buffer.from("a,b\n1,2\n3,"), Buffer.from([0, 1, 2, 0xff]), Buffer.from(",4\n")]));
  await rejectsWith(readTable(bin, [{ column: "a", type: "number" }]), /row 2.*NUL byte/);
  const nl = file("nl.csv", "\n");
  await rejectsWith(readTable(nl, [{ column: "a", type: "number" }]), /the file is empty/);
  const quote = file("quote.csv", 'a,b\n1,2\n3,"4\n5,6\n');
  await rejectsWith(readTable(quote, [{ column: "a", type: "number" }]), /row 2.*quote/);
});

test("6. seeds outside [0, 2^53 − 1] or not integers are refused (exit 2) on every command with --seed", () => {
  const big = "9007199254740993";
  fails(
    ["feols", "--data", panel, "--formula", "y ~ x | unit", "--cluster", "unit", "--bootstrap", "wild", "--reps", "9", "--seed", big],
    2,
    /--seed must be an integer in \[0, 9007199254740991\]/,
  );
  fails(["did", "cs", "--data", panel, "--y", "y", "--unit", "unit", "--time", "time", "--cohort", "cohort", "--seed", "-1"], 2, /--seed must be an integer/);
  fails(["simulate", "--out", join(dir, "sim"), "--seed", "1.5"], 2, /--seed must be an integer/);
  fails(["did", "honest", "--from", panel, "--seed", "4294967296"], 2, /--seed must be an integer in \[0, 2147483647\]/);
});

test("7. --out with an unknown extension, --lead -1, a repeated flag, all singletons, control bytes", () => {
  const res = join(dir, "r.json");
  const ok = runCli(["feols", "--data", panel, "--formula", "y ~ x | unit", "--out", res]);
  assert.equal(ok.status, 0, ok.stderr);
  fails(["table", res, "--out", join(dir, "t.xlsx")], 2, /--out .*'\.xlsx'.*\.md, \.tex, \.html or \.csv/);
  fails(["feols", "--data", panel, "--formula", "y ~ x", "--out", join(dir, "r.xlsx")], 2, /--out .*\.json/);
  fails(
    ["did", "twfe", "--data", panel, "--y", "y", "--unit", "unit", "--time", "time", "--cohort", "cohort", "--lead", "-1"],
    2,
    /--lead must be an integer ≥ 1/,
  );
  fails(["did", "twfe", "--data", panel, "--y", "y", "--y", "x", "--unit", "unit", "--time", "time", "--cohort", "cohort"], 2, /--y given twice/);
  fails(["feols", "--data", panel, "--formula", "y ~ x | unit^time"], 1, /every observation is a singleton of a fixed effect; nothing is left to estimate/);
  const r = runCli(["feols", "--data", panel, "--formula", "y ~ x\u001b[31m"]);
  assert.notEqual(r.status, 0);
  assert.ok(!r.stderr.includes("\u001b"), "no raw ESC byte");
  assert.match(r.stderr, /\\x1B/);
});
