import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { handleIncoming } from '../../handlers/router';
import type { AppDeps } from '../../handlers/types';
import type { Reply } from '../../domain/replies';
import { renderAsText } from '../render-text';

/**
 * The console channel: the same handlers and database as Telegram, typed in a terminal. Several people
 * can be played in turn (".as NAME"), e.g. a principal and the office.
 */
export interface ConsoleOptions {
  deps: AppDeps;
  input: Readable;
  output: Writable;
  banner?: string;
  user?: string;
  /** Ends the session like ".thoat" (SIGTERM, Ctrl-C): the message being handled finishes first. */
  signal?: AbortSignal;
}

export async function runConsole(opts: ConsoleOptions): Promise<void> {
  const { deps, output } = opts;
  const print = (s: string) => output.write(s.endsWith('\n') ? s : s + '\n');
  let user = opts.user ?? 'hieutruong';
  if (opts.banner) print(opts.banner);
  const rl = createInterface({ input: opts.input, terminal: false });
  opts.signal?.addEventListener('abort', () => rl.close(), { once: true });
  const prompt = () => output.write(`\n[${user}]> `);
  prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (text === '.quit' || text === '.thoat') break;
    // ".as" alone (the line is trimmed) names the current person instead of being sent to the bot.
    if (text === '.as' || text.startsWith('.as ')) {
      user = text.slice(3).trim() || user;
      print(`(Đang đóng vai người dùng “${user}”.)`);
      prompt();
      continue;
    }
    if (text !== '') {
      try {
        // Printed as soon as they are committed: a follow-up (the /tiendo chart) never holds back the text.
        await handleIncoming(deps, { channel: 'console', updateKey: null, userId: user, displayName: null, event: { kind: 'text', text } }, undefined, {
          onCommitted: (replies) => {
            for (const r of replies) print(`\n${renderConsoleReply(r, deps.config.outputDir)}`);
          },
        });
      } catch (err) {
        deps.log.error('console message failed', { err });
        print('Đã có lỗi khi xử lý tin nhắn; dữ liệu đã nhập vẫn được giữ. Vui lòng thử lại.');
      }
    }
    prompt();
  }
  rl.close();
}

function renderConsoleReply(r: Reply, outputDir: string): string {
  const lines = [renderAsText(r)].filter((l) => l !== '');
  for (const file of [r.document, r.photo]) {
    if (!file) continue;
    mkdirSync(outputDir, { recursive: true });
    const path = resolve(join(outputDir, file.filename));
    writeFileSync(path, file.bytes);
    lines.push(`${file === r.photo ? '🖼 Đã lưu biểu đồ' : '📄 Đã lưu tệp'}: ${path}`);
  }
  return lines.join('\n');
}
