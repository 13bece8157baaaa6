// Prints N distinct free TCP ports on 127.0.0.1, one a line: all N sockets are held open together so that the
// kernel cannot hand out the same port twice, then released for the peers to bind.
import { createServer } from 'node:net';

const count = Number(process.argv[2] ?? 1);
const servers = await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
  const server = createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve(server));
})));
console.log(servers.map((s) => s.address().port).join('\n'));
await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
