/** `keytech plot RESULT.json` draws an event study (did event, did cs) or a coefficient plot (did twfe) as SVG + PNG. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "kt-plot-"));
const data = fixture("data", "mpdta.csv");
const cols = ["--data", data, "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"];

for (const [cmd, kind, points] of [
  ["event", "event", 8],
  ["cs", "event", 7],
  ["twfe", "coef", 1],
] as const) {
  test(`keytech plot on a did ${cmd} result: ${kind} plot, SVG and PNG`, () => {
    const r = runCli(["did", cmd, ...cols, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const f = join(dir, `${cmd}.json`);
    writeFileSync(f, r.stdout);
    const p = runCli(["plot", f, "--json"]);
    assert.equal(p.status, 0, p.stderr);
    const out = JSON.parse(p.stdout) as { kind: string; points: number; svg: string; png: string };
    assert.equal(out.kind, kind);
    assert.equal(out.points, points);
    assert.ok(existsSync(out.svg) && statSync(out.png).size > 5000);
    const svg = readFileSync(out.svg, "utf8");
    assert.match(svg, /^<svg/);
    // one CI rule per point (the reference point with zero width), plus the zero line and the reference line
    if (kind === "event")
      assert.equal((svg.match(/aria-roledescription="rule mark"/g) ?? []).length, points + 2, "every point has its interval (+ the zero and reference lines)");
  });
}

test("keytech plot refuses what is not a result, naming the file", () => {
  const f = join(dir, "bad.json");
  writeFileSync(f, '{"hello": 1}');
  const p = runCli(["plot", f]);
  assert.equal(p.status, 1);
  assert.match(p.stderr, /bad\.json: not a keytech result: no "estimates" list/);
});

test("keytech plot --out NAME.svg (or .png) writes NAME.svg and NAME.png, not NAME.svg.svg", () => {
  const r = runCli(["did", "twfe", ...cols, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const f = join(dir, "named.json");
  writeFileSync(f, r.stdout);
  for (const ext of [".svg", ".png", ".PNG"]) {
    const stem = join(dir, `fig${ext.slice(1)}`);
    const p = runCli(["plot", f, "--out", stem + ext, "--json"]);
    assert.equal(p.status, 0, p.stderr);
    const o = JSON.parse(p.stdout) as { svg: string; png: string };
    assert.deepEqual([o.svg, o.png], [stem + ".svg", stem + ".png"]);
    assert.ok(existsSync(o.svg) && existsSync(o.png));
  }
});
