import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulatePaperWorld, writePaperWorld } from "../../src/sim/simulate.js";
import { studyTemplate } from "../../src/study/spec-template.js";
import { loadSpec } from "../../src/study/spec.js";
import { runStudy, blockOrder } from "../../src/study/runner.js";
import { repoRoot, runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-runner-"));
const world = await simulatePaperWorld({ seed: 7, nCounties: 150, patentsPerCountyYear: 0.5, policyTwins: false });
await writePaperWorld(world, join(dir, "data"));

const N_BLOCKS = 8;

/** The template restricted to a few fast blocks (TWFE-based). */
function smallSpec(edit: (s: string) => string = (s) => s): string {
  const full = studyTemplate({ dataDir: "data", fast: true, truth: true });
  const head = full.slice(0, full.indexOf("blocks:"));
  return edit(
    head +
      `blocks:
  descriptives: {}
  patents: {}
  baseline:
    columns: [fe_only, controls]
  event_study:
    estimators: [twfe]
  county_trends: {}
  exclusions:
    samples: [no_municipalities]
  ddd: {}
  moderation:
    by: [supply_chain]
`,
  );
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function statuses(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    const m = /^\[\s*\d+\/\d+\] (\S+)\s+(computed|cached|not available|FAILED)/.exec(l);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

test("blocks run after the blocks they need", () => {
  assert.deepEqual(blockOrder(["placebo", "baseline", "cs"]), ["baseline", "placebo", "cs"]);
});

test("re-running computes nothing; editing one block's options recomputes only that block", async () => {
  const out = join(dir, "out-cache");
  const spec1 = await loadSpec(write("s1.yaml", smallSpec()));
  const log1: string[] = [];
  const r1 = await runStudy(spec1, { outDir: out, log: (l) => log1.push(l) });
  assert.equal(r1.failed, 0);
  const st1 = statuses(log1);
  assert.deepEqual(Object.values(st1), Array(N_BLOCKS).fill("computed"), log1.join("\n"));

  const log2: string[] = [];
  await runStudy(await loadSpec(write("s1.yaml", smallSpec())), { outDir: out, log: (l) => log2.push(l) });
  assert.deepEqual(Object.values(statuses(log2)), Array(N_BLOCKS).fill("cached"), log2.join("\n"));

  // edit the event study's window: only event_study recomputes
  const log3: string[] = [];
  const r3 = await runStudy(
    await loadSpec(
      write(
        "s1.yaml",
        smallSpec((s) => s.replace("    estimators: [twfe]", "    estimators: [twfe]\n    window: [-3, 4]")),
      ),
    ),
    { outDir: out, log: (l) => log3.push(l) },
  );
  const st3 = statuses(log3);
  assert.deepEqual(
    Object.entries(st3)
      .filter(([, v]) => v === "computed")
      .map(([k]) => k),
    ["event_study"],
    log3.join("\n"),
  );
  assert.equal(Object.values(st3).filter((v) => v === "cached").length, N_BLOCKS - 1);
  const ev = r3.blocks.find((b) => b.id === "event_study")!;
  assert.ok(ev.output!.models[0]!.result.estimates.some((e) => e.term === "rel::4"));
  assert.ok(!ev.output!.models[0]!.result.estimates.some((e) => e.term === "rel::5"));
  // the cached result is the same numbers as the computed one
  const b1 = r1.blocks.find((b) => b.id === "baseline")!.output!.models[1]!.result.estimates[0]!;
  const b3 = r3.blocks.find((b) => b.id === "baseline")!.output!.models[1]!.result.estimates[0]!;
  assert.deepEqual(b3, b1);
  // changing an input file changes every block's key
  const log4: string[] = [];
  const panel = readFileSync(join(dir, "data", "panel.csv"), "utf8");
  writeFileSync(join(dir, "data", "panel.csv"), panel + "\n");
  try {
    await runStudy(await loadSpec(write("s1.yaml", smallSpec())), { outDir: out, log: (l) => log4.push(l) });
  } finally {
    writeFileSync(join(dir, "data", "panel.csv"), panel);
  }
  assert.deepEqual(Object.values(statuses(log4)), Array(N_BLOCKS).fill("computed"));
});

test("a failed block is reported with its error, the others still run, exit status 1", () => {
  // a stacked window no cohort's data can cover: an estimation failure, not a missing input
  const p = write(
    "fail.yaml",
    smallSpec((s) => s.replace("  ddd: {}\n", "  ddd: {}\n  stacked:\n    window: [-30, 30]\n")),
  );
  const out = join(dir, "out-fail");
  const r = runCli(["study", "run", p, "--out", out, "--json"]);
  assert.equal(r.status, 1, r.stderr);
  const summary = JSON.parse(r.stdout) as { blocks: { id: string; status: string; error?: string }[]; failed: number };
  assert.equal(summary.failed, 1);
  const st = summary.blocks.find((b) => b.id === "stacked")!;
  assert.equal(st.status, "failed");
  assert.match(st.error!, /no sub-experiment fits the window -30:30/);
  assert.equal(summary.blocks.filter((b) => b.status === "ok").length, N_BLOCKS);
  assert.match(r.stderr, /1 block\(s\) failed: stacked/);
  assert.ok(existsSync(join(out, "report.html")));
  assert.match(readFileSync(join(out, "report.html"), "utf8"), /class="failed"><strong>Failed\.<\/strong> no sub-experiment fits the window/);
});

test("a block whose input is missing is 'not available' with the reason, and the run exits 0", () => {
  const p = write(
    "na.yaml",
    smallSpec((s) => s.replace("      nondigital: nondigital_cluster # non-digital cluster pilots (triple difference)\n", "")),
  );
  const out = join(dir, "out-na");
  const r = runCli(["study", "run", p, "--out", out, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { blocks: { id: string; status: string; error?: string }[]; failed: number };
  assert.equal(summary.failed, 0);
  const ddd = summary.blocks.find((b) => b.id === "ddd")!;
  assert.equal(ddd.status, "not_available");
  assert.match(ddd.error!, /triple difference needs a second treated group: inputs\.policies\.programs\.nondigital/);
  assert.match(readFileSync(join(out, "report.html"), "utf8"), /class="na"><strong>Not available\.<\/strong> the triple difference needs/);
});

test("a run killed half-way resumes from the blocks already done", { timeout: 120_000 }, async () => {
  const p = write("kill.yaml", smallSpec());
  const out = join(dir, "out-kill");
  const child = spawn(process.execPath, [join(repoRoot, "dist/src/cli/main.js"), "study", "run", p, "--out", out], {
    env: { ...process.env, KEYTECH_NO_PROGRESS: "1" },
    stdio: "ignore",
  });
  // a run writes its log into the staging folder beside the output folder until it swaps it in
  const logPath = out + ".keytech-new/run.log";
  const t0 = Date.now();
  // kill as soon as two blocks are done
  await new Promise<void>((resolve, reject) => {
    const iv = setInterval(() => {
      const log = existsSync(logPath) ? readFileSync(logPath, "utf8") : "";
      if ((log.match(/ computed in /g) ?? []).length >= 2) {
        clearInterval(iv);
        child.kill("SIGKILL");
        resolve();
      } else if (Date.now() - t0 > 100_000) {
        clearInterval(iv);
        child.kill("SIGKILL");
        reject(new Error("run did not progress:\n" + log));
      }
    }, 20);
  });
  await new Promise((r) => child.on("exit", r));
  const killedLog = readFileSync(logPath, "utf8");
  const done = Object.entries(statuses(killedLog.split("\n")))
    .filter(([, v]) => v === "computed")
    .map(([k]) => k);
  assert.ok(done.length >= 2 && done.length < N_BLOCKS, `killed half-way: ${done.join(", ")}`);
  assert.ok(!killedLog.includes("done in"), "the first run did not finish");
  assert.ok(!existsSync(join(out, "results.json")), "a killed first run leaves no partial output in the folder");
  const r = runCli(["study", "run", p, "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const st = statuses(readFileSync(join(out, "run.log"), "utf8").split("\n"));
  for (const id of done) assert.equal(st[id], "cached", `${id} resumed from the cache`);
  assert.equal(Object.values(st).filter((v) => v === "computed").length, N_BLOCKS - Object.values(st).filter((v) => v === "cached").length);
});

test("late inputs (the demo's truth.json written while the blocks run): the same results.json, block keys and cache entries", async () => {
  const spec = await loadSpec(write("s-late.yaml", smallSpec()));
  const ref = await runStudy(spec, { outDir: join(dir, "out-late-ref"), log: () => {} });
  const truthFile = join(dir, "data", "truth.json");
  const truthText = readFileSync(truthFile, "utf8");
  writeFileSync(truthFile, "{}\n");
  const written = new Promise<void>((done) => setTimeout(() => done(writeFileSync(truthFile, truthText)), 200));
  const out = join(dir, "out-late");
  let late;
  try {
    late = await runStudy(spec, { outDir: out, log: () => {}, late: { truth: written } });
  } finally {
    writeFileSync(truthFile, truthText);
  }
  const strip = (r: unknown) => JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === "seconds" ? 0 : v))) as unknown;
  assert.deepEqual(strip(late), strip(ref));
  assert.ok(!JSON.stringify(late).includes("late-"), "no stand-in left");
  assert.equal(late.inputs.truth, ref.inputs.truth);
  // the entries the late run put in its cache are found by a run that had the file from the start
  const log: string[] = [];
  await runStudy(spec, { outDir: out, log: (l) => log.push(l) });
  assert.deepEqual(Object.values(statuses(log)), Array(N_BLOCKS).fill("cached"), log.join("\n"));
});
