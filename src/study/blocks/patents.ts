/**
 * Step 1 of the reference study: breakthrough innovation measured from the patent records — KPST
 * importance on IPC fields (forward/backward similarity, exact linear-time sums), breakthroughs = top
 * decile within the filing year, aggregated to unit × year (src/patents/pipeline.ts), and compared with
 * the outcome column used by the models.
 */
import { z } from "zod";
import { panelFromFile } from "../../patents/pipeline.js";
import { parseMapping } from "../../patents/mapping.js";
import { defineBlock } from "./types.js";
import { column } from "./common.js";

export const patentScores = defineBlock({
  id: "patents",
  title: "Step 1: breakthrough innovation measured from the patent records",
  section: "descriptives",
  options: z.strictObject({
    enabled: z.boolean().default(true),
    level: z.enum(["subclass", "group", "subgroup"]).default("group"),
    taxonomy: z.string().min(1).optional(),
    categories: z.array(z.string().min(1)).optional(),
  }),
  methods: (o) =>
    `Patent importance after Kelly, Papanikolaou, Seru & Taddy (2021) on IPC ${o.level} fields (paper eqs. 2–3): TF-BIDF vectors, backward similarity over the previous 5 years, forward similarity over the next 1/5/10 years, importance = forward/backward; breakthroughs = top decile of importance within the filing year; counts aggregated to county × year${o.taxonomy ? ` for patents in ${o.taxonomy}${o.categories ? ` (${o.categories.join(", ")})` : ""}` : ""}. The similarity sums are exact and linear in the number of patents.`,
  async run(ctx, o) {
    const p = ctx.spec.inputs.patents;
    if (!p) throw new Error("the patents block needs inputs.patents");
    const mapping = parseMapping({ columns: { id: p.id, date: p.date, region: p.unit, ipc: p.ipc, ...(p.cited ? { cited: p.cited } : {}), ...(p.applicant ? { applicant: p.applicant } : {}) }, ipcSeparators: p.separator, citedSeparators: p.separator + " " }, "spec");
    const res = await panelFromFile(p.file, { mapping, level: o.level, onBadIpc: "fail", ...(o.taxonomy ? { filter: { taxonomy: o.taxonomy, ...(o.categories ? { categories: o.categories } : {}) } } : {}) });
    const pan = res.panel;
    // correlation of the unit-year breakthrough count with the model's outcome column
    const d = ctx.data;
    const y = column(d, ctx.spec.outcome.column);
    const rIdx = new Map(pan.regions.map((r, i) => [r, i]));
    const tIdx = new Map(pan.years.map((t, i) => [t, i]));
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < d.n; i++) {
      const r = rIdx.get(d.unitId[i]!), t = tIdx.get(d.time[i]!);
      const b = r !== undefined && t !== undefined && pan.breakthroughs ? pan.breakthroughs[r * pan.years.length + t]! : 0;
      if (Number.isFinite(y[i]!)) { xs.push(b); ys.push(y[i]!); }
    }
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
    let sxy = 0, sxx = 0, syy = 0;
    for (let k = 0; k < xs.length; k++) { sxy += (xs[k]! - mx) * (ys[k]! - my); sxx += (xs[k]! - mx) ** 2; syy += (ys[k]! - my) ** 2; }
    let nb = 0;
    for (const v of pan.breakthroughs ?? []) nb += v;
    const summary = [
      { label: "Patent records", value: String(res.table.n) },
      { label: "Patents scored", value: String(res.scored) },
      { label: "Forward horizon (years)", value: String(res.horizon) },
      { label: "Breakthrough patents (top decile within year)", value: String(nb) },
      { label: "Citations resolved", value: res.citations.available ? `yes (self-citations ${res.citations.self}, unknown ids ${res.citations.unknown})` : "no" },
      { label: "Regions × years", value: `${pan.regions.length} × ${pan.years.length}` },
      { label: `Correlation of county-year breakthroughs with ${ctx.spec.outcome.column}`, value: (sxy / Math.sqrt(sxx * syy)).toFixed(3) },
    ];
    return { models: [], extra: { summary } };
  },
});
