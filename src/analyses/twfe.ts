/**
 * `keytech did twfe`: the staggered two-way fixed-effects DID of the seed paper (eq. 1, Table 1):
 * `y ~ treat_post + x | unit + time`, `treat_post = 1[cohort > 0 and time ≥ cohort]`, clustered by unit
 * unless told otherwise.
 */
import type { HeadlineSpec, KeytechResult } from "../core/result.js";
import { numeric } from "../data/table.js";
import { fitDesign, regressionResult, wildBlock } from "./model-input.js";
import { buildDidDesign, type DidColumns } from "./did-prep.js";
import { optionsRecord } from "./feols.js";

export type TwfeOptions = DidColumns;

/** treat_post = 1[cohort > 0 and time ≥ cohort]. */
export function treatPost(cohort: Float64Array, time: Float64Array): Float64Array {
  const d = new Float64Array(time.length);
  for (let i = 0; i < d.length; i++) d[i] = cohort[i]! > 0 && time[i]! >= cohort[i]! ? 1 : 0;
  return d;
}

/** The overall effect of the static TWFE DID: the treat_post coefficient. */
export const TWFE_HEADLINE: HeadlineSpec = { term: "treat_post", label: "static TWFE treat_post" };

export async function twfeAnalysis(o: TwfeOptions): Promise<KeytechResult> {
  const { design, spec, log, hash } = await buildDidDesign(o, (t) => [{ name: "treat_post", values: treatPost(numeric(t, o.cohort), numeric(t, o.time)) }]);
  // treat_post is built here and not read after the fit (unless bootstrapped): feols may demean it in place
  if (!o.bootstrap) (design.x[0] as { owned?: boolean }).owned = true;
  const bundle = fitDesign(design, spec, o);
  const boot = wildBlock(design, o.bootstrap?.term ?? "treat_post", spec, o);
  const controls = o.x ?? [];
  return regressionResult({
    command: "did twfe",
    bundle,
    log,
    file: o.data,
    hash: await hash,
    options: optionsRecord({ ...o, preloaded: undefined }),
    model: {
      depvar: o.y,
      formula: `${o.y} ~ treat_post${controls.map((c) => " + " + c).join("")} | ${o.unit} + ${o.time}`,
      fixed_effects: [o.unit, o.time],
      controls,
    },
    ...(boot ? { extra: { bootstrap: boot }, seed: o.bootstrap!.seed } : {}),
    headline: TWFE_HEADLINE,
  });
}
