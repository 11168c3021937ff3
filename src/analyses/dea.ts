/**
 * DEA analysis: efficiency scores per decision unit, one frontier per period (`by`) or pooled,
 * as a KeytechResult with `scores: [{id, period, efficiency}]` (docs/CONTRACT.md, `keytech dea`).
 * The seed paper's "innovation factor allocation efficiency" (METHODS.md §9): inputs R&D staff,
 * R&D capital, data inputs; output patent applications; default input-oriented, CRS, per year.
 */
import { inputError } from "../core/errors.js";
import { makeResult, type KeytechResult } from "../core/result.js";
import { dea, type DeaOrientation, type DeaRts } from "../estimators/dea.js";

export interface NamedColumn {
  name: string;
  values: Float64Array;
}

export interface DeaAnalysisInput {
  /** Decision-unit identifiers, one per row. */
  id: (string | number)[];
  /** Period of each row; with it, one frontier per period, else a pooled frontier. */
  period?: (string | number)[] | null;
  /** Name of the id and period columns (for messages and provenance). */
  idName?: string;
  periodName?: string | null;
  inputs: NamedColumn[];
  outputs: NamedColumn[];
  rts?: DeaRts;
  orientation?: DeaOrientation;
  superEfficiency?: boolean;
  slacks?: boolean;
  file?: string;
  /** Input file hashes for provenance. */
  inputsHash?: Record<string, string>;
}

export interface DeaScoreRow {
  id: string | number;
  period: string | number | null;
  efficiency: number | null;
  phi?: number | null;
  lambda_sum?: number | null;
  slack_inputs?: number[];
  slack_outputs?: number[];
  strong_efficient?: boolean;
  reason?: string;
}

/** Run DEA by period (or pooled) and package the scores; mean efficiency per frontier as estimates. */
export async function deaAnalysis(a: DeaAnalysisInput): Promise<KeytechResult> {
  const n = a.id.length;
  const rts = a.rts ?? "crs";
  const orientation = a.orientation ?? "input";
  const byPeriod = a.period != null;
  // Group rows by period (first-appearance order → sorted), refuse duplicate (id, period).
  const groups = new Map<string, number[]>();
  const seen = new Map<string, number>();
  for (let r = 0; r < n; r++) {
    const p = byPeriod ? String(a.period![r]) : "";
    const key = `${String(a.id[r])}\u0000${p}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw inputError(
        `duplicate decision unit '${a.id[r]}'${byPeriod ? ` in period ${p}` : ""} (first at row ${prev + 1}); DEA needs one row per unit${byPeriod ? " and period" : ""}`,
        { file: a.file, row: r + 1, column: a.idName },
      );
    }
    seen.set(key, r);
    const g = groups.get(p);
    if (g) g.push(r);
    else groups.set(p, [r]);
  }
  const keys = [...groups.keys()].sort((x, y) => {
    const nx = Number(x),
      ny = Number(y);
    return Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
  });
  const scores: DeaScoreRow[] = new Array(n);
  const estimates: KeytechResult["estimates"] = [];
  const warnings: string[] = [];
  for (const k of keys) {
    const rows = groups.get(k)!;
    const pick = (c: NamedColumn) => Float64Array.from(rows, (r) => c.values[r]!);
    const res = await dea(
      {
        inputs: a.inputs.map(pick),
        outputs: a.outputs.map(pick),
        inputNames: a.inputs.map((c) => c.name),
        outputNames: a.outputs.map((c) => c.name),
        rows: rows.map((r) => r + 1),
        file: a.file,
      },
      { rts, orientation, superEfficiency: a.superEfficiency, slacks: a.slacks },
    );
    let sum = 0,
      cnt = 0;
    rows.forEach((r, j) => {
      const s = res[j]!;
      const row: DeaScoreRow = { id: a.id[r]!, period: byPeriod ? a.period![r]! : null, efficiency: s.efficiency };
      if (orientation === "output") row.phi = s.phi;
      row.lambda_sum = s.lambdaSum;
      if (s.slackInputs) {
        row.slack_inputs = s.slackInputs;
        row.slack_outputs = s.slackOutputs;
        row.strong_efficient = s.strongEfficient;
      }
      if (s.reason) {
        row.reason = s.reason;
        warnings.push(`${a.id[r]}${byPeriod ? ` (${k})` : ""}: ${s.reason}`);
      }
      scores[r] = row;
      if (s.efficiency !== null && Number.isFinite(s.efficiency)) {
        sum += s.efficiency;
        cnt++;
      }
    });
    estimates.push({
      term: byPeriod ? `mean_efficiency:${k}` : "mean_efficiency",
      estimate: cnt > 0 ? sum / cnt : null,
      std_error: null,
      statistic: null,
      p_value: null,
      conf_low: null,
      conf_high: null,
      n_units: rows.length,
    });
  }
  const result: KeytechResult = makeResult({
    command: "dea",
    estimates,
    nobs: n,
    dropped: { singletons: 0, missing: 0, collinear: [] },
    scores,
    provenance: {
      seed: null,
      inputs: a.inputsHash ?? {},
      options: {
        id: a.idName ?? null,
        by: byPeriod ? (a.periodName ?? "period") : null,
        inputs: a.inputs.map((c) => c.name),
        outputs: a.outputs.map((c) => c.name),
        rts,
        orientation,
        super: Boolean(a.superEfficiency),
        slacks: Boolean(a.slacks),
        solver: "HiGHS (envelopment form, variables scaled by their means)",
      },
    },
  });
  if (warnings.length) result.warnings = warnings;
  return result;
}
