import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../log';
import { HttpError, respond, respondJson } from './io';

/**
 * The one HTTP server of the bot: health check, webhook routes and report downloads. A handful of fixed
 * routes does not earn a router dependency; this table is the whole routing.
 */

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void> | void;

export interface Route {
  methods: readonly string[];
  /** Exact path, or a pattern whose groups are passed as params. */
  path: string | RegExp;
  handler: RouteHandler;
}

export interface HttpServer {
  readonly server: http.Server;
  /** Resolves with the address actually bound (port 0 = any free port). */
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

export function createHttpServer(routes: Route[], log: Logger): HttpServer {
  const server = http.createServer((req, res) => {
    dispatch(routes, req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        respondJson(req, res, err.status, { ok: false, error: err.message });
        return;
      }
      log.error('http request failed', { path: pathOf(req), err: err instanceof Error ? err.message : String(err) });
      respondJson(req, res, 500, { ok: false, error: 'Internal Server Error' });
    });
  });
  // Slow-loris protection: a webhook call is small and quick.
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  return {
    server,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          resolve({ host: a.address, port: a.port });
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

async function dispatch(routes: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = pathOf(req);
  let pathMatched = false;
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    pathMatched = true;
    if (!route.methods.includes(req.method ?? '')) continue;
    await route.handler(req, res, params);
    return;
  }
  if (pathMatched) {
    res.setHeader('allow', [...new Set(routes.filter((r) => matchPath(r.path, path)).flatMap((r) => r.methods))].join(', '));
    respondJson(req, res, 405, { ok: false, error: 'Method Not Allowed' });
    return;
  }
  respond(req, res, 404, 'Không tìm thấy trang.\n', 'text/plain; charset=utf-8');
}

function matchPath(pattern: string | RegExp, path: string): string[] | null {
  if (typeof pattern === 'string') return pattern === path ? [] : null;
  const m = pattern.exec(path);
  return m ? m.slice(1).map((g) => g ?? '') : null;
}
