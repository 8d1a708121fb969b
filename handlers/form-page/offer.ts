import { formatDateTime } from '../../domain/periods';
import { reply, type Reply } from '../../domain/replies';
import { loadConversation } from '../../storage/repositories/conversations';
import { openPeriods } from '../../storage/repositories/periods';
import { pageTexts } from '../../templates/form-page';
import type { CommandContext } from '../types';
import { FORM_PATHS, issueFormLink } from './access';

/**
 * /nhap also offers the whole form on one page: on Telegram a "Mở biểu mẫu" button that opens it inside
 * the app, on Zalo and the console a personal link. Only for an open period, and only where the page can
 * be reached (PUBLIC_URL over https; the console serves it on localhost itself).
 */
export function offerFormPage(c: CommandContext, replies: Reply[]): Reply[] {
  const { db, config } = c.deps;
  const last = replies.at(-1);
  if (!last || !c.contact.active || c.contact.unitId === null) return replies;
  const base = c.channel === 'console' ? c.deps.pageBaseUrl : config.http.publicUrl?.startsWith('https://') ? config.http.publicUrl : undefined;
  if (!base) return replies;
  const periodId = loadConversation(db, c.contact.id).periodId;
  const period = openPeriods(db, c.now, config.calendar).find((p) => p.id === periodId);
  if (!period) return replies;
  if (c.channel === 'telegram') {
    if (!config.telegram.token) return replies;
    const url = `${base}${FORM_PATHS.telegram}?period=${encodeURIComponent(period.id)}`;
    return [...replies.slice(0, -1), { ...last, webApp: { label: pageTexts.openFormLabel, url } }];
  }
  const link = issueFormLink(db, c.contact.id, period.id, c.now, config.formPage.linkTtlHours);
  const line = reply(pageTexts.formLinkLine(`${base}${FORM_PATHS.link}${link.token}`, formatDateTime(link.expiresAt, config.timeZone)));
  // The question stays last: it is what the next message answers.
  return [...replies.slice(0, -1), line, last];
}
