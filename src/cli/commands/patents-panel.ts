/** `keytech patents panel | diffusion | rca` (registered on the `patents` command). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { stampVersion } from "../../core/result.js";
import { action, emit } from "../run.js";
import { err } from "../io.js";
import type { IpcLevel } from "../../patents/ipc.js";
import { withPatentSource } from "../../patents/source.js";
import { addIpcLevel, addMappingFlags, intAtLeast as posInt, intList, mappingFromFlags, pick as oneOf, tieCeilingOf, type MappingFlags } from "../flags.js";
import { csvField, csvNum, writeCsvAtomic } from "../../patents/csv-out.js";
import { cospecialisationFromFile, diffusionFromFile, panelFromFile, parseYears, readRegionList, type CategoryFilter } from "../../patents/pipeline.js";

interface Common extends MappingFlags {
  patents: string;
  out: string;
  mapping: string;
  onBadIpc: string;
  regions?: string;
  years?: string;
  json?: boolean;
}

function filterOf(taxonomy: string | undefined, category: string | undefined, mainOnly: boolean | undefined): CategoryFilter | undefined {
  if (!taxonomy) {
    if (category) throw usageError("--category needs --taxonomy");
    return undefined;
  }
  return { taxonomy, categories: category ? category.split(",").map((s) => s.trim()) : undefined, mainOnly: Boolean(mainOnly) };
}

function grid(
  regions: string[],
  years: number[],
  cols: string[],
  val: (cell: number) => string[],
): { header: string[]; n: number; row: (i: number) => string } {
  const T = years.length;
  return {
    header: ["region", "year", ...cols],
    n: regions.length * T,
    row: (i) => [csvField(regions[Math.floor(i / T)]!), String(years[i % T]), ...val(i)].join(","),
  };
}

export function registerPatentsPanel(patents: Command): void {
  const common = (c: Command): Command =>
    addMappingFlags(c)
      .requiredOption("--patents <file>", "patents table (CSV or Parquet; a folder for --mapping patentsview; USPTO grant XML, a file or a folder)")
      .requiredOption("--out <file>", "output CSV (written atomically)")
      .option("--mapping <name|file>", "column mapping: default | cnrds | patentsview | a JSON file", "default")
      .option("--on-bad-ipc <rule>", "malformed IPC codes: fail | skip", "fail")
      .option("--regions <file>", "regions of the panel (one per line, or CSV with a 'region' column); default: regions in the data")
      .option("--years <range>", "years of the panel, FIRST:LAST or a list; default: first..last data year")
      .option("--json", "print a JSON summary on stdout");

  const panel = common(
    patents
      .command("panel")
      .description("region × year outcomes (patents, breakthroughs, sum of importance, citations received excl. self-citations) with explicit zeros"),
  )
    .option("--taxonomy <name|file>", "keep patents with a code in this taxonomy (oecd-ict, wipo, wipo-digital, cnipa-provisional, or a rule file)")
    .option("--category <ids>", "categories of the taxonomy (default: all)")
    .option("--main-only", "only the first (main) IPC code decides the category");
  addIpcLevel(panel, "IPC term level for the scores: subclass | group | subgroup", "group")
    .option("--backward <years>", "backward window", "5")
    .option("--forward <list>", "forward horizons (the largest defines breakthroughs)", "1,5,10")
    .option("--idf <kind>", "kpst | seed", "kpst")
    .option("--pair-year <rule>", "min | max", "min")
    .option("--same-year <rule>", "exclude | byDate", "exclude")
    .option("--censoring <rule>", "truncate | missing", "truncate")
    .option("--breakthrough <rule>", "year | kpst", "year")
    .option("--quantile <q>", "breakthrough quantile", "0.9")
    .option("--tie-ceiling <c>", "share by which a block tied at the threshold may lift a year above 1 − q (0 = never above ⌈(1 − q)·n⌉)", "0.02")
    .action(
      action(async (f: Common & Record<string, string | boolean | undefined>) => {
        const q = Number(f.quantile);
        if (!(q > 0 && q < 1)) throw usageError(`--quantile must be in (0, 1), got '${String(f.quantile)}'`);
        const r = await withPatentSource(f.patents, mappingFromFlags(f), (file, mapping) =>
          panelFromFile(file, {
            mapping,
            onBadIpc: oneOf("--on-bad-ipc", f.onBadIpc, ["fail", "skip"] as const),
            level: oneOf("--ipc-level", String(f.ipcLevel), ["subclass", "group", "subgroup"] as const) as IpcLevel,
            backward: posInt("--backward", String(f.backward)),
            forward: intList("--forward", String(f.forward)),
            idf: oneOf("--idf", String(f.idf), ["kpst", "seed"] as const),
            pairYear: oneOf("--pair-year", String(f.pairYear), ["min", "max"] as const),
            sameYear: oneOf("--same-year", String(f.sameYear), ["exclude", "byDate"] as const),
            censoring: oneOf("--censoring", String(f.censoring), ["truncate", "missing"] as const),
            breakthrough: oneOf("--breakthrough", String(f.breakthrough), ["year", "kpst"] as const),
            quantile: q,
            tieCeiling: tieCeilingOf(String(f.tieCeiling)),
            filter: filterOf(f.taxonomy as string | undefined, f.category as string | undefined, f.mainOnly as boolean | undefined),
            regions: f.regions ? readRegionList(f.regions) : undefined,
            years: f.years ? parseYears(f.years) : undefined,
          }),
        );
        const p = r.panel;
        const cols = ["patents", "breakthroughs", `sum_imp${r.horizon}`, ...(p.citations ? ["citations"] : [])];
        const g = grid(p.regions, p.years, cols, (i) => [
          String(p.patents[i]),
          String(p.breakthroughs![i]),
          csvNum(p.sumImportance![i]!),
          ...(p.citations ? [String(p.citations[i])] : []),
        ]);
        writeCsvAtomic(f.out, g.header, g.n, g.row);
        const d = p.dropped;
        if (d.missingRegion + d.regionNotListed + d.yearNotListed > 0)
          err(
            `keytech: warning: not in the panel: ${d.missingRegion} patents without region, ${d.regionNotListed} with a region not listed, ${d.yearNotListed} with a year not listed.\n`,
          );
        if (!p.citations) err("keytech: warning: no 'cited' column: the panel has no citation counts.\n");
        else {
          const c = r.citations;
          err(
            `keytech: ${c.laterFiled + c.unknown > 0 ? "warning" : "note"}: citations: ${c.total} made, ${c.counted} counted as received; ${c.self} self-citations (same applicant or itself) not counted; ${c.laterFiled} to a patent filed later than the citing one not counted; ${c.unknown} to ids not in the table\n`,
          );
        }
        const doc = stampVersion({
          command: "patents panel",
          nobs: g.n,
          output: f.out,
          summary: { patents: r.table.n, inCategory: r.scored, regions: p.regions.length, years: p.years, dropped: d, citations: r.citations },
        });
        emit(
          doc,
          Boolean(f.json),
          () => `panel: ${p.regions.length} regions × ${p.years.length} years from ${r.scored} of ${r.table.n} patents; wrote ${f.out}\n`,
        );
      }),
    );

  common(patents.command("diffusion").description("share of citations made that go to digital-technology patents of the same region (or cluster)"))
    .option("--taxonomy <name|file>", "taxonomy defining digital technology", "wipo-digital")
    .option("--category <ids>", "categories counted as digital (default: all of the taxonomy)")
    .option("--main-only", "only the main IPC code decides")
    .option("--clusters <file>", "CSV region,cluster: 'same cluster' instead of 'same region'")
    .option("--self-citations <rule>", "include | exclude (same applicant)", "include")
    .option("--denominator <rule>", "known: citations to patents in the table | all: also unknown ids", "known")
    .action(
      action(async (f: Common & Record<string, string | boolean | undefined>) => {
        const r = await withPatentSource(f.patents, mappingFromFlags(f), (file, mapping) =>
          diffusionFromFile(file, {
            mapping,
            onBadIpc: oneOf("--on-bad-ipc", f.onBadIpc, ["fail", "skip"] as const),
            digital: filterOf(String(f.taxonomy), f.category as string | undefined, f.mainOnly as boolean | undefined)!,
            clusters: f.clusters as string | undefined,
            selfCitations: oneOf("--self-citations", String(f.selfCitations), ["include", "exclude"] as const),
            denominator: oneOf("--denominator", String(f.denominator), ["known", "all"] as const),
            regions: f.regions ? readRegionList(f.regions) : undefined,
            years: f.years ? parseYears(f.years) : undefined,
          }),
        );
        const p = r.panel;
        const g = grid(p.regions, p.years, ["digital_local_citations", "citations", "diffusion"], (i) => [
          String(p.numerator[i]),
          String(p.denominator[i]),
          csvNum(p.share[i]!),
        ]);
        writeCsvAtomic(f.out, g.header, g.n, g.row);
        const c = p.citations;
        const selfRule = String(f.selfCitations);
        err(
          `keytech: ${c.laterFiled + c.unknown > 0 ? "warning" : "note"}: citations: ${c.total} made, ${c.counted} counted; ${c.self} self-citations (same applicant or itself) ${selfRule === "include" ? "included" : "not counted"} (--self-citations ${selfRule}); ${c.laterFiled} to a patent filed later than the citing one not counted; ${c.unknown} to ids not in the table ${f.denominator === "all" ? "counted in the denominator (--denominator all)" : "not counted"}\n`,
        );
        const doc = stampVersion({
          command: "patents diffusion",
          nobs: g.n,
          output: f.out,
          summary: { patents: r.n, digital: r.digital, unknownCitations: r.links.unknown, citations: c },
        });
        emit(
          doc,
          Boolean(f.json),
          () =>
            `diffusion: ${p.regions.length} regions × ${p.years.length} years; ${r.digital} of ${r.n} patents digital; ${r.links.unknown} citations to unknown ids; wrote ${f.out}\n`,
        );
      }),
    );

  common(patents.command("rca").description("revealed comparative advantage (Balassa) per region × field × year and the region-year co-specialisation index"))
    .option("--field <level>", "fields: subclass | group | subgroup | taxonomy", "subclass")
    .option("--field-taxonomy <name|file>", "with --field taxonomy: its categories are the fields")
    .option("--taxonomy <name|file>", "keep patents with a code in this taxonomy")
    .option("--category <ids>", "categories of --taxonomy (default: all)")
    .option("--main-only", "only the main IPC code decides the filter")
    .option("--clusters <file>", "CSV region,cluster: peers are the regions of the same cluster (default: all regions)")
    .option("--threshold <t>", "RCA threshold for specialisation", "1")
    .option("--continuous", "unbinarised variant: use RCA values instead of 1[RCA ≥ threshold]")
    .option("--window <years>", "rolling window of years for the counts", "1")
    .option("--validate <correction>", "hypergeometric validation of region–region links: bonferroni | bh | none (adds validated_links)")
    .option("--alpha <a>", "level of the link validation", "0.05")
    .option("--signed", "signed validation: both tails; adds diverging_links (under-represented overlaps)")
    .option("--index <kind>", "region-year index: phi (mean C_rs / max(k_r, k_s) over peers) | links (number of validated links; needs --validate)", "phi")
    .action(
      action(async (f: Common & Record<string, string | boolean | undefined>) => {
        const th = Number(f.threshold);
        if (!(th > 0)) throw usageError(`--threshold must be positive, got '${String(f.threshold)}'`);
        const alpha = Number(f.alpha);
        if (!(alpha > 0 && alpha < 1)) throw usageError(`--alpha must be in (0, 1), got '${String(f.alpha)}'`);
        const indexKind = oneOf("--index", String(f.index), ["phi", "links"] as const);
        const validate = f.validate
          ? { correction: oneOf("--validate", String(f.validate), ["bonferroni", "bh", "none"] as const), alpha, signed: Boolean(f.signed) }
          : undefined;
        if (indexKind === "links" && !validate) throw usageError("--index links needs --validate bonferroni|bh|none");
        if (validate && f.continuous) throw usageError("--validate needs binarised RCA (drop --continuous)");
        if (f.signed && !validate) throw usageError("--signed needs --validate");
        const r = await withPatentSource(f.patents, mappingFromFlags(f), (file, mapping) =>
          cospecialisationFromFile(file, {
            mapping,
            onBadIpc: oneOf("--on-bad-ipc", f.onBadIpc, ["fail", "skip"] as const),
            field: oneOf("--field", String(f.field), ["subclass", "group", "subgroup", "taxonomy"] as const),
            fieldTaxonomy: f.fieldTaxonomy as string | undefined,
            filter: filterOf(f.taxonomy as string | undefined, f.category as string | undefined, f.mainOnly as boolean | undefined),
            clusters: f.clusters as string | undefined,
            binarise: !f.continuous,
            threshold: th,
            window: posInt("--window", String(f.window), 1),
            regions: f.regions ? readRegionList(f.regions) : undefined,
            years: f.years ? parseYears(f.years) : undefined,
            validate,
            indexKind,
          }),
        );
        const p = r.panel;
        const extra = [...(p.links ? ["validated_links"] : []), ...(p.divergingLinks ? ["diverging_links"] : [])];
        const g = grid(p.regions, p.years, ["patents", "specialisations", "cospecialisation", ...extra], (i) => [
          String(p.patents[i]),
          String(p.degree[i]),
          csvNum(p.index[i]!),
          ...(p.links ? [csvNum(p.links[i]!)] : []),
          ...(p.divergingLinks ? [csvNum(p.divergingLinks[i]!)] : []),
        ]);
        writeCsvAtomic(f.out, g.header, g.n, g.row);
        const doc = stampVersion({
          command: "patents rca",
          nobs: g.n,
          output: f.out,
          summary: { patents: r.n, used: r.used, fields: r.fields, ...(validate ? { validation: { ...validate, testedPairs: p.testedPairs } } : {}) },
        });
        emit(
          doc,
          Boolean(f.json),
          () => `co-specialisation: ${p.regions.length} regions × ${p.years.length} years, ${r.fields} fields, ${r.used} of ${r.n} patents; wrote ${f.out}\n`,
        );
      }),
    );
}
