/**
 * One HiGHS (WebAssembly) runtime per process, loaded lazily and shared by every LP the DEA
 * estimator solves (loading the Wasm module is the expensive part; models are cheap).
 */
import type { Highs } from "highs";

type Loader = () => Promise<Highs>;
let runtime: Promise<Highs> | null = null;

/** The shared HiGHS runtime (loaded on first use). */
export function highsRuntime(): Promise<Highs> {
  if (runtime === null) {
    // The package ships CJS-style typings for an ESM default export: take whichever shape is there.
    // The JS module itself is imported here too, so the CLI does not load it at start-up.
    runtime = import("highs").then((highsModule) => {
      const mod = highsModule as unknown as { default: Loader | { default: Loader } };
      const load = typeof mod.default === "function" ? mod.default : mod.default.default;
      return load();
    });
  }
  return runtime;
}
