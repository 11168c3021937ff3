/**
 * `keytech table`'s regression tables are rendered by the one table renderer (tables.ts); the coefficient
 * print-out of one estimation is coefficients.ts. Kept as the old import path.
 */
export { regressionTableData, renderRegressionTable, stars, type RegressionTableOptions, type TableFormat } from "./tables.js";
export { renderCoefficients } from "./coefficients.js";
