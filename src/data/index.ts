/** Data layer: reading files into typed tables, factor coding, missing values and panel checks. */
export * from "./table.js";
export * from "./read.js";
export * from "./factor.js";
export * from "./missing.js";
export * from "./panel.js";
export * from "./suggest.js";
