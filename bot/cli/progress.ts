import { formatNumber } from '../../domain/format';

/**
 * Progress of a long import or export, on stderr so stdout stays the command's result. On a terminal
 * one line is redrawn (at most ten times a second); when stderr is a file or a pipe, a line is printed
 * at every quarter so logs stay short.
 */
export interface Progress {
  /** `done` items so far. */
  update(done: number): void;
  finish(done?: number): void;
}

export interface ProgressSink {
  /** True when `write` goes to an interactive terminal that understands carriage returns. */
  tty: boolean;
  write: (text: string) => void;
  /** Whole lines, for a sink that is not a terminal. */
  line: (text: string) => void;
  now?: () => number;
}

export function stderrSink(line: (text: string) => void): ProgressSink {
  const tty = Boolean(process.stderr.isTTY);
  return { tty, write: (t) => process.stderr.write(t), line };
}

/** Below this many items a command is quick and its progress would only be noise. */
export const PROGRESS_MIN_ITEMS = 500;

/** `total` null when unknown (reading a file): only the running count is shown. */
export function startProgress(sink: ProgressSink, label: string, total: number | null): Progress {
  if (total !== null && total < PROGRESS_MIN_ITEMS) return { update: () => undefined, finish: () => undefined };
  const now = sink.now ?? Date.now;
  let last = 0;
  let lastQuarter = 0;
  let finished = false;
  const text = (done: number) =>
    total ? `${label}: ${formatNumber(done)}/${formatNumber(total)} (${Math.floor((done / total) * 100)}%)` : `${label}: ${formatNumber(done)}`;
  return {
    update(done) {
      if (finished) return;
      if (sink.tty) {
        const t = now();
        if (t - last < 100) return;
        last = t;
        sink.write(`\r${text(done)}\x1b[K`);
        return;
      }
      if (!total) return;
      const quarter = Math.floor((done / total) * 4);
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        sink.line(text(done));
      }
    },
    finish(done = total ?? 0) {
      if (finished) return;
      finished = true;
      if (done < PROGRESS_MIN_ITEMS) {
        if (sink.tty && last > 0) sink.write('\r\x1b[K');
        return;
      }
      if (sink.tty) sink.write(`\r${text(done)}\x1b[K\n`);
      else sink.line(text(done));
    },
  };
}

// Kept here for commands written before options.ts existed.
export { parseOptions, positiveInt } from './options';
