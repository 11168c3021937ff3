/** `keytech did imputation`: Borusyak–Jaravel–Spiess imputation estimator (docs/CONTRACT.md). */
import type { Command } from "commander";
import { z } from "zod";
import { usageError } from "../../core/errors.js";
import { loadStaggered, parseIntRange } from "../../analyses/imputation.js";
import { imputationAnalysisWithVcov } from "../../analyses/imputation-vcov.js";
import { addLevel, addStaggeredColumns, addWindow, deprecate, level, parseOptions, staggeredColumns, window, type StaggeredFlags } from "../flags.js";
import { action, emit, estimateTable } from "../run.js";

interface Flags extends StaggeredFlags {
  horizons?: string;
  window?: string;
}

const schema = z.object({ window: window({ open: true }).optional(), level });

export function registerDidImputation(did: Command): void {
  const cmd = addStaggeredColumns(
    did.command("imputation").description("Borusyak–Jaravel–Spiess imputation estimator: overall ATT and event-time effects with conservative SEs"),
  );
  addWindow(
    cmd,
    "event times FIRST:LAST: effects e = 0 … LAST (default: all) and, for FIRST < 0, a pre-trend test with leads 1 … −FIRST (OLS on untreated observations, cluster-robust Wald); either end may be empty",
  );
  addLevel(cmd);
  // --pretrends first: it fills --window's first end, which --horizons (a list, kept as is) may then join
  deprecate(cmd, "--pretrends <K>", "--window", {
    hint: "--window -K:",
    map: (v, a) => {
      const K = Number(v);
      if (!Number.isInteger(K) || K < 0) throw usageError(`--pretrends must be a non-negative integer, got '${String(v)}'`);
      return { "--window": `${K === 0 ? "" : -K}:${(a("--window") ?? ":").split(":")[1]}` };
    },
  });
  deprecate(cmd, "--horizons <h>", "--window", { hint: "--window 0:LAST", keep: true });
  cmd.action(
    action(async (o: Flags) => {
      const v = parseOptions(schema, o, "did imputation");
      const first = typeof v.window?.first === "number" ? v.window.first : null,
        last = v.window?.last ?? null;
      let horizons: number[] | null = null;
      if (o.horizons) {
        if (last !== null) throw usageError("--horizons and --window both set the horizons; give only --window");
        horizons = parseIntRange(o.horizons, "--horizons");
        if (horizons.some((e) => e < 0)) throw usageError("--horizons are event times e ≥ 0 (use --window FIRST: for leads)");
      } else if (last !== null) {
        if (last < 0) throw usageError(`--window ${o.window}: LAST must be ≥ 0 (effects are event times e ≥ 0)`);
        const lo = Math.max(0, first ?? 0);
        horizons = Array.from({ length: last - lo + 1 }, (_, k) => lo + k);
      }
      const K = first !== null && first < 0 ? -first : 0;
      const d = await loadStaggered(staggeredColumns(o));
      const res = imputationAnalysisWithVcov(d, { horizons, pretrends: K, ...(v.level !== 0.95 ? { level: v.level } : {}) });
      emit(res, Boolean(o.json), () => {
        let s = estimateTable(res, `Imputation estimator (Borusyak, Jaravel & Spiess 2024), outcome ${o.y}`);
        const pre = res.pretrends;
        if (pre) {
          s += estimateTable({ ...res, estimates: pre.estimates ?? [], warnings: [] }, "Pre-trend test (untreated observations, lead indicators)")
            .split("\n")
            .filter((l) => !l.includes("observations:") && !l.includes("standard errors:"))
            .join("\n");
          if (pre.wald) s += `  joint Wald F(${pre.wald.df1}, ${pre.wald.df2}) = ${pre.wald.stat.toFixed(4)}, p = ${pre.wald.p_value.toFixed(4)}\n`;
        }
        return s;
      });
    }),
  );
}
