/**
 * Progress display for long work: a cli-progress bar on stderr when stderr is a terminal, silence
 * otherwise (CI logs, pipes). stdout is never touched, so `--json` output stays clean.
 */
import cliProgress from "cli-progress";

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

const silent: Progress = { tick() {}, done() {} };

export function progressBar(label: string, total: number, opts: { enabled?: boolean } = {}): Progress {
  const enabled = opts.enabled ?? (Boolean(process.stderr.isTTY) && process.env.KEYTECH_NO_PROGRESS === undefined);
  if (!enabled || total <= 0) return silent;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let count = 0;
  return {
    tick(n = 1) {
      count += n;
      bar.update(Math.min(count, total));
    },
    done() {
      bar.stop();
    },
  };
}
