import type { Reply } from '../domain/replies';

/**
 * Channels without buttons (Zalo, the console) show actions as text: a choice as numbered options
 * answered by the digit ("Trả lời 1 để xác nhận, 2 để sửa."), other actions as the commands to type.
 */
export function renderAsText(r: Reply): string {
  const actions = r.actions ?? [];
  if (actions.length === 0) return r.text;
  if (r.choice) {
    const options = actions.map((a, i) => `${i + 1} để ${a.label.charAt(0).toLowerCase()}${a.label.slice(1)}`);
    // Labels may hold commas themselves ("Chọn 2 tin, bài"): then options are set apart with semicolons.
    const sep = actions.some((a) => a.label.includes(',')) ? '; ' : ', ';
    return `${r.text}\n\nTrả lời ${options.join(sep)}.`;
  }
  const commands = actions.filter((a) => a.command.startsWith('/'));
  return commands.length ? `${r.text}\n\n${commands.map((a) => `${a.command}: ${a.label.toLowerCase()}`).join(' · ')}` : r.text;
}

/** Splits a long message at line breaks (then spaces) so every part fits the channel's limit. */
export function splitText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = rest.lastIndexOf('\n', limit);
    if (cut < limit / 2) cut = rest.lastIndexOf(' ', limit);
    if (cut < limit / 2) cut = limit;
    // Never cut between the two halves of a surrogate pair (an emoji): the part would not be valid UTF-16.
    if (cut === limit && /[\uD800-\uDBFF]/.test(rest.charAt(cut - 1))) cut--;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts.filter((p) => p.length > 0);
}
