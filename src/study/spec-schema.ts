/**
 * The study spec's schema and its `StudySpec` type, apart from the block registry (the blocks import the
 * type; spec.ts, which parses a spec, imports the registry for the block options): no import cycle.
 */
import { z } from "zod";

const fileRef = z.string().min(1);

const panelInput = z.strictObject({
  file: fileRef,
  unit: z.string().min(1),
  time: z.string().min(1),
  /** the treatment from the panel itself (instead of inputs.policies): first treated period per unit (0/empty = never) … */
  cohort: z.string().min(1).optional(),
  /** … or an absorbing 0/1 indicator (> 0 = treated; the cohort is the first period it is on) */
  treatment: z.string().min(1).optional(),
});
const unitsInput = z.strictObject({
  file: fileRef,
  unit: z.string().min(1),
  /** derived flag name → column (e.g. municipality: is_municipality) */
  flags: z.strictObject({ municipality: z.string().min(1).optional(), reform_zone: z.string().min(1).optional() }).default({}),
});
const policiesInput = z.strictObject({
  file: fileRef,
  unit: z.string().min(1),
  program: z.string().min(1),
  year: z.string().min(1),
  programs: z.strictObject({
    treated: z.string().min(1),
    nondigital: z.string().min(1).optional(),
    broadband: z.string().min(1).optional(),
    smart_city: z.string().min(1).optional(),
  }),
});
const patentsInput = z.strictObject({
  /** a CSV/Parquet file, a PatentsView folder, or USPTO grant XML (a file or a folder of them) */
  file: fileRef,
  /** base column mapping: default | cnrds | patentsview | a JSON file; the keys below override it */
  mapping: z.string().min(1).default("default"),
  id: z.string().min(1).optional(),
  date: z.string().min(1).optional(),
  year: z.string().min(1).optional(),
  unit: z.string().min(1).optional(),
  ipc: z.string().min(1).optional(),
  cited: z.string().min(1).optional(),
  applicant: z.string().min(1).optional(),
  /** characters separating IPC codes in a cell (default ";,|；，") */
  separator: z.string().min(1).optional(),
  /** characters separating cited ids in a cell (default ";,| ；，") */
  cited_separator: z.string().min(1).optional(),
});
const plainFile = z.strictObject({ file: fileRef });

/** The spec schema without the block options (spec.ts adds them from the block registry). */
export const specBaseSchema = z.strictObject({
  version: z.literal(1).default(1),
  title: z.string().default("Study"),
  seed: z.number().int().nonnegative().default(20250101),
  inputs: z.strictObject({
    panel: panelInput,
    units: unitsInput.optional(),
    policies: policiesInput.optional(),
    patents: patentsInput.optional(),
    taxonomy: plainFile.optional(),
    /** truth.json of a simulated world: shown next to the estimates */
    truth: plainFile.optional(),
  }),
  /** column: a panel column, or (default when inputs.patents is given) the measured "keytech" */
  outcome: z.strictObject({ column: z.string().min(1).optional(), label: z.string().min(1).optional() }).default({}),
  /** how tables, figures and methods notes name things (defaults from the column names) */
  labels: z
    .strictObject({
      unit: z.string().min(1).optional(),
      units: z.string().min(1).optional(),
      time: z.string().min(1).optional(),
      treatment: z.string().min(1).optional(),
      /** methods notes cite the reference paper's equations (Shi, Yang & Qian 2025) */
      paper: z.boolean().default(false),
      /** column → label, e.g. gdp_pc: GDP per capita */
      variables: z.record(z.string(), z.string().min(1)).default({}),
    })
    .default({ paper: false, variables: {} }),
  model: z.strictObject({
    controls: z.array(z.string().min(1)).default([]),
    cluster: z.string().min(1),
    formula: z.string().optional(),
  }),
  blocks: z.record(z.string(), z.unknown()),
});

type ParsedSpec = z.infer<typeof specBaseSchema>;

export type StudySpec = Omit<ParsedSpec, "outcome"> & {
  /** the outcome: `source` says whether it is measured from inputs.patents or read from the panel */
  outcome: { column: string; label: string; source: "patents" | "panel" };
  /** absolute path of the spec file */
  path: string;
  /** block id → options (defaults filled) in registry order, enabled blocks only */
  enabled: string[];
};
