/** The two HonestDiD reference files (test/fixtures/refs/honestdid_*.json) as event-study inputs. */
import { fixture, readJson } from "../../helpers.js";
import type { HonestInput } from "../../../src/inference/honest/shared.js";

export interface RefRow {
  lb: number | null;
  ub: number | null;
  method: string;
  Delta: string | null;
  M?: number;
  Mbar?: number;
}

export interface RefCase {
  name: string;
  input: HonestInput;
  results: { relative_magnitudes: RefRow[]; smoothness_flci: RefRow[]; smoothness_clf?: RefRow[]; original: RefRow[] };
  readme?: { relative_magnitudes: RefRow[]; smoothness_flci: RefRow[] };
}

interface RawInputs {
  betahat: number[];
  sigma: number[][];
  numPrePeriods: number;
  numPostPeriods: number;
}

const toInput = (r: RawInputs): HonestInput => ({
  betahat: Float64Array.from(r.betahat),
  sigma: Float64Array.from(r.sigma.flat()),
  numPre: r.numPrePeriods,
  numPost: r.numPostPeriods,
});

/** LW (9 pre, 23 post), Medicaid (5, 2) and mpdta (3, 4), each with HonestDiD 0.2.6's results. */
export function refCases(): RefCase[] {
  const a = readJson<Record<string, { inputs: RawInputs; results: RefCase["results"]; readme_printed?: RefCase["readme"] }>>(
    fixture("refs", "honestdid_lw_medicaid.json"),
  );
  const b = readJson<{ inputs: RawInputs; results: RefCase["results"] }>(fixture("refs", "honestdid_mpdta.json"));
  return [
    { name: "lw", input: toInput(a.lw!.inputs), results: a.lw!.results },
    { name: "medicaid", input: toInput(a.medicaid!.inputs), results: a.medicaid!.results, readme: a.medicaid!.readme_printed },
    { name: "mpdta", input: toInput(b.inputs), results: b.results },
  ];
}
