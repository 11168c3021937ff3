/**
 * The block registry: every block of a study, in execution order. To wire a new analysis, add one
 * `defineBlock({...})` entry (options schema, methods text, run) to a blocks file and list it here.
 */
import type { BlockDef } from "./types.js";
import { baseline, descriptives, eventStudy, eventStudyPolicies } from "./did.js";
import { altOutcomes, countyTrends, ddd, digitalIndex, exclusions, otherPolicies, stacked } from "./robustness.js";
import { bacon, cs, placebo, sdid } from "./endogeneity.js";
import { heterogeneity, mechanisms, moderation, paths } from "./mechanisms.js";
import { patentScores } from "./patents.js";
import { sensitivity } from "./sensitivity.js";

export const BLOCKS: BlockDef[] = [
  patentScores,
  descriptives,
  baseline,
  eventStudy,
  eventStudyPolicies,
  sensitivity,
  altOutcomes,
  digitalIndex,
  countyTrends,
  stacked,
  otherPolicies,
  ddd,
  exclusions,
  placebo,
  cs,
  sdid,
  bacon,
  mechanisms,
  paths,
  heterogeneity,
  moderation,
] as unknown as BlockDef[];

export function blockById(id: string): BlockDef | undefined {
  return BLOCKS.find((b) => b.id === id);
}
