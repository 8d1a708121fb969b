/**
 * "typing…" in the chat while a slow command (the /baocao draft) is being built. The platforms show the
 * action for about five seconds, so it is repeated until the work is done; a failed call only loses the
 * indicator, never the reply.
 */
const REPEAT_MS = 4_000;

export function showTyping(send: () => Promise<unknown>): () => void {
  const once = () => void send().catch(() => undefined);
  once();
  const timer = setInterval(once, REPEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}
