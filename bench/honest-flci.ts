/**
 * keytech's Δ^SD FLCI against HonestDiD 0.2.6 and against ECOS (issue #16; see docs/HONEST.md, "Why the
 * FLCI centres differ"). `--write FILE` writes keytech's h_min, h*, centre and bounds per (case, M) as the
 * CSV that bench/honest-ecos.R reads; `--compare FILE` reads that script's output and prints the table
 * of relative differences to HonestDiD's stored bounds (keytech, ECOS at 1e-8, ECOS at 1e-12, and the
 * centre of the exact / ECOS solution at HonestDiD's own h).
 * Usage: node dist/bench/honest-flci.js --write /tmp/keytech_flci.csv
 *        Rscript bench/honest-ecos.R /tmp/keytech_flci.csv /tmp/honest_ecos.csv
 *        node dist/bench/honest-flci.js --compare /tmp/honest_ecos.csv
 */
import { readFileSync, writeFileSync } from "node:fs";
import { flciPath, optimalFlci, worstCaseBias } from "../src/inference/honest/flci.js";
import { basisVector, FoldedNormal } from "../src/inference/honest/shared.js";
import { refCases } from "../test/inference/honest/refs.js";

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

const cv0 = new FoldedNormal(0).quantile(0.95, 0);
interface Row {
  case: string;
  M: number;
  hmin: number;
  hstar: number;
  search: string;
  centre: number;
  lb: number;
  ub: number;
  hdLb: number;
  hdUb: number;
  /** HonestDiD's h: from its half-length at M = 0 (h = half / cv(0)); NaN otherwise */
  hdH: number;
  /** the exact programme's centre at HonestDiD's h (M = 0) */
  exactAtHdH: number;
}
const rows: Row[] = [];
for (const c of refCases()) {
  const l = basisVector(1, c.input.numPost);
  const path = flciPath(c.input, l);
  const K = c.input.numPre;
  const centreAt = (h: number): number => {
    const { lPre } = worstCaseBias(path, h);
    let s = 0;
    for (let i = 0; i < K; i++) s += lPre[i]! * c.input.betahat[i]!;
    for (let t = 0; t < l.length; t++) s += l[t]! * c.input.betahat[K + t]!;
    return s;
  };
  for (const r of c.results.smoothness_flci) {
    const f = optimalFlci(c.input, l, r.M!, 0.05, 0, path);
    const hdH = r.M === 0 ? (r.ub! - r.lb!) / 2 / cv0 : Number.NaN;
    rows.push({
      case: c.name,
      M: r.M!,
      hmin: path.hMin,
      hstar: f.h,
      search: f.search,
      centre: (f.lb + f.ub) / 2,
      lb: f.lb,
      ub: f.ub,
      hdLb: r.lb!,
      hdUb: r.ub!,
      hdH,
      exactAtHdH: Number.isNaN(hdH) ? Number.NaN : centreAt(hdH),
    });
  }
}

const w = opt("--write");
if (w) {
  const lines = ["case,M,hmin,hstar,search,centre,lb,ub"];
  for (const r of rows) lines.push([r.case, r.M, r.hmin, r.hstar, r.search, r.centre, r.lb, r.ub].map(String).join(","));
  writeFileSync(w, lines.join("\n") + "\n");
  console.log(`wrote ${rows.length} rows to ${w}`);
}

const cmp = opt("--compare");
if (cmp) {
  const [head, ...body] = readFileSync(cmp, "utf8").trim().split("\n");
  const cols = head!.split(",").map((s) => s.replace(/"/g, ""));
  const ecos = new Map<string, Record<string, string>>();
  for (const line of body) {
    const v = line.split(",").map((s) => s.replace(/"/g, ""));
    const rec: Record<string, string> = {};
    cols.forEach((k, i) => (rec[k] = v[i]!));
    ecos.set(`${rec.case}:${Number(rec.M)}`, rec);
  }
  const num = (e: Record<string, string> | undefined, k: string): number => (e && e[k] !== undefined && e[k] !== "NA" ? Number(e[k]) : Number.NaN);
  const relTo = (lb: number, ub: number, rlb: number, rub: number): string =>
    Number.isFinite(lb) ? Math.max(Math.abs(lb - rlb) / Math.abs(rlb), Math.abs(ub - rub) / Math.abs(rub)).toExponential(1) : "—";
  console.log("max relative difference of (lb, ub); ECOS runs of bench/honest-ecos.R");
  console.log(
    "| case | M | keytech lb, ub | HonestDiD − keytech | ECOS 1e-8, HonestDiD's h_min − HonestDiD | ECOS 1e-8, own h_min − HonestDiD | ECOS 1e-12 − keytech |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const e = ecos.get(`${r.case}:${r.M}`);
    const n = (k: string): number => num(e, k);
    console.log(
      `| ${r.case} | ${r.M} | ${r.lb.toPrecision(10)}, ${r.ub.toPrecision(10)} | ${relTo(r.hdLb, r.hdUb, r.lb, r.ub)} | ${relTo(n("hdmin_lb"), n("hdmin_ub"), r.hdLb, r.hdUb)} | ${relTo(n("default_lb"), n("default_ub"), r.hdLb, r.hdUb)} | ${relTo(n("tight_lb"), n("tight_ub"), r.lb, r.ub)} |`,
    );
  }
  console.log("\nM = 0 (h* = h_min). HonestDiD's h_min = its half-length / cv(0); centres of the bias programme at HonestDiD's h_min");
  console.log(
    "| case | h_min keytech | HonestDiD's h_min (rel.) | ECOS 1e-8 h_min (rel.) | centre HonestDiD | keytech (rel.) | exact at HonestDiD's h_min (rel.) | ECOS 1e-8 at HonestDiD's h_min (rel.) |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows.filter((q) => q.M === 0)) {
    const e = ecos.get(`${r.case}:0`);
    const n = (k: string): number => num(e, k);
    const cR = (r.hdLb + r.hdUb) / 2;
    const sg = (a: number, b: number): string => (Number.isFinite(a) ? ((a - b) / b).toExponential(1) : "—");
    console.log(
      `| ${r.case} | ${r.hmin.toPrecision(12)} | ${sg(r.hdH, r.hmin)} | ${sg(n("default_hmin"), r.hmin)} | ${cR.toPrecision(10)} | ${sg(r.centre, cR)} | ${sg(r.exactAtHdH, cR)} | ${sg(n("default_fixcentre"), cR)} |`,
    );
  }
  const sw = cmp.replace(/\.csv$/, "_sweep.csv");
  let sweepText: string | undefined;
  try {
    sweepText = readFileSync(sw, "utf8");
  } catch {
    sweepText = undefined;
  }
  if (sweepText) {
    console.log("\nM = 0: centre of the bias programme at h² = h_min²(1 + ε): exact (keytech) and ECOS 1e-12 (rel. difference, exit flag)");
    console.log("| case | ε | exact − centre(h_min) | ECOS 1e-12 vs exact |");
    console.log("|---|---|---|---|");
    for (const line of sweepText.trim().split("\n").slice(1)) {
      const [cs, mode, eps, flag, centre] = line.split(",").map((t) => t.replace(/"/g, ""));
      if (mode !== "tight") continue;
      const c = refCases().find((q) => q.name === cs)!;
      const l = basisVector(1, c.input.numPost),
        path = flciPath(c.input, l),
        K = c.input.numPre;
      const at = (h: number): number => {
        const { lPre } = worstCaseBias(path, h);
        let v = c.input.betahat[K]!;
        for (let i = 0; i < K; i++) v += lPre[i]! * c.input.betahat[i]!;
        return v;
      };
      const ex = at(path.hMin * Math.sqrt(1 + Number(eps)));
      console.log(`| ${cs} | ${eps} | ${(ex - at(path.hMin)).toExponential(2)} | ${((Number(centre) - ex) / Math.abs(ex)).toExponential(1)} (${flag}) |`);
    }
  }
}
if (!w && !cmp) {
  for (const r of rows) console.log(`${r.case} M=${r.M} ${r.search} h*=${r.hstar} lb=${r.lb} ub=${r.ub} (HonestDiD ${r.hdLb}, ${r.hdUb})`);
}
