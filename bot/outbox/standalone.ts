import { silentLogger, type Logger } from '../../log';
import { attachQueues, detachQueues } from '../../handlers/notify';
import type { AppDeps } from '../../handlers/types';
import { ZaloClient } from '../zalo/client';
import { ZaloChannel } from '../zalo/adapter';
import { telegramReplyQueue } from '../telegram/bot';

/**
 * For a process that runs no channel (the command line): messages to contacts (a unit told its report
 * was returned) are written to the reply queue, rendered as the channel would (Telegram buttons; Zalo
 * text with links instead of files), in the transaction that makes the change. The running bot's sender
 * reads the queue every few seconds and sends them; with no bot running, they go out when it starts.
 * Nothing is sent from here, so nothing is lost to a network failure.
 */
export function attachOutboxQueues(deps: Pick<AppDeps, 'db' | 'config' | 'clock'> & { log?: Logger }): { close: () => Promise<void> } {
  const { config, db } = deps;
  const closers: (() => Promise<void>)[] = [];
  if (config.telegram.token) {
    attachQueues(db, { telegram: telegramReplyQueue(() => undefined) });
  }
  if (config.zalo.token) {
    const publicUrl = config.http.publicUrl;
    // The channel only renders here; its client sends nothing and its sender is never started.
    const client = new ZaloClient({ token: config.zalo.token, apiRoot: config.zalo.apiRoot, allowInsecureUrls: publicUrl?.startsWith('http://') ?? false });
    const channel = new ZaloChannel({ client, deps: { db, config, clock: deps.clock, log: deps.log ?? silentLogger }, publicUrl, linkTtlHours: config.reportLinkTtlHours });
    attachQueues(db, { zalo: channel.replyQueue(() => undefined) });
    closers.push(() => client.close());
  }
  return {
    close: async () => {
      detachQueues(db);
      await Promise.all(closers.map((c) => c()));
    },
  };
}
