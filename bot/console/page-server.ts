import type { Writable } from 'node:stream';
import type { AppDeps } from '../../handlers/types';
import { renderAsText } from '../render-text';
import { attachQueues } from '../../handlers/notify';
import { formPageRoutes } from '../http/form-page';
import { createHttpServer } from '../http/server';

/**
 * The console channel serves the form page itself, on localhost only, so the personal link printed after
 * /nhap opens in a browser on the same machine. A busy HTTP_PORT is no reason to refuse the console: any
 * free port will do.
 */
export async function startConsolePageServer(deps: AppDeps, output: Writable): Promise<{ url: string | undefined; close(): Promise<void> }> {
  const server = createHttpServer(
    formPageRoutes({ deps, telegramToken: undefined }),
    deps.log,
  );
  // The console is one terminal: what is queued for a console contact is printed there once committed.
  const pending: string[] = [];
  attachQueues(deps.db, {
    console: {
      queue: (_tx, _contact, replies) => void pending.push(replies.map(renderAsText).join('\n\n')),
      wake: () => {
        for (const text of pending.splice(0)) output.write(`\n${text}\n`);
      },
    },
  });
  let address: { port: number } | undefined;
  for (const port of [deps.config.http.port, 0]) {
    try {
      address = await server.listen('127.0.0.1', port);
      break;
    } catch (err) {
      deps.log.warn('console form page: port unavailable', { port, err: err instanceof Error ? err.message : String(err) });
    }
  }
  return { url: address ? `http://127.0.0.1:${address.port}` : undefined, close: () => server.close() };
}
