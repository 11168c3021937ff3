/** The commented template of the reference study written by `keytech study init` (and used by `keytech demo`). */
import type { z } from "zod";
import type { measureOptionsSchema } from "./measure.js";

/**
 * The measure options of the template's `blocks.patents` (the demo's spec) — one constant, so the truth of
 * the simulated world (src/sim/simulate.ts, measured with exactly these options) and the demo's spec
 * cannot drift apart. Keys not listed take the schema defaults (measureOptionsSchema).
 */
export const DEMO_MEASURE_OPTIONS = {
  taxonomy: "cnipa-provisional",
  level: "subclass",
  idf: "seed",
  backward: 5,
  forward: [1, 5, 10],
  censoring: "truncate",
  quantile: 0.9,
  outcome: "count",
  cluster: "city",
  rca_window: 3,
  dea_inputs: ["rd_personnel", "rd_capital", "data_element"],
  dea_rts: "crs",
} as const satisfies z.input<typeof measureOptionsSchema>;

const M = DEMO_MEASURE_OPTIONS;
const list = (xs: readonly (string | number)[]): string => `[${xs.join(", ")}]`;

export interface TemplateOptions {
  /** folder of the input files, relative to the spec (default "data") */
  dataDir?: string;
  /** smaller replication counts for a fast run (demo) */
  fast?: boolean;
  /** include the truth.json of a simulated world */
  truth?: boolean;
  /** minimal replication counts (smoke tests: seconds, not minutes) */
  quick?: boolean;
}

/** The spec's blocks.patents entry with DEMO_MEASURE_OPTIONS (two-space indented, ends with a newline). */
export function patentsBlockYaml(): string {
  return `  patents:                     # step 1: measure KeyTech, alternative outcomes and mediators (county × year)
    taxonomy: ${M.taxonomy}  # key-digital patents: built-in taxonomy name or a rule file
    level: ${M.level}            # IPC level of the technology fields: subclass | group | subgroup
    idf: ${M.idf}                  # seed = paper eq. 3 ln(N≤t/N_ω,≤t) | kpst = ln(N<t/(1+N_ω,<t))
    backward: ${M.backward}                # backward window (years)
    forward: ${list(M.forward)}        # forward horizons (years); importance uses the last
    censoring: ${M.censoring}        # forward windows past the data end: truncate | missing
    quantile: ${M.quantile}              # breakthrough = top decile of importance within the filing year
    outcome: ${M.outcome}             # KeyTech = count of breakthroughs | sum (of importances)
    cluster: ${M.cluster}              # panel column naming each county's cluster (co-specialisation peers, diffusion)
    rca_window: ${M.rca_window}              # years pooled for the RCA network
    dea_inputs: ${list(M.dea_inputs)}   # innovation inputs → efficiency (DEA)
    dea_rts: ${M.dea_rts}               # crs | vrs
`;
}

/** YAML text of the reference-study spec (Shi, Yang & Qian 2025), with comments on every key. */
export function studyTemplate(o: TemplateOptions = {}): string {
  const d = o.dataDir ?? "data";
  const f = (o.fast ?? false) || (o.quick ?? false);
  const q = o.quick ?? false;
  return `# keytech study spec — the reference study (Shi, Yang & Qian 2025, "Digital Industrial Cluster
# Policy and Radical Innovation in Key Core Technologies", China Industrial Economics 2025(1)).
# Run it with:  keytech study run THIS_FILE --out DIR
# Paths are relative to this file. Remove a block (or set "enabled: false") to skip it.
version: 1
title: "Digital cluster pilots and breakthrough innovation${o.truth ? " (simulated paper world)" : ""}"
seed: 20250101                 # every random step (placebo draws, bootstraps) derives from this seed

inputs:
  panel:                       # region panel: one row per county-year
    file: ${d}/panel.csv
    unit: county               # column holding the county code
    time: year                 # column holding the year
  units:                       # unit attributes (optional): flags used by the sample exclusions
    file: ${d}/counties.csv
    unit: county
    flags:
      municipality: municipality     # 1 = municipality directly under the central government
      reform_zone: reform_zone       # 1 = comprehensive reform zone
  policies:                    # policy list: one row per (unit, program, approval year)
    file: ${d}/policies.csv
    unit: county
    program: program
    year: year
    programs:                  # program names in the file
      treated: digital_cluster       # the digital cluster pilots (staggered cohorts 2013/2014/2017)
      nondigital: nondigital_cluster # non-digital cluster pilots (triple difference)
      broadband: broadband_china     # Broadband China (2014–2016)
      smart_city: smart_city         # Smart City pilots (2012–2014)
  patents:                     # raw patent records: KeyTech and the mediators are measured from them
    file: ${d}/patents.csv     # CSV/Parquet file, PatentsView folder, or USPTO grant XML (file or folder)
    mapping: default           # base column mapping: default | cnrds | patentsview | a JSON file
    # override single columns of the mapping here, e.g.:
    # id: id
    # date: filing_date        # filing (application) date; or year: filing_year
    # unit: county             # the applicant's unit code (as in the panel)
    # ipc: ipc                 # all IPC codes, main first
    # cited: cited             # ids of cited patents
    # applicant: applicant     # applicant id (self-citations are excluded from citation counts)
    # separator: ";"           # between IPC codes in a cell
${
  o.truth
    ? `  truth:                       # true effects of the simulated world (shown next to the estimates)
    file: ${d}/truth.json
`
    : ""
}
outcome:                       # without "column", the outcome is KeyTech measured from inputs.patents
  label: KeyTech               # (set column: NAME to use a ready-made panel column instead)

model:                         # main model: outcome ~ treat_post + controls | county + year
  controls: [land_area, gdp_pc, population, industry_share, gov_share, manuf_agglom]
  cluster: county              # cluster-robust standard errors by this column

blocks:
  descriptives: {}
${patentsBlockYaml()}  baseline:                    # Table 1
    columns: [fe_only, controls, winsorized, lead, poisson]   # allowed: fe_only, controls, winsorized, lead, poisson (count model)
    winsor: 0.05
    lead: 1
  event_study:                 # robustness 1 (figure with 95% CIs)
    window: [-4, 5]
    ref: -1
    endpoints: bin             # bin | trim | none
    estimators: [twfe, cs, sunab, imputation, stacked, sdid]   # sdid: synthetic DID by event time (sdid_event)
    policy_controls: []        # concurrent programs as controls: broadband, smart_city, nondigital
  event_study_policies:        # robustness 1b: the same event study controlling for the concurrent pilots
    policy_controls: [broadband, smart_city, nondigital]
  alt_outcomes:                # robustness 2
    outcomes: [keytech_count, cite_quality]
  digital_index:               # robustness 3: first principal component of these columns
    columns: [fixed_line, mobile_users, broadband_users]
  county_trends: {}            # robustness 4
  stacked:                     # robustness 5
    window: [-4, 5]
    weighting: weighted        # weighted | unweighted
  other_policies:              # robustness 6
    programs: [broadband, smart_city]
  ddd: {}                      # robustness 7: non-digital pilots as a second treated group
  exclusions:                  # robustness 8
    samples: [no_municipalities, no_reform_zones, no_both]
  placebo:                     # endogeneity 1: counterfactual pilots
    reps: ${q ? 20 : f ? 100 : 500}
    strata: none               # none | outcome_rank
    pool: never_treated        # never_treated | all
  cs:                          # endogeneity 2: Callaway & Sant'Anna
    control: notyet            # never | notyet
    method: dr                 # dr | ipw | reg
    base: varying              # varying | universal
    bootstrap: 0
  sdid:                        # endogeneity 3: synthetic DID
    method: sdid               # sdid | sc | did
    se: placebo                # placebo | jackknife | bootstrap
    reps: ${q ? 4 : f ? 20 : 100}
  bacon: {}                    # Goodman-Bacon decomposition (diagnostic)
  mechanisms:                  # Table 2
    mediators: [cospecialize, diffusion, efficiency]
    joint_test: true
  paths:                       # Table 3: ordered mediators
    mediators: [cospecialize, diffusion, efficiency]
    model: linear              # linear | bart (the paper's BART: ≈30 s for the estimate, ≈25 s per bootstrap draw at this size on 2 cores)
    boot: ${q ? 0 : f ? 10 : 200}                   # cluster-bootstrap draws for the SEs
  heterogeneity:               # Table 4: median splits + permutation test
    by: [night_lights, social_media_firms, broadband_per_hh]
    reps: ${q ? 0 : f ? 50 : 500}
    permute: unit              # unit | obs
  moderation:                  # Table 5
    by: [supply_chain, innovation_chain]
  sensitivity:                 # robustness 1c: HonestDiD bounds for the event study (after it)
    estimator: twfe            # twfe | sunab
    restrictions: [rm, sd]     # relative magnitudes (M̄) and smoothness (M)
    mbar: [0.5, 1, 1.5, 2]
labels:                        # how tables, figures and methods notes name things
  unit: county
  units: counties
  time: year
  treatment: digital cluster pilot
  paper: true                  # methods notes cite the reference paper's equations
  variables:                   # column → label
    keytech_count: ln(1 + key-digital patents)
    cite_quality: ln(1 + citations received)
    cospecialize: Co-specialisation
    diffusion: Digital-technology diffusion
    efficiency: Allocation efficiency
    land_area: Land area
    gdp_pc: GDP per capita
    population: Population
    industry_share: Industry share of GDP
    gov_share: Government spending share
    manuf_agglom: Manufacturing agglomeration
    night_lights: Night lights
    social_media_firms: Firms on social media
    broadband_per_hh: Broadband users per household
    supply_chain: Supply chain
    innovation_chain: Innovation chain
    broadband: Broadband China
    smart_city: Smart City
`;
}
