/** Item 1 of issue #16: the full covariance in `did event` and `did cs` results, and the path into `did honest`. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csDynamicVcov } from "../../../src/inference/cs-aggregate.js";
import { csCompute } from "../../../src/analyses/cs.js";
import { assertClose, fixture, readJson, runCli } from "../../helpers.js";
import { mpdtaInput } from "../../estimators/cs/mpdta.js";

interface VM {
  terms: string[];
  matrix: (number | null)[][];
}
const cols = ["--data", fixture("data", "mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"];

test("CS dynamic covariance = did's crossprod(inf)/n² (HonestDiD's sigma) and its diagonal = did's SEs", () => {
  const ref = readJson<{ event_study: { V_full: number[][]; egt: number[] } }>(fixture("refs", "honestdid_mpdta.json"));
  const uni = csCompute(mpdtaInput(false), { base: "universal" });
  const vm = csDynamicVcov(uni.fit, uni.gram);
  assert.deepEqual(
    vm.terms,
    ref.event_study.egt.map((e) => `rel::${e}`),
  );
  ref.event_study.V_full.forEach((row, i) =>
    row.forEach((v, j) => {
      if (v === 0) assert.ok(Math.abs(vm.matrix[i]![j]!) < 1e-18, `zero entry ${i},${j}`);
      else assertClose(vm.matrix[i]![j]!, v, 1e-10, `V[${i},${j}]`);
    }),
  );
  // varying base: sqrt(diag) reproduces did's aggte(dynamic) SEs
  const dr = readJson<{ aggregations: { dynamic: { by: { e: number; std_error: number }[] } } }>(fixture("refs", "mpdta_did_nox_nevertreated_dr.json"));
  const vary = csCompute(mpdtaInput(false), {});
  const vv = csDynamicVcov(vary.fit, vary.gram);
  for (const b of dr.aggregations.dynamic.by) {
    const i = vv.terms.indexOf(`rel::${b.e}`);
    assertClose(Math.sqrt(vv.matrix[i]![i]!), b.std_error, 1e-9, `e = ${b.e}`);
  }
});

test("did event --json carries vcov_matrix: sqrt(diag) = fixest's SEs, the leads' Wald statistic = fixest's", () => {
  const r = runCli(["did", "event", ...cols, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { estimates: { term: string; estimate: number; std_error: number }[]; vcov_matrix: VM; pretrend_wald: { stat: number } };
  const ref = readJson<{ estimates: { term: string; std_error: number }[]; pretrend_wald: { stat: number } }>(fixture("refs", "mpdta_fixest_event.json"));
  const vm = res.vcov_matrix;
  assert.deepEqual(
    vm.terms,
    res.estimates.map((e) => e.term),
  );
  for (const e of ref.estimates) {
    const i = vm.terms.indexOf(e.term);
    assertClose(Math.sqrt(vm.matrix[i]![i]!), e.std_error, 1e-9, e.term);
  }
  vm.matrix.forEach((row, i) => row.forEach((v, j) => assertClose(v!, vm.matrix[j]![i]!, 1e-12, `symmetry ${i},${j}`)));
  // W/q over the leads from the matrix alone
  const leads = ["rel::-4", "rel::-3", "rel::-2"].map((t) => vm.terms.indexOf(t));
  const b = leads.map((i) => res.estimates[i]!.estimate);
  const S = leads.map((i) => leads.map((j) => vm.matrix[i]![j]!));
  // solve S x = b (3 × 3, Cramer-free Gaussian elimination)
  const A = S.map((row, i) => [...row, b[i]!]);
  for (let k = 0; k < 3; k++)
    for (let i = k + 1; i < 3; i++) {
      const f = A[i]![k]! / A[k]![k]!;
      for (let j = k; j < 4; j++) A[i]![j]! -= f * A[k]![j]!;
    }
  const x = [0, 0, 0];
  for (let k = 2; k >= 0; k--) {
    let s = A[k]![3]!;
    for (let j = k + 1; j < 3; j++) s -= A[k]![j]! * x[j]!;
    x[k] = s / A[k]![k]!;
  }
  const W = b.reduce((s, v, i) => s + v * x[i]!, 0) / 3;
  assertClose(W, ref.pretrend_wald.stat, 1e-8, "Wald F");
});

test("did cs --base universal → did honest --from: HonestDiD's mpdta results end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "honest-"));
  const cs = runCli(["did", "cs", ...cols, "--base", "universal", "--json"]);
  assert.equal(cs.status, 0, cs.stderr);
  const file = join(dir, "cs.json");
  writeFileSync(file, cs.stdout);
  const ref = readJson<{
    results: {
      relative_magnitudes: { Mbar: number; lb: number; ub: number }[];
      smoothness_flci: { M: number; lb: number; ub: number }[];
      original: { lb: number; ub: number }[];
    };
  }>(fixture("refs", "honestdid_mpdta.json"));
  const h = runCli(["did", "honest", "--from", file, "--mbar", "0.5,1,1.5,2", "--json"]);
  assert.equal(h.status, 0, h.stderr);
  const out = JSON.parse(h.stdout) as {
    original: { lb: number; ub: number };
    bounds: { restriction: string; method: string; Mbar: number; lb: number; ub: number }[];
    breakdown: { value: number };
  };
  assertClose(out.original.lb, ref.results.original[0]!.lb, 1e-12);
  assertClose(out.original.ub, ref.results.original[0]!.ub, 1e-12);
  ref.results.relative_magnitudes.forEach((r, i) => {
    const b = out.bounds[i]!;
    assert.equal(b.restriction, "RM");
    assert.equal(b.method, "C-LF");
    assert.equal(b.Mbar, r.Mbar);
    assertClose(b.lb, r.lb, 1e-9, `Mbar ${r.Mbar} lb`);
    assertClose(b.ub, r.ub, 1e-9, `Mbar ${r.Mbar} ub`);
  });
  // the original CI contains 0, so the breakdown is 0
  assert.equal(out.breakdown.value, 0);
  const sd = runCli(["did", "honest", "--from", file, "--restriction", "sd", "--m", "0.01,0.02", "--no-breakdown", "--json"]);
  assert.equal(sd.status, 0, sd.stderr);
  const so = JSON.parse(sd.stdout) as { bounds: { M: number; lb: number; ub: number }[]; breakdown: null };
  assert.equal(so.breakdown, null);
  so.bounds.forEach((b, i) => {
    const r = ref.results.smoothness_flci[i + 1]!;
    assertClose(b.lb, r.lb, 1e-6, `M ${r.M} lb`);
    assertClose(b.ub, r.ub, 1e-6, `M ${r.M} ub`);
  });
  // human table and usage errors
  const t = runCli(["did", "honest", "--from", file, "--mbar", "1", "--no-breakdown"]);
  assert.equal(t.status, 0);
  assert.match(t.stdout, /original: .*CI \[-0\.04311, 0\.00325\]/);
  assert.equal(runCli(["did", "honest", "--from", file, "--restriction", "rm", "--method", "flci"]).status, 2);
  assert.equal(runCli(["did", "honest", "--from", file, "--restriction", "xx"]).status, 2);
  const varying = runCli(["did", "cs", ...cols, "--json"]);
  writeFileSync(join(dir, "vary.json"), varying.stdout);
  const v = runCli(["did", "honest", "--from", join(dir, "vary.json")]);
  assert.equal(v.status, 2);
  assert.match(v.stderr, /universal/);
});

test("did sunab and did imputation --json carry vcov_matrix whose diagonal is their SEs (sunab: fixest's)", () => {
  const sa = runCli(["did", "sunab", ...cols, "--json"]);
  assert.equal(sa.status, 0, sa.stderr);
  const s = JSON.parse(sa.stdout) as { estimates: { term: string; std_error: number }[]; vcov_matrix: VM };
  const ref = readJson<{ estimates: { term: string; std_error: number }[] }>(fixture("refs", "mpdta_fixest_sunab.json"));
  for (const e of ref.estimates) {
    const i = s.vcov_matrix.terms.indexOf(e.term);
    assertClose(Math.sqrt(s.vcov_matrix.matrix[i]![i]!), e.std_error, 1e-9, `sunab ${e.term}`);
  }
  // sunab → honest runs on the rel::K terms (3 leads, 4 lags)
  const dir = mkdtempSync(join(tmpdir(), "honest-sa-"));
  writeFileSync(join(dir, "sa.json"), sa.stdout);
  const h = runCli(["did", "honest", "--from", join(dir, "sa.json"), "--mbar", "1", "--no-breakdown", "--json"]);
  assert.equal(h.status, 0, h.stderr);
  const out = JSON.parse(h.stdout) as { input: { numPrePeriods: number; numPostPeriods: number } };
  assert.deepEqual([out.input.numPrePeriods, out.input.numPostPeriods], [3, 4]);

  const im = runCli(["did", "imputation", ...cols, "--json"]);
  assert.equal(im.status, 0, im.stderr);
  const r = JSON.parse(im.stdout) as { estimates: { term: string; std_error: number }[]; vcov_matrix: VM };
  assert.deepEqual(
    r.vcov_matrix.terms,
    r.estimates.map((e) => e.term),
  );
  r.estimates.forEach((e, i) => assertClose(Math.sqrt(r.vcov_matrix.matrix[i]![i]!), e.std_error, 1e-12, `imputation ${e.term}`));
  r.vcov_matrix.matrix.forEach((row, i) => row.forEach((v, j) => assertClose(v!, r.vcov_matrix.matrix[j]![i]!, 1e-12)));
});
