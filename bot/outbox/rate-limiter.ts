/**
 * A small outgoing queue for chat platforms whose client has no throttler of its own (Zalo).
 *
 * Limits are kept by spacing: two sends start at least 1000/perSecond ms apart overall, and at least
 * 1000/perChatPerSecond ms apart to the same chat. Spacing (rather than "N per window, then wait") never
 * bursts. Jobs start in the order they were queued, except that a job waiting for its chat's turn does not
 * hold back jobs for other chats; jobs of one chat always start in order.
 *
 * Spacing alone is not enough: the platform counts sends when they *arrive*, and a send that left on time
 * may arrive late (network, a busy event loop on either side), bunched with the ones after it. No fixed
 * margin covers every delay (2 % of 33 ms is 0.7 ms, within a loaded machine's jitter). So a second rule
 * holds whatever the delays: with K = ceil(limit) sends per window of K·gap (≥ 1 s), a send starts only
 * once every send K places before it (overall, and to its chat) has been answered, a window ago. A send
 * arrives before its answer comes back, so any K + 1 arrivals span at least a window. On a quick network
 * this costs nothing (the answer comes in a few ms); on a slow one it slows down instead of being refused.
 *
 * The time source and the timer are injectable for tests; by default they are the machine's.
 */

export interface RateLimits {
  /** Sends per second over all chats (Infinity: only the per-chat limit). */
  perSecond: number;
  /** Sends per second to one chat; omitted = no per-chat limit. */
  perChatPerSecond?: number;
  /** Sends running at the same time, at most; omitted = no limit (spacing alone bounds them). */
  maxConcurrent?: number;
}

export interface RetryPolicy {
  /** Extra attempts after the first one. */
  retries: number;
  /** Delay before retry n (1-based), in ms; default 1 s, 2 s, 4 s … capped at 30 s. */
  delayMs?: (attempt: number, err: unknown) => number;
  /** Only errors this accepts are retried (e.g. network errors and 5xx); others fail at once. */
  retryable: (err: unknown) => boolean;
}

export interface LimiterClock {
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
}

const MACHINE_CLOCK: LimiterClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RateLimiter {
  /** Runs `fn` when the limits allow a send to `chatKey`; resolves or rejects with its result. */
  schedule<T>(chatKey: string, fn: () => Promise<T>): Promise<T>;
  /** Jobs queued and not started yet. */
  readonly queued: number;
  /** Jobs started and not finished yet. */
  readonly running: number;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
}

/**
 * Start order and answer times of sends, to tell when every send up to a given one has been answered and
 * the latest of those answers (sends may be answered out of order).
 */
class Answers {
  #started = 0;
  /** Every send with an index ≤ this has been answered. */
  #settled = -1;
  #latest = -Infinity;
  readonly #answered = new Map<number, number>();
  /** latest answer among sends ≤ i, for the last `depth` settled indices. */
  readonly #latestUpTo: number[];
  readonly #depth: number;

  constructor(depth: number) {
    this.#depth = depth + 1;
    this.#latestUpTo = new Array<number>(this.#depth).fill(-Infinity);
  }

  get started(): number {
    return this.#started;
  }

  start(): number {
    return this.#started++;
  }

  answer(index: number, at: number): void {
    this.#answered.set(index, at);
    while (this.#answered.has(this.#settled + 1)) {
      this.#settled++;
      this.#latest = Math.max(this.#latest, this.#answered.get(this.#settled)!);
      this.#answered.delete(this.#settled);
      this.#latestUpTo[this.#settled % this.#depth] = this.#latest;
    }
  }

  /** When a new send may start so that it arrives a window after the send `back` places before it: null while one of those is unanswered. */
  readyAt(back: number, windowMs: number): number | null {
    const index = this.#started - back;
    if (index < 0) return -Infinity;
    if (index > this.#settled) return null;
    return this.#latestUpTo[index % this.#depth]! + windowMs;
  }
}

interface Job {
  key: string;
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

function checkLimits(l: RateLimits): void {
  // Infinity is allowed: no limit of that kind.
  const positive = (n: number | undefined) => n === undefined || (typeof n === 'number' && n > 0);
  if (!positive(l.perSecond) || !positive(l.perChatPerSecond)) throw new RangeError('rate limits must be positive numbers');
  if (l.maxConcurrent !== undefined && !(Number.isInteger(l.maxConcurrent) && l.maxConcurrent >= 1)) {
    throw new RangeError('maxConcurrent must be a positive integer');
  }
}

export function createRateLimiter(limits: RateLimits, clock: LimiterClock = MACHINE_CLOCK): RateLimiter {
  checkLimits(limits);
  const globalGap = 1000 / limits.perSecond;
  const chatGap = limits.perChatPerSecond === undefined ? 0 : 1000 / limits.perChatPerSecond;
  // The arrival rule (see above): K sends per window of K gaps, for finite limits.
  const globalK = Number.isFinite(limits.perSecond) ? Math.ceil(limits.perSecond) : 0;
  const chatK = chatGap > 0 && Number.isFinite(limits.perChatPerSecond) ? Math.ceil(limits.perChatPerSecond!) : 0;
  const globalAnswers = new Answers(globalK);
  const chatAnswers = new Map<string, Answers>();
  const chatState = (key: string) => {
    let a = chatAnswers.get(key);
    if (!a) chatAnswers.set(key, (a = new Answers(chatK)));
    return a;
  };
  const maxConcurrent = limits.maxConcurrent ?? Infinity;
  const queue: Job[] = [];
  const chatNext = new Map<string, number>();
  let globalNext = 0;
  let running = 0;
  let timer: unknown = null;
  let timerAt = Infinity;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = () => {
    if (queue.length === 0 && running === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const arm = (at: number) => {
    if (timer !== null && timerAt <= at) return;
    if (timer !== null) clock.clearTimer(timer);
    timerAt = at;
    timer = clock.setTimer(() => {
      timer = null;
      timerAt = Infinity;
      pump();
    }, Math.max(0, at - clock.now()));
  };

  function pump(): void {
    while (queue.length > 0 && running < maxConcurrent) {
      const now = clock.now();
      if (now < globalNext) return arm(globalNext);
      if (globalK > 0) {
        const at = globalAnswers.readyAt(globalK, globalK * globalGap);
        if (at === null) return; // an answer is awaited; its arrival pumps again
        if (now < at) return arm(at);
      }
      // The first job whose chat may receive now; jobs of one chat share that time, so they keep their order.
      let pick = -1;
      let earliestChat = Infinity;
      const blocked = new Set<string>();
      for (let i = 0; i < queue.length; i++) {
        const key = queue[i]!.key;
        if (blocked.has(key)) continue;
        let at = chatNext.get(key) ?? 0;
        if (chatK > 0 && at <= now) {
          const ready = chatAnswers.get(key)?.readyAt(chatK, chatK * chatGap) ?? -Infinity;
          if (ready === null) {
            blocked.add(key);
            continue;
          }
          at = Math.max(at, ready);
        }
        if (at <= now) {
          pick = i;
          break;
        }
        blocked.add(key);
        earliestChat = Math.min(earliestChat, at);
      }
      if (pick < 0) return earliestChat < Infinity ? arm(earliestChat) : undefined;
      const job = queue.splice(pick, 1)[0]!;
      globalNext = now + globalGap;
      if (chatGap > 0) chatNext.set(job.key, now + chatGap);
      const globalIndex = globalAnswers.start();
      const chat = chatK > 0 ? chatState(job.key) : null;
      const chatIndex = chat?.start() ?? 0;
      running++;
      void job
        .run()
        .then(job.resolve, job.reject)
        .finally(() => {
          const answeredAt = clock.now();
          globalAnswers.answer(globalIndex, answeredAt);
          chat?.answer(chatIndex, answeredAt);
          running--;
          pump();
          settleIdle();
        });
    }
    // Forget chats whose spacing has passed, so a long-running bot does not keep one entry per chat ever seen.
    if (chatNext.size > 1000) {
      const now = clock.now();
      for (const [k, at] of chatNext) if (at <= now) chatNext.delete(k);
    }
    if (chatAnswers.size > 1000) {
      const now = clock.now();
      for (const [k, a] of chatAnswers) {
        const ready = a.readyAt(1, chatK * chatGap);
        if (ready !== null && ready <= now) chatAnswers.delete(k);
      }
    }
  }

  return {
    schedule<T>(chatKey: string, fn: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ key: chatKey, run: fn, resolve: resolve as (v: unknown) => void, reject });
        pump();
      });
    },
    get queued() {
      return queue.length;
    },
    get running() {
      return running;
    },
    idle() {
      if (queue.length === 0 && running === 0) return Promise.resolve();
      return new Promise<void>((r) => idleWaiters.push(r));
    },
  };
}

const defaultDelay = (attempt: number) => Math.min(30_000, 1000 * 2 ** (attempt - 1));

/**
 * Wraps a channel's send function so that every call goes through one rate-limited queue (and, with a
 * retry policy, retries transient failures a bounded number of times; each retry queues again, so it
 * counts against the limits too). The first argument is the chat id the per-chat limit applies to.
 *
 *   const send = createRateLimitedSender({ perSecond: 10, perChatPerSecond: 1 }, (chatId, text: string) => client.sendMessage({ chat_id: chatId, text }));
 *   await send('user-42', 'Xin chào');
 */
export function createRateLimitedSender<A extends unknown[], R>(
  limits: RateLimits | RateLimiter,
  send: (chatId: string, ...rest: A) => Promise<R>,
  opts: { retry?: RetryPolicy; sleep?: (ms: number) => Promise<void> } = {},
): (chatId: string, ...rest: A) => Promise<R> {
  const limiter = 'schedule' in limits ? limits : createRateLimiter(limits);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (chatId, ...rest) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await limiter.schedule(chatId, () => send(chatId, ...rest));
      } catch (err) {
        const retry = opts.retry;
        if (!retry || attempt >= retry.retries || !retry.retryable(err)) throw err;
        await sleep((retry.delayMs ?? defaultDelay)(attempt + 1, err));
      }
    }
  };
}
