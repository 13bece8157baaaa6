// What iExec sees of a bulk request protectedfs made on the local peers: the deal (dataset 0x0, one task per slice,
// params.bulk_cid), the root and the slices read back from IPFS, every order of every slice checked with PoCo's
// hub.verifySignature against its dataset's owner, and the SDK's own order.prepareDatasetBulk run on the same
// orders against the same IPFS node (same CIDs expected). Called by test_iexec_peers.cpp; prints one JSON object.
//
//   node iexec_bulk_check.mjs PEERS_ENV DEAL MAX_PER_TASK
import { ethers, peersReader, readPeersEnv } from './iexec_peers_sdk.mjs';

const [peersEnv, dealid, maxPerTask] = process.argv.slice(2);
const env = readPeersEnv(peersEnv);
const reader = peersReader(env);
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
