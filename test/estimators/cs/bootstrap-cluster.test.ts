/** Multiplier bootstrap (seeded, IQR SE, uniform bands) and clustered influence-function SEs. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClose } from "../../helpers.js";
import { mpdtaInput } from "./mpdta.js";
import { csAnalysis, csCompute } from "../../../src/analyses/cs.js";
import { resultToJson } from "../../../src/core/result.js";
import { buildWidePanel } from "../../../src/estimators/cs/cs-panel.js";
import { estimateCs } from "../../../src/estimators/cs/cs.js";
import { multiplierDraws } from "../../../src/inference/multiplier-bootstrap.js";

test("bootstrap: same seed → byte-identical JSON; another seed → different draws", () => {
  const a = resultToJson(csAnalysis(mpdtaInput(false), { bootstrap: 200, seed: 7 }));
  const b = resultToJson(csAnalysis(mpdtaInput(false), { bootstrap: 200, seed: 7 }));
  const c = resultToJson(csAnalysis(mpdtaInput(false), { bootstrap: 200, seed: 8 }));
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test("bootstrap: the moment basis and the dense basis give the same draws bit for bit (same signs per unit)", () => {
  const panel = buildWidePanel(mpdtaInput(false));
  const fm = estimateCs(panel, { fastPath: true });
  const fd = estimateCs(panel, { fastPath: false });
  const dm = multiplierDraws(fm.basis, 64, 11),
    dd = multiplierDraws(fd.basis, 64, 11);
  for (let j = 0; j < dm.u.length; j++) assertClose(dm.u[j]!, dd.u[j]!, 1e-9, `draw entry ${j}`);
});

test("bootstrap SE ≈ analytic SE on mpdta (B = 2000: IQR-based within 15%, RMS of the draws within 5%)", () => {
  const an = csAnalysis(mpdtaInput(false));
  const bs = csAnalysis(mpdtaInput(false), { bootstrap: 2000, seed: 1 });
  an.estimates.forEach((e, k) => {
    const r = bs.estimates[k]!.std_error! / e.std_error!;
    assert.ok(r > 0.85 && r < 1.15, `${e.term}: bootstrap/analytic SE ratio ${r}`);
  });
  const ga = an.att_gt as { std_error: number }[],
    gb = bs.att_gt as { std_error: number; estimate: number; conf_high: number }[];
  ga.forEach((c, k) => assert.ok(Math.abs(gb[k]!.std_error / c.std_error - 1) < 0.15, `cell ${k}`));
  // E[u_b²] = ΣΨ² exactly: the RMS of the draws of each cell reproduces its analytic SE
  const { fit } = csCompute(mpdtaInput(false));
  const d = multiplierDraws(fit.basis, 2000, 5);
  ga.forEach((c, k) => {
    let s2 = 0;
    for (let b = 0; b < d.B; b++) s2 += d.u[b * d.dim + k]! ** 2;
    const r = Math.sqrt(s2 / d.B) / fit.n / c.std_error;
    assert.ok(Math.abs(r - 1) < 0.05, `cell ${k}: RMS/analytic ${r}`);
  });
  const crit = (bs.vcov as unknown as { critical_values: Record<string, number> }).critical_values;
  assert.ok(crit.att_gt! > 1.96 && crit.att_gt! < 3.5, `uniform critical value ${crit.att_gt}`);
  assertClose(gb[0]!.conf_high, gb[0]!.estimate + crit.att_gt! * gb[0]!.std_error, 1e-12);
});

test("cluster = unit column gives exactly the unit-level SEs; a coarser cluster matches a brute-force sum of IFs", () => {
  const base = mpdtaInput(false);
  const unitCl = csAnalysis({ ...base, names: { ...base.names, cluster: "countyreal" }, cluster: base.unit });
  const plain = csAnalysis(base);
  plain.estimates.forEach((e, k) => assertClose(unitCl.estimates[k]!.std_error!, e.std_error!, 1e-12));
  // state = county code / 1000 (FIPS): coarser clusters
  const state = Float64Array.from(base.unit as Float64Array, (u) => Math.floor(u / 1000));
  const inp = { ...base, names: { ...base.names, cluster: "state" }, cluster: state };
  const fast = csCompute(inp);
  const dense = csCompute(inp, { fastPath: false });
  fast.result.estimates.forEach((e, k) => assertClose(e.std_error!, dense.result.estimates[k]!.std_error!, 1e-10));
  // brute force from the dense unit-level IF of one cell: se = sqrt(Σ_c (Σ_{i∈c} Ψ_i)²)/n
  const unitFit = csCompute(base, { fastPath: false }).fit;
  const rows = unitFit.basis as unknown as { rows: Float64Array; dim: number };
  const panel = buildWidePanel(inp);
  const sums = new Map<number, number>();
  for (let i = 0; i < panel.n; i++) sums.set(panel.cluster![i]!, (sums.get(panel.cluster![i]!) ?? 0) + rows.rows[i * rows.dim + 0]!);
  let ss = 0;
  for (const v of sums.values()) ss += v * v;
  const gt = fast.result.att_gt as { std_error: number }[];
  assertClose(gt[0]!.std_error, Math.sqrt(ss) / panel.n, 1e-10);
  assert.notEqual(gt[0]!.std_error.toFixed(8), (plain.att_gt as { std_error: number }[])[0]!.std_error.toFixed(8));
  assert.equal((fast.result.vcov as unknown as { clusters: Record<string, number> }).clusters.state, sums.size);
});
