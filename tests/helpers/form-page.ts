import { answers, auditLog, formLinks } from '../../storage/schema';
import type { App } from './channels';

/** Shared by the form-page tests: calling the page's JSON API as the page script does, and row counts. */

export const PUBLIC = 'https://baocao.example.vn';

export type PageAuth = { kind: 'telegram'; initData: string } | { kind: 'link'; token: string };

export async function callApi(app: App, op: 'load' | 'save' | 'confirm', body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${app.baseUrl}/form/api/${op}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json, headers: res.headers };
}

/** What a refused request must leave untouched. */
export function rowCounts(app: App): { answers: number; audit: number; links: number } {
  const { db } = app.deps;
  return {
    answers: db.select().from(answers).all().length,
    audit: db.select().from(auditLog).all().length,
    links: db.select().from(formLinks).all().length,
  };
}

/** The personal link's token from the bot's message ("…/form/l/<token>"). */
export function tokenIn(text: string): string {
  const m = /\/form\/l\/([A-Za-z0-9_-]{43})/.exec(text);
  if (!m) throw new Error(`no form link in: ${text.slice(0, 300)}`);
  return m[1]!;
}
