/** Option names (docs/CONTRACT.md "Option names"): deprecated aliases, accepted values, conflicts, runCommand. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Command } from "commander";
import { buildProgram, runCommand } from "../../src/cli/program.js";
import { bufferSink, withIo } from "../../src/cli/io.js";
import { deprecationsOf } from "../../src/cli/flags.js";
import { fixture } from "../helpers.js";

const mpdta = fixture("data", "mpdta.csv");
const did = ["--data", mpdta, "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"];

/** The options a command's action receives after the aliases are applied (the action itself is not run). */
async function optionsOf(argv: string[]): Promise<{ opts: Record<string, unknown>; stderr: string; code: number }> {
  const program = buildProgram();
  let opts: Record<string, unknown> = {};
  const walk = (c: Command): void => {
    c.action((...args: unknown[]) => {
      opts = { ...(args[args.length - 2] as Record<string, unknown>) };
    });
    c.commands.forEach(walk);
  };
  program.commands.forEach(walk);
  const stderr = bufferSink();
  const code = await withIo({ stdout: bufferSink(), stderr }, async () => {
    try {
      await program.parseAsync(["node", "keytech", ...argv]);
      return 0;
    } catch (e) {
      return (e as { exitCode?: number }).exitCode ?? 1;
    }
  });
  return { opts, stderr: stderr.text(), code };
}

// [command words, the other flags, old flag and value(s), new flag and value(s)]
const ALIASES: [string[], string[], string[], string[]][] = [
  [["did", "cs"], did, ["--alpha", "0.1"], ["--level", "0.9"]],
  [["did", "cs"], did, ["--bootstrap", "99"], ["--vcov", "bootstrap", "--reps", "99"]],
  [["did", "cs"], did, ["--min-e", "-2", "--max-e", "3"], ["--window", "-2:3"]],
  [
    ["did", "honest"],
    ["--from", "x.json"],
    ["--alpha", "0.05"],
    ["--level", "0.95"],
  ],
  [["did", "sdid"], did.slice(0, 8).concat(["--treat", "t"]), ["--se", "jackknife"], ["--vcov", "jackknife"]],
  [["did", "sdid"], did.slice(0, 8).concat(["--treat", "t", "--event"]), ["--event-effects", "3", "--event-placebo", "2"], ["--window", "-2:2"]],
  [["did", "sdid"], did.slice(0, 8).concat(["--treat", "t", "--event"]), ["--event-placebo", "all"], ["--window", "all:"]],
  [["did", "imputation"], did, ["--pretrends", "3"], ["--window", "-3:"]],
  [["did", "stacked"], did, ["--weights", "none"], ["--stack-weights", "none"]],
  [["did", "permute"], did.concat(["--group", "g"]), ["--level", "obs"], ["--permute-level", "obs"]],
  [["paths"], ["--data", mpdta, "--y", "lemp", "--treat", "treat", "--mediators", "lpop"], ["--boot", "20"], ["--reps", "20"]],
  [["dea"], ["--data", mpdta, "--inputs", "lpop", "--outputs", "lemp"], ["--id", "countyreal", "--by", "year"], ["--unit", "countyreal", "--time", "year"]],
  [
    ["patents", "score"],
    ["--patents", "p.csv", "--out", "s.csv"],
    ["--level", "subclass"],
    ["--ipc-level", "subclass"],
  ],
  [
    ["patents", "panel"],
    ["--patents", "p.csv", "--out", "s.csv"],
    ["--level", "subgroup"],
    ["--ipc-level", "subgroup"],
  ],
];

test("every deprecated alias gives the options of its new name, with one warning line", async () => {
  for (const [cmd, rest, old, neu] of ALIASES) {
    const a = await optionsOf([...cmd, ...rest, ...old]);
    const b = await optionsOf([...cmd, ...rest, ...neu]);
    assert.equal(a.code, 0, `${cmd.join(" ")} ${old.join(" ")}: ${a.stderr}`);
    assert.equal(b.code, 0, `${cmd.join(" ")} ${neu.join(" ")}: ${b.stderr}`);
    assert.equal(b.stderr, "", "the new names warn about nothing");
    const oldFlags = old.filter((w) => w.startsWith("--"));
    assert.deepEqual(
      a.stderr
        .trim()
        .split("\n")
        .map((l) => l.replace(/; use .*/, "")),
      oldFlags.map((f) => `keytech: warning: ${f} is deprecated`),
    );
    const strip = (o: Record<string, unknown>): Record<string, unknown> => {
      const c = { ...o };
      for (const f of oldFlags) delete c[f.slice(2).replace(/-([a-z])/g, (_, x: string) => x.toUpperCase())];
      return c;
    };
    assert.deepEqual(strip(a.opts), strip(b.opts), `${cmd.join(" ")}: ${old.join(" ")} ≡ ${neu.join(" ")}`);
  }
});

test("the alias table covers every deprecated flag of every command", () => {
  const program = buildProgram();
  const tested = new Set(ALIASES.flatMap(([cmd, , old]) => old.filter((w) => w.startsWith("--")).map((f) => `${cmd.join(" ")} ${f}`)));
  const all: string[] = [];
  const walk = (c: Command, path: string[]): void => {
    for (const d of deprecationsOf(c)) all.push(`${[...path, c.name()].join(" ")} ${d.old}`);
    c.commands.forEach((s) => walk(s, [...path, c.name()]));
  };
  program.commands.forEach((c) => walk(c, []));
  const untested = all.filter((x) => !tested.has(x) && !x.endsWith("--horizons"));
  assert.deepEqual(untested, []);
});

test("a deprecated flag given with its new name is refused (exit 2)", async () => {
  for (const argv of [
    ["did", "cs", ...did, "--alpha", "0.1", "--level", "0.9"],
    ["did", "sdid", ...did.slice(0, 8), "--treat", "t", "--se", "placebo", "--vcov", "placebo"],
    ["did", "cs", ...did, "--min-e", "-2", "--window", "-2:2"],
    ["did", "imputation", ...did, "--horizons", "0:2", "--window", ":2"],
    ["paths", "--data", mpdta, "--y", "lemp", "--treat", "treat", "--mediators", "lpop", "--boot", "2", "--reps", "2"],
  ]) {
    const out = bufferSink(),
      err = bufferSink();
    const code = await runCommand(argv, { stdout: out, stderr: err });
    assert.equal(code, 2, argv.join(" "));
    assert.match(err.text(), /give the same option \(--[a-z-]+ is deprecated\); give only --[a-z-]+/);
    assert.equal(out.text(), "");
  }
});

test("an unknown value lists the accepted ones (exit 2)", async () => {
  const cases: [string[], RegExp][] = [
    [["feols", "--data", mpdta, "--formula", "lemp ~ lpop", "--vcov", "robust"], /--vcov must be one of iid, hetero, cluster, twoway, got 'robust'/],
    [["did", "twfe", ...did, "--vcov", "x"], /--vcov must be one of iid, hetero, cluster, twoway/],
    [["fepois", "--data", mpdta, "--formula", "emp ~ lpop", "--vcov", "x"], /--vcov must be one of iid, hetero, cluster, twoway/],
    [["did", "cs", ...did, "--vcov", "jackknife"], /--vcov must be one of analytic, bootstrap, got 'jackknife'/],
    [["did", "sdid", ...did.slice(0, 8), "--treat", "t", "--vcov", "cluster"], /--vcov must be one of placebo, jackknife, bootstrap, none/],
    [["did", "cs", ...did, "--level", "95"], /--level must be a confidence level in \(0, 1\)/],
    [["did", "event", ...did, "--endpoints", "cut"], /--endpoints must be one of bin, trim, none/],
    [["patents", "score", "--patents", "p.csv", "--out", "s.csv", "--ipc-level", "class"], /--ipc-level must be one of subclass, group, subgroup/],
  ];
  for (const [argv, re] of cases) {
    const err = bufferSink();
    assert.equal(await runCommand(argv, { stdout: bufferSink(), stderr: err }), 2, argv.join(" "));
    assert.match(err.text(), re);
  }
});

test("fixest's variance names: iid by default, hetero = hc1, cluster by a named column, twoway by both fixed effects; every output names it", async () => {
  const run = async (extra: string[]) => {
    const out = bufferSink(),
      err = bufferSink();
    const code = await runCommand(["feols", "--data", mpdta, "--formula", "lemp ~ lpop | year + first.treat", ...extra], { stdout: out, stderr: err });
    assert.equal(code, 0, err.text());
    return out.text();
  };
  const vc = async (extra: string[]) => (JSON.parse(await run([...extra, "--json"])) as { vcov: { type: string; clusters?: Record<string, number> } }).vcov;
  assert.equal((await vc([])).type, "iid");
  assert.equal((await vc(["--vcov", "hetero"])).type, "hc1");
  assert.deepEqual(await vc(["--vcov", "hetero"]), await vc(["--vcov", "hc1"]));
  assert.deepEqual((await vc(["--cluster", "countyreal"])).clusters, { countyreal: 500 });
  assert.deepEqual((await vc(["--vcov", "cluster"])).clusters, { year: 5 });
  assert.deepEqual((await vc(["--vcov", "twoway"])).clusters, { year: 5, "first.treat": 4 });
  assert.match(await run([]), /Standard errors: iid/);
  assert.match(await run(["--vcov", "hetero"]), /Standard errors: heteroskedasticity-robust/);
  assert.match(await run(["--vcov", "twoway"]), /Standard errors: clustered by year \(5 clusters\) and first\.treat \(4 clusters\)/);
});

test("runCommand: help exits 0 on stdout, a missing required flag is bad usage (2), bad input is 1", async () => {
  const out = bufferSink();
  assert.equal(await runCommand(["feols", "--help"], { stdout: out, stderr: bufferSink() }), 0);
  assert.match(out.text(), /--vcov <type>/);
  assert.doesNotMatch(out.text(), /--se\b|--alpha/, "deprecated aliases are hidden");
  const err = bufferSink();
  assert.equal(await runCommand(["feols", "--data", mpdta], { stdout: bufferSink(), stderr: err }), 2);
  assert.match(err.text(), /--formula/);
  const e2 = bufferSink();
  assert.equal(await runCommand(["feols", "--data", mpdta, "--formula", "nope ~ lpop"], { stdout: bufferSink(), stderr: e2 }), 1);
  assert.match(e2.text(), /nope/);
});
