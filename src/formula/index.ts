/** Formula language: fixest-style formulas and the model matrices they describe. */
export * from "./ast.js";
export * from "./parse.js";
export * from "./design.js";
