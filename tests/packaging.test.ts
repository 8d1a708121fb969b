import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * What can be checked here of the server packaging: the Dockerfile's shape and start command (the
 * README's, and what `npm start` runs after its build), and the systemd unit, parsed by systemd itself
 * where systemd-analyze is installed.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
const START = 'node --max-semi-space-size=8 --heap-growing-percent=50 dist/bot/main.js';

/** Instructions of a Dockerfile, continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile', () => {
  const ins = instructions(read('Dockerfile'));
  const finalStage = ins.slice(ins.map((i) => i.op).lastIndexOf('FROM'));

  it('starts the image with the README’s command, the one npm start runs after its build', () => {
    const cmd = finalStage.filter((i) => i.op === 'CMD').at(-1)!;
    const argv = JSON.parse(cmd.args) as string[];
    expect(argv.join(' ')).toBe(START);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`exec ${START}`);
    expect(read('README.md')).toContain('`' + START + '`');
    expect(read('deploy/baocao-bot.service')).toMatch(new RegExp(`^ExecStart=/usr/bin/${START.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('is multi-stage, runs as a non-root user, keeps data on a volume and checks /healthz', () => {
    expect(ins.filter((i) => i.op === 'FROM').length).toBeGreaterThanOrEqual(2);
    expect(finalStage.some((i) => i.op === 'COPY' && i.args.startsWith('--from=build'))).toBe(true);
    const user = finalStage.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(finalStage.find((i) => i.op === 'VOLUME')?.args).toContain('/data');
    expect(finalStage.find((i) => i.op === 'ENV')?.args).toContain('DATABASE_PATH=/data/baocao.db');
    expect(finalStage.find((i) => i.op === 'HEALTHCHECK')?.args).toMatch(/CMD .*\/healthz/);
  });
});

describe('systemd unit', () => {
  it('parses with systemd-analyze verify', async (ctx) => {
    const run = promisify(execFile);
    const found = await run('systemd-analyze', ['--version']).then(
      () => true,
      () => false,
    );
    if (!found) {
      console.log('systemd-analyze verify skipped: systemd-analyze is not installed on this machine');
      ctx.skip();
    }
    // Verified as installed, except that node is looked up where this machine has it (verify checks
    // that ExecStart's program exists) and the user, which only exists on the server, is left out.
    const dir = mkdtempSync(join(tmpdir(), 'baocao-unit-'));
    try {
      const unit = read('deploy/baocao-bot.service')
        .replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `)
        .replace(/^(User|Group)=.*$/gm, '');
      const path = join(dir, 'baocao-bot.service');
      writeFileSync(path, unit);
      const result = await run('systemd-analyze', ['verify', path], { timeout: 20_000 }).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      // Complaints about this machine's own units (a container without systemd running) are not ours.
      const ours = result.stderr.split('\n').filter((l) => l.includes('baocao-bot'));
      expect(ours, result.stderr).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
