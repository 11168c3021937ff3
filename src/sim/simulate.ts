/**
 * Layer `sim` (between study and cli): the simulator measures its truth with the study's measure stage
 * (study/measure.ts) and writes worlds that the study runs on, so it sits above study and below the CLI.
 * The simulated "paper world": a seeded generator of a dataset shaped like the reference study
 * (Shi, Yang & Qian 2025): the 435 counties of the cities hosting pilots, 2000–2021; 24 digital
 * cluster pilots approved in 2013/2014/2017 plus non-digital pilots; the concurrent Broadband-China
 * (2014–2016) and Smart-City (2012–2014) city pilots; municipalities and reform-zone flags; a county-year
 * panel with the seed's controls, moderators and DEA inputs; patent records with real IPC codes and
 * citations. The outcome and the mediators are NOT in the panel: the study measures them from the
 * patents (src/study/measure.ts), and the policy acts on the process that writes the patents.
 *
 * Structural model (county i of city c(i), year t; every number below is an option or a constant here):
 *   Filing rates (policy-free): ln λ^D_it = ln P0 + 0.4 ln RDP_it + 0.4 ln RDC_it + 0.2 ln DATA_it − 3.72
 *       + ζ_i − u_it + 0.24 + ε_it (the DEA inputs of the panel; ζ_i ~ N(0, 0.3²), inefficiency
 *       u_it = |N(0, 0.3²)|, ε_it ~ N(0, noise²)); λ^N_it = 0.5 λ^D_it. Base filings: n^D_it ~ Poisson(λ^D_it)
 *       key-digital and n^N_it ~ Poisson(λ^N_it) non-digital patents. Patents are simulated for
 *       first−3 … last+2 (outside the panel with the nearest panel year's rate grown 6.8% a year and its
 *       policy state), so the panel's edge years have backward and forward windows.
 *   Technology fields: the IPC subclasses of assets/simulate/ipc_pool.csv; digital subclass s emerges at
 *       E_s (seeded, spread over 1992–2032), a code's weight in year τ is w_s(τ) = logistic((τ − E_s)/2.5).
 *       A key-digital patent has 1–4 codes; each slot is a code of the city's N_CITY = 5 specialty
 *       subclasses (two emerging in 2005–2030) with probability ψ_c, of the county's own 3 specialty
 *       subclasses with probability ψ_o, else (first slot always, later ones 70%) any digital code (80% in
 *       the first code's area), else a non-digital code; digital codes are drawn ∝ w(t). Base ψ_c = 0.2,
 *       ψ_o = 0.7.
 *   Pilot intensity: h_it = effect · H_it / mean_{D=1} H, H_it = D_it · g(e) · clip(1 + het·z_i, 0.25, 2.5)
 *       · clip(1 + m_sc·(SC_it − SC̄) + m_ic·(IC_it − IC̄), 0.25, 2); D_it = 1 from the approval year on,
 *       e = t − cohort, g(e) = 1 + dyn·(min(e, 4) − 2)/2, z_i the standardised base night lights, SC̄/IC̄ the
 *       means of supply/innovation chain over the treated county-years (so mean h over them = effect).
 *   The pilot acts on patenting only through h (h = 0 before approval: no anticipation):
 *     (a) filings: extra key-digital patents ~ Poisson(filings · h · λ^D_it);
 *     (b) breakthroughs: each key-digital patent of a treated cell is a frontier patent with probability
 *         min(0.95, frontier · h); its first code is drawn ∝ w(t + LEAD) − w(t), LEAD = 6 (a field that
 *         becomes common later; from the city's specialty with probability ψ_c + ψ_o), its other codes
 *         ∝ w(t + LEAD): novel relative to the past, similar to what comes later (high FS/BS);
 *     (c) co-specialisation: the county's own-specialty share moves to the city's, ψ_c = 0.2 + 0.7·s,
 *         ψ_o = 0.7·(1 − s), s = min(1, concentration · h);
 *     (d) diffusion and citations: Poisson(2) + Poisson(citations · h) citations per patent, each to a
 *         same-city digital patent of the previous five years with probability min(0.95, 0.25 +
 *         localCitations · h), else to any patent of those years;
 *     (e) efficiency: the DEA inputs are not touched, so (a) raises output per unit of input.
 *   Concurrent policies: Broadband China, Smart City and the non-digital pilots add Poisson(rate · λ^D_it)
 *   key-digital filings in their county-years (rate = otherPolicies.*); the non-digital pilots also make
 *   their county-years' key-digital patents frontier patents with probability 0.1.
 *
 * Twin runs and the truth. Every random draw comes from a stream forked from (seed, purpose, county-year,
 * patent number): the panel from one policy-free stream; base filing counts per county-year; each
 * policy's extra filings per (policy, county-year); each patent's date, applicant, frontier draw, codes
 * and citations from its own stream. Patents of cells a policy does not act on cite only "base" patents
 * (which exist with the same ids in every twin); only pilot-treated patents may also cite the pilot's
 * extra patents; the other policies' extra patents are never cited. Switching the pilot off (h ≡ 0)
 * therefore changes exactly the patents of pilot-treated county-years (their codes and citations, and
 * their extra patents disappear); every other patent record, the panel, the counties and the policies are
 * byte-identical. truth.json compares the world with that twin: for each measured column m, measured by
 * measureFromFile with DEMO_MEASURE_OPTIONS (the demo spec's blocks.patents), truth = mean over treated
 * county-years of m(world) − m(twin) (cells where m is missing in either are skipped). Measured values of
 * other county-years still move a little (breakthroughs are ranked within the year, DEA frontiers and
 * co-specialisation peers are shared): truth.json reports those spillovers too.
 */
import { Rng, hashSeed } from "../core/rng.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../core/atomic.js";
import { stableStringify } from "../core/hash.js";
import { stampVersion } from "../core/result.js";
import { loadMapping } from "../patents/mapping.js";
import {
  efficiencyByYear,
  MEASURED_COLUMNS,
  measureFromFile,
  measureFromTable,
  measureOptionsSchema,
  type MeasureGrid,
  type MeasuredPanel,
  type DeaMemo,
  type MeasureOptions,
} from "../study/measure.js";
import { DEMO_MEASURE_OPTIONS } from "../study/spec-template.js";
import { worldPatentTable } from "./patent-table.js";

export type { DeaMemo } from "../study/measure.js";

export interface SimOptions {
  seed: number;
  /** strength of the digital pilot: multiplies its intensity h in every channel (1 = default, 0 = no effect) */
  effect: number;
  /** channels of the pilot at h = 1 (see the file comment (a)–(d)) */
  pilot: { filings: number; frontier: number; concentration: number; localCitations: number; citations: number };
  /** dynamic slope of the intensity in event time (0 = constant) */
  dynamic: number;
  /** heterogeneity of the intensity in night lights (0 = homogeneous) */
  heterogeneity: number;
  /** moderation of the intensity by supply chain and innovation chain (per unit of the moderator) */
  moderation: { supplyChain: number; innovationChain: number };
  /** extra key-digital filings (share of the base rate) in the county-years of the other policies */
  otherPolicies: { broadband: number; smartCity: number; nonDigital: number };
  /** sd of the county-year shock to the log filing rate */
  noise: number;
  /** mean key-digital filings per county-year in 2000 (grows ~7% a year with the innovation inputs) */
  patentsPerCountyYear: number;
  nCounties: number;
  firstYear: number;
  lastYear: number;
  /** twin runs for the truth of the other policies too (three more measure runs) */
  policyTwins: boolean;
}

export const defaultSimOptions: SimOptions = {
  seed: 20250101,
  effect: 1,
  pilot: { filings: 0.5, frontier: 0.6, concentration: 1, localCitations: 0.35, citations: 1 },
  dynamic: 0.25,
  heterogeneity: 0.4,
  moderation: { supplyChain: 2, innovationChain: 1.5 },
  otherPolicies: { broadband: 0.15, smartCity: 0.1, nonDigital: 0.2 },
  noise: 0.2,
  patentsPerCountyYear: 1.2,
  nCounties: 435,
  firstYear: 2000,
  lastYear: 2021,
  policyTwins: true,
};

/** Patent years simulated before and after the panel (they feed the backward/forward windows only). */
const PRE_YEARS = 3;
const POST_YEARS = 2;
/** Years ahead whose field mix a frontier patent uses. */
const LEAD = 6;
/** Probability that a non-digital pilot makes a key-digital patent of its county-years a frontier patent. */
const ND_FRONTIER = 0.1;
/** Base probabilities: a digital code from the city's specialty; a citation to a same-city digital patent. */
const PSI0 = 0.2;
const PSI_OWN = 0.7;
const N_CITY = 5;
const N_OWN = 3;
const LOCAL0 = 0.25;

/** The measure options of the truth: those of the demo spec's blocks.patents. */
export const TRUTH_MEASURE_OPTIONS: MeasureOptions = measureOptionsSchema.parse(DEMO_MEASURE_OPTIONS);

export type PolicyKind = "pilot" | "broadband" | "smartCity" | "nonDigital";
export type PolicySwitches = Record<PolicyKind, boolean>;
const ALL_ON: PolicySwitches = { pilot: true, broadband: true, smartCity: true, nonDigital: true };

export interface SimCounty {
  county: number;
  city: number;
  municipality: 0 | 1;
  reformZone: 0 | 1;
  /** digital pilot approval year (0 = never) */
  cohort: number;
  nonDigitalCohort: number;
  broadbandYear: number;
  smartCityYear: number;
}

export interface SimPatent {
  id: string;
  date: string;
  year: number;
  county: number;
  applicant: number;
  ipc: string[];
  digital: boolean;
  /** indices into the world's patent list */
  cited: number[];
  /** base = exists in every twin; otherwise the policy whose extra filing it is */
  origin: "base" | PolicyKind;
  frontier: boolean;
}

/** A generated world before its truth (one run of the patent process). */
export interface GeneratedWorld {
  options: SimOptions;
  switches: PolicySwitches;
  counties: SimCounty[];
  years: number[];
  /** county-year panel columns, row order county-major then year (values at the written precision) */
  panel: Record<string, Float64Array>;
  patents: SimPatent[];
  /** indicators per county-year row: digital pilot (treated), broadband, smart city, non-digital pilot */
  D: Float64Array;
  BB: Float64Array;
  SC: Float64Array;
  ND: Float64Array;
  /** event time of treated rows (NaN elsewhere) and the pilot intensity h (0 when the pilot is off) */
  ev: Float64Array;
  h: Float64Array;
}

export interface SimWorld extends GeneratedWorld {
  truth: Record<string, unknown>;
}

/** Column order of panel.csv (after county, city, year); the measured columns are not in it. */
export const PANEL_COLUMNS = [
  "land_area",
  "gdp_pc",
  "population",
  "industry_share",
  "gov_share",
  "manuf_agglom",
  "night_lights",
  "social_media_firms",
  "broadband_per_hh",
  "supply_chain",
  "innovation_chain",
  "fixed_line",
  "mobile_users",
  "broadband_users",
  "rd_personnel",
  "rd_capital",
  "data_element",
] as const;

function assetPath(...parts: string[]): string {
  for (const rel of ["../../../assets", "../../assets"]) {
    const p = new URL(rel + "/" + parts.join("/"), import.meta.url);
    try {
      readFileSync(p);
      return p.pathname;
    } catch {
      // try next
    }
  }
  return join(process.cwd(), "assets", ...parts);
}

function loadIpcPool(): { digital: Map<string, string[]>; other: string[] } {
  const text = readFileSync(assetPath("simulate", "ipc_pool.csv"), "utf8");
  const digital = new Map<string, string[]>();
  const other: string[] = [];
  for (const line of text.split("\n").slice(1)) {
    if (!line.trim()) continue;
    const [area, code] = line.split(",") as [string, string];
    if (area === "other") other.push(code);
    else {
      if (!digital.has(area)) digital.set(area, []);
      digital.get(area)!.push(code);
    }
  }
  return { digital, other };
}

function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= rng.uniform();
    if (p <= l) return k;
    k++;
  }
}

/** Pick k distinct elements of `pool` with probability ∝ weight (sequential, without replacement). */
function weightedPick(rng: Rng, pool: number[], weight: (i: number) => number, k: number): number[] {
  const left = pool.slice();
  const out: number[] = [];
  for (let r = 0; r < k && left.length; r++) {
    let tot = 0;
    for (const i of left) tot += weight(i);
    let u = rng.uniform() * tot;
    let j = 0;
    for (; j < left.length - 1; j++) {
      u -= weight(left[j]!);
      if (u <= 0) break;
    }
    out.push(left[j]!);
    left.splice(j, 1);
  }
  return out;
}

/** Value at the precision panel.csv is written with (so in-memory truth and the study read the same numbers). */
function written(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(10)) : x;
}

/** Pick one of `idx` with probability ∝ w[idx[j]] (u uniform in [0, 1)). */
function pickW(u: number, idx: readonly number[], w: Float64Array): number {
  let tot = 0;
  for (const j of idx) tot += w[j]!;
  let v = u * tot;
  for (let k = 0; k < idx.length - 1; k++) {
    v -= w[idx[k]!]!;
    if (v < 0) return idx[k]!;
  }
  return idx[idx.length - 1]!;
}

/**
 * Run the patent process once (deterministic in `options.seed`), with the given policies switched on
 * (default all): the world is all on; a twin switches one off. See the file comment.
 */
export function generatePaperWorld(opts: Partial<SimOptions> = {}, switches: Partial<PolicySwitches> = {}): GeneratedWorld {
  const o: SimOptions = { ...defaultSimOptions, ...opts };
  const on: PolicySwitches = { ...ALL_ON, ...switches };
  const rng = new Rng(o.seed);
  const rCity = rng.fork(1),
    rPol = rng.fork(2),
    rPanel = rng.fork(3),
    rSetup = rng.fork(5);
  /** independent stream of (purpose, a, b) */
  const stream = (tag: number, a: number, b = 0): Rng => new Rng(hashSeed(hashSeed(hashSeed(o.seed, 100 + tag), a), b));
  const years: number[] = [];
  for (let y = o.firstYear; y <= o.lastYear; y++) years.push(y);
  const T = years.length;
  const N = o.nCounties;
  if (N > 999) throw new Error("nCounties must be at most 999");

  // ---- geography: 40 cities (4 municipalities), county codes province·city·county ------------------
  const nCities = 40;
  const sizes = new Array<number>(nCities).fill(0);
  const muniSizes = [16, 16, 16, 26];
  let rest = N - muniSizes.reduce((a, b) => a + b, 0);
  for (let c = 0; c < 4; c++) sizes[c] = muniSizes[c]!;
  if (rest < nCities - 4) throw new Error(`nCounties must be at least ${nCities - 4 + 74}`);
  for (let c = 4; c < nCities; c++) sizes[c] = 1;
  rest -= nCities - 4;
  while (rest > 0) {
    sizes[4 + rCity.int(nCities - 4)]! += 1;
    rest--;
  }
  const counties: SimCounty[] = [];
  const cityCode = (c: number) => (c < 4 ? [11, 31, 12, 50][c]! * 100 + 1 : (13 + (c % 20)) * 100 + 1 + Math.floor(c / 20) * 2 + (c % 3));
  const cityIds: number[] = [];
  for (let c = 0; c < nCities; c++) cityIds.push(cityCode(c) * 100 + c);
  for (let c = 0; c < nCities; c++) {
    for (let k = 0; k < sizes[c]!; k++) {
      counties.push({
        county: cityIds[c]! * 100 + k + 1,
        city: cityIds[c]!,
        municipality: c < 4 ? 1 : 0,
        reformZone: 0,
        cohort: 0,
        nonDigitalCohort: 0,
        broadbandYear: 0,
        smartCityYear: 0,
      });
    }
  }
  const cityOf = counties.map((cty) => cityIds.indexOf(cty.city));
  // county development level (drives selection into the pilots and the outcome level)
  const dev = new Float64Array(N);
  for (let i = 0; i < N; i++) dev[i] = rCity.normal();

  // ---- policies ------------------------------------------------------------------------------------
  // digital pilots: 24 counties in 22 cities, cohorts 2013 (7), 2014 (9), 2017 (8); selection on dev
  const cityList = Array.from({ length: nCities }, (_, c) => c);
  const cityDev = cityList.map((c) => {
    let s = 0,
      n = 0;
    for (let i = 0; i < N; i++)
      if (cityOf[i] === c) {
        s += dev[i]!;
        n++;
      }
    return s / n;
  });
  const digitalCities = weightedPick(rPol, cityList, (c) => Math.exp(0.8 * cityDev[c]!), 22);
  const digitalCounties: number[] = [];
  digitalCities.forEach((c, idx) => {
    const members = counties.map((_, i) => i).filter((i) => cityOf[i] === c);
    const k = idx < 2 ? 2 : 1;
    digitalCounties.push(...weightedPick(rPol, members, (i) => Math.exp(dev[i]!), Math.min(k, members.length)));
  });
  const cohortYears = [2013, 2014, 2017];
  const cohortCounts = [7, 9, 8];
  rPol.shuffle(digitalCounties);
  let pos = 0;
  cohortYears.forEach((y, j) => {
    for (let k = 0; k < cohortCounts[j]! && pos < digitalCounties.length; k++) counties[digitalCounties[pos++]!]!.cohort = y;
  });
  // non-digital pilots: 37 other counties
  const nonPilot = counties.map((_, i) => i).filter((i) => counties[i]!.cohort === 0);
  const nd = weightedPick(rPol, nonPilot, (i) => Math.exp(0.5 * dev[i]!), 37);
  nd.forEach((i, k) => (counties[i]!.nonDigitalCohort = cohortYears[k < 12 ? 0 : k < 25 ? 1 : 2]!));
  // Broadband China (2014–2016) and Smart City (2012–2014): city-level, independent of the digital pilots
  const bbCities = rPol.sample(nCities, 30);
  const scCities = rPol.sample(nCities, 30);
  const bbYear = new Int32Array(nCities),
    scYear = new Int32Array(nCities);
  for (let k = 0; k < bbCities.length; k++) bbYear[bbCities[k]!] = 2014 + (k % 3);
  for (let k = 0; k < scCities.length; k++) scYear[scCities[k]!] = 2012 + (k % 3);
  for (let i = 0; i < N; i++) {
    counties[i]!.broadbandYear = bbYear[cityOf[i]!]!;
    counties[i]!.smartCityYear = scYear[cityOf[i]!]!;
  }
  const rz = rPol.sample(N, 15);
  for (const i of rz) counties[i]!.reformZone = 1;

  // ---- county-year panel (policy-free: the same in every twin) ---------------------------------------
  const NT = N * T;
  const col = (): Float64Array => new Float64Array(NT);
  const P: Record<string, Float64Array> = {};
  for (const name of PANEL_COLUMNS) P[name] = col();
  const D = col(),
    BB = col(),
    SC = col(),
    ND = col(),
    ev = new Float64Array(NT).fill(NaN);
  const zLights = new Float64Array(N);
  const lightsBase = new Float64Array(N),
    landArea = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    lightsBase[i] = 1.5 + 0.5 * dev[i]! + 0.4 * rPanel.normal();
    landArea[i] = Math.exp(7 + 0.6 * rPanel.normal());
  }
  {
    let m = 0,
      s = 0;
    for (let i = 0; i < N; i++) m += lightsBase[i]! / N;
    for (let i = 0; i < N; i++) s += (lightsBase[i]! - m) ** 2 / (N - 1);
    for (let i = 0; i < N; i++) zLights[i] = (lightsBase[i]! - m) / Math.sqrt(s);
  }
  // supply-chain and innovation-chain linkage (county level + slow drift)
  const scBase = new Float64Array(N),
    icBase = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    scBase[i] = 0.5 + 0.15 * rPanel.normal();
    icBase[i] = 0.3 + 0.1 * rPanel.normal();
  }
  for (let i = 0; i < N; i++) {
    const cty = counties[i]!;
    for (let t = 0; t < T; t++) {
      const r = i * T + t,
        y = years[t]!;
      const tt = y - 2010;
      P.supply_chain![r] = scBase[i]! + 0.005 * tt + 0.03 * rPanel.normal();
      P.innovation_chain![r] = icBase[i]! + 0.004 * tt + 0.02 * rPanel.normal();
      if (cty.cohort > 0 && y >= cty.cohort) {
        D[r] = 1;
        ev[r] = y - cty.cohort;
      } else if (cty.cohort > 0) ev[r] = y - cty.cohort;
      BB[r] = cty.broadbandYear > 0 && y >= cty.broadbandYear ? 1 : 0;
      SC[r] = cty.smartCityYear > 0 && y >= cty.smartCityYear ? 1 : 0;
      ND[r] = cty.nonDigitalCohort > 0 && y >= cty.nonDigitalCohort ? 1 : 0;
    }
  }
  const zeta = Array.from({ length: N }, () => 0.3 * rPanel.normal());
  const lamD = col();
  for (let i = 0; i < N; i++) {
    const pop0 = Math.exp(3.5 + 0.5 * rPanel.normal());
    const gdp0 = Math.exp(9.5 + 0.4 * dev[i]! + 0.2 * rPanel.normal());
    const ind0 = 0.42 + 0.08 * rPanel.normal();
    const gov0 = 0.18 + 0.05 * rPanel.normal();
    const man0 = Math.exp(0.3 * rPanel.normal());
    const dig0 = dev[i]!;
    for (let t = 0; t < T; t++) {
      const r = i * T + t,
        tt = years[t]! - 2010;
      P.land_area![r] = landArea[i]! * (1 + 0.002 * rPanel.normal());
      P.population![r] = pop0 * Math.exp(0.005 * tt + 0.01 * rPanel.normal());
      P.gdp_pc![r] = gdp0 * Math.exp(0.08 * (years[t]! - 2000) + 0.03 * rPanel.normal());
      P.industry_share![r] = ind0 - 0.004 * tt + 0.02 * rPanel.normal();
      P.gov_share![r] = gov0 + 0.002 * tt + 0.015 * rPanel.normal();
      P.manuf_agglom![r] = man0 * Math.exp(0.05 * rPanel.normal());
      P.night_lights![r] = lightsBase[i]! + 0.08 * tt + 0.1 * rPanel.normal();
      const digital = dig0 + 0.15 * (years[t]! - 2000) + 0.3 * rPanel.normal();
      P.fixed_line![r] = 20 + 3 * digital + 2 * rPanel.normal();
      P.mobile_users![r] = 40 + 6 * digital + 4 * rPanel.normal();
      P.broadband_users![r] = 10 + 4 * digital + 2 * rPanel.normal();
      P.broadband_per_hh![r] = Math.max(0.01, 0.2 + 0.05 * digital + 0.05 * rPanel.normal());
      P.social_media_firms![r] = Math.max(0, Math.round(Math.exp(1 + 0.4 * dev[i]! + 0.1 * (years[t]! - 2000) + 0.3 * rPanel.normal())));
      // innovation inputs (the DEA inputs) and the policy-free key-digital filing rate they drive
      P.rd_personnel![r] = Math.exp(4 + 0.5 * dev[i]! + 0.05 * tt + 0.2 * rPanel.normal());
      P.rd_capital![r] = Math.exp(6 + 0.5 * dev[i]! + 0.07 * tt + 0.2 * rPanel.normal());
      P.data_element![r] = Math.exp(2 + 0.4 * dev[i]! + 0.1 * tt + 0.2 * rPanel.normal());
      const u = Math.abs(0.3 * rPanel.normal()),
        eps = o.noise * rPanel.normal();
      for (const name of PANEL_COLUMNS) P[name]![r] = written(P[name]![r]!);
      const cd = 0.4 * Math.log(P.rd_personnel![r]!) + 0.4 * Math.log(P.rd_capital![r]!) + 0.2 * Math.log(P.data_element![r]!);
      lamD[r] = o.patentsPerCountyYear * Math.exp(cd - 3.72 + zeta[i]! - u + 0.24 + eps);
    }
  }
  // pilot intensity h (mean 1 over treated county-years, times `effect`; 0 when the pilot is off)
  const raw = col();
  let nTreated = 0,
    scBar = 0,
    icBar = 0;
  for (let r = 0; r < NT; r++)
    if (D[r] === 1) {
      nTreated++;
      scBar += P.supply_chain![r]!;
      icBar += P.innovation_chain![r]!;
    }
  scBar /= nTreated;
  icBar /= nTreated;
  const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
  let sumRaw = 0;
  for (let r = 0; r < NT; r++) {
    if (D[r] !== 1) continue;
    const i = Math.floor(r / T);
    const g = 1 + (o.dynamic * (Math.min(ev[r]!, 4) - 2)) / 2;
    const mod = clip(1 + o.moderation.supplyChain * (P.supply_chain![r]! - scBar) + o.moderation.innovationChain * (P.innovation_chain![r]! - icBar), 0.25, 2);
    raw[r] = Math.max(0, g) * clip(1 + o.heterogeneity * zLights[i]!, 0.25, 2.5) * mod;
    sumRaw += raw[r]!;
  }
  const h = col();
  if (on.pilot) for (let r = 0; r < NT; r++) h[r] = D[r] === 1 ? (o.effect * raw[r]! * nTreated) / sumRaw : 0;

  // ---- technology fields ------------------------------------------------------------------------------
  const pool = loadIpcPool();
  const areas = [...pool.digital.keys()];
  const dCode: string[] = [],
    dArea: number[] = [],
    dSub: number[] = [];
  const subs: string[] = [];
  areas.forEach((a, ai) => {
    for (const code of pool.digital.get(a)!) {
      const s = code.slice(0, 4);
      if (!subs.includes(s)) subs.push(s);
      dCode.push(code);
      dArea.push(ai);
      dSub.push(subs.indexOf(s));
    }
  });
  const nSub = subs.length;
  const emergeOrder = Array.from({ length: nSub }, (_, s) => s);
  rSetup.shuffle(emergeOrder);
  const emerge = new Float64Array(nSub);
  emergeOrder.forEach((s, k) => (emerge[s] = 1992 + (40 * k) / Math.max(1, nSub - 1)));
  const allCodes = dCode.map((_, j) => j);
  const areaCodes = areas.map((_, ai) => allCodes.filter((j) => dArea[j] === ai));
  // code weights by (effective) year: w_s(t) = logistic((t − E_s)/2.5)
  const wYear = new Map<number, Float64Array>();
  const weights = (y: number): Float64Array => {
    let w = wYear.get(y);
    if (!w) wYear.set(y, (w = Float64Array.from(dSub, (s) => 1 / (1 + Math.exp(-(y - emerge[s]!) / 2.5)))));
    return w;
  };
  // the fields that emerge over the next LEAD years: weight w(t + LEAD) − w(t)
  const wEmerging = new Map<number, Float64Array>();
  const emerging = (y: number): Float64Array => {
    let w = wEmerging.get(y);
    if (!w) {
      const a = weights(y + LEAD),
        b = weights(y);
      wEmerging.set(y, (w = a.map((v, j) => Math.max(1e-9, v - b[j]!))));
    }
    return w;
  };
  // N_CITY specialty subclasses per city, two of them among the fields emerging in 2005–2030
  const young = Array.from({ length: nSub }, (_, k) => k).filter((k) => emerge[k]! >= 2005 && emerge[k]! <= 2030);
  const old = Array.from({ length: nSub }, (_, k) => k).filter((k) => !young.includes(k));
  const specCodes: number[][] = [];
  for (let c = 0; c < nCities; c++) {
    const sp = new Set([...Array.from(rSetup.sample(young.length, 2), (k) => young[k]!), ...Array.from(rSetup.sample(old.length, N_CITY - 2), (k) => old[k]!)]);
    specCodes.push(allCodes.filter((j) => sp.has(dSub[j]!)));
  }
  // and three own specialty subclasses per county
  const ownCodes: number[][] = [];
  for (let i = 0; i < N; i++) {
    const sp = new Set(Array.from(rSetup.sample(nSub, Math.min(N_OWN, nSub))));
    ownCodes.push(allCodes.filter((j) => sp.has(dSub[j]!)));
  }

  // ---- patents -----------------------------------------------------------------------------------------
  const patents: SimPatent[] = [];
  const dayMs = 86400000;
  // citable patents by year: base (every twin) and the pilot's extra patents; all and same-city digital
  const baseAll: number[][] = [],
    baseCity: number[][][] = [],
    pilotAll: number[][] = [],
    pilotCity: number[][][] = [];
  const concat = (lists: number[][], lo: number, hi: number): number[] => {
    const out: number[] = [];
    for (let k = lo; k < hi; k++) out.push(...lists[k]!);
    return out;
  };
  const extraRate = (kind: PolicyKind, r: number): number => {
    if (kind === "pilot") return o.pilot.filings * h[r]!;
    if (!on[kind]) return 0;
    if (kind === "broadband") return BB[r]! * o.otherPolicies.broadband;
    if (kind === "smartCity") return SC[r]! * o.otherPolicies.smartCity;
    return ND[r]! * o.otherPolicies.nonDigital;
  };
  const KINDS: PolicyKind[] = ["pilot", "broadband", "smartCity", "nonDigital"];
  // patent years: the panel's, plus PRE_YEARS before (backward windows of the first panel years) and
  // POST_YEARS after (forward windows of the last ones); outside the panel, a county-year takes the rate
  // (grown at 7% a year) and the policy state of the nearest panel year
  const TP = T + PRE_YEARS + POST_YEARS;
  for (let t = 0; t < TP; t++) {
    const y = years[0]! - PRE_YEARS + t;
    const tPanel = Math.min(T - 1, Math.max(0, t - PRE_YEARS));
    const grow = Math.exp(0.068 * (y - years[tPanel]!));
    const lo = Math.max(0, t - 5);
    const wBase = concat(baseAll, lo, t),
      wPilot = concat(pilotAll, lo, t);
    const wBaseCity = Array.from({ length: nCities }, (_, c) =>
      concat(
        baseCity.map((b) => b[c]!),
        lo,
        t,
      ),
    );
    const wPilotCity = Array.from({ length: nCities }, (_, c) =>
      concat(
        pilotCity.map((b) => b[c]!),
        lo,
        t,
      ),
    );
    const yBase: number[] = [],
      yPilot: number[] = [];
    const yBaseCity: number[][] = Array.from({ length: nCities }, () => []),
      yPilotCity: number[][] = Array.from({ length: nCities }, () => []);
    for (let i = 0; i < N; i++) {
      const r = i * T + tPanel,
        c = cityOf[i]!,
        key = i * TP + t;
      const lam = lamD[r]! * grow;
      const hr = h[r]!;
      const treated = hr > 0;
      const pFrontier = 1 - (1 - Math.min(0.95, o.pilot.frontier * hr)) * (1 - (on.nonDigital && ND[r] === 1 ? ND_FRONTIER : 0));
      const shift = Math.min(1, o.pilot.concentration * hr);
      const psi = PSI0 + PSI_OWN * shift,
        psiOwn = PSI_OWN * (1 - shift);
      const pLocal = Math.min(0.95, LOCAL0 + o.pilot.localCitations * hr);
      const make = (rp: Rng, k: number, digital: boolean, origin: SimPatent["origin"]): void => {
        const date = new Date(Date.UTC(y, 0, 1) + rp.int(365) * dayMs).toISOString().slice(0, 10);
        const applicant = counties[i]!.county * 10 + rp.int(5);
        const frontier = digital && rp.uniform() < pFrontier;
        const nCodes = 1 + rp.int(4);
        const w = weights(y + (frontier ? LEAD : 0));
        const codes = new Set<string>();
        let first = -1;
        for (let k2 = 0; k2 < nCodes; k2++) {
          // slot: specialty code (prob ψ), else a digital code (first slot always, later ones 70%), else non-digital
          const u1 = rp.uniform(),
            u2 = rp.uniform(),
            u3 = rp.uniform();
          if (frontier && k2 === 0) {
            // a frontier patent's first field is one that emerges over the next LEAD years (of the cluster's with prob ψ)
            first = pickW(u3, u1 < psi + psiOwn ? specCodes[c]! : allCodes, emerging(y));
            codes.add(dCode[first]!);
          } else if (digital && u1 < psi && specCodes[c]!.length) codes.add(dCode[pickW(u3, specCodes[c]!, w)]!);
          else if (digital && u1 < psi + psiOwn) codes.add(dCode[pickW(u3, ownCodes[i]!, w)]!);
          else if (digital && (k2 === 0 || (u1 - psi - psiOwn) / (1 - psi - psiOwn) < 0.7)) {
            const j = first >= 0 && u2 < 0.8 ? pickW(u3, areaCodes[dArea[first]!]!, w) : pickW(u3, allCodes, w);
            if (first < 0) first = j;
            codes.add(dCode[j]!);
          } else codes.add(pool.other[Math.floor(u3 * pool.other.length)]!);
        }
        // citations to patents of the previous five years (base ones; pilot-treated patents also the pilot's extras)
        const cited: number[] = [];
        const nG = wBase.length + (treated ? wPilot.length : 0);
        if (nG > 0) {
          const nc = poisson(rp, 2) + poisson(rp, o.pilot.citations * hr);
          const loc = wBaseCity[c]!,
            locP = wPilotCity[c]!;
          const nL = loc.length + (treated ? locP.length : 0);
          for (let q = 0; q < nc; q++) {
            const uL = rp.uniform(),
              uJ = rp.uniform();
            let j: number;
            if (nL > 0 && uL < pLocal) {
              const a = Math.floor(uJ * nL);
              j = a < loc.length ? loc[a]! : locP[a - loc.length]!;
            } else {
              const a = Math.floor(uJ * nG);
              j = a < wBase.length ? wBase[a]! : wPilot[a - wBase.length]!;
            }
            if (!cited.includes(j)) cited.push(j);
          }
        }
        const idx = patents.length;
        patents.push({
          id: `CN${y}${String(i + 1).padStart(3, "0")}${String(k).padStart(4, "0")}`,
          date,
          year: y,
          county: counties[i]!.county,
          applicant,
          ipc: [...codes],
          digital,
          cited,
          origin,
          frontier,
        });
        if (origin === "base") {
          yBase.push(idx);
          if (digital) yBaseCity[c]!.push(idx);
        } else if (origin === "pilot") {
          yPilot.push(idx);
          yPilotCity[c]!.push(idx);
        }
      };
      const rc = stream(1, key);
      const nD = poisson(rc, lam),
        nN = poisson(rc, 0.5 * lam);
      for (let k = 0; k < nD; k++) make(stream(10, key, k), 1 + k, true, "base");
      for (let k = 0; k < nN; k++) make(stream(11, key, k), 2001 + k, false, "base");
      KINDS.forEach((kind, q) => {
        const n = poisson(stream(2 + q, key), extraRate(kind, r) * lam);
        for (let k = 0; k < n; k++) make(stream(12 + q, key, k), 5001 + 1000 * q + k, true, kind);
      });
    }
    baseAll.push(yBase);
    baseCity.push(yBaseCity);
    pilotAll.push(yPilot);
    pilotCity.push(yPilotCity);
  }
  return { options: o, switches: on, counties, years, panel: P, patents, D, BB, SC, ND, ev, h };
}

/** patents.csv text of a generated world. */
export function patentsCsv(patents: readonly SimPatent[]): string {
  const pat = ["id,filing_date,county,applicant,ipc,cited"];
  for (const p of patents) pat.push(`${p.id},${p.date},${p.county},${p.applicant},${p.ipc.join(";")},${p.cited.map((j) => patents[j]!.id).join(";")}`);
  return pat.join("\n") + "\n";
}

/** Measure a generated world exactly as the demo's study does (patents.csv through measureFromFile). */
export async function measureWorld(g: GeneratedWorld, o: MeasureOptions = TRUTH_MEASURE_OPTIONS): Promise<MeasuredPanel> {
  const dir = mkdtempSync(join(tmpdir(), "keytech-twin-"));
  try {
    const file = join(dir, "patents.csv");
    writeFileSync(file, patentsCsv(g.patents));
    return await measureFromFile(file, loadMapping("default"), o, worldGrid(g, o));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The columns the truth is stated for (the study's outcome, alternative outcomes and mediators). */
const TRUTH_COLUMNS = ["keytech", "keytech_count", "cite_quality", "cospecialize", "diffusion", "efficiency"] as const;

/** Per-row differences world − twin of one measured column (NaN where either is missing). */
function diffOf(a: Pick<MeasuredPanel, "columns">, b: Pick<MeasuredPanel, "columns">, name: string): Float64Array {
  const x = a.columns[name as keyof MeasuredPanel["columns"]],
    y = b.columns[name as keyof MeasuredPanel["columns"]];
  if (!x || !y) throw new Error(`measured column ${name} missing`);
  return x.map((v, r) => (Number.isFinite(v) && Number.isFinite(y[r]!) ? v - y[r]! : Number.NaN));
}

function meanWhere(d: Float64Array, keep: (r: number) => boolean): number {
  let s = 0,
    n = 0;
  for (let r = 0; r < d.length; r++)
    if (keep(r) && Number.isFinite(d[r]!)) {
      s += d[r]!;
      n++;
    }
  return n ? s / n : Number.NaN;
}

/** OLS slope of d on the centred x over the rows kept. */
function slopeWhere(d: Float64Array, x: Float64Array, keep: (r: number) => boolean): number {
  let n = 0,
    mx = 0,
    my = 0;
  for (let r = 0; r < d.length; r++)
    if (keep(r) && Number.isFinite(d[r]!)) {
      n++;
      mx += x[r]!;
      my += d[r]!;
    }
  mx /= n;
  my /= n;
  let sxy = 0,
    sxx = 0;
  for (let r = 0; r < d.length; r++)
    if (keep(r) && Number.isFinite(d[r]!)) {
      sxy += (x[r]! - mx) * (d[r]! - my);
      sxx += (x[r]! - mx) ** 2;
    }
  return sxy / sxx;
}

/**
 * One measurement of the twin runs: the world regenerated with `switches` (all on = the world itself),
 * measured by measureWorld. `keytechOnly`: without the DEA inputs (no efficiency column, no LPs) — the
 * policy twins' truth uses KeyTech only, and every other column is computed independently of the DEA
 * step, so their values are the same bits as a full measurement's.
 */
export interface TwinRun {
  switches: Partial<PolicySwitches>;
  keytechOnly: boolean;
}

/** Twin runs measured one after another in one thread (they share its DEA frontiers: efficiencyByYear's memo). */
export type TwinJob = TwinRun[];

/** What the truth needs of one twin measurement: the measured columns and the world's patent counts. */
export interface TwinMeasure {
  columns: MeasuredPanel["columns"];
  patents: { all: number; key_digital: number };
}

/** The unit × year grid of a generated world (unit order = the world's counties), with the DEA inputs of `o`. */
function worldGrid(g: GeneratedWorld, o: MeasureOptions): MeasureGrid {
  const T = g.years.length;
  return {
    units: g.counties.map((c) => String(c.county)),
    years: g.years,
    clusterOfUnit: g.counties.map((c) => String(c.city)),
    ...(o.dea_inputs.length
      ? {
          deaInputs: {
            names: [...o.dea_inputs],
            values: o.dea_inputs.map((k) => {
              const v = g.panel[k];
              if (!v || v.length !== g.counties.length * T) throw new Error(`no panel column ${k}`);
              return v;
            }),
          },
        }
      : {}),
  };
}

/**
 * Measure the runs of one twin job in this thread, in order (`world`: the already generated world of the
 * first run's switches, if any): as measureWorld does, but from the patent table built in memory
 * (worldPatentTable: the table readPatents gives for the written patents.csv) and, for a full run,
 * without DEA in the measure stage — its efficiency column is added by efficiencyByYear with the
 * thread's `memo`. The same values as measureWorld's.
 */
export async function measureTwinJob(o: SimOptions, job: TwinJob, memo: DeaMemo, world?: GeneratedWorld): Promise<TwinMeasure[]> {
  const res: TwinMeasure[] = [];
  const noDea: MeasureOptions = { ...TRUTH_MEASURE_OPTIONS, dea_inputs: [] };
  for (const [k, run] of job.entries()) {
    const g = k === 0 && world ? world : generatePaperWorld(o, run.switches);
    const m = await measureFromTable(worldPatentTable(g.patents, noDea.level), noDea, worldGrid(g, noDea));
    let columns: MeasuredPanel["columns"];
    if (run.keytechOnly) columns = { keytech: m.columns.keytech! };
    else {
      columns = m.columns;
      const grid = worldGrid(g, TRUTH_MEASURE_OPTIONS);
      if (grid.deaInputs)
        columns.efficiency = await efficiencyByYear(
          grid.deaInputs,
          m.columns.keytech_patents!,
          g.counties.length,
          g.years.length,
          TRUTH_MEASURE_OPTIONS.dea_rts,
          memo,
        );
    }
    res.push({ columns, patents: { all: g.patents.length, key_digital: g.patents.filter((p) => p.digital).length } });
  }
  return res;
}

/** Where the twin runs go: `threads` in all, this thread one of them unless `offMain` (then all are workers). */
export interface TwinThreads {
  threads: number;
  offMain?: boolean;
  /** the workers run at a lower OS priority (nice 10, Linux), so the rest of the process comes first */
  background?: boolean;
}

/**
 * Run the twin jobs on `threads` threads: this one (unless `offMain`) plus worker threads
 * (src/sim/twin-worker.ts), each taking the next job when free (largest first as given). Every job is
 * deterministic and independent, so the results do not depend on where or in which order they ran.
 * Job 0 may use `world` (when it runs in this thread).
 */
export async function runTwinJobs(o: SimOptions, jobs: TwinJob[], where: TwinThreads, world?: GeneratedWorld): Promise<TwinMeasure[][]> {
  const out: TwinMeasure[][] = new Array<TwinMeasure[]>(jobs.length);
  let next = 0;
  const local = async (): Promise<void> => {
    const memo: DeaMemo = new Map();
    while (next < jobs.length) {
      const j = next++;
      out[j] = await measureTwinJob(o, jobs[j]!, memo, j === 0 ? world : undefined);
    }
  };
  const threads = Math.max(1, Math.min(where.threads, jobs.length));
  const nw = where.offMain ? threads : threads - 1;
  if (nw === 0) {
    await local();
    return out;
  }
  const { Worker } = await import("node:worker_threads");
  const url = new URL("./twin-worker.js", import.meta.url);
  const remote = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(url, { workerData: { options: o, background: where.background ?? false } });
      let mine = -1;
      const give = (): void => {
        if (next < jobs.length) w.postMessage({ j: (mine = next++), job: jobs[mine]! });
        else void w.terminate().then(() => resolve());
      };
      w.on("message", (msg: { ready?: boolean; j?: number; result?: TwinMeasure[]; error?: string }) => {
        if (msg.error !== undefined) {
          reject(new Error(`twin run ${mine}: ${msg.error}`));
          void w.terminate();
          return;
        }
        if (msg.j !== undefined) out[msg.j] = msg.result!;
        give();
      });
      w.on("error", reject);
    });
  // the workers start first (their module loading overlaps this thread's first job)
  const ws = Array.from({ length: nw }, remote);
  await Promise.all(where.offMain ? ws : [local(), ...ws]);
  return out;
}

/** Threads for the twin runs: KEYTECH_SIM_THREADS if set, else `fallback` (default: os.availableParallelism()). */
export function twinThreads(fallback: number = availableParallelism()): number {
  const env = Number(process.env.KEYTECH_SIM_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : fallback;
}

/**
 * The truth of a world from its twin runs (see the file comment). The five measurements (world, pilot-off
 * twin, and with `policyTwins` one twin per other policy) run as `where` says (runTwinJobs).
 */
export async function twinTruth(world: GeneratedWorld, where: TwinThreads = { threads: twinThreads() }): Promise<Record<string, unknown>> {
  const o = world.options;
  const { counties, years, D, ev, panel } = world;
  const T = years.length,
    N = counties.length,
    NT = N * T;
  const pol: [string, PolicyKind, Float64Array][] = [
    ["broadband", "broadband", world.BB],
    ["smart_city", "smartCity", world.SC],
    ["non_digital_pilot", "nonDigital", world.ND],
  ];
  // the world and its pilot-off twin in one job (they share the DEA frontiers of the years before the pilot)
  const jobs: TwinJob[] = [
    [
      { switches: world.switches, keytechOnly: false },
      { switches: { pilot: false }, keytechOnly: false },
    ],
    ...(o.policyTwins ? pol.map(([, kind]): TwinJob => [{ switches: { [kind]: false }, keytechOnly: true }]) : []),
  ];
  const runs = (await runTwinJobs(o, jobs, where, world)).flat();
  const [mW, mP] = [{ columns: runs[0]!.columns }, { columns: runs[1]!.columns }];
  const d: Record<string, Float64Array> = {};
  for (const k of TRUTH_COLUMNS) d[k] = diffOf(mW, mP, k);
  const treated = (r: number) => D[r] === 1;
  const on = Object.fromEntries(TRUTH_COLUMNS.map((k) => [k, meanWhere(d[k]!, treated)])) as Record<(typeof TRUTH_COLUMNS)[number], number>;
  const dy = d.keytech!;
  // by event time (pilot counties; pre-periods measure what the forward-looking measures see before approval)
  const byEvent: Record<string, number> = {};
  const evs = new Set<number>();
  for (let r = 0; r < NT; r++) if (Number.isFinite(ev[r]!) && ev[r]! >= -4) evs.add(ev[r]!);
  for (const e of [...evs].sort((a, b) => a - b)) byEvent[String(e)] = meanWhere(dy, (r) => ev[r] === e);
  const byCohort: Record<string, number> = {};
  for (const g of [...new Set(counties.map((c) => c.cohort).filter((c) => c > 0))].sort())
    byCohort[String(g)] = meanWhere(dy, (r) => treated(r) && counties[Math.floor(r / T)]!.cohort === g);
  // heterogeneity: counties below / above the median of mean night lights
  const m = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let t = 0; t < T; t++) s += panel.night_lights![i * T + t]!;
    m[i] = s / T;
  }
  const sorted = Array.from(m).sort((a, b) => a - b);
  const med = (sorted[(N - 1) >> 1]! + sorted[N >> 1]!) / 2;
  const low = (r: number) => m[Math.floor(r / T)]! <= med;
  // spillovers: measured world − twin in the county-years the pilot does not act on
  const untreated = (r: number) => D[r] !== 1;
  const pilotCities = new Set(counties.filter((c) => c.cohort > 0).map((c) => c.city));
  const spill = Object.fromEntries(
    TRUTH_COLUMNS.map((k) => [
      k,
      {
        untreated: meanWhere(d[k]!, untreated),
        untreated_in_pilot_cities: meanWhere(d[k]!, (r) => untreated(r) && pilotCities.has(counties[Math.floor(r / T)]!.city)),
        pilot_counties_before_approval: meanWhere(d[k]!, (r) => Number.isFinite(ev[r]!) && ev[r]! < 0),
      },
    ]),
  );
  // the other policies: one twin each (that policy off), truth = mean over its county-years
  let other: Record<string, number | null> = { broadband: null, smart_city: null, non_digital_pilot: null };
  if (o.policyTwins) {
    other = {};
    pol.forEach(([name, , ind], q) => {
      other[name] = meanWhere(diffOf(mW, { columns: runs[2 + q]!.columns }, "keytech"), (r) => ind[r] === 1);
    });
  }
  // the pilot's effect where a concurrent policy is off (the Treat×Post term of the models with Treat×Post × policy)
  const pilotWithout = {
    broadband: meanWhere(dy, (r) => treated(r) && world.BB[r] === 0),
    smart_city: meanWhere(dy, (r) => treated(r) && world.SC[r] === 0),
    "broadband+smart_city": meanWhere(dy, (r) => treated(r) && world.BB[r] === 0 && world.SC[r] === 0),
  };
  return stampVersion({
    generator: "keytech simulate (paper world, outcome measured from the simulated patents)",
    seed: o.seed,
    options: o,
    measure_options: TRUTH_MEASURE_OPTIONS,
    sample: {
      counties: N,
      years: [o.firstYear, o.lastYear],
      county_years: NT,
      treated_counties: counties.filter((c) => c.cohort > 0).length,
      treated_county_years: Array.from(D).filter((v) => v === 1).length,
      patents: world.patents.length,
      patents_by_origin: Object.fromEntries(
        ["base", "pilot", "broadband", "smartCity", "nonDigital"].map((k) => [k, world.patents.filter((p) => p.origin === k).length]),
      ),
      frontier_patents: world.patents.filter((p) => p.frontier).length,
      twin_patents: runs[1]!.patents,
    },
    att: on.keytech,
    note: "Twin-run truth: every value is the mean over the treated county-years (digital pilot, from approval) of m(world) − m(twin), where the twin is the same seed with the digital pilot switched off (every other draw identical) and m is measured from patents.csv by src/study/measure.ts with measure_options (the demo spec's blocks.patents). Cells where m is missing in either run are skipped. att = the truth of keytech (CS 'simple' and SDID target; TWFE up to the negative-weighting bias of dynamic effects).",
    event_time: byEvent,
    event_time_note:
      "Mean world − twin of keytech by event time among the pilot counties. The pilot does not act before approval (no anticipation); the pre-period values are what the forward-looking measure sees (later frontier patents change the forward similarity and the within-year breakthrough ranks of earlier patents).",
    cohort: byCohort,
    mechanisms: {
      effect_on_mediator: { cospecialize: on.cospecialize, diffusion: on.diffusion, efficiency: on.efficiency },
    },
    alt_outcomes: { keytech_count: on.keytech_count, cite_quality: on.cite_quality },
    paths: {
      note: "Not pinned down: the pilot acts on the patents through several channels at once, and no single twin (nor a mediator-specific switch) isolates the Zhou–Yamamoto path-specific effects of the measured mediators, which are defined by counterfactual mediator values. The report shows no truth for the paths.",
    },
    heterogeneity: { night_lights: { low: meanWhere(dy, (r) => treated(r) && low(r)), high: meanWhere(dy, (r) => treated(r) && !low(r)) } },
    moderation: {
      "treat_post:supply_chain": slopeWhere(dy, panel.supply_chain!, treated),
      "treat_post:innovation_chain": slopeWhere(dy, panel.innovation_chain!, treated),
      note: "Slope of the twin difference of keytech on the moderator (centred) among the treated county-years (OLS).",
    },
    other_policies: o.policyTwins
      ? {
          ...other,
          pilot_where_off: pilotWithout,
          note: "For each concurrent policy, a twin with that policy switched off: mean world − twin of keytech over the county-years where it is on. pilot_where_off = the pilot's twin truth among the treated county-years where that policy is off (the Treat×Post term of a model with Treat×Post × policy).",
        }
      : {
          ...other,
          pilot_where_off: pilotWithout,
          note: "The other policies' effects are not computed (policyTwins off). pilot_where_off = the pilot's twin truth among the treated county-years where that policy is off.",
        },
    spillovers: {
      ...spill,
      note: "Mean world − twin (pilot off) of each measured column in county-years the pilot does not act on: breakthroughs are ranked within the filing year, DEA frontiers are per year and co-specialisation uses the cluster's peers, so the pilot moves the measures of other cells a little (the estimators compare with them).",
    },
  });
}

/** Generate the paper world and its twin-run truth (deterministic in `options.seed`). */
export async function simulatePaperWorld(opts: Partial<SimOptions> = {}): Promise<SimWorld> {
  const world = generatePaperWorld(opts);
  return { ...world, truth: await twinTruth(world) };
}

/** Fixed-precision number text (deterministic bytes across runs). */
function num(x: number): string {
  if (!Number.isFinite(x)) return "";
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(10)));
}

export interface SimFiles {
  panel: string;
  counties: string;
  policies: string;
  patents: string;
  truth: string;
}

/** Write the world as CSV files + truth.json into `dir` (each file atomically). */
export async function writePaperWorld(world: GeneratedWorld & { truth?: Record<string, unknown> }, dir: string): Promise<SimFiles> {
  const { counties, years, panel } = world;
  const T = years.length;
  // the outcome and mediators are measured from patents.csv by the study (src/study/measure.ts)
  const cols = PANEL_COLUMNS.filter((k) => !(MEASURED_COLUMNS as readonly string[]).includes(k));
  const lines: string[] = ["county,city,year," + cols.join(",")];
  counties.forEach((c, i) => {
    for (let t = 0; t < T; t++) {
      const r = i * T + t;
      lines.push(`${c.county},${c.city},${years[t]},` + cols.map((k) => num(panel[k]![r]!)).join(","));
    }
  });
  const cLines = ["county,city,municipality,reform_zone"];
  for (const c of counties) cLines.push(`${c.county},${c.city},${c.municipality},${c.reformZone}`);
  const pol = ["county,program,year"];
  for (const c of counties) {
    if (c.cohort) pol.push(`${c.county},digital_cluster,${c.cohort}`);
    if (c.nonDigitalCohort) pol.push(`${c.county},nondigital_cluster,${c.nonDigitalCohort}`);
    if (c.broadbandYear) pol.push(`${c.county},broadband_china,${c.broadbandYear}`);
    if (c.smartCityYear) pol.push(`${c.county},smart_city,${c.smartCityYear}`);
  }
  const files: SimFiles = {
    panel: join(dir, "panel.csv"),
    counties: join(dir, "counties.csv"),
    policies: join(dir, "policies.csv"),
    patents: join(dir, "patents.csv"),
    truth: join(dir, "truth.json"),
  };
  await writeFileAtomic(files.panel, lines.join("\n") + "\n");
  await writeFileAtomic(files.counties, cLines.join("\n") + "\n");
  await writeFileAtomic(files.policies, pol.join("\n") + "\n");
  await writeFileAtomic(files.patents, patentsCsv(world.patents));
  if (world.truth) await writeTruth(world.truth, files.truth);
  return files;
}

/** Write truth.json (keys sorted, two-space indent; atomically). */
export async function writeTruth(truth: Record<string, unknown>, file: string): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(JSON.parse(stableStringify(truth)), null, 2) + "\n");
}
