// Rewrites a js-ipfs repo config for an offline node on 127.0.0.1: API, gateway and gRPC on the given ports, no
// swarm listeners, no bootstrap peers, no MDNS/WebRTC discovery, no NAT port mapping, no pubsub. Without the empty
// Swarm and Bootstrap lists js-ipfs hangs trying to reach the network this machine does not have.
//
//   node lib/ipfs-config.mjs REPO/config API_PORT GATEWAY_PORT RPC_PORT
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

const [path, api, gateway, rpc] = process.argv.slice(2);
const config = JSON.parse(readFileSync(path, 'utf8'));
config.Addresses = {
  ...config.Addresses,
  Swarm: [], Announce: [], NoAnnounce: [], Delegates: [],
  API: `/ip4/127.0.0.1/tcp/${api}`,
  Gateway: `/ip4/127.0.0.1/tcp/${gateway}`,
  RPC: `/ip4/127.0.0.1/tcp/${rpc}`,
};
config.Bootstrap = [];
config.Discovery = { MDNS: { Enabled: false, Interval: 10 }, webRTCStar: { Enabled: false } };
config.Swarm = { ...config.Swarm, DisableNatPortMap: true };
config.Pubsub = { ...config.Pubsub, Enabled: false };
writeFileSync(`${path}.tmp`, JSON.stringify(config, null, 2));
renameSync(`${path}.tmp`, path);
