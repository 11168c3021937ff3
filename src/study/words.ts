/**
 * The words a study's methods notes use for its units, time, treatment and outcome — from the spec's
 * `labels` (the reference template sets county / counties / year / digital cluster pilot), else from
 * the column and program names — so no word of the reference study appears in a study that is not it.
 */
import { prettyName } from "../core/labels.js";
import type { StudySpec } from "./spec-schema.js";

export interface StudyWords {
  /** singular and plural of the unit ("county", "counties") */
  unit: string;
  units: string;
  /** the time unit ("year") */
  time: string;
  /** unit-time cells ("county-years") */
  cells: string;
  /** the treatment ("digital cluster pilot") */
  treatment: string;
  outcome: string;
  /** " (paper eq. 1)" when the spec cites the reference paper, else "" */
  paper: (ref: string) => string;
  /** a column's label */
  v: (col: string) => string;
}

/** The words of a spec (see the file comment). */
export function words(spec: StudySpec): StudyWords {
  const l = spec.labels;
  const unit = l.unit ?? spec.inputs.panel.unit.replaceAll("_", " ");
  const units = l.units ?? (unit.endsWith("y") && !/[aeiou]y$/.test(unit) ? unit.slice(0, -1) + "ies" : unit + "s");
  const time = l.time ?? spec.inputs.panel.time.replaceAll("_", " ");
  const treatment = l.treatment ?? (spec.inputs.policies?.programs.treated ?? spec.inputs.panel.treatment ?? "treatment").replaceAll("_", " ");
  return {
    unit,
    units,
    time,
    cells: `${unit}-${time}s`,
    treatment,
    outcome: spec.outcome.label,
    paper: (ref) => (l.paper ? ` (paper ${ref})` : ""),
    v: (col) => l.variables[col] ?? prettyName(col),
  };
}
