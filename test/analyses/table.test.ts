import { test } from "node:test";
import assert from "node:assert/strict";
import type { KeytechResult } from "../../src/core/result.js";
import { renderRegressionTable, stars } from "../../src/report/regression-table.js";

function model(
  est: number,
  se: number,
  p: number,
  fe: string[],
  controls: string[],
  n: number,
  adj: number,
  extra: { term: string; estimate: number; std_error: number; p_value: number }[] = [],
): KeytechResult {
  return {
    keytech: "0.1.0",
    command: "did twfe",
    estimates: [
      { term: "treat_post", estimate: est, std_error: se, statistic: est / se, p_value: p, conf_low: null, conf_high: null },
      ...extra.map((e) => ({ ...e, statistic: null, conf_low: null, conf_high: null })),
    ],
    nobs: n,
    fit: { r2: 0.5, adj_r2: adj, within_r2: 0.1 },
    vcov: { type: "cluster", clusters: { county: 435 }, small_sample: "" },
    dropped: { singletons: 0, missing: 0, collinear: [] },
    provenance: { seed: null, inputs: {}, options: {} },
    model: { depvar: "KeyTech", formula: "", fixed_effects: fe, controls },
  };
}

const m1 = model(5.2924, 1.1025, 0.00001, ["county", "year"], [], 9570, 0.3934);
const m2 = model(4.6533, 1.0585, 0.0001, ["county", "year"], ["gdp", "pop"], 9570, 0.4111, [{ term: "gdp", estimate: 0.12, std_error: 0.1, p_value: 0.07 }]);

test("stars thresholds", () => {
  assert.equal(stars(0.009), "***");
  assert.equal(stars(0.01), "**");
  assert.equal(stars(0.049), "**");
  assert.equal(stars(0.05), "*");
  assert.equal(stars(0.1), "");
  assert.equal(stars(null), "");
});

test("markdown table: stars, SE in parentheses, Yes/No rows, N with separators, adjusted R²", () => {
  const md = renderRegressionTable([m1, m2], { keep: ["treat_post"], labels: { treat_post: "Treat×Post", county: "County" } });
  assert.equal(
    md,
    [
      "|            |       (1) |       (2) |",
      "|:-----------|----------:|----------:|",
      "|            |   KeyTech |   KeyTech |",
      "| Treat×Post | 5.2924*** | 4.6533*** |",
      "|            |  (1.1025) |  (1.0585) |",
      "|            |           |           |",
      "| Controls   |        No |       Yes |",
      "| County FE  |       Yes |       Yes |",
      "| year FE    |       Yes |       Yes |",
      "| N          |     9,570 |     9,570 |",
      "| Adj. R²    |    0.3934 |    0.4111 |",
      "",
      "_Standard errors in parentheses (clustered by county)._",
      "_*** p<0.01, ** p<0.05, * p<0.1._",
      "",
    ].join("\n"),
  );
});

test("without keep every term is shown and controls shown are not counted as hidden", () => {
  const csv = renderRegressionTable([m1, m2], { format: "csv" });
  assert.equal(
    csv,
    [
      ",(1),(2)",
      ",KeyTech,KeyTech",
      "treat_post,5.2924***,4.6533***",
      ",(1.1025),(1.0585)",
      "gdp,,0.1200*",
      ",,(0.1000)",
      "Controls,No,Yes",
      "county FE,Yes,Yes",
      "year FE,Yes,Yes",
      'N,"9,570","9,570"',
      "Adj. R²,0.3934,0.4111",
      "",
    ].join("\n"),
  );
});

test("LaTeX uses booktabs, escapes and superscript stars; HTML escapes", () => {
  const tex = renderRegressionTable([m1], { format: "latex", keep: ["treat_post"] });
  assert.ok(tex.includes("\\begin{tabular}{lc}"));
  assert.ok(tex.includes("\\toprule") && tex.includes("\\midrule") && tex.includes("\\bottomrule"));
  assert.ok(tex.includes("treat\\_post & 5.2924$^{***}$ \\\\"));
  assert.ok(tex.includes(" & (1.1025) \\\\"));
  assert.ok(tex.includes("Adj. $R^2$ & 0.3934 \\\\"));
  const html = renderRegressionTable([m1], { format: "html", labels: { treat_post: "Treat<Post" } });
  assert.ok(html.includes('<th scope="row">Treat&lt;Post</th><td>5.2924***</td>'));
  assert.ok(html.startsWith('<table class="regression-table">'));
});

test("keep accepts /regex/ and orders by the keep list", () => {
  const ev = model(0, 1, 1, ["u", "t"], [], 10, 0.1, [
    { term: "rel::-2", estimate: 0.1, std_error: 0.2, p_value: 0.6 },
    { term: "rel::0", estimate: -0.3, std_error: 0.1, p_value: 0.004 },
  ]);
  const csv = renderRegressionTable([ev], { format: "csv", keep: ["/^rel::/"] });
  assert.equal(csv.split("\n").slice(2, 6).join("\n"), ["rel::-2,0.1000", ",(0.2000)", "rel::0,-0.3000***", ",(0.1000)"].join("\n"));
});
