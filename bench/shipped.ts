import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The node arguments the bot is shipped with: those of `npm start` (package.json), which the Dockerfile
 * and the systemd unit repeat (tests/packaging.test.ts). The benchmarks start the bot with exactly these.
 */
export function shippedBotArgs(): string[] {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts.start ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'exec' || words[1] !== 'node' || words.at(-1) !== 'dist/bot/main.js') throw new Error(`bench: unexpected start script: ${pkg.scripts.start}`);
  return words.slice(2);
}

/** BENCH_CPU_PROF=<dir>: node flags writing a V8 CPU profile of a measured process there, for finding what to cut next. */
export function cpuProfileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
