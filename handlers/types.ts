import type { Config } from '../config';
import type { Logger } from '../log';
import type { Db } from '../storage/db';
import type { Channel, ContactRow } from '../storage/schema';
import type { Reply } from '../domain/replies';

/** One incoming event, already translated from the platform's payload by a channel adapter. */
export interface Incoming {
  channel: Channel;
  /** Unique per platform event, for de-duplication; null when the platform gives none (console). */
  updateKey: string | null;
  userId: string;
  displayName: string | null;
  event:
    | { kind: 'text'; text: string }
    | { kind: 'unsupported'; what: 'sticker' | 'photo' | 'file' | 'other' }
    | { kind: 'blocked' }
    | { kind: 'unblocked' };
}

export interface AppDeps {
  db: Db;
  config: Config;
  log: Logger;
  clock: () => Date;
  /** The console channel's own address for the form page (http://127.0.0.1:port); other channels use PUBLIC_URL. */
  pageBaseUrl?: string;
}

export interface CommandContext {
  deps: AppDeps;
  contact: ContactRow;
  now: Date;
  channel: Channel;
}

export type { Reply };
