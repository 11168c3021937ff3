/**
 * Figure rendering: a vega-lite spec is compiled with vega-lite, run headless by vega (renderer "none")
 * and serialised to SVG; PNG via resvg with the system fonts (text is drawn only if a font is found).
 */
import { join } from "node:path";
import type * as VegaNs from "vega";
import { writeFileAtomic } from "../../core/atomic.js";
import type * as VlNs from "vega-lite";

// vega, vega-lite and resvg are loaded on first use so that other commands start fast.
let libs: Promise<{ vega: typeof VegaNs; vl: typeof VlNs }> | null = null;
function load(): Promise<{ vega: typeof VegaNs; vl: typeof VlNs }> {
  if (!libs) libs = Promise.all([import("vega"), import("vega-lite")]).then(([vega, vl]) => ({ vega, vl }));
  return libs;
}
let resvg: typeof import("@resvg/resvg-js") | null = null;

/** A vega-lite (v6) specification as plain JSON. */
export type VlSpec = Record<string, unknown>;

const baseConfig = {
  font: "DejaVu Sans, Liberation Sans, Arial, sans-serif",
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#e6e6e6" },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 14, anchor: "start" },
  view: { stroke: "#cccccc" },
};

/** Compile a vega-lite spec and render it to an SVG string (no browser, no DOM). */
export async function figureSvg(spec: VlSpec): Promise<string> {
  const { vega, vl } = await load();
  const full = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", ...spec, config: { ...baseConfig, ...((spec.config as object) ?? {}) } };
  const compiled = vl.compile(full as unknown as VlNs.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterise an SVG to PNG at `scale`× (default 2) with system fonts (DejaVu Sans preferred). */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  resvg ??= await import("@resvg/resvg-js");
  const r = new resvg.Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return r.render().asPng();
}

/** Render a spec and write DIR/ID.svg and DIR/ID.png (atomically); returns the SVG text and the two paths. */
export async function writeFigure(spec: VlSpec, dir: string, id: string): Promise<{ svg: string; files: [string, string] }> {
  const svg = await figureSvg(spec);
  const svgPath = join(dir, `${id}.svg`),
    pngPath = join(dir, `${id}.png`);
  await writeFileAtomic(svgPath, svg);
  await writeFileAtomic(pngPath, await svgToPng(svg));
  return { svg, files: [svgPath, pngPath] };
}
