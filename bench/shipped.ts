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
