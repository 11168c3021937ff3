/**
 * `keytech study init --panel FILE` on two real panels that are not the reference study (castle doctrine,
 * mpdta): the guesses, a spec that runs as written with exit 0, blocks without inputs "not available"
 * with their reason, and no word of the reference study in the report.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, readJson, runCli } from "../helpers.js";

interface Run {
  outcome: { column: string; source: string };
  blocks: { id: string; status: string; error?: string; output?: { models: { result: { estimates: { term: string; estimate: number | null }[] } }[] } }[];
}

const CASES = [
  { file: "castle.csv", args: ["--outcome", "l_homicide"], expect: { unit: "state", time: "year", cohort: "effyear", outcome: "l_homicide" } },
  { file: "mpdta.csv", args: [], expect: { unit: "countyreal", time: "year", cohort: "first.treat", outcome: "lemp" } },
];

for (const c of CASES) {
  test(`study init --panel ${c.file}: guesses the design, runs with exit 0, other blocks not available`, () => {
    const dir = mkdtempSync(join(tmpdir(), "kt-init-panel-"));
    copyFileSync(fixture("data", c.file), join(dir, c.file));
    const spec = join(dir, "study.yaml");
    const init = runCli(["study", "init", "--panel", join(dir, c.file), "--out", spec, ...c.args]);
    assert.equal(init.status, 0, init.stderr);
    const text = readFileSync(spec, "utf8");
    assert.match(text, new RegExp(`unit: ${c.expect.unit}\\n`));
    assert.match(text, new RegExp(`time: ${c.expect.time}\\n`));
    assert.match(text, new RegExp(`cohort: "?${c.expect.cohort.replace(".", "\\.")}"?`));
    assert.match(text, new RegExp(`column: "?${c.expect.outcome}"?\\n`));
    assert.match(init.stderr, /unit: .*unique key/);
    const out = join(dir, "results");
    const run = runCli(["study", "run", spec, "--out", out]);
    assert.equal(run.status, 0, run.stderr);
    const res = readJson<Run>(join(out, "results.json"));
    assert.equal(res.outcome.source, "panel");
    const status = Object.fromEntries(res.blocks.map((b) => [b.id, b.status]));
    for (const id of ["baseline", "event_study", "cs", "sdid", "placebo", "stacked", "bacon", "county_trends"])
      assert.equal(status[id], "ok", `${id}: ${res.blocks.find((b) => b.id === id)?.error}`);
    for (const id of ["patents", "mechanisms", "paths", "ddd", "exclusions", "heterogeneity", "moderation", "alt_outcomes"]) {
      const b = res.blocks.find((x) => x.id === id)!;
      assert.equal(b.status, "not_available", id);
      assert.ok((b.error ?? "").length > 10, `${id} says why`);
    }
    const html = readFileSync(join(out, "report.html"), "utf8").replace(/<[^>]+>/g, " ");
    const prose = html.replace(/county_trends|digital_index|countyreal/gi, "");
    for (const word of ["county", "counties", "pilot", "digital cluster", "paper eq"])
      assert.ok(!new RegExp(word, "i").test(prose), `the report says "${word}"`);
    assert.ok(!/KeyTech/.test(prose), 'the report says "KeyTech"');
    assert.match(html, /Treat × Post/);
  });
}

test("study init --panel: an override that is not a column, or not a treatment, is refused with the reason", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-init-panel-bad-"));
  const r1 = runCli(["study", "init", "--panel", fixture("data", "mpdta.csv"), "--out", join(dir, "a.yaml"), "--outcome", "nope"]);
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /--outcome nope: no such column in mpdta\.csv/);
  const r2 = runCli(["study", "init", "--panel", fixture("data", "mpdta.csv"), "--out", join(dir, "b.yaml"), "--treatment", "treat"]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /--treatment treat: not an absorbing 0\/1 treatment/);
});
