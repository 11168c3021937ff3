/** measurePatentPanel (one table read) = panelFromFile + diffusionFromFile + cospecialisationFromFile on the same file. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../src/core/rng.js";
import { loadMapping } from "../../src/patents/mapping.js";
import { readPatents } from "../../src/patents/read.js";
import { cospecialisationFromFile, diffusionFromFile, measurePatentPanel, panelFromFile } from "../../src/patents/pipeline.js";
import { CODES } from "./corpora.js";

function same(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]) || a[i] === b[i], `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test("measurePatentPanel matches the three file-level pipelines cell for cell, and counts citations the same way", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-mpp-"));
  try {
    const rng = new Rng(11);
    const lines = ["id,date,region,applicant,ipc,cited"];
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const y = 2000 + Math.floor((i * 11) / n);
      const k = 1 + rng.int(3);
      const codes = Array.from({ length: k }, () => CODES[Math.min(CODES.length - 1, Math.floor(CODES.length * rng.uniform() ** 1.5))]!);
      const cited: string[] = [];
      for (let j = 0, m = i === 0 ? 0 : rng.int(5); j < m; j++)
        cited.push(rng.uniform() < 0.05 ? `X${rng.int(99)}` : `p${rng.uniform() < 0.03 ? i + 1 + rng.int(50) : rng.int(i)}`);
      lines.push(`p${i},${y}-0${1 + rng.int(9)}-1${rng.int(9)},C${rng.int(12)},A${rng.int(40)},${codes.join(";")},${cited.join(";")}`);
    }
    const f = join(dir, "p.csv");
    writeFileSync(f, lines.join("\n") + "\n");
    const mapping = loadMapping("default");
    const keyTech = { taxonomy: "cnipa-provisional" };
    const regions = Array.from({ length: 13 }, (_, i) => `C${i}`);
    const years = Array.from({ length: 12 }, (_, i) => 2000 + i);
    const table = await readPatents(f, { mapping, level: "subclass", onBadIpc: "fail", region: true, citations: "auto" });
    const m = measurePatentPanel(table, { level: "subclass", keyTech, regions, years, rcaWindow: 2, idf: "seed" });
    const a = await panelFromFile(f, { mapping, level: "subclass", onBadIpc: "fail", filter: keyTech, regions, years, idf: "seed" });
    same(m.patents, a.panel.patents, "patents");
    same(m.breakthroughs, a.panel.breakthroughs!, "breakthroughs");
    same(m.sumImportance, a.panel.sumImportance!, "sumImportance");
    same(m.citations!, a.panel.citations!, "citations");
    assert.deepEqual(m.citationCounts, a.citations);
    assert.ok(m.citationCounts.laterFiled > 0 && m.citationCounts.unknown > 0 && m.citationCounts.self > 0);
    assert.equal(m.citationCounts.total, m.citationCounts.counted + m.citationCounts.unknown + m.citationCounts.laterFiled + m.citationCounts.self);
    const d = await diffusionFromFile(f, { mapping, onBadIpc: "fail", digital: keyTech, regions, years });
    same(m.diffusion!.share, d.panel.share, "diffusion");
    assert.deepEqual(m.diffusion!.citations, d.panel.citations);
    const c = await cospecialisationFromFile(f, { mapping, onBadIpc: "fail", field: "subclass", filter: keyTech, regions, years, window: 2 });
    same(m.cospecialisation.index, c.panel.index, "cospecialisation");
    same(m.cospecialisation.degree, c.panel.degree, "degree");
    assert.equal(m.keyTech, a.scored);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
