/**
 * Seeded test corpora for the score tests (src/core/rng.ts): a small random one, a realistic one
 * (IPC-like subclasses, skewed and drifting popularity, technology clusters, growing yearly counts),
 * one drawn from the simulator's IPC pool (assets/simulate/ipc_pool.csv) and one built to have heavy ties.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Rng } from "../../src/core/rng.js";
import { corpusFromTerms, type TermCorpus } from "../../src/patents/corpus.js";

/** n patents over `years` years from 2000, 1–6 codes from a cubic-skewed vocabulary, few dates per year. */
export function smallCorpus(seed: number, n: number, years: number, vocab: number): TermCorpus {
  const rng = new Rng(seed);
  const year: number[] = [];
  const date: number[] = [];
  const terms: string[][] = [];
  for (let p = 0; p < n; p++) {
    const y = 2000 + rng.int(years);
    year.push(y);
    date.push(y * 10000 + 100 * (1 + rng.int(12)) + 1 + rng.int(3));
    const t: string[] = [];
    for (let j = 0, k = 1 + rng.int(6); j < k; j++) {
      const u = rng.uniform();
      t.push(`T${Math.floor(vocab * u * u * u)}`);
    }
    terms.push(t);
  }
  return corpusFromTerms(year, terms, date);
}

function pick(rng: Rng, w: readonly number[]): number {
  let tot = 0;
  for (const x of w) tot += x;
  let u = rng.uniform() * tot;
  for (let i = 0; i < w.length; i++) {
    u -= w[i]!;
    if (u < 0) return i;
  }
  return w.length - 1;
}

/**
 * Realistic IPC-subclass corpus: `n` patents over `years` years from `firstYear`, yearly counts growing
 * ~9 % a year; `vocab` subclasses (names like G06F) with Zipf popularity and a random log-linear trend;
 * 40 technology clusters of 3–6 subclasses; a patent takes a cluster and 1–6 codes (1 + ⌊`codeScale`·E⌋,
 * E exponential; 80 % from its cluster, else from the whole vocabulary, repeats allowed). Smaller
 * `codeScale` and `vocab` mean more patents with identical code sets (ties).
 */
export function ipcLikeCorpus(seed: number, n: number, years = 22, vocab = 150, firstYear = 2000, codeScale = 1.3): TermCorpus {
  const rng = new Rng(seed);
  const names: string[] = [];
  const seen = new Set<string>();
  while (names.length < vocab) {
    const s = "ABCDEFGH"[rng.int(8)]! + String(1 + rng.int(99)).padStart(2, "0") + "ABCDEFGHJKLMNPQ"[rng.int(15)]!;
    if (!seen.has(s)) {
      seen.add(s);
      names.push(s);
    }
  }
  const base = names.map((_, i) => 1 / Math.pow(i + 1, 1.1));
  const trend = names.map(() => 0.08 * rng.normal());
  const clusters = Array.from({ length: 40 }, () => Array.from({ length: 3 + rng.int(4) }, () => pick(rng, base)));
  const clusterBase = clusters.map((_, i) => 1 / Math.pow(i + 1, 0.8));
  const clusterTrend = clusters.map(() => 0.1 * rng.normal());
  const yw = Array.from({ length: years }, (_, t) => Math.pow(1.09, t));
  const ysum = yw.reduce((a, b) => a + b, 0);
  const year: number[] = [];
  const terms: string[][] = [];
  for (let t = 0; t < years; t++) {
    const m = t === years - 1 ? n - year.length : Math.round((n * yw[t]!) / ysum);
    const mid = t - years / 2;
    const wv = base.map((b, i) => b * Math.exp(trend[i]! * mid));
    const wc = clusterBase.map((b, i) => b * Math.exp(clusterTrend[i]! * mid));
    for (let j = 0; j < m; j++) {
      const cl = clusters[pick(rng, wc)]!;
      const k = 1 + Math.min(5, Math.floor(-Math.log(1 - rng.uniform()) * codeScale));
      const codes: string[] = [];
      for (let r = 0; r < k; r++) codes.push(names[rng.uniform() < 0.8 ? cl[rng.int(cl.length)]! : pick(rng, wv)]!);
      year.push(firstYear + t);
      terms.push(codes);
    }
  }
  return corpusFromTerms(year, terms);
}

export interface TieCorpus {
  corpus: TermCorpus;
  /** Year where more than 90 % of the importances are 0. */
  zeroYear: number;
  /** Year where 30 % of the patents share one code set at the top of the importance ranking. */
  tieYear: number;
}

/**
 * Heavy ties over 2000–2012 on a background of random patents (codes B0…B29): in 2005, 200 patents
 * whose only code Z appears earlier (10 patents of 2003) and never later — BS > 0, FS = 0, imp = 0 —
 * next to 15 background patents; in 2007, 60 patents with the code set {N1, N2} (some written
 * {N1, N1, N2, N2}: the same TF shares) — rare before 2007, common after — next to 140 background ones.
 * `scale` multiplies every count (rounded, at least 1).
 */
export function tieCorpus(seed: number, scale = 1): TieCorpus {
  const m = (k: number): number => Math.max(1, Math.round(k * scale));
  const rng = new Rng(seed);
  const year: number[] = [];
  const date: number[] = [];
  const terms: string[][] = [];
  const add = (y: number, t: string[]): void => {
    year.push(y);
    date.push(y * 10000 + 100 * (1 + rng.int(12)) + 1 + rng.int(28));
    terms.push(t);
  };
  const background = (): string[] => {
    const t: string[] = [];
    for (let j = 0, k = 1 + rng.int(4); j < k; j++) {
      const u = rng.uniform();
      t.push(`B${Math.floor(30 * u * u)}`);
    }
    return t;
  };
  for (let y = 2000; y <= 2012; y++) {
    const k = m(y === 2005 ? 15 : y === 2007 ? 140 : 150);
    for (let j = 0; j < k; j++) add(y, background());
  }
  for (let j = 0; j < m(10); j++) add(2003, ["Z"]);
  for (let j = 0; j < m(200); j++) add(2005, ["Z"]);
  for (let j = 0; j < 3; j++) add(2005, ["N1", "B1"]);
  for (let j = 0; j < 3; j++) add(2006, ["N2", "B2"]);
  for (let j = 0; j < m(60); j++) add(2007, j % 4 === 0 ? ["N1", "N1", "N2", "N2"] : ["N2", "N1"]);
  for (let y = 2008; y <= 2012; y++) for (let j = 0; j < m(80); j++) add(y, rng.uniform() < 0.5 ? ["N1", "N2"] : ["N1", "N2", `B${rng.int(30)}`]);
  return { corpus: corpusFromTerms(year, terms, date), zeroYear: 2005, tieYear: 2007 };
}

/** The simulator's IPC pool: (area, main group) rows of assets/simulate/ipc_pool.csv. */
function ipcPool(): { area: string; code: string }[] {
  const file = fileURLToPath(new URL("../../../assets/simulate/ipc_pool.csv", import.meta.url));
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => {
      const [area, code] = l.split(",") as [string, string];
      return { area, code };
    });
}

/**
 * Corpus at the subclass level drawn from the simulator's IPC pool (176 main groups in 50 subclasses,
 * up to 20 main groups per subclass, so subclasses are skewed already): `years` years from 2000 with
 * round(300·5^(t/(years − 1))) patents in year t (300 … 1,500; 16,567 over 22 years). Main group i of a
 * seeded random order has popularity 1/(rank)^`zipf`; a patent takes an area with probability ∝ its
 * popularity and 1–4 codes (uniform), each from its area with probability 0.7, else from the whole pool,
 * truncated to the subclass (repeats allowed: a second main group of one subclass counts twice).
 */
export function poolCorpus(seed: number, zipf = 1, years = 22): TermCorpus {
  const pool = ipcPool();
  const rng = new Rng(seed);
  const order = [...pool.keys()];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const w = new Array<number>(pool.length).fill(0);
  order.forEach((idx, r) => (w[idx] = 1 / Math.pow(r + 1, zipf)));
  const areas = [...new Set(pool.map((x) => x.area))];
  const members = areas.map((a) => pool.flatMap((x, i) => (x.area === a ? [i] : [])));
  const areaW = members.map((m) => m.reduce((s, i) => s + w[i]!, 0));
  const memberW = members.map((m) => m.map((i) => w[i]!));
  const year: number[] = [];
  const terms: string[][] = [];
  for (let t = 0; t < years; t++) {
    const m = Math.round(300 * Math.pow(5, t / (years - 1)));
    for (let j = 0; j < m; j++) {
      const a = pick(rng, areaW);
      const codes: string[] = [];
      for (let r = 0, k = 1 + rng.int(4); r < k; r++) {
        const i = rng.uniform() < 0.7 ? members[a]![pick(rng, memberW[a]!)]! : pick(rng, w);
        codes.push(pool[i]!.code.slice(0, 4));
      }
      year.push(2000 + t);
      terms.push(codes);
    }
  }
  return corpusFromTerms(year, terms);
}

/**
 * One rated year (2001, n patents) with a block of `block` identical patents tied at the 0.9 quantile:
 * single-code patents have cosine 1 with every patent of their code and 0 with the others, so imp = (#
 * 2002 patents with the code) / (# 2000 patents with the code). `hi` patents with their own codes have
 * imp 11, 12, …; the block (code T) imp 5; the rest (own codes) imp 1. 2000 is unrated (BS = 0), 2002
 * fully censored. The block straddles q when n − hi − block ≤ ⌊0.9(n − 1)⌋ < n − hi − 1.
 */
export function straddleCorpus(hi: number, block: number, n = 100): TermCorpus {
  const year: number[] = [];
  const terms: string[][] = [];
  const add = (y: number, code: string, k: number): void => {
    for (let j = 0; j < k; j++) {
      year.push(y);
      terms.push([code]);
    }
  };
  for (let i = 0; i < hi; i++) {
    add(2000, `H${i}`, 1);
    add(2001, `H${i}`, 1);
    add(2002, `H${i}`, 11 + i);
  }
  add(2000, "T", 1);
  add(2001, "T", block);
  add(2002, "T", 5);
  for (let i = 0; i < n - hi - block; i++) {
    add(2000, `L${i}`, 1);
    add(2001, `L${i}`, 1);
    add(2002, `L${i}`, 1);
  }
  return corpusFromTerms(year, terms);
}

/** Twelve IPC codes across sections (key, digital and other technologies), drawn with a skew by the measure-panel and streamed-stage tests. */
export const CODES = [
  "G06N 3/04",
  "G06N 10/00",
  "H04L 9/08",
  "H04L 9/32",
  "G06Q 20/38",
  "H01L 21/02",
  "G06F 17/30",
  "A01B 1/00",
  "C07D 401/04",
  "F16H 3/00",
  "B60L 53/00",
  "A61K 31/00",
];

export interface CorpusShape {
  seed: number;
  n: number;
  years: number;
  /** Filing dates (else a year column). */
  dates: boolean;
  /** Write a few rows whose codes are all malformed (dropped under onBadIpc: "skip"). */
  badRows: boolean;
}

/** A patents CSV with every citation bucket: unknown ids, later-filed, self (itself, same applicant), cites of dropped rows; missing regions / applicants; padded cells. */
export function corpusCsv(s: CorpusShape): string {
  const rng = new Rng(s.seed);
  const lines = [s.dates ? "id,date,region,applicant,ipc,cited" : "id,year,region,applicant,ipc,cited"];
  for (let i = 0; i < s.n; i++) {
    const y = 2000 + Math.floor((i * s.years) / s.n);
    const k = 1 + rng.int(4);
    const codes = Array.from({ length: k }, () => CODES[Math.min(CODES.length - 1, Math.floor(CODES.length * rng.uniform() ** 1.5))]!);
    if (s.badRows && rng.uniform() < 0.01) codes.splice(0, codes.length, "XYZ", "12");
    else if (s.badRows && rng.uniform() < 0.02) codes.push("nonsense");
    const cited: string[] = [];
    for (let j = 0, m = i === 0 ? 0 : rng.int(6); j < m; j++) {
      const u = rng.uniform();
      cited.push(u < 0.05 ? `X${rng.int(99)}` : u < 0.08 ? `p${i + 1 + rng.int(50)}` : u < 0.1 ? `p${i}` : u < 0.13 ? ` p${rng.int(i)} ` : `p${rng.int(i)}`);
    }
    const region = rng.uniform() < 0.03 ? "" : rng.uniform() < 0.05 ? "ZZ" : `C${rng.int(12)}`;
    const app = rng.uniform() < 0.2 ? "" : `A${rng.int(30)}`;
    const when = s.dates ? `${y}-0${1 + rng.int(9)}-1${rng.int(9)}` : `${y}`;
    const sep = rng.uniform() < 0.1 ? "," : ";";
    lines.push(`p${i},${when},${region},${app},"${codes.join(";")}","${cited.join(sep)}"`);
  }
  return lines.join("\n") + "\n";
}
