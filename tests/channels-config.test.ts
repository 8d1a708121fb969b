import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { ZALO_TOKEN } from './helpers/channels';

/** The channel and HTTP settings: defaults, and wrong values stopped at start under their own names. */

const TG = '123456789:AAFakeTelegramTokenForBaocaoBotTests';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('channel configuration', () => {
  test('defaults: polling, official Zalo host, port 8080, links valid 24 hours', () => {
    const c = loadConfig({ ZALO_BOT_TOKEN: ZALO_TOKEN });
    expect(c.zalo).toEqual({ token: ZALO_TOKEN, apiRoot: 'https://bot-api.zaloplatforms.com', mode: 'polling', webhookSecret: undefined });
    expect(c.telegram.mode).toBe('polling');
    expect(c.http).toEqual({ host: '0.0.0.0', port: 8080, publicUrl: undefined });
    expect(c.reportLinkTtlHours).toBe(24);
  });

  test('webhook mode needs PUBLIC_URL, named in the message', () => {
    expect(problems({ TELEGRAM_BOT_TOKEN: TG, TELEGRAM_MODE: 'webhook' })).toEqual([expect.stringMatching(/^PUBLIC_URL: required when TELEGRAM_MODE=webhook/)]);
    expect(problems({ ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_MODE: 'webhook' })).toEqual([expect.stringMatching(/^PUBLIC_URL: required when ZALO_MODE=webhook/)]);
    const ok = loadConfig({ ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_MODE: 'webhook', PUBLIC_URL: 'https://baocao.sogd.example.vn/' });
    expect(ok.http.publicUrl).toBe('https://baocao.sogd.example.vn');
  });

  test('a webhook mode refuses an http:// PUBLIC_URL, naming the variable: the platforms only call https', () => {
    for (const url of ['http://baocao.sogd.example.vn', 'http://127.0.0.1:8080']) {
      expect(problems({ ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_MODE: 'webhook', PUBLIC_URL: url })[0]).toMatch(
        /^PUBLIC_URL: (ZALO_MODE=webhook needs an https:\/\/ address \(Zalo only calls https webhooks\)|must be https)/,
      );
    }
    expect(problems({ TELEGRAM_BOT_TOKEN: TG, TELEGRAM_MODE: 'webhook', PUBLIC_URL: 'http://localhost:8080' })).toEqual([
      'PUBLIC_URL: TELEGRAM_MODE=webhook needs an https:// address (Telegram only calls https webhooks), not http://localhost:8080',
    ]);
    // Polling never gives the address to the platform; a Bot API on this machine (the tests' fakes) may call http.
    expect(problems({ ZALO_BOT_TOKEN: ZALO_TOKEN, PUBLIC_URL: 'http://127.0.0.1:8080' })).toEqual([]);
    expect(problems({ ZALO_BOT_TOKEN: ZALO_TOKEN, ZALO_MODE: 'webhook', ZALO_API_ROOT: 'http://127.0.0.1:9000', PUBLIC_URL: 'http://127.0.0.1:8080' })).toEqual([]);
  });

  test('refuses plain http (except localhost), bad secrets, bad modes, bad tokens', () => {
    expect(problems({ PUBLIC_URL: 'http://baocao.example.vn' })[0]).toMatch(/^PUBLIC_URL: must be https/);
    expect(problems({ PUBLIC_URL: 'http://127.0.0.1:8080' })).toEqual([]);
    expect(problems({ ZALO_WEBHOOK_SECRET: 'short' })[0]).toMatch(/^ZALO_WEBHOOK_SECRET: 16 to 256/);
    expect(problems({ TELEGRAM_WEBHOOK_SECRET: 'has spaces in it, sixteen+' })[0]).toMatch(/^TELEGRAM_WEBHOOK_SECRET/);
    expect(problems({ ZALO_MODE: 'push' })[0]).toMatch(/^ZALO_MODE/);
    expect(problems({ ZALO_BOT_TOKEN: 'not-a-token' })[0]).toMatch(/^ZALO_BOT_TOKEN/);
    expect(problems({ REPORT_LINK_TTL_HOURS: '0' })[0]).toMatch(/^REPORT_LINK_TTL_HOURS/);
    expect(problems({ HTTP_PORT: '70000' })[0]).toMatch(/^HTTP_PORT/);
  });
});
