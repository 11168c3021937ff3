/**
 * Opens report.html of a demo run in Debian's Chromium (driven by playwright-core, headless) and checks
 * that every table and figure renders and that the page logs no errors; saves a screenshot.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { runCli } from "../helpers.js";

const CHROMIUM = process.env.KEYTECH_CHROMIUM ?? "/usr/bin/chromium";

test("report.html of the demo renders every table and figure in Chromium without errors", { timeout: 240_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);
  const out = mkdtempSync(join(tmpdir(), "keytech-demo-browser-"));
  const r = runCli(["demo", "--out", out, "--quick"]);
  assert.equal(r.status, 0, r.stderr);
  const html = join(out, "report.html");
  const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
    blocks: { id: string; status: string; output?: { models: unknown[]; figures?: unknown[]; statsTable?: unknown } }[];
  };
  const expectTables = results.blocks.filter((b) => b.status === "ok" && ((b.output?.models.length ?? 0) > 0 || b.output?.statsTable)).length;
  const figureData = results.blocks.filter((b) => b.status === "ok").reduce((s, b) => s + (b.output?.figures?.length ?? 0), 0);
  const expectFigures = readdirSync(join(out, "figures")).filter((f) => f.endsWith(".svg")).length;
  assert.ok(expectFigures >= figureData && figureData >= 4, `figures: ${expectFigures} files for ${figureData} figure data`);
  assert.equal(readdirSync(join(out, "figures")).filter((f) => f.endsWith(".png")).length, expectFigures, "one PNG per SVG");

  const profile = mkdtempSync(join(tmpdir(), "keytech-chromium-profile-"));
  // a fresh profile directory (playwright passes it to Chromium as --user-data-dir)
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("requestfailed", (q) => errors.push(`request failed: ${q.url()}`));
    await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
    await page.waitForSelector("body[data-report-ready='1']", { timeout: 30_000 });
    // the page-side probe is a string (the test build has no DOM types)
    const info = (await page.evaluate(`(() => {
      const tables = [...document.querySelectorAll("div.table-wrap table.reg")].map((t) => ({ rows: t.querySelectorAll("tbody tr").length, h: t.getBoundingClientRect().height }));
      const figures = [...document.querySelectorAll("figure svg")].map((s) => {
        const b = s.getBoundingClientRect();
        return { w: b.width, h: b.height, marks: s.querySelectorAll(".role-mark path, .role-mark line, .role-mark rect").length, texts: s.querySelectorAll("text").length };
      });
      return {
        tables,
        figures,
        banner: document.getElementById("simulated-banner")?.textContent ?? "",
        na: [...document.querySelectorAll(".block[data-status='not_available']")].map((b) => b.id),
        failed: [...document.querySelectorAll(".block[data-status='failed']")].map((b) => b.id),
        headings: [...document.querySelectorAll("h3")].map((h) => h.textContent ?? ""),
      };
    })()`)) as {
      tables: { rows: number; h: number }[];
      figures: { w: number; h: number; marks: number; texts: number }[];
      banner: string;
      na: string[];
      failed: string[];
      headings: string[];
    };
    // one table per estimated block, plus the robustness summary (one column per check)
    assert.equal(info.tables.length, expectTables + 1, "one rendered table per estimated block, and the robustness summary");
    for (const t of info.tables) assert.ok(t.rows > 0 && t.h > 20, "tables have rows and height");
    assert.equal(info.figures.length, expectFigures, "every figure is in the page");
    for (const f of info.figures) assert.ok(f.w > 200 && f.h > 100 && f.marks > 0 && f.texts > 3, `figure drawn with marks and text: ${JSON.stringify(f)}`);
    assert.match(info.banner, /These data are simulated/);
    assert.deepEqual(info.failed, []);
    for (const t of ["Table 1", "Table 2", "Table 3", "Table 4", "Table 5", "Robustness 1", "Robustness 8", "Endogeneity 1", "Endogeneity 3"]) {
      assert.ok(
        info.headings.some((h) => h.startsWith(t) || h.includes(t)),
        `heading for ${t}`,
      );
    }
    // tooltips: hovering a mark shows its values
    if (info.figures.length) {
      const mark = page.locator("figure svg .role-mark [aria-label]").first();
      await mark.hover({ force: true });
      const tip = await page.locator("#tip").textContent();
      assert.ok((tip ?? "").length > 0, "tooltip shows the mark's values");
    }
    await page.screenshot({ path: join(out, "report-screenshot.png"), fullPage: false });
    assert.deepEqual(errors, [], "the page logs no errors");
    process.stderr.write(
      `browser test: ${info.tables.length} tables, ${info.figures.length} figures, not available: ${info.na.join(", ") || "none"}; screenshot ${join(out, "report-screenshot.png")}\n`,
    );
  } finally {
    await browser.close();
  }
});
