/** mpdta (R did's example data) as a long panel input for the CS tests. */
import { fixture } from "../../helpers.js";
import { readCsvForTest } from "./csv.js";
import type { LongPanelInput } from "../../../src/estimators/cs/cs-panel.js";

const tab = readCsvForTest(fixture("data", "mpdta.csv"));

export function mpdtaInput(withX: boolean): LongPanelInput {
  return {
    file: "mpdta.csv",
    names: { y: "lemp", unit: "countyreal", time: "year", cohort: "first.treat" },
    y: tab.num("lemp"),
    unit: tab.num("countyreal"),
    time: tab.num("year"),
    cohort: tab.num("first.treat"),
    x: withX ? [{ name: "lpop", values: tab.num("lpop") }] : [],
  };
}
