/**
 * Issue #14 ("where fixest or did warn, warn"): regressors that together explain the outcome exactly (an
 * accounting identity, y = 2·x1 + 3·x2 + unit effect) used to be accepted silently, with SEs of 1e-7 and
 * p = 0. fixest reports such a fit without a word; R's lm warns "essentially perfect fit: summary may be
 * unreliable". keytech warns too: on stderr and in the result JSON's `warnings` (feols and did twfe). An
 * ordinary fit gets no such warning.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers.js";
import type { KeytechResult } from "../../src/core/result.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-perfect-"));
let s = 7;
const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
const lines = ["unit,time,x1,x2,y,noisy,treat"];
for (let u = 1; u <= 10; u++)
  for (let t = 2001; t <= 2006; t++) {
    const x1 = rnd();
    const x2 = rnd();
    lines.push(
      `${u},${t},${x1.toFixed(6)},${x2.toFixed(6)},${(2 * x1 + 3 * x2 + u).toFixed(6)},${(2 * x1 + u + rnd()).toFixed(6)},${u <= 5 && t >= 2004 ? 1 : 0}`,
    );
  }
const data = join(dir, "panel.csv");
writeFileSync(data, lines.join("\n") + "\n");
const WARN =
  /essentially perfect fit: the regressors and fixed effects explain 'y' exactly \(1 − within R² = \d\.\de-\d+\); the standard errors, t statistics and p-values are not meaningful — check whether 'y' is computed from the regressors/;

test("feols: an exact linear fit warns on stderr and in the JSON warnings", () => {
  const r = runCli(["feols", "--data", data, "--formula", "y ~ x1 + x2 | unit", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp("^keytech: warning: " + WARN.source.slice(0)));
  const j = JSON.parse(r.stdout) as KeytechResult;
  assert.ok(
    j.warnings?.some((w) => WARN.test(w)),
    JSON.stringify(j.warnings),
  );
});

test("feols: the human table shows the warning; an ordinary fit has none", () => {
  const r = runCli(["feols", "--data", data, "--formula", "y ~ x1 + x2 | unit"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Warning: essentially perfect fit/);
  const ok = runCli(["feols", "--data", data, "--formula", "noisy ~ x1 + x2 | unit", "--json"]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.doesNotMatch(ok.stderr + ok.stdout, /perfect fit/);
});
