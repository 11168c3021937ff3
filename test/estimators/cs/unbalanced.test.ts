/**
 * Callaway–Sant'Anna on unbalanced panels and repeated cross sections (src/estimators/cs/cs-rc.ts), the path
 * R did takes with `allow_unbalanced_panel = TRUE` on an unbalanced panel or with `panel = FALSE`.
 *
 * - did 2.1.2 took this path whenever allow_unbalanced_panel = TRUE, even on a balanced panel (did 2.2.0 NEWS:
 *   "Check if data is balanced …; if it is, disable allow_unbalanced_panel"). On balanced mpdta without
 *   covariates the repeated-cross-section estimators equal the panel ones exactly, so R did 2.1.2's
 *   `att_gt(…, allow_unbalanced_panel = TRUE)` numbers are the refs mpdta_did_nox_* (every ATT(g,t), SE and
 *   aggregation, checked here to 1e-6 through the rc path); with the time-invariant lpop, ipw and reg
 *   likewise; DR only with the sign-corrected IF (DRDID's drdid_rc IF differs, rc-brute.test.ts).
 * - keytech keeps the panel path on a balanced panel with --allow-unbalanced (did ≥ 2.2.0).
 * - Simulations with random attrition / true repeated cross sections: unbiased, SEs calibrated.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, readJson, runCli } from "../../helpers.js";
import { mpdtaInput } from "./mpdta.js";
import { compareAll, type Ref } from "./refs.js";
import { csAnalysis, csCompute, type CsAnalysisOptions } from "../../../src/analyses/cs.js";
import { buildWidePanel, type LongPanelInput } from "../../../src/estimators/cs/cs-panel.js";
import { estimateCsRc } from "../../../src/estimators/cs/cs-rc.js";
import { MaskedMomentBasis } from "../../../src/estimators/cs/cs-basis.js";
import { Rng } from "../../../src/core/rng.js";
import { simulateStaggered, trueDynamic, trueSimpleAtt, type SimPanel } from "./sim.js";

for (const ctl of ["nevertreated", "notyettreated"])
  for (const m of ["dr", "ipw", "reg"])
    test(`unbalanced path on balanced mpdta (did 2.1.2 allow_unbalanced_panel = TRUE), nox ${ctl} ${m}: equals R did refs to 1e-6`, () => {
      const ref = readJson<Ref>(fixture("refs", `mpdta_did_nox_${ctl}_${m}.json`));
      const { result } = csCompute(mpdtaInput(false), {
        control: ctl === "nevertreated" ? "never" : "notyet",
        method: m as CsAnalysisOptions["method"],
        rcOnBalanced: true,
      });
      assert.equal((result.provenance.options as { estimator_path: string }).estimator_path, "repeated cross sections within the panel (unit ids kept)");
      compareAll(result as unknown as Record<string, unknown>, ref, `rc/nox/${ctl}/${m}`);
    });

for (const m of ["ipw", "reg", "dr"])
  test(`unbalanced path on balanced mpdta with lpop (${m}${m === "dr" ? ", corrected IF" : ""}): equals R did panel refs to 1e-6`, () => {
    const ref = readJson<Ref>(fixture("refs", `mpdta_did_lpop_nevertreated_${m}.json`));
    const { result } = csCompute(mpdtaInput(true), { method: m as CsAnalysisOptions["method"], rcOnBalanced: true, rcCorrectedIf: m === "dr" });
    compareAll(result as unknown as Record<string, unknown>, ref, `rc/lpop/${m}`);
  });

test("unbalanced path, DR with lpop and DRDID's IF: same ATTs as the panel, SEs differ by DRDID's sign term (0.1–1%)", () => {
  const p = csCompute(mpdtaInput(true)).result;
  const r = csCompute(mpdtaInput(true), { rcOnBalanced: true }).result;
  let maxAtt = 0,
    maxSe = 0;
  (p.att_gt as { estimate: number; std_error: number }[]).forEach((c, k) => {
    const q = (r.att_gt as { estimate: number; std_error: number }[])[k]!;
    maxAtt = Math.max(maxAtt, Math.abs(q.estimate - c.estimate) / Math.abs(c.estimate));
    maxSe = Math.max(maxSe, Math.abs(q.std_error - c.std_error) / c.std_error);
  });
  assert.ok(maxAtt < 1e-9, `ATT ${maxAtt}`);
  assert.ok(maxSe > 1e-4 && maxSe < 2e-2, `SE relative difference ${maxSe}`);
});

test("balanced panel with allowUnbalanced keeps the panel path (did ≥ 2.2.0): identical results", () => {
  for (const x of [false, true]) {
    const a = csAnalysis(mpdtaInput(x), { control: "notyet" });
    const b = csAnalysis(mpdtaInput(x), { control: "notyet", allowUnbalanced: true });
    assert.equal((b.provenance.options as { estimator_path: string }).estimator_path, "panel");
    assert.deepEqual(b.att_gt, a.att_gt);
    assert.deepEqual(b.aggregations, a.aggregations);
  }
});

/** Drop rows at random (never a unit's last remaining row); probability `p` per row. */
function attrite(s: SimPanel, p: number, seed: number): LongPanelInput {
  const rng = new Rng(seed);
  const keep: number[] = [];
  for (let r = 0; r < s.y.length; r++) if (rng.uniform() >= p) keep.push(r);
  const pick = (a: ArrayLike<number>) => Float64Array.from(keep, (r) => a[r]!);
  return { ...s, y: pick(s.y), unit: pick(s.unit as ArrayLike<number>), time: pick(s.time), cohort: pick(s.cohort), x: [] };
}

test("unbalanced, no covariates: the closed-form 2×2 equals the DRDID rc code (fastPath false) to 1e-9, with weights and clusters", () => {
  const s = simulateStaggered({ ...spec, nUnits: 150, seed: 77 });
  const inp = attrite(s, 0.3, 78);
  const rng = new Rng(79);
  const wUnit = Array.from({ length: 151 }, () => 0.5 + rng.uniform());
  const weights = Float64Array.from(inp.unit as ArrayLike<number>, (u) => wUnit[u]!);
  const cluster = Float64Array.from(inp.unit as ArrayLike<number>, (u) => u % 40);
  for (const method of ["dr", "ipw", "reg"] as const)
    for (const extra of [{}, { weights, cluster, names: { ...inp.names, weights: "w", cluster: "c" } }]) {
      const q = { ...inp, ...extra };
      const a = csAnalysis(q, { allowUnbalanced: true, method, control: "notyet" });
      const b = csAnalysis(q, { allowUnbalanced: true, method, control: "notyet", fastPath: false });
      const rows = (r: typeof a) => [
        ...(r.att_gt as { estimate: number; std_error: number }[]),
        ...r.estimates.map((e) => ({ estimate: e.estimate!, std_error: e.std_error! })),
      ];
      const ra = rows(a),
        rb = rows(b);
      ra.forEach((x, k) => {
        assert.ok(Math.abs(x.estimate - rb[k]!.estimate) <= 1e-9 * Math.max(1, Math.abs(x.estimate)), `${method} estimate ${k}`);
        assert.ok(Math.abs(x.std_error - rb[k]!.std_error) <= 1e-9 * x.std_error, `${method} SE ${k}: ${x.std_error} vs ${rb[k]!.std_error}`);
      });
    }
});

test("unbalanced moment basis: Gram matrix and seeded bootstrap draws equal those of its dense rows (1e-10); bootstrap SE ≈ analytic", () => {
  const s = simulateStaggered({ ...spec, nUnits: 120, seed: 81 });
  const panel = buildWidePanel(attrite(s, 0.3, 82), { allowUnbalanced: true });
  const fit = estimateCsRc(panel, { control: "notyet" });
  const mb = fit.basis as MaskedMomentBasis;
  assert.ok(mb instanceof MaskedMomentBasis);
  const dense = mb.toDense(null, 0, panel.cohortIdx);
  const scale = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const g1 = mb.gram(),
    g2 = dense.gram();
  g1.forEach((v, k) => assert.ok(Math.abs(v - g2[k]!) <= 1e-10 * scale(g2), `gram ${k}`));
  const u1 = mb.multiplierSums(40, new Rng(5)),
    u2 = dense.multiplierSums(40, new Rng(5));
  u1.forEach((v, k) => assert.ok(Math.abs(v - u2[k]!) <= 1e-10 * scale(u2), `draw ${k}`));
  // the analysis: bootstrap SEs (B = 999) close to the analytic ones; same seed, same numbers
  const inp = attrite(simulateStaggered({ ...spec, nUnits: 600, seed: 83 }), 0.3, 84);
  const an = csAnalysis(inp, { allowUnbalanced: true });
  const bs = csAnalysis(inp, { allowUnbalanced: true, bootstrap: 999, seed: 3 });
  assert.deepEqual(csAnalysis(inp, { allowUnbalanced: true, bootstrap: 999, seed: 3 }).estimates, bs.estimates);
  an.estimates.forEach((e, k) => {
    const r = bs.estimates[k]!.std_error! / e.std_error!;
    assert.ok(r > 0.85 && r < 1.15, `${e.term}: bootstrap/analytic SE ${r}`);
  });
});

/** One row per unit at a random period: true repeated cross sections. */
function crossSections(s: SimPanel, T: number, seed: number): LongPanelInput {
  const rng = new Rng(seed);
  const keep: number[] = [];
  for (let i = 0; i < s.unitCohort.length; i++) keep.push(i * T + rng.int(T));
  const pick = (a: ArrayLike<number>) => Float64Array.from(keep, (r) => a[r]!);
  return { ...s, y: pick(s.y), unit: pick(s.unit as ArrayLike<number>), time: pick(s.time), cohort: pick(s.cohort), x: [] };
}

const effect = (g: number, e: number): number => (g === 3 ? 3 : 1) * (1 + 0.8 * e);
const spec = { nUnits: 400, T: 8, cohorts: [3, 5, 7, 0], probs: [0.3, 0.25, 0.2, 0.25], effect };
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: number[]) => {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1));
};

test("simulation, unbalanced panels (25% of rows missing at random): simple and dynamic ATT unbiased; SE ≈ MC sd", () => {
  const R = 60;
  const est: number[] = [],
    se: number[] = [],
    bias: number[] = [],
    biasDyn: number[] = [];
  for (let rep = 0; rep < R; rep++) {
    const s = simulateStaggered({ ...spec, seed: 7000 + rep });
    const res = csAnalysis(attrite(s, 0.25, 9000 + rep), { allowUnbalanced: true });
    const e = res.estimates[0]!;
    est.push(e.estimate!);
    se.push(e.std_error!);
    bias.push(e.estimate! - trueSimpleAtt(s, spec.T, effect));
    const d = (res.aggregations as { dynamic: { by: { e: number; estimate: number }[] } }).dynamic.by.find((b) => b.e === 2)!;
    biasDyn.push(d.estimate - trueDynamic(s, spec.T, 2, effect));
  }
  assert.ok(Math.abs(mean(bias)) < 0.04, `simple ATT bias ${mean(bias)}`);
  assert.ok(Math.abs(mean(biasDyn)) < 0.05, `dynamic(2) bias ${mean(biasDyn)}`);
  const ratio = mean(se) / sd(est);
  assert.ok(ratio > 0.75 && ratio < 1.33, `mean SE / MC sd = ${ratio}`);
});

test("simulation, repeated cross sections (panel = false, one row per unit): unbiased; SE ≈ MC sd", () => {
  const R = 60;
  const est: number[] = [],
    se: number[] = [],
    bias: number[] = [];
  for (let rep = 0; rep < R; rep++) {
    const s = simulateStaggered({ ...spec, nUnits: 2400, seed: 11000 + rep });
    const res = csAnalysis(crossSections(s, spec.T, 13000 + rep), { panel: false });
    assert.equal(res.n_units, 2400);
    est.push(res.estimates[0]!.estimate!);
    se.push(res.estimates[0]!.std_error!);
    bias.push(res.estimates[0]!.estimate! - trueSimpleAtt(s, spec.T, effect));
  }
  const ratio = mean(se) / sd(est);
  assert.ok(Math.abs(mean(bias)) < (3 * sd(est)) / Math.sqrt(R) + 0.02, `simple ATT bias ${mean(bias)} (MC sd ${sd(est)})`);
  assert.ok(ratio > 0.75 && ratio < 1.33, `mean SE / MC sd = ${ratio}`);
});

test("did cs CLI: --panel false without --unit; bad --panel exits 2; an unbalanced file needs --allow-unbalanced", () => {
  const base = ["did", "cs", "--data", fixture("data", "mpdta.csv"), "--y", "lemp", "--time", "year", "--cohort", "first.treat", "--json"];
  const rc = runCli([...base, "--panel", "false"]);
  assert.equal(rc.status, 0, rc.stderr);
  const res = JSON.parse(rc.stdout) as { n_units: number; provenance: { options: { estimator_path: string } }; estimates: { estimate: number }[] };
  assert.equal(res.n_units, 2500);
  assert.equal(res.provenance.options.estimator_path, "repeated cross sections");
  // same point estimate as the panel (no covariates: differences of cohort-period means)
  const ref = readJson<{ aggregations: { simple: { overall: { estimate: number } } } }>(fixture("refs", "mpdta_did_nox_nevertreated_dr.json"));
  assert.ok(Math.abs(res.estimates[0]!.estimate - ref.aggregations.simple.overall.estimate) < 1e-10);
  assert.equal(runCli([...base, "--panel", "maybe"]).status, 2);
  // an unbalanced file: refused (exit 1, naming the units) unless --allow-unbalanced
  const lines = readFileSync(fixture("data", "mpdta.csv"), "utf8").trim().split("\n");
  const dir = mkdtempSync(join(tmpdir(), "keytech-unb-"));
  const file = join(dir, "unb.csv");
  writeFileSync(file, [lines[0]!, ...lines.slice(1).filter((_, k) => k % 97 !== 5)].join("\n") + "\n");
  const ub = ["did", "cs", "--data", file, "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat", "--x", "lpop", "--json"];
  const refused = runCli(ub);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /unb\.csv.*unbalanced panel: \d+ of 500 units lack some periods.*--allow-unbalanced/s);
  const ok = runCli([...ub, "--allow-unbalanced"]);
  assert.equal(ok.status, 0, ok.stderr);
  const u = JSON.parse(ok.stdout) as {
    n_units: number;
    nobs: number;
    att_gt: { estimate: number | null }[];
    provenance: { options: { estimator_path: string } };
  };
  assert.equal(u.n_units, 500);
  assert.equal(u.nobs, 2500 - 26);
  assert.equal(u.att_gt.length, 12);
  assert.ok(u.att_gt.every((c) => c.estimate !== null && Number.isFinite(c.estimate)));
  assert.match(ok.stderr, /unbalanced panel \(26 of 2500 unit-periods missing\)/);
});
