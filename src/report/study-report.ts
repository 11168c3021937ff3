/**
 * The study report: from a StudyRun (src/study/runner.ts) write DIR/tables/ (every block table in
 * Markdown, LaTeX and CSV), DIR/figures/ (SVG + PNG) and DIR/report.html — one self-contained file with
 * the tables, the figures as inline SVG, a methods paragraph per block, provenance, and (for a simulated
 * world) the true effects next to the estimates. Interactivity is a small inline script (tooltips from the
 * SVG marks' aria-labels, series toggles from the legends) instead of the vega runtime, which keeps the
 * file small and working offline.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../core/atomic.js";
import type { BlockRecord, FigureData, StudyRun } from "../core/report-data.js";
import {
  coefFigure,
  eventStudyFigure,
  pathsFigure,
  placeboFigure,
  sdidTrajectoryFigure,
  sdidWeightsFigure,
  sensitivityFigure,
  writeFigure,
  type VlSpec,
} from "./figures/index.js";
import { escapeHtml as esc, fmt, renderTable, statsTableData, tableData } from "./tables.js";
import { truthFor } from "./truth.js";
import { robustnessSummary } from "./robustness-summary.js";
import { termLabel } from "../core/labels.js";

export interface ReportFiles {
  html: string;
  tables: string[];
  figures: string[];
}

const SECTIONS: { id: string; title: string }[] = [
  { id: "descriptives", title: "Data" },
  { id: "baseline", title: "Baseline (Table 1)" },
  { id: "robustness", title: "Robustness checks" },
  { id: "endogeneity", title: "Endogeneity checks" },
  { id: "mechanisms", title: "Mechanisms (Table 2)" },
  { id: "paths", title: "Causal paths (Table 3)" },
  { id: "heterogeneity", title: "Heterogeneity (Table 4)" },
  { id: "moderation", title: "Moderation (Table 5)" },
];

function fileStem(b: BlockRecord): string {
  return (b.table ?? b.id).toLowerCase().replace(/[^a-z0-9]+/g, "_") + (b.table ? "_" + b.id : "");
}

/** Vega-lite spec of a figure's plain data (truth overlays when the world is simulated). */
export function figureSpecs(f: FigureData, truth: unknown, labels?: StudyRun["labels"], outcomeLabel = "the outcome"): { id: string; spec: VlSpec }[] {
  const vars = labels?.variables ?? {};
  const time = labels?.time ?? "period";
  switch (f.kind) {
    case "event": {
      const tv = truth && typeof truth === "object" ? ((truth as Record<string, unknown>).event_time as Record<string, number> | undefined) : undefined;
      const rels = new Set(f.series.flatMap((s) => s.points.map((p) => p.rel)));
      const tr = tv
        ? Object.entries(tv)
            .map(([k, v]) => ({ rel: Number(k), value: v }))
            .filter((t) => rels.has(t.rel))
        : undefined;
      return [
        {
          id: f.id,
          spec: eventStudyFigure(f.series, {
            title: f.title,
            yTitle: `Effect on ${outcomeLabel} (95% CI)`,
            xTitle: `${time.charAt(0).toUpperCase()}${time.slice(1)}s relative to the start of the ${labels?.treatment ?? "treatment"}`,
            ...(tr ? { truth: tr } : {}),
          }),
        },
      ];
    }
    case "placebo":
      return [{ id: f.id, spec: placeboFigure(f.draws, f.estimate, { title: f.title, pValue: f.pValue, ...(f.xTitle ? { xTitle: f.xTitle } : {}) }) }];
    case "sdid": {
      const out: { id: string; spec: VlSpec }[] = [];
      if (f.trajectory)
        out.push({ id: f.id + "_trajectories", spec: sdidTrajectoryFigure(f.trajectory, { title: f.title + ": treated vs synthetic control" }) });
      if (f.unitWeights.length || f.timeWeights.length) out.push({ id: f.id + "_weights", spec: sdidWeightsFigure(f.unitWeights, f.timeWeights) });
      return out;
    }
    case "paths": {
      const bars = f.bars.map((b) => ({ ...b, name: termLabel(b.name, vars), truth: truthFor(truth, "paths", "", b.name) }));
      return [{ id: f.id, spec: pathsFigure(bars, { title: f.title, xTitle: `Effect on ${outcomeLabel}` }) }];
    }
    case "sensitivity":
      return [
        {
          id: f.id,
          spec: sensitivityFigure(f.rows, f.original, {
            title: f.title,
            xTitle: f.xTitle,
            breakdown: f.breakdown,
            yTitle: `95% confidence set, effect on ${outcomeLabel}`,
          }),
        },
      ];
    case "coef":
      return [
        {
          id: f.id,
          spec: coefFigure(
            f.rows.map((r) => ({ ...r, label: termLabel(r.label, vars) })),
            { title: f.title },
          ),
        },
      ];
  }
}

function truthRows(b: BlockRecord, truth: unknown, vars: Record<string, string> = {}): string {
  if (!truth || !b.output) return "";
  const rows: string[] = [];
  for (const m of b.output.models) {
    for (const e of m.result.estimates) {
      const tv = truthFor(truth, b.id, m.name, e.term);
      if (tv === null || e.estimate == null) continue;
      const lo = e.conf_low,
        hi = e.conf_high;
      const covered = lo != null && hi != null ? (lo <= tv && tv <= hi ? "yes" : "no") : "";
      rows.push(
        `<tr><td>${esc(m.label)}</td><td>${esc(termLabel(e.term, vars, b.output.termLabels))}</td><td>${fmt(e.estimate)}</td><td>[${fmt(lo)}, ${fmt(hi)}]</td><td class="truth">${fmt(tv)}</td><td class="cov-${covered}">${covered}</td></tr>`,
      );
    }
  }
  if (!rows.length) return "";
  return `<table class="truth-table"><caption>Estimates vs the true effects planted in the simulated data</caption><thead><tr><th>Model</th><th>Term</th><th>Estimate</th><th>95% CI</th><th>True value</th><th>Covered</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** Mean and largest gap (estimate − truth) over the post-approval event times 0 ≤ e ≤ last of one model. */
export function eventTruthGap(
  estimates: { term: string; estimate: number | null }[],
  truth: unknown,
  last = Infinity,
): { mean: number; maxAbs: number; n: number } | null {
  let sum = 0,
    maxAbs = 0,
    n = 0;
  for (const e of estimates) {
    const m = /^rel::(\d+)$/.exec(e.term);
    if (!m || e.estimate == null || Number(m[1]) > last) continue;
    const tv = truthFor(truth, "event_study", "", e.term);
    if (tv === null) continue;
    const g = e.estimate - tv;
    sum += g;
    maxAbs = Math.max(maxAbs, Math.abs(g));
    n++;
  }
  return n ? { mean: sum / n, maxAbs, n } : null;
}

/**
 * For the event-study blocks of a simulated world: say that the true event-time path is the digital pilot's
 * effect alone (the concurrent policies the generator plants are not in it), whether this block controls
 * for them, and the gap estimate − truth after approval per estimator (for the variant with policy
 * controls, next to the gap of the plain event study, so the reader sees what the policies contributed).
 */
function eventTruthNote(b: BlockRecord, truth: unknown, run: StudyRun): string {
  if (!truth || !b.output || !b.id.startsWith("event_study")) return "";
  const op = (truth as { other_policies?: Record<string, number> }).other_policies ?? {};
  const v = (k: string) => (typeof op[k] === "number" ? `${op[k] >= 0 ? "+" : ""}${fmt(op[k], 2)}` : "effect not computed");
  const ctrl = (b.output.extra?.policy_controls as string[] | undefined) ?? [];
  const planted = `Broadband China (${v("broadband")}), Smart City (${v("smart_city")}) and non-digital cluster pilots (${v("non_digital_pilot")})`;
  const plain = ctrl.length ? run.blocks.find((x) => x.id === "event_study" && x.output) : undefined;
  const text = ctrl.length
    ? `The true event-time effects (purple) are those of the digital pilot alone, without the concurrent policies the generator plants — ${planted} on the outcome. This variant controls for their indicators (${ctrl.map((c) => termLabel(c, run.labels?.variables ?? {})).join(", ")}).${plain ? " The last column repeats each estimator's gap in the event study without these controls: the difference is what the concurrent policies contributed to it; what remains is estimation error — noise, which the estimators share because they use the same pilot counties, and for TWFE the bias of heterogeneous dynamic effects (compare the 95% intervals with the truth above)." : ""}`
    : `The true event-time effects (purple) are those of the digital pilot alone: they exclude the concurrent policies the generator plants — ${planted} on the outcome — which switch on in some pilot counties around their approval years. This event study does not control for them, so part of their effects can load on the estimates; the variant “controlling for concurrent policies” adds their indicators as controls and shows how much of the gap below they account for.`;
  const last = (w: unknown) => (Array.isArray(w) && typeof w[1] === "number" ? w[1] : Infinity);
  const plainGap = (name: string) => {
    const m = plain?.output?.models.find((x) => x.name === name);
    return m ? eventTruthGap(m.result.estimates, truth, last(plain!.options.window)) : null;
  };
  const rows = b.output.models
    .map((m) => ({ label: m.label, gap: eventTruthGap(m.result.estimates, truth, last(b.options.window)), before: plainGap(m.name) }))
    .filter((r) => r.gap);
  const head = `<tr><th>Estimator</th><th>Mean gap</th><th>Largest |gap|</th><th>Event times</th>${plain ? "<th>Mean gap without policy controls</th>" : ""}</tr>`;
  const table = rows.length
    ? `<table class="truth-table gap-table"><caption>Gap to the simulated truth after approval (estimate − truth, event times 0 … end of the window)</caption><thead>${head}</thead><tbody>${rows.map((r) => `<tr><td>${esc(r.label)}</td><td>${fmt(r.gap!.mean, 3)}</td><td>${fmt(r.gap!.maxAbs, 3)}</td><td>${r.gap!.n}</td>${plain ? `<td>${r.before ? fmt(r.before.mean, 3) : ""}</td>` : ""}</tr>`).join("")}</tbody></table>`
    : "";
  return `<p class="truth-note">${esc(text)}</p>${table}`;
}

function descriptivesHtml(b: BlockRecord, vars: Record<string, string>): string {
  const rows = (b.output?.extra?.descriptives as { variable: string; n: number; mean: number; sd: number; min: number; max: number }[] | undefined) ?? [];
  const ex = b.output?.extra ?? {};
  return `<p>${esc(String(ex.units))} units, ${esc(String(ex.periods))} periods, ${esc(String(ex.treated_units))} treated units.</p><table class="reg desc"><thead><tr><th>Variable</th><th>N</th><th>Mean</th><th>SD</th><th>Min</th><th>Max</th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr><th>${esc(termLabel(r.variable, vars))}</th><td>${r.n}</td><td>${fmt(r.mean)}</td><td>${fmt(r.sd)}</td><td>${fmt(r.min)}</td><td>${fmt(r.max)}</td></tr>`,
    )
    .join("")}</tbody></table>`;
}

function descriptivesMd(b: BlockRecord, vars: Record<string, string>): string {
  const rows = (b.output?.extra?.descriptives as { variable: string; n: number; mean: number; sd: number; min: number; max: number }[] | undefined) ?? [];
  return (
    [
      "| Variable | N | Mean | SD | Min | Max |",
      "|---|---:|---:|---:|---:|---:|",
      ...rows.map((r) => `| ${termLabel(r.variable, vars)} | ${r.n} | ${fmt(r.mean)} | ${fmt(r.sd)} | ${fmt(r.min)} | ${fmt(r.max)} |`),
    ].join("\n") + "\n"
  );
}

const CSS = `
body{font-family:-apple-system,"Segoe UI",DejaVu Sans,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1000px;margin:0 auto;padding:1rem 2rem 4rem;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #2c6fbb;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin-top:1.8rem}.banner{background:#fff4d6;border:1px solid #e0b84a;padding:.7rem 1rem;border-radius:4px}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}th,td{padding:.15rem .6rem;text-align:right}
th:first-child{text-align:left}table.reg thead th{border-bottom:1px solid #333;border-top:2px solid #333}
table.reg tfoot tr:first-child th,table.reg tfoot tr:first-child td{border-top:1px solid #333}
table.reg tfoot tr:last-child th,table.reg tfoot tr:last-child td{border-bottom:2px solid #333}
tr.se td{color:#555;font-size:.82rem}caption{caption-side:top;text-align:left;font-weight:600;padding-bottom:.3rem}
.tnote{font-size:.78rem;color:#555;margin-top:0}.methods{font-size:.9rem;color:#333;background:#f4f7fb;padding:.5rem .8rem;border-left:3px solid #2c6fbb}
.na{background:#f3f3f3;border:1px dashed #999;padding:.6rem .9rem;color:#444}.failed{background:#fdecea;border:1px solid #c0392b;padding:.6rem .9rem}
.status-ok{color:#1e7b34}.status-failed{color:#c0392b;font-weight:600}.status-not_available{color:#777}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.8rem;color:#555}
.truth{color:#8e44ad;font-weight:600}.cov-yes{color:#1e7b34}.cov-no{color:#c0392b;font-weight:600}
#tip{position:fixed;pointer-events:none;background:rgba(30,30,30,.92);color:#fff;font-size:.78rem;padding:.3rem .5rem;border-radius:3px;display:none;z-index:10;max-width:320px}
.notes{font-size:.85rem;color:#555}.warnings{font-size:.85rem;background:#fff8e6;border-left:3px solid #e0a800;padding:.3rem .8rem;margin:.5rem 0}.warnings ul{margin:.2rem 0}.prov{font-size:.78rem;color:#555;word-break:break-all}
nav ul{columns:2;font-size:.9rem}code{font-size:.85em}
.legend-off{opacity:.25}
`;

// Tooltips from the aria-labels vega writes on every mark; clicking a legend entry toggles that series.
const SCRIPT = `
(function(){
  var tip=document.getElementById('tip');
  document.querySelectorAll('figure svg [aria-label]').forEach(function(el){
    if(el.closest('[aria-hidden="true"]')) return;
    var r=el.getAttribute('aria-roledescription')||'';
    if(/axis|legend|title/.test(r)) return;
    el.addEventListener('mousemove',function(e){tip.textContent=el.getAttribute('aria-label');tip.style.display='block';tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px';});
    el.addEventListener('mouseleave',function(){tip.style.display='none';});
  });
  document.querySelectorAll('figure svg .role-legend-symbol, figure svg .role-legend-label').forEach(function(el){
    el.style.cursor='pointer';
    el.addEventListener('click',function(){
      var entry=el.closest('.role-scope')||el.parentNode; var label=(entry.textContent||'').trim(); if(!label) return;
      var svg=el.closest('svg'); var on=!entry.classList.contains('legend-off'); entry.classList.toggle('legend-off');
      svg.querySelectorAll('.role-mark [aria-label]').forEach(function(m){ if((m.getAttribute('aria-label')||'').indexOf(label)>=0) m.style.display=on?'none':''; });
    });
  });
  document.body.setAttribute('data-report-ready','1');
})();
`;

/** The report header's account of the outcome: measured from N raw patents, or a panel column. */
function outcomeHeader(run: StudyRun): string {
  const o = run.outcome;
  if (o.source === "patents" && o.patents)
    return `outcome ${esc(o.label)} measured from ${o.patents.read.toLocaleString("en-US")} raw patent records (${o.patents.key_digital.toLocaleString("en-US")} key-digital patents, ${o.patents.aggregated.toLocaleString("en-US")} in the panel's units and years)`;
  if (o.source === "patents") return `outcome ${esc(o.label)} measured from the raw patent records (the measure stage did not complete)`;
  return `outcome <code>${esc(o.column)}</code> (${esc(o.label)}), a column of the panel`;
}

/** Render every output of a study run into `outDir` (atomic writes). */
export async function writeStudyReport(run: StudyRun, outDir: string, opts: { simulatedNote?: string } = {}): Promise<ReportFiles> {
  const files: ReportFiles = { html: join(outDir, "report.html"), tables: [], figures: [] };
  const truth = run.truth;
  const body: string[] = [];
  const toc: string[] = [];
  let figNo = 0;
  for (const sec of SECTIONS) {
    const blocks = run.blocks.filter((b) => b.section === sec.id);
    if (!blocks.length) continue;
    body.push(`<section id="sec-${sec.id}"><h2>${esc(sec.title)}</h2>`);
    if (sec.id === "robustness") {
      const sum = robustnessSummary(run);
      if (sum) {
        const caption = "Robustness checks: the baseline effect under each check";
        body.push(`<div class="table-wrap" data-table="robustness_summary">${renderTable(sum, "html", caption)}</div>`);
        for (const [ext, fm] of [
          ["md", "md"],
          ["tex", "latex"],
          ["csv", "csv"],
        ] as const) {
          const p = join(outDir, "tables", `robustness_summary.${ext}`);
          await writeFileAtomic(p, renderTable(sum, fm, caption));
          files.tables.push(p);
        }
      }
    }
    for (const b of blocks) {
      const heading = b.table && !b.title.startsWith(b.table) && !b.title.toLowerCase().startsWith(b.table.toLowerCase()) ? `${b.table}. ${b.title}` : b.title;
      toc.push(`<li><a href="#block-${b.id}">${esc(heading)}</a> <span class="status-${b.status}">${b.status.replace("_", " ")}</span></li>`);
      body.push(`<div class="block" id="block-${b.id}" data-status="${b.status}"><h3>${esc(heading)}</h3>`);
      body.push(`<details open><summary>Methods</summary><p class="methods">${esc(b.methods)}</p></details>`);
      if (b.status === "not_available") {
        body.push(`<p class="na"><strong>Not available.</strong> ${esc(b.error ?? "")}</p>`);
      } else if (b.status === "failed") {
        body.push(`<p class="failed"><strong>Failed.</strong> ${esc(b.error ?? "")}</p>`);
      } else if (b.output) {
        if (b.id === "descriptives") {
          body.push(descriptivesHtml(b, run.labels?.variables ?? {}));
          const p = join(outDir, "tables", "descriptives.md");
          await writeFileAtomic(p, descriptivesMd(b, run.labels?.variables ?? {}));
          files.tables.push(p);
        }
        const kv = b.output.extra?.summary as { label: string; value: string }[] | undefined;
        if (kv?.length)
          body.push(`<table class="reg desc"><tbody>${kv.map((r) => `<tr><th>${esc(r.label)}</th><td>${esc(r.value)}</td></tr>`).join("")}</tbody></table>`);
        if (b.output.models.length || b.output.statsTable) {
          const t = b.output.statsTable ? statsTableData(b.output, run.labels?.variables ?? {}) : tableData(b.output, run.labels?.variables ?? {});
          const caption = heading;
          body.push(`<div class="table-wrap" data-table="${b.id}">${renderTable(t, "html", caption)}</div>`);
          const stem = fileStem(b);
          for (const [ext, fm] of [
            ["md", "md"],
            ["tex", "latex"],
            ["csv", "csv"],
          ] as const) {
            const p = join(outDir, "tables", `${stem}.${ext}`);
            await writeFileAtomic(p, renderTable(t, fm, caption));
            files.tables.push(p);
          }
        }
        body.push(truthRows(b, truth, run.labels?.variables ?? {}));
        body.push(eventTruthNote(b, truth, run));
        for (const f of b.output.figures ?? []) {
          for (const { id, spec } of figureSpecs(f, truth, run.labels, run.outcome.label)) {
            try {
              const { svg, files: written } = await writeFigure(spec, join(outDir, "figures"), id);
              files.figures.push(...written);
              figNo++;
              body.push(
                `<figure data-figure="${esc(id)}">${svg}<figcaption>Figure ${figNo}. ${esc(f.title)} (files: figures/${esc(id)}.svg, .png)</figcaption></figure>`,
              );
            } catch (e) {
              body.push(`<p class="failed">Figure ${esc(id)} could not be drawn: ${esc((e as Error).message)}</p>`);
            }
          }
        }
        if (b.output.notes?.length) body.push(`<ul class="notes">${b.output.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
        if (b.warnings?.length)
          body.push(
            `<div class="warnings" data-warnings="${b.warnings.length}"><strong>Warnings</strong><ul>${b.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul></div>`,
          );
      }
      body.push(
        `<p class="prov">block ${esc(b.id)} · ${b.cached ? "cached" : "computed"} in ${b.seconds.toFixed(2)} s · seed ${b.seed} · options ${esc(JSON.stringify(b.options))} · key ${esc(b.key.slice(0, 19))}</p></div>`,
      );
    }
    body.push(`</section>`);
  }
  const summary = run.blocks
    .map(
      (b) =>
        `<tr><th><a href="#block-${b.id}">${esc(b.id)}</a></th><td class="status-${b.status}">${b.status.replace("_", " ")}</td><td>${b.cached ? "cached" : ""}</td><td>${b.seconds.toFixed(2)} s</td></tr>`,
    )
    .join("");
  const simulated = truth
    ? `<p class="banner" id="simulated-banner"><strong>These data are simulated.</strong> ${esc(opts.simulatedNote ?? 'They come from keytech\'s generator of a "paper world" shaped like the reference study, not from real patents or counties.')} The true effects (from the generator's twin runs, measured like the study's columns) are shown next to the estimates (purple), so every estimator can be checked against a known answer.</p>`
    : "";
  const prov = `<p class="prov">keytech ${esc(run.keytech)} · spec ${esc(run.spec.path)} (${esc(run.spec.hash)}) · seed ${run.seed}<br>${Object.entries(
    run.inputs,
  )
    .map(([k, v]) => `${esc(k)}: ${esc(v)}`)
    .join("<br>")}</p>`;
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(run.title)} — keytech report</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(run.title)}</h1>
<p>keytech ${esc(run.keytech)} report · ${outcomeHeader(run)} · ${run.sample.rows} observations, ${run.sample.units} units, ${run.sample.periods[0]}–${run.sample.periods[1]} · clustered by <code>${esc(run.model.cluster)}</code></p>
${simulated}
<h2>Contents</h2><nav><ul>${toc.join("")}</ul></nav>
<table class="summary"><caption>Blocks</caption><tbody>${summary}</tbody></table>
${body.join("\n")}
<h2>Provenance</h2>${prov}
<p class="prov">Figures are vega-lite specifications rendered to SVG by vega at report time and embedded inline; hover a mark for its values, click a legend entry to hide or show that series. Tables are also in tables/ (Markdown, LaTeX, CSV); every estimate with its provenance is in results.json.</p>
</main><div id="tip"></div><script>${SCRIPT}</script></body></html>
`;
  await writeFileAtomic(files.html, html);
  return files;
}
