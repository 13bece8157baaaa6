// Writes DIR/peers.json, DIR/peers.env (KEY=VALUE lines, `set -a; . peers.env` exports them) and
// DIR/protectedfs.toml (a [networks.peers] profile in the format of SPEC.md §6) from the deployment and the ports.
//
//   node lib/write-peers.mjs DIR deployment.json anvil=P ipfs_api=P ipfs_gateway=P ipfs_rpc=P sms=P market=P
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

const [dir, deploymentFile, ...portArgs] = process.argv.slice(2);
const deployment = JSON.parse(readFileSync(deploymentFile, 'utf8'));
const ports = Object.fromEntries(portArgs.map((a) => a.split('=')).map(([k, v]) => [k, Number(v)]));
const url = (port) => `http://127.0.0.1:${port}`;

const peers = {
  dir,
  chainId: deployment.chainId,
  rpc: url(ports.anvil),
  hub: deployment.hub,
  appRegistry: deployment.appRegistry,
  datasetRegistry: deployment.datasetRegistry,
  workerpoolRegistry: deployment.workerpoolRegistry,
  dataprotector: deployment.dataprotector,
  app: deployment.app,
  workerpool: deployment.workerpool,
  deploymentBlock: deployment.blockNumber,
  ipfsApi: url(ports.ipfs_api),
  ipfsGateway: url(ports.ipfs_gateway),
  sms: url(ports.sms),
  market: url(ports.market),
  accounts: deployment.accounts,
  ports,
};

const env = {
  PFS_PEERS_DIR: dir,
  PFS_RPC: peers.rpc,
  PFS_CHAIN_ID: peers.chainId,
  PFS_HUB: peers.hub,
  PFS_APP_REGISTRY: peers.appRegistry,
  PFS_DATASET_REGISTRY: peers.datasetRegistry,
  PFS_WORKERPOOL_REGISTRY: peers.workerpoolRegistry,
  PFS_DATAPROTECTOR: peers.dataprotector,
  PFS_APP: peers.app,
  PFS_WORKERPOOL: peers.workerpool,
  PFS_DEPLOYMENT_BLOCK: peers.deploymentBlock,
  PFS_IPFS_API: peers.ipfsApi,
  PFS_IPFS_GATEWAY: peers.ipfsGateway,
  PFS_SMS: peers.sms,
  PFS_MARKET: peers.market,
};
for (const [role, { address, privateKey }] of Object.entries(deployment.accounts)) {
  const name = role.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();   // appOwner -> APP_OWNER
  env[`PFS_${name}_ADDRESS`] = address;
  env[`PFS_${name}_KEY`] = privateKey;
}
for (const [name, port] of Object.entries(ports)) env[`PFS_PORT_${name.toUpperCase()}`] = port;

const toml = `# Profile for protectedfs (SPEC.md §6) pointing at the local peers in ${dir}
[networks.peers]
chain_id = ${peers.chainId}
rpc = "${peers.rpc}"
hub = "${peers.hub}"
dataset_registry = "${peers.datasetRegistry}"
dataprotector = "${peers.dataprotector}"
ipfs_api = "${peers.ipfsApi}"
ipfs_gateway = "${peers.ipfsGateway}"
sms = "${peers.sms}"
market = "${peers.market}"
log_start_block = 0
order_tag = "0x0000000000000000000000000000000000000000000000000000000000000009"
`;

const write = (name, text) => {
  writeFileSync(join(dir, `${name}.tmp`), text);
  renameSync(join(dir, `${name}.tmp`), join(dir, name));
};
write('peers.json', JSON.stringify(peers, null, 2) + '\n');
write('peers.env', Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
write('protectedfs.toml', toml);
