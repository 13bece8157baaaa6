// The little HTTP plumbing the two stand-ins share: a loopback server with one log line per request, bounded body
// reading, JSON answers, a chain provider that never serves stale reads, and state files written atomically.
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { ethers } from 'ethers';

export class HttpError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export function serve(name, port, handler) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    try {
      await handler(req, res, url);
    } catch (error) {
      if (error instanceof HttpError) {
        send(res, error.status, error.body);
      } else {
        // Chain unreachable (a fault test stopped anvil) or a bug: the real services answer 500 and log it.
        console.error(`${name}: ${req.method} ${url.pathname}: ${error.shortMessage ?? error.message}`);
        send(res, 500, { ok: false, error: 'Something went wrong, you should retry later.' });
      }
    }
    console.log(`${name}: ${req.method} ${url.pathname}${url.search} -> ${res.statusCode}`);
  });
  server.listen(port, '127.0.0.1', () => console.log(`${name} listening on http://127.0.0.1:${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

// Reads the whole body; past `limit` bytes the rest is drained and null is returned (the caller answers 413).
export function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res, status, body, headers = {}) {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

// cacheTimeout -1: ethers otherwise reuses a read for 250 ms, and a stand-in must see a revoke mined a moment ago.
// staticNetwork: no network detection, so the stand-in starts (and recovers) while anvil is down.
export function chainProvider(rpc, chainId) {
  return new ethers.JsonRpcProvider(rpc, undefined, {
    staticNetwork: ethers.Network.from(Number(chainId)), cacheTimeout: -1, batchMaxCount: 1,
  });
}

export function loadState(path, empty) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : empty;
}

// Written on every change and renamed into place: a restarted stand-in (fault tests) finds what it had accepted.
export function saveState(path, state) {
  writeFileSync(`${path}.tmp`, JSON.stringify(state, null, 1));
  renameSync(`${path}.tmp`, path);
}
