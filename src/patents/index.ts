/**
 * Public API of the patents layer (for the study runner and library users): in-memory functions on typed
 * columns, and file-level pipelines. See src/patents/README.md for the definitions.
 */
export { parseIpc, formatIpc, ipcTerm, splitIpcList, type Ipc, type IpcLevel } from "./ipc.js";
export { loadTaxonomy, parseTaxonomy, classifyCode, classifyRaw, categorySet, BUILTIN_TAXONOMIES, type Taxonomy } from "./taxonomy.js";
export { corpusFromTerms, corpusFromIpc, type TermCorpus } from "./corpus.js";
export {
  scorePatents,
  resolveScoreOptions,
  breakthroughCap,
  DEFAULT_SCORE_OPTIONS,
  PAPER_SCORE_OPTIONS,
  PAPER_LEVEL,
  type ScoreOptions,
  type ScoreResult,
  type ScoreCoverage,
  type BreakthroughThreshold,
} from "./scores.js";
export { scorePatentsPairwise } from "./scores-pairwise.js";
export { scorePatentsPaperOracle } from "./scores-paper-oracle.js";
export { resolveCitations, citationsReceived, type CitationLinks } from "./citations.js";
export { regionYearPanel, type PanelInput, type PanelOptions, type RegionYearPanel } from "./panel.js";
export { diffusion, type DiffusionInput, type DiffusionOptions, type DiffusionPanel } from "./diffusion.js";
export { balassa, cospecialisation, type CospecInput, type CospecOptions, type CospecPanel } from "./cospecialisation.js";
export { readPatents, termCorpus, parseDate, type PatentTable, type ReadOptions } from "./read.js";
export { loadMapping, parseMapping, type ColumnMapping } from "./mapping.js";
export { scoreFile, writeScores, type ScoreFileOptions } from "./score-file.js";
export { panelFromFile, diffusionFromFile, cospecialisationFromFile, categoryFlags, subCorpus, type CategoryFilter } from "./pipeline.js";
export { parseUsptoGrant, readUsptoGrant, grantToPatentRow, type UsptoGrant } from "./uspto-xml.js";
