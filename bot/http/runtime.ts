import { onGroupCommitError } from '../../storage/db';
import { attachQueues } from '../../handlers/notify';
import { randomBytes } from 'node:crypto';
import type { Bot } from 'grammy';
import type { AppDeps } from '../../handlers/types';
import { redactInLogs } from '../../log';
import { storageProblem } from '../../storage/health';
import { ChannelStatus, DEFAULT_BACKOFF, retryUntilDone, type Backoff } from '../channel-status';
import { createTelegramBot } from '../telegram/bot';
import { startTelegramChannel, type TelegramChannel } from '../telegram/channel';
import { ZaloApiError, ZaloClient, parseZaloUpdatePayload } from '../zalo/client';
import type { ZaloUpdate } from '../zalo/types';
import { ZaloChannel, zaloSender, zaloUpdateKey } from '../zalo/adapter';
import { startZaloPolling, type ZaloPoller } from '../zalo/polling';
import { formPageRoutes } from './form-page';
import { Intake } from './intake';
import { respondJson } from './io';
import { REPORT_ROUTE, reportLinkRoute } from './report-links';
import { createHttpServer, type Route } from './server';
import { telegramWebhookRoute } from './telegram-webhook';
import { zaloWebhookRoute } from './zalo-webhook';

/**
 * Starts everything a configured bot runs: Telegram and/or Zalo (each by polling or webhook) and the one
 * HTTP server (health check, webhook routes, report downloads).
 *
 * Channels are independent: each one's set-up (getMe, setWebhook, deleteWebhook…) runs in the background
 * and is retried with a growing wait while it fails, so a platform that is down delays only its own
 * channel; /healthz shows each channel's state. Updates that arrive before a channel is set up are stored
 * and handled once it is.
 */

export const WEBHOOK_PATHS = { telegram: '/webhook/telegram', zalo: '/webhook/zalo' } as const;

export interface Runtime {
  /** Where the HTTP server listens. */
  readonly address: { host: string; port: number };
  readonly telegram: Bot | undefined;
  readonly zalo: { client: ZaloClient; channel: ZaloChannel } | undefined;
  /** Resolves after each channel's first set-up attempt (worked or not), at most 15 s after the start. */
  readonly ready: Promise<void>;
  /** Resolves once every stored update has been handled and its replies sent (or waiting after a failure). */
  idle(): Promise<void>;
  /**
   * Stops fetching and accepting updates, finishes handling what is stored and sending what is queued
   * (within `graceMs`; what is left stays stored for the next start), closes the clients.
   */
  stop(graceMs?: number): Promise<void>;
}

/** How long `ready` waits for the platforms' first answer. */
const FIRST_ATTEMPT_WAIT_MS = 15_000;
/** After a failed group commit, the wait before its updates are handled again. */
const GROUP_RETRY_MS = 5_000;

/** When no secret is configured, each start registers a fresh one with setWebhook. */
const randomSecret = (): string => randomBytes(32).toString('base64url');

export interface RuntimeOptions {
  /** Waits after platform failures (tests shorten them). */
  backoff?: Backoff;
}

export async function startRuntime(deps: AppDeps, opts: RuntimeOptions = {}): Promise<Runtime> {
  const { config, log, db, clock } = deps;
  const publicUrl = config.http.publicUrl;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const routes: Route[] = [];
  const statuses: Record<string, ChannelStatus> = {};
  const afterListen: (() => void)[] = [];
  /** First set-up attempts: start-up waits for them (bounded), so a healthy platform is ready when it returns. */
  const firstAttempts: Promise<void>[] = [];

  let telegram: Bot | undefined;
  let telegramChannel: TelegramChannel | undefined;
  if (config.telegram.token) {
    redactInLogs(config.telegram.token);
    const bot = createTelegramBot({ token: config.telegram.token, apiRoot: config.telegram.apiRoot, deps });
    telegram = bot;
    const mode = config.telegram.mode;
    const secret = mode === 'webhook' ? (config.telegram.webhookSecret ?? randomSecret()) : undefined;
    redactInLogs(secret);
    afterListen.push(() => {
      telegramChannel = startTelegramChannel(bot, deps, {
        mode,
        ...(secret ? { webhook: { url: `${publicUrl}${WEBHOOK_PATHS.telegram}`, secret } } : {}),
        backoff,
      });
      statuses.telegram = telegramChannel.status;
      firstAttempts.push(telegramChannel.firstAttempt);
    });
    if (secret) {
      // The route exists before the channel: it stores (acknowledges) at once, handling waits for the set-up.
      routes.push({
        methods: ['POST'],
        path: WEBHOOK_PATHS.telegram,
        handler: (req, res, params) => {
          if (!telegramChannel) return respondJson(req, res, 503, { ok: false, error: 'starting' });
          return telegramWebhookRoute({ secret, intake: telegramChannel.intake, log })(req, res, params);
        },
      });
    }
  }

  let zalo: Runtime['zalo'];
  let zaloStop: (() => Promise<void>) | undefined;
  let zaloIntake: Intake<ZaloUpdate> | undefined;
  if (config.zalo.token) {
    redactInLogs(config.zalo.token);
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
      onFailed: (u) => channel.queueHandlingFailed(u),
    });
    zaloIntake = intake;
    const status = new ChannelStatus(config.zalo.mode);
    statuses.zalo = status;
    if (!publicUrl) log.warn('PUBLIC_URL is not set: reports cannot be handed over on Zalo (it has no file upload)');
    const stopper = new AbortController();
    let poller: ZaloPoller | undefined;
    let secret: string | undefined;
    if (config.zalo.mode === 'webhook') {
      secret = config.zalo.webhookSecret ?? randomSecret();
      redactInLogs(secret);
      routes.push({ methods: ['POST'], path: WEBHOOK_PATHS.zalo, handler: zaloWebhookRoute({ secret, intake, log }) });
    }
    const setUp = async (): Promise<void> => {
      const me = await client.getMe({ signal: stopper.signal });
      if (secret) {
        await client.setWebhook({ url: `${publicUrl}${WEBHOOK_PATHS.zalo}`, secret_token: secret }, { signal: stopper.signal });
        log.info('zalo webhook set', { bot: me.account_name ?? me.id });
        return;
      }
      try {
        await client.deleteWebhook({ signal: stopper.signal });
      } catch (err) {
        // Some answer "no webhook" with ok:false. If one is really still set, getUpdates fails and the
        // poller says so in the log while it backs off; the bot does not refuse to start over it.
        if (!(err instanceof ZaloApiError)) throw err;
        log.warn('zalo deleteWebhook refused, polling anyway', { errorCode: err.error_code, description: err.description });
      }
      log.info('zalo polling started', { bot: me.account_name ?? me.id });
    };
    let started: Promise<void> = Promise.resolve();
    afterListen.push(() => {
      attachQueues(db, { zalo: channel.replyQueue() });
      channel.sender.start();
      let firstTried!: () => void;
      firstAttempts.push(new Promise<void>((r) => (firstTried = r)));
      started = (async () => {
        const ok = await retryUntilDone(setUp, { what: 'set-up', channel: 'zalo', status, log, signal: stopper.signal, backoff, afterFirstTry: () => firstTried() });
        if (!ok) return;
        status.ok();
        intake.recover();
        if (!secret) {
          poller = startZaloPolling({
            client,
            log,
            backoffMs: backoff,
            status,
            onUpdates: (updates) => intake.acceptBatch(updates.map((u) => ({ updateKey: zaloUpdateKey(u), payload: u }))),
            room: (signal) => intake.room(signal),
          });
        }
      })();
    });
    zaloStop = async () => {
      stopper.abort();
      await started;
      await poller?.stop();
      status.state = 'stopped';
    };
  }

  routes.push(
    {
      methods: ['GET', 'HEAD'],
      path: '/healthz',
      handler: (req, res) => {
        const problem = storageProblem(db, clock());
        if (problem) {
          log.error('health check: database unavailable', { problem: problem.problem, detail: problem.detail });
          return respondJson(req, res, 503, { ok: false, error: 'database unavailable', problem: problem.problem, channels: statuses });
        }
        respondJson(req, res, 200, { ok: true, channels: statuses });
      },
    },
    { methods: ['GET', 'HEAD'], path: REPORT_ROUTE, handler: reportLinkRoute({ db, clock }) },
    // The form page; a confirmation there is announced in the chat of the account that made it.
    ...formPageRoutes({ deps, telegramToken: config.telegram.token }),
  );

  const http = createHttpServer(routes, log);
  const address = await http.listen(config.http.host, config.http.port);
  log.info('http server listening', address);
  for (const start of afterListen) start();
  const ready = Promise.race([Promise.all(firstAttempts).then(() => undefined), new Promise<void>((r) => setTimeout(r, FIRST_ATTEMPT_WAIT_MS).unref())]);

  const senders = () => [telegramChannel?.sender, zalo?.channel.sender].filter((s) => s !== undefined);
  const intakes = () => [telegramChannel?.intake, zaloIntake].filter((i) => i !== undefined);
  // A group of handlings that could not be committed (disk full, I/O error) was rolled back: its updates are
  // still unhandled in the inbox. Try them again a little later (the health check reports the disk).
  onGroupCommitError(db, (err) => {
    log.error('handled updates could not be committed; they will be handled again', { err: err instanceof Error ? err.message : String(err) });
    setTimeout(() => {
      for (const i of intakes()) i.retryUnhandled();
    }, GROUP_RETRY_MS).unref();
  });
  const idle = async (): Promise<void> => {
    await Promise.all(intakes().map((i) => i.idle()));
    await Promise.all(senders().map((s) => s.idle()));
  };
  const stop = async (graceMs = 8000): Promise<void> => {
    const deadline = new Promise<void>((r) => setTimeout(r, graceMs).unref());
    await Promise.all([telegramChannel?.stop(), zaloStop?.()]);
    await http.close();
    await Promise.race([idle(), deadline]);
    await Promise.all(senders().map((s) => s.stop()));
    await zalo?.client.close();
  };
  return { address, telegram, zalo, ready, idle, stop };
}
