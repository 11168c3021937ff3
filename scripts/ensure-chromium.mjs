#!/usr/bin/env node
// Provisions the browser the report test drives: Debian's `chromium` (playwright-core never downloads one).
// Nothing to do when KEYTECH_CHROMIUM or /usr/bin/chromium exists. Otherwise, as root (or with password-less
// sudo) on a machine with apt-get, installs the package; else says how, and the browser test then fails
// with that message (it is never skipped).
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

const target = process.env.KEYTECH_CHROMIUM ?? "/usr/bin/chromium";
if (existsSync(target)) process.exit(0);
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
if (!has("apt-get")) {
  console.error(`ensure-chromium: ${target} not found and no apt-get here; install Chromium and set KEYTECH_CHROMIUM=/path/to/chromium`);
  process.exit(0);
}
const root = typeof process.getuid === "function" && process.getuid() === 0;
const sudo = !root && has("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
if (!root && !sudo) {
  console.error(`ensure-chromium: ${target} not found; run "sudo apt-get install chromium" (or set KEYTECH_CHROMIUM) for the browser test`);
  process.exit(0);
}
console.error("ensure-chromium: installing Debian's chromium for the report's browser test (once per machine) …");
const pre = sudo ? "sudo -n " : "";
const r = spawnSync("sh", ["-c", `${pre}apt-get update -qq && ${pre}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null`], {
  stdio: ["ignore", "ignore", "inherit"],
});
if (r.status !== 0 || !existsSync(target))
  console.error(`ensure-chromium: the install did not provide ${target} (exit ${r.status}); the browser test will fail`);
