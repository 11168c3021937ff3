/**
 * The λ-basis algebra of the aggregations against a brute-force influence function built unit by unit
 * from the dense cell IFs with did's wif() formula, including the textbook group-overall WIF (the option
 * that does not reproduce did's use of the first cells' cohorts).
 */
import { test } from "node:test";
import { assertClose } from "../../helpers.js";
import { mpdtaInput } from "./mpdta.js";
import { buildWidePanel } from "../../../src/estimators/cs/cs-panel.js";
import { estimateCs } from "../../../src/estimators/cs/cs.js";
import { aggregateCs, analyticSe } from "../../../src/inference/cs-aggregate.js";
import type { DenseBasis } from "../../../src/estimators/cs/cs-basis.js";

function setup(withX: boolean) {
  const panel = buildWidePanel(mpdtaInput(withX));
  const fit = estimateCs(panel, { fastPath: false });
  const B = fit.basis as DenseBasis;
  const n = fit.n,
    K = fit.K;
  const psi = (k: number) => Float64Array.from({ length: n }, (_, i) => B.rows[i * B.dim + k]!);
  const pg = (g: number) => fit.pg[fit.cohorts.indexOf(g)]!;
  /** did's wif(): Σ_k att_k [ (1[G=g_k] − p_k)/S − (Σ_j (1[G=g_j] − p_j)) p_k/S² ] for components (att, g, p) */
  const wif = (comps: { att: number; g: number }[]) => {
    const S = comps.reduce((s, c) => s + pg(c.g), 0);
    return Float64Array.from({ length: n }, (_, i) => {
      const Gi = panel.cohort[i]!;
      const sumC = comps.reduce((s, c) => s + ((Gi === c.g ? 1 : 0) - pg(c.g)), 0);
      return comps.reduce((s, c) => s + c.att * (((Gi === c.g ? 1 : 0) - pg(c.g)) / S - (sumC * pg(c.g)) / (S * S)), 0);
    });
  };
  const seOf = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)) / n;
  return { fit, G: B.gram(), psi, pg, wif, seOf, n, K };
}

test("simple aggregation: λ-basis SE = brute-force IF (cells + did's WIF) SE, with and without covariates", () => {
  for (const withX of [false, true]) {
    const { fit, G, psi, pg, wif, seOf, n } = setup(withX);
    const post = fit.cells.map((c, k) => ({ ...c, k })).filter((c) => c.group <= c.time);
    const S = post.reduce((s, c) => s + pg(c.group), 0);
    const inf = new Float64Array(n);
    for (const c of post) {
      const p = psi(c.k);
      for (let i = 0; i < n; i++) inf[i]! += (pg(c.group) / S) * p[i]!;
    }
    const w = wif(post.map((c) => ({ att: c.att, g: c.group })));
    for (let i = 0; i < n; i++) inf[i]! += w[i]!;
    const a = aggregateCs(fit, "simple");
    assertClose(analyticSe(G, a.overall.lambda, n), seOf(inf), 1e-10, `simple (x=${withX})`);
  }
});

test("group overall: the textbook WIF (didGroupWif = false) equals the brute-force IF; did's variant differs", () => {
  const { fit, G, psi, pg, wif, seOf, n } = setup(false);
  const groups = fit.cohorts;
  const inf = new Float64Array(n);
  const S = groups.reduce((s, g) => s + pg(g), 0);
  const thetas: number[] = [];
  for (const g of groups) {
    const cells = fit.cells.map((c, k) => ({ ...c, k })).filter((c) => c.group === g && c.time >= g);
    thetas.push(cells.reduce((s, c) => s + c.att, 0) / cells.length);
    for (const c of cells) {
      const p = psi(c.k);
      for (let i = 0; i < n; i++) inf[i]! += ((pg(g) / S) * p[i]!) / cells.length;
    }
  }
  const w = wif(groups.map((g, j) => ({ att: thetas[j]!, g })));
  for (let i = 0; i < n; i++) inf[i]! += w[i]!;
  const textbook = aggregateCs(fit, "group", { didGroupWif: false });
  assertClose(analyticSe(G, textbook.overall.lambda, n), seOf(inf), 1e-10, "group overall, textbook WIF");
  const didv = aggregateCs(fit, "group");
  const r = analyticSe(G, didv.overall.lambda, n) / seOf(inf);
  if (Math.abs(r - 1) < 1e-4) throw new Error("did's group WIF should differ from the textbook one on mpdta");
});
