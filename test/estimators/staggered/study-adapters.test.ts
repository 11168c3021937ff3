import { test } from "node:test";
import assert from "node:assert/strict";
import type { BlockContext } from "../../../src/study/blocks/types.js";
import { didPanelFromArrays } from "../../../src/data/panel.js";
import { imputationEventStudy } from "../../../src/analyses/imputation.js";
import { stackedDid, stackedEventStudy } from "../../../src/analyses/stacked.js";
import { imputationFit } from "../../../src/estimators/imputation.js";
import { stackedFit } from "../../../src/estimators/stacked.js";
import { assertClose } from "../../helpers.js";
import { simulate } from "./sim.js";

/** A minimal study context around a simulated panel (the fields the adapters read). */
function context() {
  const p = simulate(41, { nUnits: 80, periods: [1, 2, 3, 4, 5, 6, 7, 8, 9], cohorts: [0, 4, 6], effect: (g, e) => 1 + e * 0.5 + g * 0.1, noise: 1 });
  const y = Float64Array.from(p.y);
  y[3] = Number.NaN; // one missing outcome: left out and counted
  const times = [...new Set(p.time)].sort((a, b) => a - b);
  const ctx = {
    spec: { outcome: { column: "keytech" }, model: { controls: [], cluster: "county" } },
    data: {
      n: p.n,
      unitCodes: p.unit,
      units: Array.from({ length: p.nUnits }, (_, i) => `c${i}`),
      time: p.time,
      times,
      timeCodes: Int32Array.from(p.time, (t) => times.indexOf(t)),
      num: { keytech: y, cohort: p.cohort },
      clusterCodes: p.unit,
      nClusters: p.nUnits,
      inputHashes: { panel: "sha256:x" },
      unitName: "county",
      timeName: "year",
    },
  } as unknown as BlockContext;
  const panel = didPanelFromArrays({
    file: "(study)",
    inputs: { panel: "sha256:x" },
    unitName: "county",
    timeName: "year",
    unitCodes: p.unit,
    units: ctx.data.units,
    time: p.time,
    num: ctx.data.num,
    cohort: "cohort",
  });
  const model = { outcome: "keytech", controls: [] };
  const keep = [...Array(p.n).keys()].filter((i) => i !== 3);
  const input = {
    y: Float64Array.from(keep, (i) => p.y[i]!),
    unit: Int32Array.from(keep, (i) => p.unit[i]!),
    nUnits: p.nUnits,
    time: Float64Array.from(keep, (i) => p.time[i]!),
    cohort: Float64Array.from(keep, (i) => p.cohort[i]!),
  };
  return { panel, model, input };
}

test("study adapters: imputation and stacked event studies give rel::k terms equal to the estimators", () => {
  const { panel, model, input } = context();
  const imp = imputationEventStudy({ panel, model, window: [-3, 2], ref: -1 });
  const terms = imp.estimates.map((e) => e.term);
  assert.deepEqual(terms, ["rel::-3", "rel::-2", "att", "rel::0", "rel::1", "rel::2"]);
  assert.equal(imp.dropped.missing, 1);
  const fit = imputationFit(input, { horizons: [0, 1, 2] });
  fit.estimates.forEach((e) => assertClose(imp.estimates.find((r) => r.term === e.term)!.estimate!, e.estimate, 1e-12, e.term));
  const st = stackedEventStudy({ panel, model, window: [-3, 2], ref: -1 });
  const sf = stackedFit(input, { kPre: 3, kPost: 2, weights: "wfh" });
  sf.terms.forEach((t, k) => assertClose(st.estimates.find((r) => r.term === t)!.estimate!, sf.fit.coef[k]!, 1e-12, t));
  assert.throws(() => stackedEventStudy({ panel, model, window: [-3, 2], ref: -2 }), /reference/);
  const sd = stackedDid({ panel, model, window: [-3, 2], weighting: "unweighted" });
  const ss = stackedFit(input, { kPre: 3, kPost: 2, weights: "none", static: true });
  assertClose(sd.estimates.find((r) => r.term === "treat_post")!.estimate!, ss.fit.coef[0]!, 1e-12, "static stacked");
  assert.equal(sd.vcov!.clusters!.county, 80);
});
