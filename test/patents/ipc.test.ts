/** IPC spellings → parts, terms at each level; taxonomy prefix rules and evaluation order. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatIpc, ipcTerm, parseIpc, splitIpcList } from "../../src/patents/ipc.js";
import { categorySet, classifyRaw, loadTaxonomy, normalisePrefix, parseTaxonomy } from "../../src/patents/taxonomy.js";

const table: [string, string | null][] = [
  ["G06F 17/30", "G06F17/30"],
  ["G06F17/30", "G06F17/30"],
  ["g06f 17 / 30", "G06F17/30"],
  ["G06F0017300000", "G06F17/30"],
  ["H04L0009081900", "H04L9/0819"],
  ["G06F0001000000", "G06F1/00"],
  ["G06F015/00", "G06F15/00"],
  ["G06F017/21", "G06F17/21"],
  ["G06F 17/30 (2006.01)", "G06F17/30"],
  ["G06N3/04(2006.01)I", "G06N3/04"],
  ["G06F 17/30 [2006.01]", "G06F17/30"],
  ["G06F  17/30        20060101AFI20051220BHEP", "G06F17/30"],
  ["H04W 4/70 (2018.01)", "H04W4/70"],
  ["A61K 2300/00", "A61K2300/00"],
  ["H04N   1/00", "H04N1/00"],
  ["G06F 17", "G06F17"],
  ["G06F17/", "G06F17"],
  ["G06F", "G06F"],
  ["G06F 17/3", null],
  ["XYZ 12", null],
  ["I01B 1/00", null],
  ["G06F 17/30x", null],
  ["", null],
  ["G6F 17/30", null],
];

test("IPC spellings parse to the canonical code (or are rejected)", () => {
  for (const [raw, want] of table) {
    const c = parseIpc(raw);
    assert.equal(c === null ? null : formatIpc(c), want, `'${raw}'`);
  }
});

test("terms at subclass / group / subgroup level", () => {
  const c = parseIpc("G06F 17/30")!;
  assert.equal(ipcTerm(c, "subclass"), "G06F");
  assert.equal(ipcTerm(c, "group"), "G06F17");
  assert.equal(ipcTerm(c, "subgroup"), "G06F17/30");
  assert.equal(c.section, "G");
  assert.equal(c.cls, "G06");
  const g = parseIpc("G06F 17")!;
  assert.equal(ipcTerm(g, "group"), "G06F17");
  assert.equal(ipcTerm(g, "subgroup"), null);
  assert.equal(ipcTerm(parseIpc("G06F")!, "group"), null);
});

test("IPC lists split on ; , | and full-width separators", () => {
  assert.deepEqual(splitIpcList("G06F 17/30; H04L 9/32|G06N 3/08, H04W 4/70"), ["G06F 17/30", "H04L 9/32", "G06N 3/08", "H04W 4/70"]);
  assert.deepEqual(splitIpcList("H04L29/08；H04W4/70", ";,|；，"), ["H04L29/08", "H04W4/70"]);
  assert.deepEqual(splitIpcList(" ; "), []);
});

test("taxonomy prefixes normalise (subclass, group with all subgroups, subgroup string prefix, WIPO %)", () => {
  assert.equal(normalisePrefix("H04L"), "H04L");
  assert.equal(normalisePrefix("H04M 3/"), "H04M3/");
  assert.equal(normalisePrefix("H04M 3"), "H04M3/");
  assert.equal(normalisePrefix("H04B 1/69"), "H04B1/69");
  assert.equal(normalisePrefix("G06F%"), "G06F");
  assert.equal(normalisePrefix("H04N   1/%"), "H04N1/");
  assert.equal(normalisePrefix("bogus"), null);
});

test("taxonomy rules: include/exclude and evaluation order decide the category", () => {
  const tax = parseTaxonomy(
    [
      "category_id,category,evaluation_order,rule,ipc_prefix",
      "net,Network,2,include,H04L",
      "net,Network,2,exclude,H04L 9/",
      "sec,Security,1,include,H04L 9/",
      "sec,Security,1,include,G06F 21/",
      "mob,Mobile,3,include,H04W",
      "mob,Mobile,3,exclude,H04W 12/",
      "g3,Group3,4,include,H04M 3/",
    ].join("\n"),
    "t",
  );
  assert.deepEqual(
    tax.categories.map((c) => c.id),
    ["sec", "net", "mob", "g3"],
  );
  assert.equal(classifyRaw(tax, "H04L 9/32"), "sec");
  assert.equal(classifyRaw(tax, "H04L 29/08"), "net");
  assert.equal(classifyRaw(tax, "G06F 21/60"), "sec");
  assert.equal(classifyRaw(tax, "H04W 12/06"), null);
  assert.equal(classifyRaw(tax, "H04W 4/70"), "mob");
  assert.equal(classifyRaw(tax, "H04M 3/42"), "g3");
  assert.equal(classifyRaw(tax, "H04M 31/00"), null);
  assert.equal(classifyRaw(tax, "G06N 3/08"), null);
  assert.deepEqual([...categorySet(tax, ["Security", "mob"])], ["sec", "mob"]);
  assert.throws(() => categorySet(tax, ["nope"]), /has no category 'nope'/);
});

test("shipped taxonomies load and classify known codes", () => {
  const oecd = loadTaxonomy("oecd-ict");
  assert.equal(oecd.categories.length, 13);
  assert.equal(oecd.categories[0]!.name, "Mobile communication"); // evaluation order 1
  assert.equal(classifyRaw(oecd, "H04W 4/70"), "2");
  assert.equal(classifyRaw(oecd, "H04L 9/32"), "3"); // security before high-speed network, and excluded there
  const wipo = loadTaxonomy("wipo");
  assert.equal(wipo.categories.length, 35);
  assert.equal(classifyRaw(wipo, "G06F 17/30"), "6");
  assert.equal(classifyRaw(wipo, "H04N 21/234"), "4");
  assert.equal(classifyRaw(wipo, "H04N 1/00"), "3");
  assert.equal(classifyRaw(wipo, "G06Q 50/04"), "7");
  assert.equal(classifyRaw(wipo, "H01L 21/02"), "8");
  assert.equal(classifyRaw(wipo, "A61K 8/02"), "14");
  const dig = loadTaxonomy("wipo-digital");
  assert.deepEqual(
    dig.categories.map((c) => c.id),
    ["3", "4", "5", "6", "7", "8"],
  );
  assert.equal(classifyRaw(dig, "A61K 8/02"), null);
  const cn = loadTaxonomy("cnipa-provisional");
  assert.equal(cn.categories.length, 7);
  assert.equal(classifyRaw(cn, "H04L 9/0852"), "quantum"); // QKD before blockchain's H04L 9/
  assert.equal(classifyRaw(cn, "H04L 9/50"), "blockchain");
  assert.equal(classifyRaw(cn, "G06N 3/08"), "ai");
  assert.equal(classifyRaw(cn, "G06T 19/00"), "metaverse");
});
