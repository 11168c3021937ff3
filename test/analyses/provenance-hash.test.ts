import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { sha256File } from "../../src/core/hash.js";
import { twfeAnalysis } from "../../src/analyses/twfe.js";
import { eventAnalysis } from "../../src/analyses/event.js";
import { feolsAnalysis } from "../../src/analyses/feols.js";
import { fepoisAnalysis } from "../../src/analyses/fepois.js";
import { readDidData } from "../../src/analyses/did-prep.js";

const castle = fileURLToPath(new URL("../../../test/fixtures/data/castle.csv", import.meta.url));

// The file's hash is computed after the read, alongside the fit (model-input.ts readWithHash): every
// regression result must still carry the digest of the very file it read.
test("did twfe / did event / feols / fepois: provenance carries the input file's sha-256", async () => {
  const want = await sha256File(castle);
  assert.match(want, /^sha256:[0-9a-f]{64}$/);
  const did = { data: castle, y: "l_homicide", unit: "sid", time: "year", cohort: "effyear" };
  const results = [
    await twfeAnalysis(did),
    await eventAnalysis({ ...did, window: [-3, 3] }),
    await feolsAnalysis({ data: castle, formula: "l_homicide ~ post | sid + year" }),
    await fepoisAnalysis({ data: castle, formula: "homicide_c ~ post | sid + year" }),
  ];
  for (const r of results) assert.deepEqual(r.provenance.inputs, { [castle]: want }, r.command);
  // one read shared by two models: the pending hash is awaited by both
  const data = await readDidData(did);
  const a = await twfeAnalysis({ ...did, preloaded: data });
  const b = await eventAnalysis({ ...did, window: [-3, 3], preloaded: data });
  assert.equal(a.provenance.inputs[castle], want);
  assert.equal(b.provenance.inputs[castle], want);
});
