// What iExec's own SDK (npm iexec 9.0.1, installed with the peers in tests/peers/node_modules) sees of what
// protectedfs did on the local peers, and an order made by the SDK for protectedfs to read back. Called by
// test_iexec_peers.cpp; prints one JSON object.
//
//   node iexec_sdk_check.mjs PEERS_ENV DATASET ORDER_HASH APP REQUESTER OTHER_APP
import { IExec, ethers, peersOptions, peersReader, readPeersEnv, utils } from './iexec_peers_sdk.mjs';

const [peersEnv, dataset, orderHash, app, requester, otherApp] = process.argv.slice(2);
const env = readPeersEnv(peersEnv);

const options = peersOptions(env);
const reader = peersReader(env);

const { dataset: shown } = await reader.dataset.showDataset(dataset);
const published = await reader.orderbook.fetchDatasetorder(orderHash);
const book = await reader.orderbook.fetchDatasetOrderbook({ dataset, app, requester });
const hub = new ethers.Contract(env.PFS_HUB,
  ['function domain() view returns ((string name, string version, uint256 chainId, address verifyingContract))'],
  new ethers.JsonRpcProvider(env.PFS_RPC));
const domain = await hub.domain();
const { sign, ...order } = published.order;
const types = { DatasetOrder: [
  { name: 'dataset', type: 'address' }, { name: 'datasetprice', type: 'uint256' }, { name: 'volume', type: 'uint256' },
  { name: 'tag', type: 'bytes32' }, { name: 'apprestrict', type: 'address' }, { name: 'workerpoolrestrict', type: 'address' },
  { name: 'requesterrestrict', type: 'address' }, { name: 'salt', type: 'bytes32' }] };
const signer = ethers.verifyTypedData({ name: domain.name, version: domain.version, chainId: domain.chainId,
  verifyingContract: domain.verifyingContract }, types, order, sign);

// The other way: an order the SDK signs and publishes, for protectedfs to list.
const owner = new IExec({ ethProvider: utils.getSignerFromPrivateKey(env.PFS_RPC, process.env.PFS_SDK_OWNER_KEY) }, options);
const template = await owner.order.createDatasetorder({ dataset, apprestrict: otherApp, tag: ['tee', 'tdx'], volume: 4 });
const signed = await owner.order.signDatasetorder(template, { preflightCheck: false });
const sdkOrderHash = await owner.order.publishDatasetorder(signed, { preflightCheck: false });

console.log(JSON.stringify({
  name: shown.datasetName,
  multiaddr: shown.datasetMultiaddr,
  checksum: shown.datasetChecksum,
  owner: shown.owner,
  secretExists: await reader.dataset.checkDatasetSecretExists(dataset),
  orderHash: await reader.order.hashDatasetorder(published.order),
  remaining: published.remaining,
  status: published.status,
  signer,
  bookCount: book.count,
  bookHash: book.orders[0]?.orderHash ?? null,
  sdkOrderHash,
}));
