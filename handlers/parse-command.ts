/** Splits "/sua@baocao_bot 5" into { name: 'sua', arg: '5' }; null when the text is not a command. */
export function parseCommand(text: string): { name: string; arg: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  return { name: m[1]!.toLowerCase(), arg: (m[2] ?? '').trim() };
}
