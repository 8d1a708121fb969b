/**
 * The peer of the Zalo webhook figures in bench/answers.bench.ts: a bare node:http server that reads the
 * request body and answers 200 {"ok":true}. Prints its port on stdout. Plain JavaScript run by plain node.
 */
import http from 'node:http';

const server = http.createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
