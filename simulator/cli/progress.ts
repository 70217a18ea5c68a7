import type { ScenarioOutcome } from '../report/run-report.ts';
import { formatDuration } from '../report/report-text.ts';
import type { CliWriter } from './cli-command.ts';

/** Live feedback while scenarios run. */
export interface Progress {
  started(id: string): void;
  finished(id: string, outcome: ScenarioOutcome, durationMs: number): void;
  /** Prints a whole line without breaking the live one. */
  line(text: string): void;
  /** Clears the live line (before the report is printed). */
  done(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly total: number;
  /** One line redrawn in place (a terminal) instead of a plain line per finished scenario (CI, pipes). */
  readonly interactive: boolean;
  /** Shown before the counts, e.g. `seed 7`. */
  readonly label?: string;
}

const WORD: Record<ScenarioOutcome, string> = { pass: 'PASS ', fail: 'FAIL ', skipped: 'SKIP ', error: 'ERROR' };
const CLEAR = '\r\u001b[2K';

/** Whether progress should be redrawn in place: a terminal, and not CI (`CI` set to anything but `false`/`0`). */
export function isInteractive(out: CliWriter, env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return out.isTTY === true && !ci;
}

/** Progress on `out`: a single updating line on a terminal, plain lines otherwise. */
export function createProgress(out: CliWriter, options: ProgressOptions): Progress {
  const running: string[] = [];
  let finished = 0;
  let failed = 0;
  let live = false;
  const width = Math.max(40, (out.columns ?? 100) - 1);
  const prefix = options.label === undefined ? '' : `${options.label} `;
  const counter = () => `[${String(finished).padStart(String(options.total).length)}/${options.total}]`;

  const redraw = (): void => {
    if (!options.interactive) return;
    const text = `${prefix}${counter()}${failed > 0 ? ` ${failed} failed` : ''}${running.length > 0 ? ` · running ${running.join(', ')}` : ''}`;
    out.write(`${CLEAR}${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    live = true;
  };
  const clear = (): void => {
    if (live) out.write(CLEAR);
    live = false;
  };

  return {
    started(id) {
      running.push(id);
      redraw();
    },
    finished(id, outcome, durationMs) {
      const at = running.indexOf(id);
      if (at >= 0) running.splice(at, 1);
      finished++;
      if (outcome === 'fail' || outcome === 'error') failed++;
      if (options.interactive) {
        if (outcome === 'fail' || outcome === 'error') {
          clear();
          out.write(`${WORD[outcome]} ${id} (${formatDuration(durationMs)})\n`);
        }
        redraw();
      } else {
        out.write(`${prefix}${counter()} ${WORD[outcome]} ${id} (${formatDuration(durationMs)})\n`);
      }
    },
    line(text) {
      clear();
      out.write(`${text}\n`);
      redraw();
    },
    done: clear,
  };
}
