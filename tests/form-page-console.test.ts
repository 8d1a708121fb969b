import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { tempDir } from './helpers/harness';

/**
 * The console channel (no token) serves the form page on localhost and prints the personal link after
 * /nhap: a real process, a real HTTP request to the printed link, an answer saved there that the console's
 * /xem then shows.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = tempDir('baocao-console-page-');
afterAll(() => tmp.cleanup());

describe('console: the form page on localhost', () => {
  test('/nhap prints a link that opens the unit’s page; an answer saved there is the chat’s answer', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_PATH: `${tmp.dir}/c.db`, HTTP_PORT: '0', LOG_LEVEL: 'warn' };
    delete env.TELEGRAM_BOT_TOKEN;
    delete env.ZALO_BOT_TOKEN;
    delete env.PUBLIC_URL;
    const p = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
    const waitFor = async (re: RegExp, from = 0, ms = 30_000): Promise<RegExpExecArray> => {
      const until = Date.now() + ms;
      for (;;) {
        const m = re.exec(out.slice(from));
        if (m) return m;
        if (Date.now() > until) throw new Error(`console never printed ${re}; got:\n${out.slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const code = (await waitFor(/^ {2}([A-Z2-9]{4}-[A-Z2-9]{4}) {2}Trường THPT Chuyên Thăng Long$/m))[1]!;
      expect(out).toMatch(/Biểu mẫu trên một trang: .*http:\/\/127\.0\.0\.1:\d+/);
      p.stdin.write(`/start ${code}\n`);
      await waitFor(/Đã liên kết/);
      const mark = out.length;
      p.stdin.write('/nhap\n');
      const link = (await waitFor(/(http:\/\/127\.0\.0\.1:\d+\/form\/l\/[A-Za-z0-9_-]{43})/, mark))[1]!;

      const page = await fetch(link);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Trường THPT Chuyên Thăng Long');
      expect(html).toContain('<script src="/form/static/form.js" defer></script>');

      const token = link.split('/form/l/')[1]!;
      const save = await fetch(new URL('/form/api/save', link), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: { kind: 'link', token }, key: 'profile_pupils', text: '1,2 nghìn', seen: null }),
      });
      expect(save.status).toBe(200);
      const before = out.length;
      p.stdin.write('/xem\n');
      await waitFor(/Số học sinh[^\n]*1\.200 học sinh/, before);
      p.stdin.write('.thoat\n');
      expect(await exited).toBe(0);
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL');
    }
  }, 60_000);
});
