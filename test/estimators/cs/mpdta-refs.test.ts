/** Callaway–Sant'Anna on mpdta against R did 2.1.2 (test/fixtures/refs/mpdta_did_*.json, METHODS.md §14.4). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClose, fixture, readJson } from "../../helpers.js";
import { closeRow, compareAll, REL, type Ref, type RefAgg, type RefRow } from "./refs.js";
import { mpdtaInput } from "./mpdta.js";
import { csCompute, type CsAnalysisOptions } from "../../../src/analyses/cs.js";
import { vcovMatrix, cellEstimate } from "../../../src/inference/cs-aggregate.js";

for (const x of ["nox", "lpop"])
  for (const ctl of ["nevertreated", "notyettreated"])
    for (const m of ["dr", "ipw", "reg"]) {
      test(`CS mpdta ${x} ${ctl} ${m}: every ATT(g,t), SE and the four aggregations equal R did to 1e-6`, () => {
        const ref = readJson<Ref>(fixture("refs", `mpdta_did_${x}_${ctl}_${m}.json`));
        const { result } = csCompute(mpdtaInput(x === "lpop"), {
          control: ctl === "nevertreated" ? "never" : "notyet",
          method: m as CsAnalysisOptions["method"],
        });
        compareAll(result as unknown as Record<string, unknown>, ref, `${x}/${ctl}/${m}`);
      });
    }

for (const x of ["nox", "lpop"])
  test(`CS mpdta ${x} universal base period equals R did (reference cell ATT = 0, SE NA)`, () => {
    const ref = readJson<Ref>(fixture("refs", `mpdta_did_${x}_nevertreated_dr_universal.json`));
    const { result } = csCompute(mpdtaInput(x === "lpop"), { base: "universal" });
    compareAll(result as unknown as Record<string, unknown>, ref, `${x}/universal`);
  });

test("CS mpdta: full analytic vcov of ATT(g,t), balance_e and min_e/max_e aggregations equal R did", () => {
  const ref = readJson<{ vcov_analytical: number[][]; dynamic_balance_e_1: RefAgg; dynamic_min_e_m2_max_e_2: RefAgg }>(
    fixture("refs", "mpdta_did_nox_nevertreated_dr_vcov_aggte_options.json"),
  );
  const { fit, gram } = csCompute(mpdtaInput(false));
  const V = vcovMatrix(
    gram,
    fit.cells.map((_, k) => cellEstimate(fit, k).lambda),
    fit.n,
  );
  const K = fit.cells.length;
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) assertClose(V[a * K + b]!, ref.vcov_analytical[a]![b]!, REL, `V[${a},${b}]`);
  const check = (got: Record<string, unknown>, r: RefAgg, what: string) => {
    const g = got as unknown as { overall: RefRow; by: RefRow[] };
    closeRow(g.overall, r.overall, `${what} overall`);
    assert.equal(g.by.length, r.by!.length);
    r.by!.forEach((rb, j) => {
      assert.equal(g.by[j]!.e, rb.e);
      closeRow(g.by[j]!, rb, `${what} e=${String(rb.e)}`);
    });
  };
  const bal = csCompute(mpdtaInput(false), { balanceE: 1 }).result.aggregations as Record<string, Record<string, unknown>>;
  check(bal.dynamic!, ref.dynamic_balance_e_1, "balance_e=1");
  const mm = csCompute(mpdtaInput(false), { minE: -2, maxE: 2 }).result.aggregations as Record<string, Record<string, unknown>>;
  check(mm.dynamic!, ref.dynamic_min_e_m2_max_e_2, "min_e=-2,max_e=2");
});

test("CS mpdta: Wald pre-test p = 0.16812 (W = 7.7912, χ²(5))", () => {
  const { result } = csCompute(mpdtaInput(false));
  const pt = result.pre_test as { statistic: number; df: number; p_value: number };
  assert.equal(pt.df, 5);
  assert.equal(Math.round(pt.p_value * 1e5) / 1e5, 0.16812);
  assertClose(pt.statistic, 7.7912, 1e-4);
});

test("CS mpdta without covariates: simple ATT = Sun–Abraham ATT −0.039951275155 (1e-10)", () => {
  const sa = readJson<{ att: { estimate: number } }>(fixture("refs", "mpdta_fixest_sunab.json"));
  for (const m of ["dr", "ipw", "reg"] as const) {
    const { result } = csCompute(mpdtaInput(false), { method: m });
    assertClose(result.estimates[0]!.estimate!, sa.att.estimate, 1e-10, `simple ATT (${m})`);
    assertClose(result.estimates[0]!.estimate!, -0.039951275155, 1e-10);
  }
});

test("CS: the moment (no-covariate) path and the dense per-cell path agree (estimates, SEs, aggregations)", () => {
  for (const control of ["never", "notyet"] as const) {
    const a = csCompute(mpdtaInput(false), { control }).result;
    const b = csCompute(mpdtaInput(false), { control, fastPath: false }).result;
    const ga = a.att_gt as RefRow[],
      gb = b.att_gt as RefRow[];
    ga.forEach((r, k) => {
      assertClose(r.estimate, gb[k]!.estimate, 1e-9);
      assertClose(r.std_error!, gb[k]!.std_error!, 1e-10);
    });
    a.estimates.forEach((r, k) => {
      assertClose(r.estimate!, b.estimates[k]!.estimate!, 1e-9);
      assertClose(r.std_error!, b.estimates[k]!.std_error!, 1e-10);
    });
  }
});
