/**
 * `did honest`: HonestDiD sensitivity of a result file (Rambachan & Roth 2023): read the event study,
 * run the sensitivity analysis, and assemble the JSON document (docs/CONTRACT.md). Moved out of the CLI.
 */
import { readFile } from "node:fs/promises";
import { usageError } from "../core/errors.js";
import { sha256File } from "../core/hash.js";
import { stampVersion } from "../core/result.js";
import { honestSensitivity, parseLVec, readHonestInput, type Method, type Restriction } from "../inference/honest/sensitivity.js";

export interface HonestAnalysisOptions {
  /** the result JSON (or {betahat, sigma, numPrePeriods, numPostPeriods}) */
  from: string;
  restriction: Restriction;
  method?: Method;
  M?: number[];
  Mbar?: number[];
  /** "first", "average" or one weight per post period */
  lVec?: string;
  alpha: number;
  seed: number;
  gridPoints: number;
  breakdown: boolean;
}

export async function honestAnalysis(o: HonestAnalysisOptions) {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(o.from, "utf8"));
  } catch (e) {
    throw usageError(`--from ${o.from}: ${(e as Error).message}`);
  }
  const { input, terms, source } = readHonestInput(doc);
  const l = parseLVec(o.lVec, input.numPost);
  const res = await honestSensitivity(input, {
    restriction: o.restriction,
    method: o.method,
    M: o.M,
    Mbar: o.Mbar,
    l,
    alpha: o.alpha,
    seed: o.seed,
    gridPoints: o.gridPoints,
    breakdown: o.breakdown,
  });
  return stampVersion({
    command: "did honest",
    input: { source, terms, numPrePeriods: res.numPrePeriods, numPostPeriods: res.numPostPeriods, l_vec: res.l_vec },
    original: res.original,
    bounds: res.bounds,
    breakdown: res.breakdown,
    provenance: {
      seed: o.seed,
      inputs: { [o.from]: await sha256File(o.from) },
      options: { restriction: o.restriction, method: o.method ?? (o.restriction === "sd" ? "flci" : "c-lf"), alpha: o.alpha, grid_points: o.gridPoints },
    },
  });
}
