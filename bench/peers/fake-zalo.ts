/**
 * The fake Zalo Bot API for the Zalo half of bench/answers.bench.ts, in a process of its own, so that the
 * bot's replies are served by another process than the one posting the webhook load (as with the real
 * platform): the bare server has no replies to send, and serving ours must not slow the load generator.
 * Prints `{"apiRoot": …}` once listening, `{"webhook": true}` once the webhook is set, then one line
 * `{"chat": …, "at": …, "text": …}` per message sent. Not measured itself.
 */
import { startFakeZalo } from '../../tests/fakes/zalo-server';

const fake = await startFakeZalo({ token: process.env.ZALO_BOT_TOKEN ?? '', requireHttpsWebhook: false });
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
out({ apiRoot: fake.apiRoot });
let webhook = false;
let printed = 0;
const timer = setInterval(() => {
  if (!webhook && fake.webhook.url !== undefined) out({ webhook: (webhook = true) });
  const sent = fake.sent;
  for (; printed < sent.length; printed++) {
    const c = sent[printed]!;
    if (c.method === 'sendMessage') out({ chat: Number(c.body.chat_id), at: c.at, text: String(c.body.text ?? '') });
  }
}, 50);
process.once('SIGTERM', () => {
  clearInterval(timer);
  void fake.close().then(() => process.exit(0));
});
