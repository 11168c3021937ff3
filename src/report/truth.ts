/**
 * True values of a simulated paper world (truth.json of `keytech simulate`) matched to the estimates of
 * the report's blocks, so the report can show "estimate, 95% CI, truth, covered?" rows.
 */
type Json = Record<string, unknown>;

function get(o: unknown, ...path: string[]): number | null {
  let v: unknown = o;
  for (const p of path) {
    if (v === null || typeof v !== "object") return null;
    v = (v as Json)[p];
  }
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** True value for (block, model, term), or null when the generator does not pin it down. */
export function truthFor(truth: unknown, block: string, model: string, term: string): number | null {
  if (!truth) return null;
  const att = get(truth, "att");
  switch (block) {
    case "baseline":
      return term === "treat_post" && (model === "fe_only" || model === "controls") ? att : null;
    case "digital_index":
    case "county_trends":
    case "exclusions":
    case "stacked":
    case "placebo":
      if (block === "stacked") {
        const m = /^rel::(-?\d+)$/.exec(term);
        return m ? get(truth, "event_time", m[1]!) : null;
      }
      return term === "treat_post" && block !== "placebo" ? att : null;
    case "other_policies":
      // with Treat×Post × policy in the model, Treat×Post is the pilot's effect where that policy is off
      if (term === "treat_post") return get(truth, "other_policies", "pilot_where_off", model);
      if (term === "broadband") return get(truth, "other_policies", "broadband");
      if (term === "smart_city") return get(truth, "other_policies", "smart_city");
      // Pilot × policy interactions: the twins do not pin them down (the pilot also acts on the other policies' extra filings)
      if (term.startsWith("treat_post:")) return null;
      return null;
    case "ddd": {
      const nd = get(truth, "other_policies", "non_digital_pilot");
      // did ddd: treat_post = the treated group's extra effect over the second group, pilot_post = the
      // effect of either program, digital_total = their sum (the treated group's total effect)
      if (term === "treat_post" && att !== null && nd !== null) return att - nd;
      if (term === "pilot_post") return nd;
      if (term === "digital_total") return att;
      return null;
    }
    case "cs":
    case "sdid":
      return ["att", "ATT", "treat_post", "simple", "sdid", "sc", "did"].includes(term) ? att : null;
    case "event_study":
    case "event_study_policies": {
      const m = /^rel::(-?\d+)$/.exec(term);
      return m ? get(truth, "event_time", m[1]!) : null;
    }
    case "mechanisms": {
      const m = /^(.*)_a$/.exec(model);
      return m && term === "treat_post" ? get(truth, "mechanisms", "effect_on_mediator", m[1]!) : null;
    }
    case "paths":
      // the simulated world's twin runs do not pin down the path-specific effects (truth.json paths.note)
      return null;
    case "alt_outcomes":
      return term === "treat_post" ? get(truth, "alt_outcomes", model) : null;
    case "heterogeneity": {
      const m = /^(.*)_(low|high)$/.exec(model);
      return m && term === "treat_post" ? get(truth, "heterogeneity", m[1]!, m[2]!) : null;
    }
    case "moderation":
      return term.startsWith("treat_post:") ? get(truth, "moderation", term) : null;
    default:
      return null;
  }
}
