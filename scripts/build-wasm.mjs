#!/usr/bin/env node
// Compiles every WebAssembly text kernel src/**/*.wat to dist/src/**/*.wasm (wabt, a dev dependency),
// next to the compiled module that loads it. Part of `npm run build`.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, renameSync } from "node:fs";
import { join, resolve, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import initWabt from "wabt";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wabt = await initWabt();
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".wat")) out.push(p);
  }
  return out;
}
for (const file of walk(join(root, "src"), [])) {
  const rel = relative(root, file);
  const mod = wabt.parseWat(rel, readFileSync(file, "utf8"), { simd: true, bulk_memory: true, mutable_globals: true });
  mod.validate();
  const { buffer } = mod.toBinary({});
  mod.destroy();
  const out = join(root, "dist", rel.replace(/\.wat$/, ".wasm"));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out + ".tmp", buffer);
  renameSync(out + ".tmp", out);
  console.log(`wasm: ${rel} → ${relative(root, out)} (${buffer.length} bytes)`);
}
