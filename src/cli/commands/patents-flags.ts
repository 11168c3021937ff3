/**
 * Column-mapping flags shared by the `patents` commands: a base mapping (`--mapping`) and single-column
 * overrides, so an export is read without writing a JSON mapping file. Inputs may be USPTO grant XML
 * (a file or a folder), converted on the fly (src/patents/source.ts).
 */
import type { Command } from "commander";
import { loadMapping, withOverrides, type ColumnMapping } from "../../patents/mapping.js";

export interface MappingFlags {
  mapping?: string;
  idCol?: string;
  dateCol?: string;
  yearCol?: string;
  regionCol?: string;
  ipcCol?: string;
  citedCol?: string;
  applicantCol?: string;
  ipcSep?: string;
  citedSep?: string;
}

/** Add the column flags to a command (the base mapping flag is added by the command itself). */
export function addMappingFlags(cmd: Command): Command {
  return cmd
    .option("--id-col <header>", "column of the patent id (overrides the mapping)")
    .option("--date-col <header>", "column of the filing date (overrides the mapping)")
    .option("--year-col <header>", "column of the filing year, when there is no date (overrides the mapping)")
    .option("--region-col <header>", "column of the applicant's region / unit code (overrides the mapping)")
    .option("--ipc-col <header>", "column of the IPC codes (overrides the mapping)")
    .option("--cited-col <header>", "column of the cited patent ids (overrides the mapping)")
    .option("--applicant-col <header>", "column of the applicant id (overrides the mapping)")
    .option("--ipc-sep <chars>", "characters separating IPC codes in a cell (default ;,|；，)")
    .option("--cited-sep <chars>", "characters separating cited ids in a cell (default ;,| ；，)");
}

/** The mapping of the flags: the named base mapping with the single-column overrides. */
export function mappingFromFlags(f: MappingFlags): ColumnMapping {
  return withOverrides(loadMapping(f.mapping), { id: f.idCol, date: f.dateCol, year: f.yearCol, region: f.regionCol, ipc: f.ipcCol, cited: f.citedCol, applicant: f.applicantCol, ipcSeparators: f.ipcSep, citedSeparators: f.citedSep });
}
