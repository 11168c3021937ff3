/** `keytech patents panel|diffusion|rca` (registered on the `patents` command). */
import type { Command } from "commander";

export function registerPatentsPanel(patents: Command): void {
  void patents;
}
