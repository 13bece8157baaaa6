// What the iExec check scripts beside this file share: the local peers' addresses (the peers.env the peers_up
// fixture writes) and iExec's SDK and ethers, which live with the peers' packages (tests/peers/node_modules).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// PEERS_ENV's KEY=VALUE lines as an object (PFS_RPC, PFS_HUB, PFS_SMS, PFS_MARKET, PFS_IPFS_API, …).
export function readPeersEnv(path) {
  return Object.fromEntries(readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

const require = createRequire(fileURLToPath(new URL('../../peers/package.json', import.meta.url)));
export const { IExec, utils } = await import(pathToFileURL(require.resolve('iexec')).href);
export const { ethers } = await import(pathToFileURL(require.resolve('ethers')).href);

// The SDK's options for the local peers.
export function peersOptions(env) {
  return { hubAddress: env.PFS_HUB, isNative: true, ipfsNodeURL: env.PFS_IPFS_API,
    ipfsGatewayURL: env.PFS_IPFS_GATEWAY, smsURL: env.PFS_SMS, iexecGatewayURL: env.PFS_MARKET };
}

// An SDK that only reads (no wallet).
export function peersReader(env) {
  return new IExec({ ethProvider: env.PFS_RPC }, peersOptions(env));
}
