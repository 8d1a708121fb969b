import { randomBytes } from 'node:crypto';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { RunnerHandle } from '@grammyjs/runner';
import type { AppDeps } from '../../handlers/types';
import { redactInLogs } from '../../log';
import { createTelegramBot, startTelegramPolling, startTelegramWebhook } from '../telegram/bot';
import { ZaloApiError, ZaloClient, parseZaloUpdatePayload } from '../zalo/client';
import type { ZaloUpdate } from '../zalo/types';
import { ZaloChannel, zaloSender, zaloUpdateKey } from '../zalo/adapter';
import { startZaloPolling, type ZaloPoller } from '../zalo/polling';
import { sendThrough } from '../outbox/telegram-sender';
import { formPageRoutes } from './form-page';
import { Intake } from './intake';
import { respondJson } from './io';
import { REPORT_ROUTE, reportLinkRoute } from './report-links';
import { createHttpServer, type Route } from './server';
import { telegramSender, telegramWebhookRoute } from './telegram-webhook';
import { zaloWebhookRoute } from './zalo-webhook';

/**
 * Starts everything a configured bot runs: Telegram and/or Zalo (each by polling or webhook) and the one
 * HTTP server (health check, webhook routes, report downloads). Order matters: the server listens and
 * updates left over from a previous run are queued before a webhook is registered, so the first
 * delivery already finds a route; polling deletes any webhook first, since the platforms refuse to
 * answer getUpdates while one is set.
 */

export const WEBHOOK_PATHS = { telegram: '/webhook/telegram', zalo: '/webhook/zalo' } as const;

export interface Runtime {
  /** Where the HTTP server listens. */
  readonly address: { host: string; port: number };
  readonly telegram: Bot | undefined;
  readonly zalo: { client: ZaloClient; channel: ZaloChannel } | undefined;
  /** Resolves once every stored update has been handled. */
  idle(): Promise<void>;
  /** Stops polling, closes the server, lets updates under way finish, closes the clients. */
  stop(): Promise<void>;
}

/** When no secret is configured, each start registers a fresh one with setWebhook. */
const randomSecret = (): string => randomBytes(32).toString('base64url');

export async function startRuntime(deps: AppDeps): Promise<Runtime> {
  const { config, log, db, clock } = deps;
  const publicUrl = config.http.publicUrl;
  const routes: Route[] = [];
  const intakes: { idle(): Promise<void> }[] = [];
  const afterListen: (() => Promise<void>)[] = [];
  let runner: RunnerHandle | undefined;
  let poller: ZaloPoller | undefined;

  let telegram: Bot | undefined;
  if (config.telegram.token) {
    redactInLogs(config.telegram.token);
    const bot = createTelegramBot({ token: config.telegram.token, apiRoot: config.telegram.apiRoot, deps });
    telegram = bot;
    if (config.telegram.mode === 'webhook') {
      const secret = config.telegram.webhookSecret ?? randomSecret();
      redactInLogs(secret);
      await bot.init();
      const intake = new Intake<Update>({
        db,
        channel: 'telegram',
        log,
        clock,
        handle: (u) => bot.handleUpdate(u),
        orderKey: telegramSender,
        decode: (json) => JSON.parse(json) as Update,
      });
      intakes.push(intake);
      routes.push({ methods: ['POST'], path: WEBHOOK_PATHS.telegram, handler: telegramWebhookRoute({ bot, secret, intake, log }) });
      afterListen.push(async () => {
        intake.recover();
        await startTelegramWebhook(bot, deps, `${publicUrl}${WEBHOOK_PATHS.telegram}`, secret);
      });
    } else {
      afterListen.push(async () => {
        runner = await startTelegramPolling(bot, deps);
      });
    }
  }

  let zalo: Runtime['zalo'];
  if (config.zalo.token) {
    const client = new ZaloClient({
      token: config.zalo.token,
      apiRoot: config.zalo.apiRoot,
      // Only reachable with a loopback PUBLIC_URL (config refuses other http:// addresses): local tests.
      allowInsecureUrls: publicUrl?.startsWith('http://') ?? false,
      onInvalidUpdate: () => log.warn('zalo update not understood, dropped'),
    });
    const channel = new ZaloChannel({ client, deps, publicUrl, linkTtlHours: config.reportLinkTtlHours, limits: config.zaloRateLimit });
    zalo = { client, channel };
    const intake = new Intake<ZaloUpdate>({
      db,
      channel: 'zalo',
      log,
      clock,
      handle: (u) => channel.handleUpdate(u),
      orderKey: zaloSender,
      decode: (json) => parseZaloUpdatePayload(JSON.parse(json)),
    });
    intakes.push(intake);
    if (!publicUrl) log.warn('PUBLIC_URL is not set: reports cannot be handed over on Zalo (it has no file upload)');
    if (config.zalo.mode === 'webhook') {
      const secret = config.zalo.webhookSecret ?? randomSecret();
      redactInLogs(secret);
      routes.push({ methods: ['POST'], path: WEBHOOK_PATHS.zalo, handler: zaloWebhookRoute({ secret, intake, log }) });
      afterListen.push(async () => {
        const me = await client.getMe();
        intake.recover();
        await client.setWebhook({ url: `${publicUrl}${WEBHOOK_PATHS.zalo}`, secret_token: secret });
        log.info('zalo webhook set', { bot: me.account_name ?? me.id });
      });
    } else {
      afterListen.push(async () => {
        const me = await client.getMe();
        try {
          await client.deleteWebhook();
        } catch (err) {
          // Some answer "no webhook" with ok:false. If one is really still set, getUpdates fails and the
          // poller says so in the log while it backs off; the bot does not refuse to start over it.
          if (!(err instanceof ZaloApiError)) throw err;
          log.warn('zalo deleteWebhook refused, polling anyway', { errorCode: err.error_code, description: err.description });
        }
        intake.recover();
        poller = startZaloPolling({ client, log, onUpdate: (u) => void intake.accept(zaloUpdateKey(u), u) });
        log.info('zalo polling started', { bot: me.account_name ?? me.id });
      });
    }
  }

  const modes = {
    telegram: config.telegram.token ? config.telegram.mode : null,
    zalo: config.zalo.token ? config.zalo.mode : null,
  };
  routes.push(
    {
      methods: ['GET', 'HEAD'],
      path: '/healthz',
      handler: (req, res) => {
        try {
          db.$client.prepare('select 1').get();
        } catch {
          return respondJson(req, res, 503, { ok: false, error: 'database unavailable' });
        }
        respondJson(req, res, 200, { ok: true, channels: modes, zaloPollFailures: poller?.failures ?? null });
      },
    },
    { methods: ['GET', 'HEAD'], path: REPORT_ROUTE, handler: reportLinkRoute({ db, clock }) },
    // The form page; a confirmation there is announced in the chat of the account that made it.
    ...formPageRoutes({
      deps,
      telegramToken: config.telegram.token,
      senders: {
        ...(telegram ? { telegram: sendThrough(telegram.api) } : {}),
        ...(zalo ? { zalo: (contact, replies) => zalo.channel.sendReplies(contact.externalId, replies, contact.externalId) } : {}),
      },
    }),
  );

  const http = createHttpServer(routes, log);
  const address = await http.listen(config.http.host, config.http.port);
  log.info('http server listening', address);

  const idle = async (): Promise<void> => {
    await Promise.all(intakes.map((i) => i.idle()));
  };
  const stop = async (): Promise<void> => {
    await poller?.stop();
    if (runner?.isRunning()) await runner.stop();
    await http.close();
    await Promise.race([idle(), new Promise((r) => setTimeout(r, 10_000).unref())]);
    await zalo?.client.close();
  };

  try {
    for (const start of afterListen) await start();
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { address, telegram, zalo, idle, stop };
}
