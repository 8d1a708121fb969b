import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { AppDeps } from '../../handlers/types';
import { queueForContacts, wakeQueues } from '../../handlers/notify';
import { accessForLink, accessForTelegramUser, FORM_PATHS, type Access, type Refusal } from '../../handlers/form-page/access';
import type { PageScope } from '../../handlers/form-page/engine';
import { confirmPage, saveField, showPage } from '../../handlers/form-page/service';
import { inTransaction } from '../../storage/db';
import { formBody, formPageTitle, messagePage, pageDocument, refusalTexts, telegramShell, STATIC_BASE, type RefusalText } from '../../templates/form-page';
import { HttpError, isJsonContentType, parseJson, readBody, respond, respondJson } from './io';
import type { Route } from './server';
import { validateInitData } from './telegram-init-data';

/**
 * The form page on the bot's HTTP server: the Telegram Mini App (/form/tg, authenticated by initData),
 * the personal link for Zalo and the console (/form/l/<token>), their script and style, and the JSON API
 * both use. Only the text typed travels; the server parses, checks, stores and confirms with the chat's code.
 */


/** Only our own files; Telegram's web clients may show the page in a frame (the Mini App). */
export const FORM_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  'frame-ancestors https://web.telegram.org https://*.web.telegram.org',
].join('; ');

/** A field's text is at most 2,000 characters (up to 4 bytes each), plus initData and JSON. */
export const FORM_API_BODY_LIMIT = 16 * 1024;

const AuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('telegram'), initData: z.string().min(1).max(8192) }),
  z.object({ kind: z.literal('link'), token: z.string().min(1).max(128) }),
]);
const PeriodField = z.string().regex(/^\d{4}-(?:Q[1-4]|H1|Y)$/).optional();
const LoadSchema = z.strictObject({ auth: AuthSchema, period: PeriodField });
const SaveSchema = z.strictObject({
  auth: AuthSchema,
  period: PeriodField,
  key: z.string().regex(/^[a-z][a-z0-9_]{0,47}$/),
  text: z.string().max(4000),
  seen: z.number().int().positive().nullable(),
  /** "Đúng" to the question back on an unlikely figure. */
  confirmUnlikely: z.boolean().optional(),
});

const STATUS: Record<Refusal | 'telegram_auth', number> = {
  telegram_auth: 401,
  not_linked: 403,
  no_open_period: 409,
  period_not_open: 409,
  link_unknown: 404,
  link_expired: 410,
  link_revoked: 410,
};

const HTML = 'text/html; charset=utf-8';

function secure(res: ServerResponse): void {
  res.setHeader('content-security-policy', FORM_CSP);
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

function staticFile(name: string): string {
  return readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8');
}

export interface FormPageOptions {
  deps: AppDeps;
  /** The bot token initData is signed with; without it Telegram pages are refused. */
  telegramToken: string | undefined;
}

export function formPageRoutes(o: FormPageOptions): Route[] {
  const { deps } = o;
  const { db, config, log } = deps;
  const script = staticFile('form.js');
  const style = staticFile('form.css');

  type Authorised = Access | { ok: false; refusal: 'telegram_auth' };
  const authorise = (tx: typeof db, auth: z.infer<typeof AuthSchema>, period: string | undefined, now: Date): Authorised => {
    if (auth.kind === 'link') return accessForLink(tx, config, auth.token, now);
    if (!o.telegramToken) return { ok: false, refusal: 'telegram_auth' };
    const check = validateInitData(auth.initData, o.telegramToken, now, config.formPage.initDataMaxAgeSeconds);
    if (!check.ok) {
      log.warn('form page: telegram initData refused', { reason: check.reason });
      return { ok: false, refusal: 'telegram_auth' };
    }
    return accessForTelegramUser(tx, config, check.userId, period, now);
  };

  const refuse = (req: IncomingMessage, res: ServerResponse, refusal: RefusalText): void => {
    const text = refusalTexts[refusal];
    respondJson(req, res, STATUS[refusal], { ok: false, error: refusal, title: text.title, message: text.body });
  };

  async function readJson<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
    if (!isJsonContentType(req.headers['content-type'])) throw new HttpError(415, 'Unsupported Media Type');
    const parsed = schema.safeParse(parseJson(await readBody(req, FORM_API_BODY_LIMIT)));
    if (!parsed.success) throw new HttpError(400, 'Bad Request');
    return parsed.data;
  }

  /**
   * One API call: the body read and validated, then the credential checked and `run` done in one
   * transaction, so what was authorised is what is written. Refusals are JSON the page shows; HttpError
   * (413, 415, 400) goes out through the server.
   */
  const api =
    <B extends z.infer<typeof LoadSchema>, T>(schema: z.ZodType<B>, run: (tx: typeof db, scope: PageScope, body: B, now: Date) => T, answer: (req: IncomingMessage, res: ServerResponse, out: T, scope: PageScope) => Promise<void> | void) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      secure(res);
      const body = await readJson(req, schema);
      const now = deps.clock();
      const out = inTransaction(db, (tx) => {
        const access = authorise(tx, body.auth, body.period, now);
        return access.ok ? { ok: true as const, scope: access.scope, value: run(tx, access.scope, body, now) } : access;
      });
      if (!out.ok) return refuse(req, res, out.refusal);
      await answer(req, res, out.value, out.scope);
    };

  const load = api(
    LoadSchema,
    (tx, scope, _body, now) => showPage({ ...deps, db: tx }, scope, now),
    (req, res, view) => respondJson(req, res, 200, { ok: true, title: formPageTitle(view), html: formBody(view, config.timeZone) }),
  );

  const save = api(
    SaveSchema,
    (tx, scope, body, now) => saveField({ ...deps, db: tx }, scope, body.key, body.text, body.seen, body.confirmUnlikely ?? false, now),
    (req, res, r) => {
      const status = r.outcome === 'saved' || r.outcome === 'unchanged' ? 200 : r.outcome === 'conflict' || r.outcome === 'closed' ? 409 : 422;
      respondJson(req, res, status, { ok: status === 200, ...r });
    },
  );

  const confirm = api(
    LoadSchema,
    (tx, scope, _body, now) => {
      const r = confirmPage({ ...deps, db: tx }, scope, now);
      // The chat hears of it as after /xacnhan, queued with the confirmation itself: both or neither.
      if (r.confirmed) queueForContacts(tx, [scope.contact], r.replies, now);
      return r;
    },
    (req, res, r) => {
      if (!r.confirmed) return respondJson(req, res, 422, { ok: false, confirmed: false, message: r.message, summary: r.summary });
      wakeQueues(db);
      respondJson(req, res, 200, { ok: true, confirmed: true, message: r.message, summary: r.summary });
    },
  );

  const linkPage = (req: IncomingMessage, res: ServerResponse, params: string[]) => {
    // The path holds the token: a failure is logged here without it, never by the server with the path.
    try {
      serveLink(req, res, params);
    } catch (err) {
      log.error('form page failed', { err: err instanceof Error ? err.message : String(err) });
      respond(req, res, 500, messagePage('Đã có lỗi', 'Đã có lỗi khi mở biểu mẫu. Các câu trả lời đã lưu vẫn được giữ; vui lòng thử lại sau ít phút.'), HTML);
    }
  };

  const serveLink = (req: IncomingMessage, res: ServerResponse, [token]: string[]) => {
    secure(res);
    const now = deps.clock();
    const out = inTransaction(db, (tx) => {
      const access = accessForLink(tx, config, token ?? '', now);
      if (!access.ok) return access;
      const view = showPage({ ...deps, db: tx }, access.scope, now);
      return { ok: true as const, html: pageDocument(formPageTitle(view), formBody(view, config.timeZone), { auth: 'link' }) };
    });
    if (!out.ok) {
      const text = refusalTexts[out.refusal];
      return respond(req, res, STATUS[out.refusal], messagePage(text.title, text.body), HTML);
    }
    respond(req, res, 200, out.html, HTML);
  };

  return [
    {
      methods: ['GET', 'HEAD'],
      path: FORM_PATHS.telegram,
      handler: (req, res) => {
        secure(res);
        respond(req, res, 200, telegramShell(), HTML);
      },
    },
    { methods: ['GET', 'HEAD'], path: /^\/form\/l\/([^/]*)$/, handler: linkPage },
    {
      methods: ['GET', 'HEAD'],
      path: `${STATIC_BASE}/form.js`,
      handler: (req, res) => {
        secure(res);
        respond(req, res, 200, script, 'text/javascript; charset=utf-8');
      },
    },
    {
      methods: ['GET', 'HEAD'],
      path: `${STATIC_BASE}/form.css`,
      handler: (req, res) => {
        secure(res);
        respond(req, res, 200, style, 'text/css; charset=utf-8');
      },
    },
    { methods: ['POST'], path: `${FORM_PATHS.api}load`, handler: load },
    { methods: ['POST'], path: `${FORM_PATHS.api}save`, handler: save },
    { methods: ['POST'], path: `${FORM_PATHS.api}confirm`, handler: confirm },
  ];
}
