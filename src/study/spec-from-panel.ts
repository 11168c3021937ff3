/**
 * `keytech study init --panel FILE`: a study spec written from a panel's own columns, that runs as
 * written. It guesses the time column (a year-like integer column), the unit column (with time a unique
 * key), the treatment (a cohort column constant within unit, else an absorbing 0/1 column) and the outcome
 * (a numeric column that varies within units), says which it picked and why, and takes overrides. Event
 * and stacked windows are clipped to what the data can show. Blocks that need inputs a panel alone cannot
 * give (patents, a policy list, mediators, moderators) are listed and run as "not available".
 */
import { basename, dirname, relative, resolve } from "node:path";
import { inputError, usageError } from "../core/errors.js";
import { readTextTable } from "../data/read.js";

export interface PanelGuessOverrides {
  unit?: string;
  time?: string;
  outcome?: string;
  cohort?: string;
  treatment?: string;
  controls?: string[];
  cluster?: string;
}

export interface PanelGuess {
  unit: string;
  time: string;
  outcome: string;
  treatment: { kind: "cohort" | "treatment"; column: string };
  controls: string[];
  cluster: string;
  /** event-study and stacked windows that fit the data */
  eventWindow: [number, number];
  stackedWindow: [number, number];
  /** one line per choice: what was picked and why */
  reasons: string[];
}

interface Col {
  name: string;
  raw: (string | null)[];
  num: Float64Array | null;
}

function numeric(v: (string | null)[]): Float64Array | null {
  const out = new Float64Array(v.length);
  let any = false;
  for (let i = 0; i < v.length; i++) {
    const s = v[i];
    if (s === null || s === "" || s === "NA") {
      out[i] = Number.NaN;
      continue;
    }
    const x = Number(s);
    if (!Number.isFinite(x)) return null;
    out[i] = x;
    any = true;
  }
  return any ? out : null;
}

/** Guess the study design of a panel file (see the file comment); overrides win and are checked. */
export async function guessPanel(file: string, o: PanelGuessOverrides = {}): Promise<PanelGuess> {
  const t = await readTextTable(file);
  const n = t.cols[0]?.length ?? 0;
  if (n < 4) throw inputError(`the panel has ${n} rows; a study needs a panel of units over time`, { file });
  const cols: Col[] = t.names.map((name, j) => ({ name, raw: t.cols[j]!, num: numeric(t.cols[j]!) }));
  const byName = new Map(cols.map((c) => [c.name, c]));
  const need = (name: string | undefined, flag: string): Col | undefined => {
    if (name === undefined) return undefined;
    const c = byName.get(name);
    if (!c) throw usageError(`${flag} ${name}: no such column in ${basename(file)} (columns: ${t.names.join(", ")})`);
    return c;
  };
  const reasons: string[] = [];

  // time: an integer column, year-like names first
  let time = need(o.time, "--time");
  if (time) reasons.push(`time: ${time.name} (given)`);
  else {
    const ints = cols.filter(
      (c) => c.num && Array.from(c.num).every((x) => Number.isNaN(x) || Number.isInteger(x)) && new Set(c.num).size > 1 && new Set(c.num).size <= 200,
    );
    time =
      ints.find((c) => /^(year|yr|years|time|period|t|wave|date)$/i.test(c.name)) ??
      ints.find((c) => Array.from(c.num!).every((x) => Number.isNaN(x) || (x >= 1800 && x <= 2200)));
    if (!time) throw usageError(`no time column found in ${basename(file)}: name it with --time`);
    reasons.push(
      `time: ${time.name} (${/^(year|yr|years|time|period|t|wave|date)$/i.test(time.name) ? "its name" : "integer values between 1800 and 2200"}; ${new Set(time.num).size} distinct periods)`,
    );
  }
  const tv = time.num!;

  // unit: with time a unique key, values repeating over periods
  let unit = need(o.unit, "--unit");
  const uniqueKey = (c: Col): boolean => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const k = `${c.raw[i]}\u0000${tv[i]}`;
      if (seen.has(k) || c.raw[i] === null || c.raw[i] === "") return false;
      seen.add(k);
    }
    return true;
  };
  if (unit) {
    if (!uniqueKey(unit))
      throw usageError(
        `--unit ${unit.name}: (${unit.name}, ${time.name}) is not a unique key of ${basename(file)} (a unit appears twice in a period, or is empty)`,
      );
    reasons.push(`unit: ${unit.name} (given)`);
  } else {
    const cands = cols.filter((c) => c !== time && new Set(c.raw).size >= 2 && new Set(c.raw).size < n && uniqueKey(c));
    unit = cands.find((c) => /(^id$|_id$|^id_|unit|county|state|region|firm|country|fips|code|sid|city|province|district)/i.test(c.name)) ?? cands[0];
    if (!unit) throw usageError(`no unit column found in ${basename(file)}: no column forms a unique key with ${time.name}; name it with --unit`);
    reasons.push(`unit: ${unit.name} (with ${time.name} a unique key of all ${n} rows; ${new Set(unit.raw).size} units)`);
  }
  const uid = unit.raw;
  const withinConstant = (c: Col): boolean => {
    const first = new Map<string, string | null>();
    for (let i = 0; i < n; i++) {
      const u = uid[i]!;
      const v = c.raw[i] === "" || c.raw[i] === "NA" ? null : c.raw[i]!;
      if (!first.has(u)) first.set(u, v);
      else if (first.get(u) !== v) return false;
    }
    return true;
  };
  const tMin = Math.min(...Array.from(tv).filter(Number.isFinite));
  const tMax = Math.max(...Array.from(tv).filter(Number.isFinite));

  // treatment: a cohort column (constant within unit, values 0/NA or periods of the data) or an absorbing indicator
  const isCohort = (c: Col): boolean => {
    if (!c.num || c === time || c === unit || !withinConstant(c)) return false;
    let treated = 0,
      never = 0;
    for (let i = 0; i < n; i++) {
      const x = c.num[i]!;
      if (Number.isNaN(x) || x === 0) never++;
      else if (Number.isInteger(x) && x > tMin && x <= tMax + 1) treated++;
      else return false;
    }
    return treated > 0 && never > 0;
  };
  const isIndicator = (c: Col): boolean => {
    if (!c.num || c === time || c === unit || withinConstant(c)) return false;
    const on = new Map<string, boolean>();
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (uid[a]! < uid[b]! ? -1 : uid[a]! > uid[b]! ? 1 : tv[a]! - tv[b]!));
    let anyOn = false;
    for (const i of order) {
      const x = c.num[i]!;
      if (Number.isNaN(x) || x < 0 || x > 1) return false;
      const u = uid[i]!;
      if (on.get(u) && x === 0) return false;
      if (x > 0) {
        on.set(u, true);
        anyOn = true;
      }
    }
    return anyOn;
  };
  let treatment: PanelGuess["treatment"];
  const giv = need(o.cohort, "--cohort") ?? need(o.treatment, "--treatment");
  if (giv) {
    treatment = { kind: o.cohort ? "cohort" : "treatment", column: giv.name };
    if (o.cohort ? !isCohort(giv) : !isIndicator(giv))
      throw usageError(
        o.cohort
          ? `--cohort ${giv.name}: not a cohort column (one first-treated period per unit, 0 or empty for never treated, within the data's periods ${tMin}–${tMax})`
          : `--treatment ${giv.name}: not an absorbing 0/1 treatment (values in [0, 1] that, once above 0, stay above 0 within each unit)`,
      );
    reasons.push(`treatment: ${giv.name} (given, ${treatment.kind})`);
  } else {
    const cohortNames = /(first|cohort|^g$|gname|treat.*(date|year|time)|eff.*year|adopt|start)/i;
    const cc = cols.filter(isCohort);
    const c = cc.find((x) => cohortNames.test(x.name)) ?? cc[0];
    if (c) {
      treatment = { kind: "cohort", column: c.name };
      reasons.push(
        `treatment: ${c.name} as the cohort (constant within ${unit.name}, 0/empty or a period of the data${cohortNames.test(c.name) ? ", and its name" : ""})${
          cc.length > 1
            ? `; other candidates: ${cc
                .filter((x) => x !== c)
                .map((x) => x.name)
                .join(", ")}`
            : ""
        }`,
      );
    } else {
      const ic = cols.filter(isIndicator);
      const d = ic.find((x) => /(treat|post|^d$|policy|law|adopt)/i.test(x.name)) ?? ic[0];
      if (!d) throw usageError(`no treatment found in ${basename(file)}: give --cohort COLUMN (first treated period) or --treatment COLUMN (absorbing 0/1)`);
      treatment = { kind: "treatment", column: d.name };
      reasons.push(
        `treatment: ${d.name} as an absorbing indicator (in [0, 1], never switching off)${
          ic.length > 1
            ? `; other candidates: ${ic
                .filter((x) => x !== d)
                .map((x) => x.name)
                .join(", ")}`
            : ""
        }`,
      );
    }
  }

  // outcome: numeric, varying within units, not a design column nor 0/1
  const design = new Set([time.name, unit.name, treatment.column]);
  let outcome = need(o.outcome, "--outcome");
  if (outcome) reasons.push(`outcome: ${outcome.name} (given)`);
  else {
    const binary = (c: Col) => Array.from(c.num!).every((x) => Number.isNaN(x) || x === 0 || x === 1);
    const oc = cols.filter((c) => c.num && !design.has(c.name) && !withinConstant(c) && !binary(c) && !isIndicator(c));
    outcome = oc.find((c) => /^(y|outcome|dep|depvar)$/i.test(c.name)) ?? oc.find((c) => /^(l_|log_?|ln_?)/i.test(c.name)) ?? oc[0];
    if (!outcome) throw usageError(`no outcome found in ${basename(file)}: name it with --outcome`);
    reasons.push(
      `outcome: ${outcome.name} (the first numeric column that varies within ${unit.name}${/^(l_|log|ln)/i.test(outcome.name) ? ", in logs" : ""}; override with --outcome; other candidates: ${oc
        .filter((c) => c !== outcome)
        .slice(0, 6)
        .map((c) => c.name)
        .join(", ")}${oc.length > 7 ? ", …" : ""})`,
    );
  }
  const controls = (o.controls ?? []).map((c) => need(c, "--controls")!.name);
  reasons.push(controls.length ? `controls: ${controls.join(", ")} (given)` : "controls: none (add them with --controls a,b)");
  const cluster = need(o.cluster, "--cluster")?.name ?? unit.name;
  reasons.push(`standard errors clustered by ${cluster}${o.cluster ? " (given)" : ` (the unit; override with --cluster)`}`);

  // cohorts → windows that fit the data
  const cohorts = cohortValues(treatment, byName.get(treatment.column)!, uid, tv);
  const kPreMax = Math.max(1, Math.min(4, Math.max(...cohorts.map((g) => g - tMin))));
  const kPostMax = Math.max(0, Math.min(5, Math.max(...cohorts.map((g) => tMax - g))));
  const eventWindow: [number, number] = [-kPreMax, kPostMax];
  let best: [number, number] = [-1, 0];
  let bestFit = -1;
  for (let a = 1; a <= kPreMax; a++)
    for (let b = 0; b <= kPostMax; b++) {
      const fit = cohorts.filter((g) => g - a >= tMin && g + b <= tMax).length;
      // most cohorts × window length, ties to the longer window
      const score = fit * (a + b + 1),
        bestScore = bestFit * (-best[0] + best[1] + 1);
      if (score > bestScore || (score === bestScore && a + b > -best[0] + best[1])) {
        bestFit = fit;
        best = [-a, b];
      }
    }
  reasons.push(
    `event window ${eventWindow[0]}…${eventWindow[1]} (periods ${tMin}–${tMax}, cohorts ${cohorts.join(", ")}); stacked window ${best[0]}…${best[1]} (keeps ${bestFit} of ${cohorts.length} cohorts)`,
  );
  return { unit: unit.name, time: time.name, outcome: outcome.name, treatment, controls, cluster, eventWindow, stackedWindow: best, reasons };
}

/** The distinct treated cohorts of the guessed treatment. */
function cohortValues(tr: PanelGuess["treatment"], c: Col, uid: (string | null)[], tv: Float64Array): number[] {
  const g = new Map<string, number>();
  for (let i = 0; i < uid.length; i++) {
    const x = c.num![i]!;
    if (tr.kind === "cohort") {
      if (x > 0) g.set(uid[i]!, x);
    } else if (x > 0) g.set(uid[i]!, Math.min(g.get(uid[i]!) ?? Infinity, tv[i]!));
  }
  return [...new Set(g.values())].sort((a, b) => a - b);
}

function yamlString(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(s) && !/^(true|false|null|yes|no|on|off)$/i.test(s) ? s : JSON.stringify(s);
}

/** The spec text of a guessed panel design (paths relative to the spec's folder). */
export function panelSpecText(panelFile: string, specFile: string, g: PanelGuess, title?: string): string {
  const rel = relative(dirname(resolve(specFile)), resolve(panelFile)) || basename(panelFile);
  const q = yamlString;
  return `# keytech study spec written by \`keytech study init --panel ${basename(panelFile)}\` from the panel's columns.
# What was guessed, and why:
${g.reasons.map((r) => `#   ${r}`).join("\n")}
# Edit any of it; run with:  keytech study run ${basename(specFile)} --out results
version: 1
title: ${JSON.stringify(title ?? `Staggered difference-in-differences: ${g.outcome}`)}
seed: 1

inputs:
  panel:
    file: ${q(rel)}
    unit: ${q(g.unit)}
    time: ${q(g.time)}
    ${g.treatment.kind}: ${q(g.treatment.column)}    # ${g.treatment.kind === "cohort" ? "first treated period (0/empty = never treated)" : "absorbing 0/1 treatment"}
  # policies:                  # a policy list (unit, program, year) instead of the column above
  # patents:                   # raw patent records: measures KeyTech and the patent-built mediators

outcome:
  column: ${q(g.outcome)}

model:
  controls: [${g.controls.map(q).join(", ")}]
  cluster: ${q(g.cluster)}

labels:                        # how tables, figures and methods notes name things
  unit: ${q(g.unit)}
  time: ${q(g.time)}
  treatment: treatment

blocks:
  descriptives: {}
  patents: {}                  # needs inputs.patents
  baseline:
    columns: [fe_only, ${g.controls.length ? "controls, " : ""}winsorized, lead]
  event_study:
    window: [${g.eventWindow[0]}, ${g.eventWindow[1]}]
    ref: -1
  sensitivity: {}              # HonestDiD bounds of the event study
  event_study_policies: {}     # needs the concurrent programs of a policy list
  alt_outcomes: {}             # list alternative outcome columns in "outcomes"
  digital_index: {}            # list the index's columns in "columns"
  county_trends: {}
  stacked:
    window: [${g.stackedWindow[0]}, ${g.stackedWindow[1]}]
  other_policies: {}           # needs the concurrent programs of a policy list
  ddd: {}                      # needs a second treated group (inputs.policies.programs.nondigital)
  exclusions: {}               # needs inputs.units flags
  placebo:
    reps: 200
  cs:
    control: notyet
  sdid:
    reps: 50
  bacon: {}
  mechanisms: {}               # list mediator columns in "mediators"
  paths: {}                    # list ordered mediator columns in "mediators"
  heterogeneity: {}            # list split variables in "by"
  moderation: {}               # list moderators in "by"
`;
}
