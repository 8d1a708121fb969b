/**
 * What the bot says, independent of any channel. An action is a shortcut a channel may render as a
 * button (Telegram) or as a line of text (Zalo, console); `choice` marks a reply that waits for exactly
 * one of its actions, so text channels number them ("Trả lời 1 để …") and the engine accepts the digit.
 */
export interface Action {
  label: string;
  /** The command text the action stands for, e.g. "/boqua"; at most 64 bytes (Telegram callback_data). */
  command: string;
}

export interface Reply {
  text: string;
  actions?: Action[];
  choice?: boolean;
  /** A file to hand over (the report); channels that cannot send files hand over a link instead. */
  document?: { filename: string; bytes: Uint8Array; caption?: string };
  /** A web page to open inside the chat app (Telegram Mini App button); text channels get a link instead. */
  webApp?: { label: string; url: string };
  /** A picture (PNG) sent after the text: a photo on Telegram, a link on Zalo, a file path in the console. */
  photo?: { filename: string; bytes: Uint8Array; caption?: string };
}

export const reply = (text: string, extra: Omit<Reply, 'text'> = {}): Reply => ({ text, ...extra });
