#!/usr/bin/env node
/** keytech command-line entry point: runs the commander program on the process's arguments and streams. */
import { runCommand } from "./program.js";

void runCommand(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
