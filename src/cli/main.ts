#!/usr/bin/env node
/** keytech command-line entry point: builds the commander program and runs it. */
import { buildProgram } from "./program.js";
import { reportError } from "./run.js";

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    process.exitCode = reportError(e);
  });
