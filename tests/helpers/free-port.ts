import { createServer } from 'node:net';

/**
 * A port free right now, for PUBLIC_URL (it must be known before the server binds). Kept free of vitest so
 * the benchmarks can use it too.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
