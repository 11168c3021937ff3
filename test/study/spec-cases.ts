/** Malformed study specs and the exact messages they must produce (shared by spec.test.ts). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { studyTemplate } from "../../src/study/spec-template.js";
import { PANEL_COLUMNS } from "../../src/sim/simulate.js";

/** Write minimal input files (headers + two rows) into dir/data and return the template spec text. */
export function setupInputs(dir: string): string {
  const d = join(dir, "data");
  mkdirSync(d, { recursive: true });
  const panelCols = ["county", "city", "year", ...PANEL_COLUMNS];
  writeFileSync(join(d, "panel.csv"), panelCols.join(",") + "\n" + panelCols.map((_, i) => (i === 2 ? 2000 : i + 1)).join(",") + "\n");
  writeFileSync(join(d, "counties.csv"), "county,city,municipality,reform_zone\n1,2,0,0\n");
  writeFileSync(join(d, "policies.csv"), "county,program,year\n1,digital_cluster,2013\n");
  writeFileSync(join(d, "patents.csv"), "id,filing_date,county,applicant,ipc,cited\nA,2000-01-01,1,1,G06N 3/00,\n");
  writeFileSync(join(d, "truth.json"), "{}\n");
  // a panel that also has a column named like a measured one (refused while patents are measured)
  writeFileSync(
    join(d, "panel_keytech.csv"),
    ["keytech", ...panelCols].join(",") + "\n" + ["1", ...panelCols.map((_, i) => (i === 2 ? 2000 : i + 1))].join(",") + "\n",
  );
  return studyTemplate({ dataDir: "data", fast: true });
}

export interface SpecCase {
  name: string;
  edit: (spec: string) => string;
  /** exact message lines after the "invalid study spec …:" header */
  expect: string[];
}

export const SPEC_CASES: SpecCase[] = [
  {
    name: "unknown top-level key",
    edit: (s) => s.replace("seed: 20250101", "seed: 20250101\nsede: 1"),
    expect: [`study.yaml:8: sede: unknown key; allowed keys: version, title, seed, inputs, outcome, labels, model, blocks`],
  },
  {
    name: "unknown block option",
    edit: (s) => s.replace("    ref: -1", "    reff: -1"),
    expect: [`study.yaml:70: blocks.event_study.reff: unknown key; allowed keys: enabled, window, ref, endpoints, estimators, sdid_reps, policy_controls`],
  },
  {
    name: "unknown block",
    edit: (s) => s.replace("  ddd: {}", "  dddd: {}"),
    expect: [
      `study.yaml:86: blocks.dddd: unknown key; allowed keys: patents, descriptives, baseline, event_study, event_study_policies, sensitivity, alt_outcomes, digital_index, county_trends, stacked, other_policies, ddd, exclusions, placebo, cs, sdid, bacon, mechanisms, paths, heterogeneity, moderation`,
    ],
  },
  {
    name: "wrong type (string for number)",
    edit: (s) => s.replace("    reps: 100", "    reps: many"),
    expect: [`study.yaml:90: blocks.placebo.reps: expected a number, got string "many"`],
  },
  {
    name: "wrong type (number for list)",
    edit: (s) => s.replace("  controls: [land_area, gdp_pc, population, industry_share, gov_share, manuf_agglom]", "  controls: 5"),
    expect: [`study.yaml:46: model.controls: expected a list, got number 5`],
  },
  {
    name: "bad enum value",
    edit: (s) => s.replace("    control: notyet", "    control: neverr"),
    expect: [`study.yaml:94: blocks.cs.control: string "neverr" is not allowed; allowed values: never, notyet`],
  },
  {
    name: "bad enum in list",
    edit: (s) => s.replace("columns: [fe_only, controls, winsorized, lead, poisson]", "columns: [fe_only, control]"),
    expect: [`study.yaml:65: blocks.baseline.columns[1]: string "control" is not allowed; allowed values: fe_only, controls, winsorized, lead, poisson`],
  },
  {
    name: "missing required key",
    edit: (s) => s.replace("    time: year                 # column holding the year\n", ""),
    expect: [`study.yaml:10: inputs.panel.time: required key is missing (expected a string)`],
  },
  {
    name: "missing input file",
    edit: (s) => s.replace("file: data/panel.csv", "file: data/panal.csv"),
    expect: [`study.yaml:11: inputs.panel.file: file not found: DIR/data/panal.csv`],
  },
  {
    name: "column not in file (control)",
    edit: (s) => s.replace("gov_share, manuf_agglom]", "gov_share, manuf_agglomeration]"),
    expect: [
      `study.yaml:46: model.controls[5]: column "manuf_agglomeration" is not in panel.csv (columns: county, city, year, land_area, gdp_pc, population, industry_share, gov_share, manuf_agglom, night_lights, social_media_firms, broadband_per_hh, …)`,
    ],
  },
  {
    name: "column not in file (outcome)",
    edit: (s) => s.replace("  label: KeyTech ", "  column: keytek\n  label: KeyTech "),
    expect: [
      `study.yaml:43: outcome.column: column "keytek" is not in panel.csv (columns: county, city, year, land_area, gdp_pc, population, industry_share, gov_share, manuf_agglom, night_lights, social_media_firms, broadband_per_hh, …)`,
    ],
  },
  {
    name: "column not in file (block option)",
    edit: (s) => s.replace("by: [supply_chain, innovation_chain]", "by: [supply_chain, innovation]"),
    expect: [
      `study.yaml:115: blocks.moderation.by[1]: column "innovation" is not in panel.csv (columns: county, city, year, land_area, gdp_pc, population, industry_share, gov_share, manuf_agglom, night_lights, social_media_firms, broadband_per_hh, …)`,
    ],
  },
  {
    name: "column not in file (policies)",
    edit: (s) => s.replace("    program: program", "    program: programme"),
    expect: [`study.yaml:23: inputs.policies.program: column "programme" is not in policies.csv (columns: county, program, year)`],
  },
  {
    name: "out of range number",
    edit: (s) => s.replace("    winsor: 0.05", "    winsor: 0.7"),
    expect: [`study.yaml:66: blocks.baseline.winsor: value must be < 0.5, got number 0.7`],
  },
  {
    name: "window not a pair",
    edit: (s) => s.replace("    window: [-4, 5]\n    ref", "    window: [-4]\n    ref"),
    expect: [`study.yaml:69: blocks.event_study.window: number of items must be ≥ 2, got a list of 1`],
  },
  {
    name: "yaml syntax error",
    edit: (s) => s.replace("  county_trends: {}", "  county_trends: {"),
    expect: [`study.yaml:81: (yaml): Flow map in block collection must be sufficiently indented and end with a }`],
  },
  { name: "duplicate key", edit: (s) => s.replace("  ddd: {}", "  ddd: {}\n  ddd: {}"), expect: [`study.yaml:87: (yaml): Map keys must be unique`] },
  { name: "negative seed", edit: (s) => s.replace("seed: 20250101", "seed: -3"), expect: [`study.yaml:7: seed: value must be ≥ 0, got number -3`] },
  { name: "wrong version", edit: (s) => s.replace("version: 1", "version: 2"), expect: [`study.yaml:5: version: number 2 is not allowed; allowed values: 1`] },
  {
    name: "unknown flag",
    edit: (s) => s.replace("      reform_zone: reform_zone       # 1", "      reform_zon: reform_zone       # 1"),
    expect: [`study.yaml:19: inputs.units.flags.reform_zon: unknown key; allowed keys: municipality, reform_zone`],
  },
  {
    name: "formula parse error",
    edit: (s) =>
      s.replace(
        "  controls: [land_area, gdp_pc, population, industry_share, gov_share, manuf_agglom]",
        '  controls: [land_area, gdp_pc, population, industry_share, gov_share, manuf_agglom]\n  formula: "keytech ~ treat_post + | county + year"',
      ),
    expect: ["study.yaml:47: model.formula: bad formula: expected a term after '+'", "  keytech ~ treat_post + | county + year", "                         ^"],
  },
  {
    name: "list instead of mapping",
    edit: (s) => s.replace("  county_trends: {}", "  county_trends: [1]"),
    expect: [`study.yaml:80: blocks.county_trends: expected a mapping, got a list of 1`],
  },
  {
    name: "panel column with a measured name",
    edit: (s) => s.replace("file: data/panel.csv", "file: data/panel_keytech.csv"),
    expect: [
      `study.yaml:11: inputs.panel.file: column "keytech" of panel_keytech.csv has the name of a column measured from inputs.patents; rename it in the panel (or set blocks.patents.enabled: false to use the panel's column)`,
    ],
  },
  {
    name: "no outcome column and no patents",
    edit: (s) =>
      s
        .replace("  patents:                     # raw patent records", "  patentz:                     # raw patent records")
        .replace(/\n {2}patentz:[\s\S]*?(?=\n {2}truth:|\n\noutcome:)/, ""),
    expect: [`study.yaml:31: outcome.column: required key is missing: name the outcome's panel column, or give inputs.patents to measure it (KeyTech)`],
  },
];
