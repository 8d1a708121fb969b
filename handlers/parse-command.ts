/**
 * Splits "/sua@baocao_bot 5" into { name: 'sua', arg: '5' }; null when the text is not a command.
 * Names typed with Vietnamese diacritics ("/nhập", "/Sửa 3") are folded to the ASCII command names,
 * so a phone keyboard's accents never turn a command into an answer to the current question.
 */
export function parseCommand(text: string): { name: string; arg: string } | null {
  const m = /^\/([\p{L}\p{M}\p{N}_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/u.exec(text.trim());
  if (!m) return null;
  return { name: foldName(m[1]!), arg: (m[2] ?? '').trim() };
}

function foldName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}
