// What iExec sees of a bulk request protectedfs made on the local peers: the deal (dataset 0x0, one task per slice,
// params.bulk_cid), the root and the slices read back from IPFS, every order of every slice checked with PoCo's
// hub.verifySignature against its dataset's owner, and the SDK's own order.prepareDatasetBulk run on the same
// orders against the same IPFS node (same CIDs expected). Called by test_iexec_peers.cpp; prints one JSON object.
//
//   node iexec_bulk_check.mjs PEERS_ENV DEAL MAX_PER_TASK
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [peersEnv, dealid, maxPerTask] = process.argv.slice(2);
const env = Object.fromEntries(readFileSync(peersEnv, 'utf8').split('\n').filter((l) => l.includes('='))
  .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const peersPackage = fileURLToPath(new URL('../../peers/package.json', import.meta.url));
const require = createRequire(peersPackage);
const { IExec } = await import(pathToFileURL(require.resolve('iexec')).href);
const { ethers } = await import(pathToFileURL(require.resolve('ethers')).href);
const reader = new IExec({ ethProvider: env.PFS_RPC }, { hubAddress: env.PFS_HUB, isNative: true,
  ipfsNodeURL: env.PFS_IPFS_API, ipfsGatewayURL: env.PFS_IPFS_GATEWAY, smsURL: env.PFS_SMS,
  iexecGatewayURL: env.PFS_MARKET });
const hub = new ethers.Contract(env.PFS_HUB,
  ['function verifySignature(address account, bytes32 hash, bytes signature) view returns (bool)'],
  new ethers.JsonRpcProvider(env.PFS_RPC));
const ipfs = async (cid) => (await fetch(`${env.PFS_IPFS_GATEWAY}/ipfs/${cid}`)).text();

const deal = await reader.deal.show(dealid);
const params = JSON.parse(deal.params);
const rootText = await ipfs(params.bulk_cid);
const sliceCids = JSON.parse(rootText);
const orders = [];
const sliceSizes = [];
let verified = 0;
for (const cid of sliceCids) {
  const slice = JSON.parse(await ipfs(cid));
  sliceSizes.push(slice.length);
  for (const order of slice) {
    orders.push(order);
    const hash = await reader.order.hashDatasetorder(order);
    const { dataset } = await reader.dataset.showDataset(order.dataset);
    if (await hub.verifySignature(dataset.owner, hash, order.sign)) verified += 1;
  }
}
const sdk = await reader.order.prepareDatasetBulk(orders, { maxDatasetPerTask: Number(maxPerTask) });
console.log(JSON.stringify({
  dataset: deal.dataset.pointer,
  botSize: Number(deal.botSize),
  bulkCid: params.bulk_cid,
  encryption: params.iexec_result_encryption ?? false,
  sliceSizes,
  datasets: orders.map((o) => o.dataset),
  verified,
  sdkCid: sdk.cid,
  sdkVolume: sdk.volume,
}));
