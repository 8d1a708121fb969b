import { afterEach, describe, expect, test } from 'vitest';
import { inbox } from '../storage/schema';
import { storeInboxUpdate } from '../storage/repositories/inbox';
import { displayInviteCode } from '../domain/invite-code';
import { zaloTextUpdate } from './fakes/zalo-server';
import { H1_CLOCK } from './helpers/harness';
import { startApp, zaloChat, type App } from './helpers/channels';

/**
 * "Acknowledged only after stored": a webhook call is answered 200 only once its update is in the inbox;
 * if storing fails the platform gets an error (and delivers again); an update stored but not handled
 * before a stop is handled at the next start.
 */

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('the webhook inbox', () => {
  test('updates left unhandled by a crash are handled at the next start, in order', async () => {
    app = await startApp({
      zalo: 'polling',
      beforeStart: (deps, demo) => {
        const code = displayInviteCode(demo.units.find((u) => u.unit.code === 'THPT-THANGLONG')!.invite.code);
        // As if the previous process stored these two, acknowledged them, and died.
        for (const [i, text] of [`/start ${code}`, '/nhap'].entries()) {
          const update = zaloTextUpdate({ chatId: 'zl-crash', text, messageId: `crash-${i}` });
          storeInboxUpdate(deps.db, { channel: 'zalo', updateKey: `${update.event_name}:crash-${i}`, payload: JSON.stringify(update), now: H1_CLOCK });
        }
      },
    });
    const chat = zaloChat(app, 'zl-crash');
    await chat.expectReply('Đã liên kết tài khoản với Trường THPT Chuyên Thăng Long');
    await chat.expectReply('Câu 1/32');
    await app.runtime.idle();
    const rows = app.deps.db.select().from(inbox).all();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.processedAt !== null)).toBe(true);
  });

  test('when the update cannot be stored, the call is not acknowledged; the redelivery is', async () => {
    app = await startApp({ zalo: 'webhook' });
    const { db } = app.deps;
    const fake = app.zalo!;
    const update = zaloTextUpdate({ chatId: 'zl-disk', text: `/start ${app.codeOf('PGD-DALAT')}`, messageId: 'disk-1' });
    // A full disk, as far as the inbox is concerned.
    db.$client.exec(`CREATE TRIGGER inbox_full BEFORE INSERT ON inbox BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
    const refused = await fake.deliverWebhook(update);
    expect(refused.status).toBe(500);
    expect(refused.body).not.toContain('disk');
    await app.runtime.idle();
    expect(db.select().from(inbox).all()).toHaveLength(0);
    expect(fake.sent.filter((c) => c.method === 'sendMessage')).toHaveLength(0);

    db.$client.exec('DROP TRIGGER inbox_full');
    expect((await fake.deliverWebhook(update)).status).toBe(200);
    await zaloChat(app, 'zl-disk').expectReply('Đã liên kết');
  });

  test('GET /healthz reports the channels and their modes', async () => {
    app = await startApp({ zalo: 'webhook', telegram: 'polling' });
    const res = await fetch(`${app.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, channels: { telegram: { mode: 'polling', state: 'running' }, zalo: { mode: 'webhook', state: 'running' } } });
    expect((await fetch(`${app.baseUrl}/healthz`, { method: 'POST' })).status).toBe(405);
    const unknown = await fetch(`${app.baseUrl}/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('Không tìm thấy');
  });
});
