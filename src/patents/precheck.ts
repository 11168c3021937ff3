/** The byte checks of text tables live in the data layer (src/data/precheck.ts), shared with the panel reader. */
export { checkParquetSignature, checkTextTable, firstInvalidUtf8 } from "../data/precheck.js";
