/**
 * The simulated "paper world": a seeded generator of a dataset shaped like the reference study
 * (Shi, Yang & Qian 2025): the 435 counties of the cities hosting pilots, 2000–2021; 24 digital
 * cluster pilots approved in 2013/2014/2017 plus non-digital pilots; the concurrent Broadband-China
 * (2014–2016) and Smart-City (2012–2014) city pilots; municipalities and reform-zone flags; a county-year
 * panel with the seed's controls and moderators; patent records with real IPC codes and citations.
 *
 * Structural model (every coefficient is written to truth.json):
 *   h_ct  = D_ct · g(e) · (1 + het·z_c) / mean_{D=1}(·)      (dynamic and heterogeneous intensity, mean 1)
 *   M1    = μ1_c + ν1_t + a1·h + η1                            (co-specialisation)
 *   M2    = μ2_c + ν2_t + a2·h + c12·M1 + η2                   (diffusion)
 *   M3    = μ3_c + ν3_t + a3·h + c13·M1 + c23·M2 + η3          (allocation efficiency)
 *   Y     = α_c + γ_t + θ'X + Σ b_j M_j + d·h + m_sc·D·(SC − SC̄) + m_ic·D·(IC − IC̄)
 *           + β_bb·BB + β_sc·Smart + β_nd·ND + ε
 * with g(e) = 1 + dyn·(min(e,4) − 2)/2 for e = t − cohort ≥ 0. The b_j and d are solved so that the
 * Zhou–Yamamoto path-specific effects (ordered M1 → M2 → M3) take the user's shares of the total effect
 * `effect`, which is then exactly the average treatment effect on the treated county-years.
 */
import { Rng } from "../core/rng.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../core/atomic.js";
import { stableStringify } from "../core/hash.js";
import { keytechVersion } from "../core/version.js";
import { MEASURED_COLUMNS } from "./measure.js";

export interface SimOptions {
  seed: number;
  /** average effect of the digital pilot on KeyTech among treated county-years (ATT) */
  effect: number;
  /** shares of the total effect through co-specialisation, diffusion, efficiency (rest = direct) */
  shares: { cospecialize: number; diffusion: number; efficiency: number };
  /** effects of the policy on the mediators (a_j) */
  mediatorEffects: { cospecialize: number; diffusion: number; efficiency: number };
  /** dynamic slope of the effect in event time (0 = constant) */
  dynamic: number;
  /** heterogeneity of the effect in night lights (0 = homogeneous) */
  heterogeneity: number;
  /** moderation coefficients of D×SupplyChain and D×InnovationChain */
  moderation: { supplyChain: number; innovationChain: number };
  /** effects of the concurrent policies and of the non-digital pilots on KeyTech */
  otherPolicies: { broadband: number; smartCity: number; nonDigital: number };
  /** sd of the idiosyncratic outcome noise */
  noise: number;
  /** mean number of patents per county-year in 2000 (grows ~6% a year) */
  patentsPerCountyYear: number;
  nCounties: number;
  firstYear: number;
  lastYear: number;
}

export const defaultSimOptions: SimOptions = {
  seed: 20250101,
  effect: 4.65,
  shares: { cospecialize: 0.435, diffusion: 0.262, efficiency: 0.166 },
  mediatorEffects: { cospecialize: 0.21, diffusion: 0.028, efficiency: 0.017 },
  dynamic: 0.25,
  heterogeneity: 0.5,
  moderation: { supplyChain: 3, innovationChain: 0 },
  otherPolicies: { broadband: 0.6, smartCity: 0.4, nonDigital: 0.8 },
  noise: 2.5,
  patentsPerCountyYear: 2,
  nCounties: 435,
  firstYear: 2000,
  lastYear: 2021,
};

/** Cross-mediator coefficients of the ordered chain (fixed; written to truth.json). */
const C12 = 0.02;
const C13 = 0.01;
const C23 = 0.1;

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
  cited: number[];
}

export interface SimWorld {
  options: SimOptions;
  counties: SimCounty[];
  years: number[];
  /** county-year panel columns, row order county-major then year */
  panel: Record<string, Float64Array>;
  patents: SimPatent[];
  truth: Record<string, unknown>;
}

/** Column order of panel.csv (after county, city, year). */
export const PANEL_COLUMNS = [
  "keytech", "keytech_count", "cite_quality",
  "land_area", "gdp_pc", "population", "industry_share", "gov_share", "manuf_agglom",
  "night_lights", "social_media_firms", "broadband_per_hh", "supply_chain", "innovation_chain",
  "fixed_line", "mobile_users", "broadband_users",
  "rd_personnel", "rd_capital", "data_element", "patent_apps",
  "cospecialize", "diffusion", "efficiency",
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

/** Generate the paper world in memory (deterministic in `options.seed`). */
export function simulatePaperWorld(opts: Partial<SimOptions> = {}): SimWorld {
  const o: SimOptions = { ...defaultSimOptions, ...opts };
  const rng = new Rng(o.seed);
  const rCity = rng.fork(1), rPol = rng.fork(2), rPanel = rng.fork(3), rPat = rng.fork(4);
  const years: number[] = [];
  for (let y = o.firstYear; y <= o.lastYear; y++) years.push(y);
  const T = years.length;
  const N = o.nCounties;

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
    let s = 0, n = 0;
    for (let i = 0; i < N; i++) if (cityOf[i] === c) { s += dev[i]!; n++; }
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
  const bbYear = new Int32Array(nCities), scYear = new Int32Array(nCities);
  for (let k = 0; k < bbCities.length; k++) bbYear[bbCities[k]!] = 2014 + (k % 3);
  for (let k = 0; k < scCities.length; k++) scYear[scCities[k]!] = 2012 + (k % 3);
  for (let i = 0; i < N; i++) {
    counties[i]!.broadbandYear = bbYear[cityOf[i]!]!;
    counties[i]!.smartCityYear = scYear[cityOf[i]!]!;
  }
  const rz = rPol.sample(N, 15);
  for (const i of rz) counties[i]!.reformZone = 1;

  // ---- county-year panel -----------------------------------------------------------------------------
  const NT = N * T;
  const col = (): Float64Array => new Float64Array(NT);
  const P: Record<string, Float64Array> = {};
  for (const name of PANEL_COLUMNS) P[name] = col();
  const D = col(), BB = col(), SC = col(), ND = col(), ev = new Float64Array(NT).fill(NaN);
  const zLights = new Float64Array(N);
  const lightsBase = new Float64Array(N), landArea = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    lightsBase[i] = 1.5 + 0.5 * dev[i]! + 0.4 * rPanel.normal();
    landArea[i] = Math.exp(7 + 0.6 * rPanel.normal());
  }
  {
    let m = 0, s = 0;
    for (let i = 0; i < N; i++) m += lightsBase[i]! / N;
    for (let i = 0; i < N; i++) s += (lightsBase[i]! - m) ** 2 / (N - 1);
    for (let i = 0; i < N; i++) zLights[i] = (lightsBase[i]! - m) / Math.sqrt(s);
  }
  // supply-chain and innovation-chain linkage (county level + slow drift)
  const scBase = new Float64Array(N), icBase = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    scBase[i] = 0.5 + 0.15 * rPanel.normal();
    icBase[i] = 0.3 + 0.1 * rPanel.normal();
  }
  const raw = col();
  for (let i = 0; i < N; i++) {
    const cty = counties[i]!;
    for (let t = 0; t < T; t++) {
      const r = i * T + t, y = years[t]!;
      const tt = y - 2010;
      P.supply_chain![r] = scBase[i]! + 0.005 * tt + 0.03 * rPanel.normal();
      P.innovation_chain![r] = icBase[i]! + 0.004 * tt + 0.02 * rPanel.normal();
      if (cty.cohort > 0 && y >= cty.cohort) {
        D[r] = 1;
        const e = y - cty.cohort;
        ev[r] = e;
        raw[r] = (1 + (o.dynamic * (Math.min(e, 4) - 2)) / 2) * (1 + o.heterogeneity * zLights[i]!);
      }
      BB[r] = cty.broadbandYear > 0 && y >= cty.broadbandYear ? 1 : 0;
      SC[r] = cty.smartCityYear > 0 && y >= cty.smartCityYear ? 1 : 0;
      ND[r] = cty.nonDigitalCohort > 0 && y >= cty.nonDigitalCohort ? 1 : 0;
    }
  }
  // normalise the intensity to mean 1 over treated county-years (so the ATT is exactly `effect`)
  let sumRaw = 0, nTreated = 0, scBar = 0, icBar = 0;
  for (let r = 0; r < NT; r++) if (D[r] === 1) { sumRaw += raw[r]!; nTreated++; scBar += P.supply_chain![r]!; icBar += P.innovation_chain![r]!; }
  const norm = sumRaw / nTreated;
  scBar /= nTreated;
  icBar /= nTreated;
  const h = col();
  for (let r = 0; r < NT; r++) h[r] = D[r] === 1 ? raw[r]! / norm : 0;

  // path coefficients from the requested shares
  const E = o.effect;
  const [a1, a2, a3] = [o.mediatorEffects.cospecialize, o.mediatorEffects.diffusion, o.mediatorEffects.efficiency];
  const [s1, s2, s3] = [o.shares.cospecialize, o.shares.diffusion, o.shares.efficiency];
  const b3 = (s3 * E) / a3;
  const b2 = (s2 * E) / a2 - C23 * b3;
  const b1 = (s1 * E) / a1 - C12 * b2 - C13 * b3 - C12 * C23 * b3;
  const dDirect = (1 - s1 - s2 - s3) * E;
  const theta = { land_area: 0.2, gdp_pc: 1.5, population: 0.8, industry_share: 2.0, gov_share: -3.0, manuf_agglom: 0.5 };

  const yearShock = years.map(() => rPanel.normal());
  const countyFe = Array.from({ length: N }, (_, i) => 4 + 2.5 * dev[i]! + rPanel.normal());
  const mu = [0, 1, 2].map(() => Array.from({ length: N }, () => rPanel.normal()));
  const nu = [0, 1, 2].map(() => years.map(() => rPanel.normal()));
  const trueEffect = col();
  for (let i = 0; i < N; i++) {
    const pop0 = Math.exp(3.5 + 0.5 * rPanel.normal());
    const gdp0 = Math.exp(9.5 + 0.4 * dev[i]! + 0.2 * rPanel.normal());
    const ind0 = 0.42 + 0.08 * rPanel.normal();
    const gov0 = 0.18 + 0.05 * rPanel.normal();
    const man0 = Math.exp(0.3 * rPanel.normal());
    const dig0 = dev[i]!;
    for (let t = 0; t < T; t++) {
      const r = i * T + t, tt = years[t]! - 2010;
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
      // mediators (ordered chain)
      const m1 = 0.35 + 0.08 * mu[0]![i]! + 0.02 * nu[0]![t]! + a1 * h[r]! + 0.06 * rPanel.normal();
      const m2 = 0.15 + 0.02 * mu[1]![i]! + 0.005 * nu[1]![t]! + a2 * h[r]! + C12 * m1 + 0.01 * rPanel.normal();
      const m3 = 0.6 + 0.05 * mu[2]![i]! + 0.01 * nu[2]![t]! + a3 * h[r]! + C13 * m1 + C23 * m2 + 0.006 * rPanel.normal();
      P.cospecialize![r] = m1;
      P.diffusion![r] = m2;
      P.efficiency![r] = m3;
      // DEA inputs/outputs: output = efficiency × Cobb–Douglas frontier of the inputs
      const rdp = Math.exp(4 + 0.5 * dev[i]! + 0.05 * tt + 0.2 * rPanel.normal());
      const rdc = Math.exp(6 + 0.5 * dev[i]! + 0.07 * tt + 0.2 * rPanel.normal());
      const dat = Math.exp(2 + 0.4 * dev[i]! + 0.1 * tt + 0.2 * rPanel.normal());
      P.rd_personnel![r] = rdp;
      P.rd_capital![r] = rdc;
      P.data_element![r] = dat;
      P.patent_apps![r] = m3 * Math.pow(rdp, 0.4) * Math.pow(rdc, 0.4) * Math.pow(dat, 0.2);
      const x =
        theta.land_area * Math.log(P.land_area![r]!) + theta.gdp_pc * Math.log(P.gdp_pc![r]!) + theta.population * Math.log(P.population![r]!) +
        theta.industry_share * P.industry_share![r]! + theta.gov_share * P.gov_share![r]! + theta.manuf_agglom * P.manuf_agglom![r]!;
      const moder = D[r] === 1 ? o.moderation.supplyChain * (P.supply_chain![r]! - scBar) + o.moderation.innovationChain * (P.innovation_chain![r]! - icBar) : 0;
      trueEffect[r] = D[r] === 1 ? E * h[r]! + moder : 0;
      P.keytech![r] =
        countyFe[i]! + 0.3 * (years[t]! - 2000) + 1.5 * yearShock[t]! + x + b1 * m1 + b2 * m2 + b3 * m3 + dDirect * h[r]! + moder +
        o.otherPolicies.broadband * BB[r]! + o.otherPolicies.smartCity * SC[r]! + o.otherPolicies.nonDigital * ND[r]! + o.noise * rPanel.normal();
    }
  }

  // ---- patents -----------------------------------------------------------------------------------------
  const pool = loadIpcPool();
  const areas = [...pool.digital.keys()];
  const patents: SimPatent[] = [];
  const yearStart: number[] = [];
  const countyDigital: number[][] = Array.from({ length: N }, () => []);
  let kyMean = 0;
  for (let r = 0; r < NT; r++) kyMean += P.keytech![r]! / NT;
  const dayMs = 86400000;
  const countyIndex = new Map<number, number>();
  counties.forEach((c, i) => countyIndex.set(c.county, i));
  for (let t = 0; t < T; t++) {
    yearStart.push(patents.length);
    const y = years[t]!;
    const seqBase = patents.length;
    for (let i = 0; i < N; i++) {
      const r = i * T + t;
      const lam = o.patentsPerCountyYear * Math.exp(0.5 * dev[i]! + 0.06 * (y - 2000) + 0.03 * (P.keytech![r]! - kyMean));
      const n = poisson(rPat, lam);
      const pDigital = Math.min(0.9, 0.3 + 0.05 * dev[i]! + 0.01 * (y - 2000) + 0.15 * D[r]!);
      for (let k = 0; k < n; k++) {
        const digital = rPat.uniform() < pDigital;
        const codes = new Set<string>();
        const nCodes = 1 + rPat.int(4);
        const area = areas[rPat.int(areas.length)]!;
        for (let c = 0; c < nCodes; c++) {
          if (digital && (c === 0 || rPat.uniform() < 0.7)) {
            const list = rPat.uniform() < 0.8 ? pool.digital.get(area)! : pool.digital.get(areas[rPat.int(areas.length)]!)!;
            codes.add(list[rPat.int(list.length)]!);
          } else codes.add(pool.other[rPat.int(pool.other.length)]!);
        }
        const date = new Date(Date.UTC(y, 0, 1) + rPat.int(365) * dayMs).toISOString().slice(0, 10);
        // citations to earlier patents (previous 1–5 years); with prob ∝ diffusion, a same-county digital one
        const cited: number[] = [];
        const lo = yearStart[Math.max(0, t - 5)]!, hi = yearStart[t]!;
        if (hi > lo) {
          const nc = poisson(rPat, 2);
          const pLocal = Math.min(1, 3 * P.diffusion![r]!);
          for (let c = 0; c < nc; c++) {
            const local = countyDigital[i]!;
            let j: number;
            if (local.length && rPat.uniform() < pLocal) j = local[rPat.int(local.length)]!;
            else j = lo + rPat.int(hi - lo);
            if (!cited.includes(j)) cited.push(j);
          }
        }
        patents.push({
          id: `CN${y}${String(patents.length - seqBase + 1).padStart(6, "0")}`,
          date, year: y, county: counties[i]!.county, applicant: counties[i]!.county * 10 + rPat.int(5),
          ipc: [...codes], digital, cited,
        });
      }
    }
    // digital patents of this year become citable by later years of the same county
    for (let p = seqBase; p < patents.length; p++) {
      if (patents[p]!.digital) countyDigital[countyIndex.get(patents[p]!.county)!]!.push(p);
    }
  }
  // alternative outcomes from the patents: log(1 + digital count), log(1 + citations received excl. self)
  const rowOfCountyYear = new Map<number, number>();
  counties.forEach((c, i) => rowOfCountyYear.set(c.county, i));
  const cnt = col(), cites = col();
  for (const p of patents) {
    const r = rowOfCountyYear.get(p.county)! * T + (p.year - o.firstYear);
    if (p.digital) cnt[r]! += 1;
    for (const j of p.cited) {
      const q = patents[j]!;
      if (q.applicant === p.applicant) continue;
      cites[rowOfCountyYear.get(q.county)! * T + (q.year - o.firstYear)]! += 1;
    }
  }
  for (let r = 0; r < NT; r++) {
    P.keytech_count![r] = Math.log1p(cnt[r]!);
    P.cite_quality![r] = Math.log1p(cites[r]!);
  }

  // ---- truth ---------------------------------------------------------------------------------------------
  const byEvent: Record<string, number> = {};
  const nByEvent: Record<string, number> = {};
  const byCohort: Record<string, number> = {};
  const nByCohort: Record<string, number> = {};
  let att = 0;
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) {
    const r = i * T + t;
    if (D[r] !== 1) continue;
    att += trueEffect[r]!;
    const e = String(ev[r]);
    byEvent[e] = (byEvent[e] ?? 0) + trueEffect[r]!;
    nByEvent[e] = (nByEvent[e] ?? 0) + 1;
    const g = String(counties[i]!.cohort);
    byCohort[g] = (byCohort[g] ?? 0) + trueEffect[r]!;
    nByCohort[g] = (nByCohort[g] ?? 0) + 1;
  }
  att /= nTreated;
  for (const k of Object.keys(byEvent)) byEvent[k] = byEvent[k]! / nByEvent[k]!;
  for (const k of Object.keys(byCohort)) byCohort[k] = byCohort[k]! / nByCohort[k]!;
  for (let e = -4; e <= -1; e++) byEvent[String(e)] = 0;
  // heterogeneity: treated effect among counties below / above the median of mean night lights
  const hetTruth = (v: Float64Array) => {
    const m = new Float64Array(N);
    for (let i = 0; i < N; i++) { let s = 0; for (let t = 0; t < T; t++) s += v[i * T + t]!; m[i] = s / T; }
    const sorted = Array.from(m).sort((a, b) => a - b);
    const med = (sorted[(N - 1) >> 1]! + sorted[N >> 1]!) / 2;
    const acc = { low: [0, 0], high: [0, 0] };
    for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) {
      const r = i * T + t;
      if (D[r] !== 1) continue;
      const a = m[i]! <= med ? acc.low : acc.high;
      a[0]! += trueEffect[r]!;
      a[1]! += 1;
    }
    return { low: acc.low[0]! / acc.low[1]!, high: acc.high[0]! / acc.high[1]! };
  };
  const totalOn = { cospecialize: a1, diffusion: a2 + C12 * a1, efficiency: a3 + C13 * a1 + C23 * (a2 + C12 * a1) };
  const truth = {
    keytech: keytechVersion(),
    generator: "keytech simulate (paper world)",
    seed: o.seed,
    options: o,
    sample: { counties: N, years: [o.firstYear, o.lastYear], county_years: NT, treated_counties: digitalCounties.length, treated_county_years: nTreated, patents: patents.length },
    att: att,
    note: "att = average true effect of the digital pilot on keytech over treated county-years (CS 'simple' and SDID target); TWFE targets it up to the negative-weighting bias of dynamic effects.",
    event_time: Object.fromEntries(Object.entries(byEvent).sort((a, b) => Number(a[0]) - Number(b[0]))),
    cohort: byCohort,
    mechanisms: {
      effect_on_mediator: totalOn,
      outcome_on_mediator: { cospecialize: b1, diffusion: b2, efficiency: b3 },
      chain: { c12: C12, c13: C13, c23: C23 },
    },
    paths: {
      total: E,
      "path:cospecialize": s1 * E,
      "path:diffusion": s2 * E,
      "path:efficiency": s3 * E,
      direct: dDirect,
      note: "Zhou–Yamamoto path-specific effects for the ordered mediators cospecialize → diffusion → efficiency (average over treated county-years).",
    },
    heterogeneity: { night_lights: hetTruth(P.night_lights!) },
    moderation: { "treat_post:supply_chain": o.moderation.supplyChain, "treat_post:innovation_chain": o.moderation.innovationChain },
    other_policies: { broadband: o.otherPolicies.broadband, smart_city: o.otherPolicies.smartCity, non_digital_pilot: o.otherPolicies.nonDigital },
    controls: theta,
  };
  return { options: o, counties, years, panel: P, patents, truth };
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
export async function writePaperWorld(world: SimWorld, dir: string): Promise<SimFiles> {
  const { counties, years, panel, patents } = world;
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
  const pat = ["id,filing_date,county,applicant,ipc,cited"];
  for (const p of patents) pat.push(`${p.id},${p.date},${p.county},${p.applicant},${p.ipc.join(";")},${p.cited.map((j) => patents[j]!.id).join(";")}`);
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
  await writeFileAtomic(files.patents, pat.join("\n") + "\n");
  await writeFileAtomic(files.truth, JSON.stringify(JSON.parse(stableStringify(world.truth)), null, 2) + "\n");
  return files;
}
