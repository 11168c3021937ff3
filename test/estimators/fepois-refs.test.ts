import { test } from "node:test";
import assert from "node:assert/strict";
import { fepoisAnalysis, type FepoisAnalysisOptions } from "../../src/analyses/fepois.js";
import type { KeytechResult } from "../../src/core/result.js";
import { assertClose, fixture, readJson, runCli } from "../helpers.js";

interface RefModel {
  call: string;
  coefficients: Record<string, number>;
  se: Record<string, number>;
  z: Record<string, number>;
  p: Record<string, number>;
  vcov_matrix: number[][];
  nobs: number;
  obs_removed_fixef: number;
  fixef_sizes: Record<string, number>;
  deviance: number;
  loglik: number;
  ll_null: number;
  pseudo_r2: number;
  apr2: number;
  sq_cor: number;
  iterations: number;
  bic: number;
  aic: number;
  cluster_G: number | null;
}
interface RefFile {
  models: Record<string, RefModel>;
}

const REL = 1e-6;
/** max relative error per quantity over every model checked (printed at the end for the record) */
const worst: Record<string, number> = {};

function close(what: string, actual: number, expected: number, rel = REL): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  worst[what] = Math.max(worst[what] ?? 0, err);
  assertClose(actual, expected, rel, what);
}

function check(r: KeytechResult, ref: RefModel): void {
  assert.equal(r.nobs, ref.nobs);
  assert.equal(r.dropped.fe_all_zero, ref.obs_removed_fixef);
  assert.deepEqual((r.model as { fixef_sizes: Record<string, number> }).fixef_sizes, ref.fixef_sizes);
  const terms = Object.keys(ref.coefficients);
  assert.deepEqual(
    r.estimates.map((e) => e.term),
    terms,
  );
  r.estimates.forEach((e, j) => {
    const t = terms[j]!;
    close("coefficient", e.estimate!, ref.coefficients[t]!);
    close("se", e.std_error!, ref.se[t]!);
    close("z", e.statistic!, ref.z[t]!);
    if (ref.p[t]! > 1e-300) close("p", e.p_value!, ref.p[t]!, 1e-5);
    else assert.ok(e.p_value! < 1e-300);
    close("vcov", e.std_error! ** 2, ref.vcov_matrix[j]![j]!);
  });
  const fit = r.fit as Record<string, number>;
  close("deviance", fit.deviance!, ref.deviance);
  close("loglik", fit.loglik!, ref.loglik);
  close("ll_null", fit.ll_null!, ref.ll_null);
  close("pseudo_r2", fit.pseudo_r2!, ref.pseudo_r2);
  close("adj_pseudo_r2", fit.adj_pseudo_r2!, ref.apr2);
  close("sq_cor", fit.sq_cor!, ref.sq_cor);
  close("aic", fit.aic!, ref.aic);
  close("bic", fit.bic!, ref.bic);
  assert.equal(fit.iterations, ref.iterations, "IRLS iterations as fixest");
  if (ref.cluster_G !== null) assert.equal(Math.min(...Object.values(r.vcov!.clusters!)), ref.cluster_G);
}

const trade = readJson<RefFile>(fixture("refs", "trade_fixest_fepois.json"));
const castle = readJson<RefFile>(fixture("refs", "castle_fixest_fepois.json"));
const tradeData = fixture("data", "trade.csv");
const f4 = "Euros ~ log(dist_km) | Origin + Destination + Product + Year";
const f2 = "Euros ~ log(dist_km) | Origin^Product + Year";

const tradeCases: [string, Omit<FepoisAnalysisOptions, "data">][] = [
  ["default_iid", { formula: f4 }],
  ["cluster_origin", { formula: f4, vcov: "cluster", cluster: ["Origin"] }],
  ["cluster_origin (by the first FE)", { formula: f4, vcov: "cluster" }],
  ["hetero", { formula: f4, vcov: "hc1" }],
  ["cluster_origin_destination", { formula: f4, cluster: ["Origin", "Destination"] }],
  ["origin_x_product_iid", { formula: f2 }],
  // fixest's vcov = "cluster": by the first fixed effect, here the combined Origin^Product
  ["origin_x_product_cluster", { formula: f2, vcov: "cluster" }],
];

for (const [name, opts] of tradeCases) {
  test(`fepois on fixest's trade data matches fixest 0.14.2: ${name}`, async () => {
    check(await fepoisAnalysis({ data: tradeData, ...opts }), trade.models[name.split(" ")[0]!]!);
  });
}

test("fepois trade, Origin^Product + Year clustered by Origin^Product (a combined cluster column)", async () => {
  // fixest's vcov = "cluster" clusters by the first FE, Origin^Product: the same codes as a pasted column
  const { readFileSync, writeFileSync, mkdtempSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const lines = readFileSync(tradeData, "utf8").trimEnd().split("\n");
  const out = [
    lines[0] + ',"OP"',
    ...lines.slice(1).map((l) => {
      const c = l.split(",");
      return `${l},"${c[1]!.replace(/"/g, "")}_${c[2]}"`;
    }),
  ];
  const file = join(mkdtempSync(join(tmpdir(), "fepois-")), "trade_op.csv");
  writeFileSync(file, out.join("\n") + "\n");
  check(await fepoisAnalysis({ data: file, formula: f2, cluster: ["OP"] }), trade.models.origin_x_product_cluster!);
});

test("fepois on castle (homicide counts) with and without offset log(population) matches fixest", async () => {
  const data = fixture("data", "castle.csv");
  check(
    await fepoisAnalysis({ data, formula: "homicide_c ~ post | sid + year", cluster: ["sid"], offset: "log(population)" }),
    castle.models.offset_log_population!,
  );
  check(await fepoisAnalysis({ data, formula: "homicide_c ~ post | sid + year", cluster: ["sid"] }), castle.models.no_offset!);
});

test("keytech fepois CLI: --json result and the human table", () => {
  const args = [
    "fepois",
    "--data",
    fixture("data", "castle.csv"),
    "--formula",
    "homicide_c ~ post | sid + year",
    "--cluster",
    "sid",
    "--offset",
    "log(population)",
  ];
  const j = runCli([...args, "--json"]);
  assert.equal(j.status, 0, j.stderr);
  const r = JSON.parse(j.stdout) as KeytechResult;
  assert.equal(r.command, "fepois");
  assert.equal(r.vcov!.type, "cluster");
  assert.equal((r.model as { offset: string }).offset, "log(population)");
  assertClose(r.estimates[0]!.estimate!, castle.models.offset_log_population!.coefficients.post!, REL);
  const h = runCli(args);
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /z value/);
  assert.match(h.stdout, /post +0\.059667/);
  const bad = runCli(["fepois", "--data", fixture("data", "castle.csv"), "--formula", "homicide_c ~ post | sid", "--vcov", "bogus"]);
  assert.equal(bad.status, 2);
});

test("max relative error per quantity against the fixest refs", () => {
  // runs last (tests in a file run in order): the record quoted in the report
  console.log(
    "fepois vs fixest, max relative error:",
    JSON.stringify(Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, Number(v.toExponential(2))]))),
  );
  assert.ok(Object.keys(worst).length > 0);
});
