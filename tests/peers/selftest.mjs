// Proves the local peers behave as iExec's services do, from a client's side, with ethers and the official iexec
// SDK 9.0.1 as the reference clients. One PASS/FAIL line per check, then "N passed, M failed"; exit 1 on failure.
//
//   node selftest.mjs DIR/peers.json
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ethers } from 'ethers';
import { IExec, utils as iexecUtils } from 'iexec';
import {
  DATAPROTECTOR_ABI, DATASET_ABI, HUB_ABI, REGISTRY_ABI, NULL_ADDRESS, orderHash, pocoDomain, signOrder,
  web3SecretChallenge,
} from './lib/iexec.mjs';

const peers = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const provider = new ethers.JsonRpcProvider(peers.rpc, undefined,
  { staticNetwork: ethers.Network.from(peers.chainId), cacheTimeout: -1, pollingInterval: 50 });
const wallet = (role) => new ethers.Wallet(peers.accounts[role].privateKey, provider);
const [owner, consumer, appOwner, workerpoolOwner, stranger] =
  ['owner', 'consumer', 'appOwner', 'workerpoolOwner', 'stranger'].map(wallet);
const hub = new ethers.Contract(peers.hub, HUB_ABI, provider);
const TAG = '0x0000000000000000000000000000000000000000000000000000000000000009';   // TEE + TDX
const DATASET_SCHEMA_TOPIC = '0x37b19b8900a9b045473748167f459fa16828f33c13d71473bca4b5e52e5f4d5d';

let passed = 0, failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`PASS ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${error.shortMessage ?? error.message}`);
  }
}
function expect(condition, message) {
  if (!condition) throw new Error(message);
}
const same = (a, b, what) => expect(a === b, `${what}: got ${a}, expected ${b}`);

// ---- IPFS ------------------------------------------------------------------------------------------------------

async function ipfsAdd(bytes) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), 'protected');
  const res = await fetch(`${peers.ipfsApi}/api/v0/add`, { method: 'POST', body: form });
  expect(res.ok, `add answered ${res.status}`);
  const lines = (await res.text()).trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

// PROTOCOL.md §1.7: a5 03 (421) 22 (34 bytes) then the CIDv0 multihash 12 20 <digest>.
const multiaddrOf = (cid) => ethers.concat(['0xa50322', ethers.toBeHex(ethers.decodeBase58(cid), 34)]);

// ---- the protected data that flows through every check ---------------------------------------------------------

const key = randomBytes(32);
const iv = randomBytes(16);
const plaintext = Buffer.from(`protectedfs peers self-test ${new Date().toISOString()}\n`);
const cipher = createCipheriv('aes-256-cbc', key, iv);
const file = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
const checksum = '0x' + createHash('sha256').update(file).digest('hex');
const schema = '{"note":"string"}';
const name = `selftest-${Date.now()}`;
let cid, multiaddr, dataset, dataset2, datasetOrder, datasetOrderHash;

await check('vectors: SMS web3-secret challenge and Authorization match sms_challenge.json', async () => {
  const vectors = JSON.parse(readFileSync(new URL('../vectors/sms_challenge.json', import.meta.url), 'utf8'));
  for (const v of vectors) {
    const challenge = web3SecretChallenge(v.secret_address, ethers.toUtf8Bytes(v.secret_value));
    same(challenge, v.challenge, 'challenge');
    same(new ethers.Wallet(v.signer_private_key).signMessageSync(ethers.getBytes(challenge)), v.authorization, 'authorization');
  }
});

await check('ipfs: /api/v0/add gives a CIDv0 and the gateway serves the same bytes', async () => {
  const added = await ipfsAdd(file);
  cid = added.Hash;
  expect(/^Qm[1-9A-HJ-NP-Za-km-z]{44}$/.test(cid), `not a CIDv0: ${cid}`);
  const res = await fetch(`${peers.ipfsGateway}/ipfs/${cid}`);
  expect(res.ok, `gateway answered ${res.status}`);
  expect(Buffer.from(await res.arrayBuffer()).equals(file), 'gateway bytes differ');
  multiaddr = multiaddrOf(cid);
});

await check('chain: PoCo domain is iExecODB 5.0.0 on chain 31337 at the hub', async () => {
  const domain = await pocoDomain(hub);
  same(domain.name, 'iExecODB', 'name');
  same(domain.version, '5.0.0', 'version');
  same(domain.chainId, 31337n, 'chainId');
  same(domain.verifyingContract, peers.hub, 'verifyingContract');
  same(await hub.countCategory(), 5n, 'categories');
  same(await hub.datasetregistry(), peers.datasetRegistry, 'dataset registry');
});

await check('dataprotector: createDatasetWithSchema (0x167fbf5f) mints to the owner and logs DatasetSchema', async () => {
  const dp = new ethers.Contract(peers.dataprotector, DATAPROTECTOR_ABI, owner);
  const args = [owner.address, name, schema, multiaddr, checksum];
  dataset = await dp.createDatasetWithSchema.staticCall(...args);
  const tx = await dp.createDatasetWithSchema(...args);
  expect(tx.data.startsWith('0x167fbf5f'), `selector ${tx.data.slice(0, 10)}`);
  const receipt = await tx.wait();
  const log = receipt.logs.find((l) => l.address === peers.dataprotector);
  same(log?.topics[0], DATASET_SCHEMA_TOPIC, 'topic0');
  same(ethers.getAddress(ethers.dataSlice(log.topics[1], 12)), dataset, 'topic1');
  same(dp.interface.parseLog(log).args.schema, schema, 'schema in log');
  const d = new ethers.Contract(dataset, DATASET_ABI, provider);
  same(await d.owner(), owner.address, 'owner()');
  same(await d.m_datasetName(), name, 'name');
  same(await d.m_datasetMultiaddr(), multiaddr, 'multiaddr');
  same(await d.m_datasetChecksum(), checksum, 'checksum');
  const registry = new ethers.Contract(peers.datasetRegistry, REGISTRY_ABI, provider);
  same(await registry.ownerOf(BigInt(dataset)), owner.address, 'ERC-721 owner (not the DataProtector)');
  same(await registry.isRegistered(dataset), true, 'registered');
  // A second dataset, for the checks that need one without a secret.
  const args2 = [owner.address, `${name}-2`, schema, multiaddr, checksum];
  dataset2 = await dp.createDatasetWithSchema.staticCall(...args2);
  await (await dp.createDatasetWithSchema(...args2)).wait();
});

await check('dataprotector: the same (owner, name, multiaddr, checksum) twice reverts', async () => {
  const dp = new ethers.Contract(peers.dataprotector, DATAPROTECTOR_ABI, owner);
  let reverted = false;
  try {
    await dp.createDatasetWithSchema.staticCall(owner.address, name, schema, multiaddr, checksum);
  } catch (error) {
    reverted = error.code === 'CALL_EXCEPTION';
  }
  expect(reverted, 'did not revert');
});

// ---- SMS -------------------------------------------------------------------------------------------------------

async function pushSecret(signer, address, value, authorization) {
  const body = Buffer.from(value);
  const auth = authorization ?? await signer.signMessage(ethers.getBytes(web3SecretChallenge(address, body)));
  const res = await fetch(`${peers.sms}/secrets/web3?secretAddress=${address}`,
    { method: 'POST', headers: { 'Content-Type': 'text/plain', Authorization: auth }, body });
  return res.status;
}
const secretStatus = async (address) =>
  (await fetch(`${peers.sms}/secrets/web3?secretAddress=${address}`, { method: 'HEAD' })).status;

await check('sms: owner push 204, HEAD 204, second push 409', async () => {
  same(await secretStatus(dataset), 404, 'HEAD before');
  same(await pushSecret(owner, dataset, key.toString('base64')), 204, 'push');
  same(await secretStatus(dataset), 204, 'HEAD after');
  same(await pushSecret(owner, dataset, key.toString('base64')), 409, 'second push');
});

await check('sms: non-owner 401, bad signature 401, no contract 401, over 4096 bytes 413', async () => {
  same(await pushSecret(stranger, dataset2, 'x'.repeat(44)), 401, 'stranger');
  same(await pushSecret(owner, dataset2, 'x'.repeat(44), '0x1234'), 401, 'malformed signature');
  const sig = await owner.signMessage(ethers.getBytes(web3SecretChallenge(dataset2, Buffer.from('other value'))));
  same(await pushSecret(owner, dataset2, 'x'.repeat(44), sig), 401, 'signature over another body');
  same(await pushSecret(owner, ethers.Wallet.createRandom().address, 'x'), 401, 'address without code');
  same(await pushSecret(owner, dataset2, 'x'.repeat(4097)), 413, '4097 bytes');
  same(await secretStatus(dataset2), 404, 'HEAD still 404');
});

await check('sms: the stored key (test-only read) decrypts the file fetched through the gateway', async () => {
  const stored = await (await fetch(`${peers.sms}/test/secrets/${dataset}`)).json();
  const fetched = Buffer.from(await (await fetch(`${peers.ipfsGateway}/ipfs/${cid}`)).arrayBuffer());
  same('0x' + createHash('sha256').update(fetched).digest('hex'), checksum, 'checksum of the fetched file');
  const decipher = createDecipheriv('aes-256-cbc', Buffer.from(stored.value, 'base64'), fetched.subarray(0, 16));
  const clear = Buffer.concat([decipher.update(fetched.subarray(16)), decipher.final()]);
  expect(clear.equals(plaintext), 'decrypted bytes differ');
});

// ---- market ----------------------------------------------------------------------------------------------------

async function login(signer) {
  const res = await fetch(`${peers.market}/challenge?chainId=${peers.chainId}&address=${signer.address}`);
  const { ok, data } = await res.json();
  expect(ok && data?.primaryType === 'Challenge', 'bad challenge answer');
  const { EIP712Domain, ...types } = data.types;
  const signature = await signer.signTypedData(data.domain, types, data.message);
  return `${ethers.TypedDataEncoder.hash(data.domain, types, data.message)}_${signature}_${signer.address}`;
}
async function marketPost(kind, authorization, order) {
  const res = await fetch(`${peers.market}/${kind}s?chainId=${peers.chainId}`, { method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(authorization && { authorization }) }, body: JSON.stringify({ order }) });
  return { status: res.status, body: await res.json() };
}
const marketGet = async (path) => (await fetch(`${peers.market}${path}`)).json();
const salt = () => ethers.hexlify(randomBytes(32));
const stringify = (order) => Object.fromEntries(Object.entries(order).map(([k, v]) => [k, String(v)]));
let domain, appOrder, workerpoolOrder;

await check('market: challenge is the iExec Gateway EIP-712 typed data', async () => {
  const { ok, data } = await marketGet(`/challenge?chainId=${peers.chainId}&address=${owner.address}`);
  expect(ok, 'ok false');
  same(JSON.stringify(data.domain), JSON.stringify({ name: 'iExec Gateway', version: '1', chainId: peers.chainId }), 'domain');
  same(JSON.stringify(data.types.Challenge), JSON.stringify([{ name: 'challenge', type: 'string' }]), 'types');
  expect(typeof data.message.challenge === 'string', 'message');
});

await check('market: owner publishes a signed DatasetOrder (apprestrict = test app, requester = consumer)', async () => {
  domain = await pocoDomain(hub);
  datasetOrder = stringify({ dataset, datasetprice: 0, volume: 2, tag: TAG, apprestrict: peers.app,
    workerpoolrestrict: NULL_ADDRESS, requesterrestrict: consumer.address, salt: salt() });
  datasetOrder.sign = await signOrder(owner, domain, 'DatasetOrder', datasetOrder);
  datasetOrderHash = orderHash(domain, 'DatasetOrder', datasetOrder);
  const authorization = await login(owner);
  const { status, body } = await marketPost('datasetorder', authorization, datasetOrder);
  same(status, 200, `publish (${body.error})`);
  same(body.published.orderHash, datasetOrderHash, 'orderHash');
  same(body.published.remaining, 2, 'remaining');
  same(body.published.status, 'open', 'status');
  same(body.published.signer, owner.address, 'signer');
  // Single-use challenge: the same authorization header is refused the second time.
  const again = { ...datasetOrder, salt: salt() };
  again.sign = await signOrder(owner, domain, 'DatasetOrder', again);
  const reused = await marketPost('datasetorder', authorization, again);
  same(reused.status, 403, 'reused challenge');
  same(reused.body.error, 'invalid authorization', 'reused challenge error');
});

await check('market: refuses a non-owner publisher, a non-owner signature, apprestrict 0x0, a duplicate', async () => {
  const byStranger = { ...datasetOrder, salt: salt() };
  byStranger.sign = await signOrder(stranger, domain, 'DatasetOrder', byStranger);
  let r = await marketPost('datasetorder', await login(stranger), byStranger);
  same(r.status, 403, 'stranger publishing');
  expect(/only order signer/.test(r.body.error), r.body.error);
  r = await marketPost('datasetorder', await login(owner), byStranger);
  same(r.status, 403, 'order signed by a stranger');
  same(r.body.error, 'invalid sign', 'error');
  const anyApp = { ...datasetOrder, apprestrict: NULL_ADDRESS, salt: salt() };
  anyApp.sign = await signOrder(owner, domain, 'DatasetOrder', anyApp);
  r = await marketPost('datasetorder', await login(owner), anyApp);
  same(r.status, 403, 'apprestrict 0x0');
  r = await marketPost('datasetorder', await login(owner), datasetOrder);
  same(r.status, 403, 'duplicate');
  same(r.body.error, 'order already published', 'duplicate error');
  r = await marketPost('datasetorder', undefined, datasetOrder);
  same(r.status, 403, 'no authorization');
  r = await marketPost('datasetorder', await login(owner), { ...datasetOrder, volume: 'lots' });
  same(r.status, 400, 'malformed order');
});

const listQuery = () => `/datasetorders?chainId=${peers.chainId}&dataset=${dataset}&app=${peers.app}` +
  `&requester=${consumer.address}&isAppStrict=true&isRequesterStrict=false&pageIndex=0&pageSize=20`;

await check('market: lists the open order (count 1, remaining 2) and serves it by hash', async () => {
  const list = await marketGet(listQuery());
  same(list.ok, true, 'ok');
  same(list.count, 1, 'count');
  same(list.orders[0].orderHash, datasetOrderHash, 'orderHash');
  same(list.orders[0].remaining, 2, 'remaining');
  same(list.orders[0].order.sign, datasetOrder.sign, 'sign');
  const one = await marketGet(`/datasetorders/${datasetOrderHash}?chainId=${peers.chainId}`);
  same(one.status, 'open', 'status');
  const none = await marketGet(`/datasetorders?chainId=${peers.chainId}&dataset=${dataset}&app=${peers.workerpool}&isAppStrict=true`);
  same(none.count, 0, 'other app');
});

await check('poco: hub.verifySignature is true for the published order, false for another signer', async () => {
  same(await hub.verifySignature(owner.address, datasetOrderHash, datasetOrder.sign), true, 'owner');
  same(await hub.verifySignature(stranger.address, datasetOrderHash, datasetOrder.sign), false, 'stranger');
});

await check('market: app and workerpool owners publish their orders; consumer finds them', async () => {
  appOrder = stringify({ app: peers.app, appprice: 0, volume: 10, tag: TAG, datasetrestrict: NULL_ADDRESS,
    workerpoolrestrict: NULL_ADDRESS, requesterrestrict: NULL_ADDRESS, salt: salt() });
  appOrder.sign = await signOrder(appOwner, domain, 'AppOrder', appOrder);
  workerpoolOrder = stringify({ workerpool: peers.workerpool, workerpoolprice: 0, volume: 10, tag: TAG, category: 0,
    trust: 0, apprestrict: NULL_ADDRESS, datasetrestrict: NULL_ADDRESS, requesterrestrict: NULL_ADDRESS, salt: salt() });
  workerpoolOrder.sign = await signOrder(workerpoolOwner, domain, 'WorkerpoolOrder', workerpoolOrder);
  let r = await marketPost('apporder', await login(appOwner), appOrder);
  same(r.status, 200, `app order (${r.body.error})`);
  r = await marketPost('workerpoolorder', await login(workerpoolOwner), workerpoolOrder);
  same(r.status, 200, `workerpool order (${r.body.error})`);
  const apps = await marketGet(`/apporders?chainId=${peers.chainId}&app=${peers.app}&dataset=${dataset}&requester=${consumer.address}`);
  same(apps.count, 1, 'app orders');
  const pools = await marketGet(`/workerpoolorders?chainId=${peers.chainId}&workerpool=${peers.workerpool}&category=0`);
  same(pools.count, 1, 'workerpool orders');
  appOrder = apps.orders[0].order;
  workerpoolOrder = pools.orders[0].order;
});

async function requestOrder() {
  const order = stringify({ app: peers.app, appmaxprice: 0, dataset, datasetmaxprice: 0, workerpool: peers.workerpool,
    workerpoolmaxprice: 0, requester: consumer.address, volume: 1, tag: TAG, category: 0, trust: 0,
    beneficiary: consumer.address, callback: NULL_ADDRESS, params: '{"iexec_args":"selftest"}', salt: salt() });
  order.sign = await signOrder(consumer, domain, 'RequestOrder', order);
  return order;
}
const consumerHub = hub.connect(consumer);

await check('poco: consumer matchOrders succeeds and viewConsumed goes to 1', async () => {
  const receipt = await (await consumerHub.matchOrders(appOrder, datasetOrder, workerpoolOrder, await requestOrder())).wait();
  same(receipt.status, 1, 'receipt status');
  same(await hub.viewConsumed(datasetOrderHash), 1n, 'viewConsumed');
  const list = await marketGet(listQuery());
  same(list.orders[0]?.remaining, 1, 'market remaining');
});

await check('poco: owner closes the order (manageDatasetOrder CLOSE); the market drops it; the match reverts', async () => {
  // Before the close the same match would go through: the revert below is the close's doing.
  await consumerHub.matchOrders.staticCall(appOrder, datasetOrder, workerpoolOrder, await requestOrder());
  const tx = await hub.connect(owner).manageDatasetOrder({ order: datasetOrder, operation: 1, sign: '0x' });
  expect(tx.data.startsWith('0x4b747106'), `selector ${tx.data.slice(0, 10)}`);
  const receipt = await tx.wait();
  expect(receipt.logs.some((l) => hub.interface.parseLog(l)?.name === 'ClosedDatasetOrder'), 'no ClosedDatasetOrder');
  same(await hub.viewConsumed(datasetOrderHash), 2n, 'viewConsumed = volume');
  same((await marketGet(listQuery())).count, 0, 'market count');
  same((await marketGet(`/datasetorders/${datasetOrderHash}?chainId=${peers.chainId}`)).status, 'canceled', 'status');
  let reverted = false;
  try {
    await consumerHub.matchOrders.staticCall(appOrder, datasetOrder, workerpoolOrder, await requestOrder());
  } catch (error) {
    reverted = error.code === 'CALL_EXCEPTION';
  }
  expect(reverted, 'match after close did not revert');
});

// ---- the official iexec SDK against these peers -----------------------------------------------------------------

const sdkOptions = { hubAddress: peers.hub, isNative: true, ipfsNodeURL: peers.ipfsApi, ipfsGatewayURL: peers.ipfsGateway,
  smsURL: peers.sms, iexecGatewayURL: peers.market };

await check('iexec SDK 9.0.1: showDataset reads name, multiaddr and checksum; the SMS has the secret', async () => {
  const iexec = new IExec({ ethProvider: peers.rpc }, sdkOptions);
  const { dataset: shown } = await iexec.dataset.showDataset(dataset);
  same(shown.datasetName, name, 'name');
  same(shown.datasetMultiaddr, `/p2p/${cid}`, 'multiaddr');
  same(shown.datasetChecksum, checksum, 'checksum');
  same(shown.owner, owner.address, 'owner');
  same(await iexec.dataset.checkDatasetSecretExists(dataset), true, 'secret exists');
  same(await iexec.dataset.checkDatasetSecretExists(dataset2), false, 'no secret');
});

await check('iexec SDK 9.0.1: signs, publishes, finds and unpublishes a dataset order through the market', async () => {
  const signer = iexecUtils.getSignerFromPrivateKey(peers.rpc, peers.accounts.owner.privateKey);
  const iexec = new IExec({ ethProvider: signer }, sdkOptions);
  const template = await iexec.order.createDatasetorder({ dataset, apprestrict: peers.app,
    requesterrestrict: consumer.address, tag: ['tee', 'tdx'], volume: 3 });
  const signed = await iexec.order.signDatasetorder(template, { preflightCheck: false });
  const hash = await iexec.order.publishDatasetorder(signed, { preflightCheck: false });
  same(hash, orderHash(domain, 'DatasetOrder', signed), 'SDK orderHash vs EIP-712 of lib/iexec.mjs');
  const book = await iexec.orderbook.fetchDatasetOrderbook({ dataset, app: peers.app, requester: consumer.address });
  same(book.count, 1, 'SDK orderbook count');
  same(book.orders[0].orderHash, hash, 'SDK orderbook orderHash');
  same(await hub.verifySignature(owner.address, hash, signed.sign), true, 'verifySignature');
  same(await iexec.order.unpublishDatasetorder(hash), hash, 'SDK unpublish');
  same((await iexec.orderbook.fetchDatasetOrderbook({ dataset, app: peers.app, requester: consumer.address })).count, 0,
    'SDK orderbook count after unpublish');
});

// ---- single-peer stop/start, as the fault tests will do it -------------------------------------------------------

const peerControl = (action, name) =>
  execFileSync(fileURLToPath(new URL('./peer.sh', import.meta.url)), [peers.dir, action, name], { stdio: 'inherit' });
const reachable = (url) => fetch(url).then(() => true, () => false);

await check('faults: anvil stopped and started keeps its blocks, logs and datasets; new transactions mine', async () => {
  const schemaLogs = () => provider.getLogs({ address: peers.dataprotector, topics: [DATASET_SCHEMA_TOPIC], fromBlock: 0 });
  const blockBefore = await provider.getBlockNumber(), logsBefore = (await schemaLogs()).length;
  peerControl('stop', 'anvil');
  expect(!(await reachable(peers.rpc)), 'chain still answering while stopped');
  peerControl('start', 'anvil');
  same(await provider.getBlockNumber(), blockBefore, 'block number');
  same((await schemaLogs()).length, logsBefore, 'DatasetSchema logs');
  same(await new ethers.Contract(dataset, DATASET_ABI, provider).m_datasetName(), name, 'dataset name');
  const dp = new ethers.Contract(peers.dataprotector, DATAPROTECTOR_ABI, owner);
  await (await dp.createDatasetWithSchema(owner.address, `${name}-3`, schema, multiaddr, checksum)).wait();
  same(await provider.getBlockNumber(), blockBefore + 1, 'new block');
});

await check('faults: js-ipfs killed (-9) and started again serves the same content and accepts adds', async () => {
  peerControl('kill', 'ipfs');
  expect(!(await reachable(`${peers.ipfsGateway}/ipfs/${cid}`)), 'gateway still answering while killed');
  peerControl('start', 'ipfs');
  const res = await fetch(`${peers.ipfsGateway}/ipfs/${cid}`);
  expect(res.ok && Buffer.from(await res.arrayBuffer()).equals(file), 'content lost');
  expect((await ipfsAdd(Buffer.from('after restart'))).Hash.startsWith('Qm'), 'add failed');
});

// The first request after a restart may go out on a kept-alive socket of the stopped process ("fetch failed": the
// other side closed); fetch drops that socket, so one more try opens a new connection.
const afterRestart = async (request) => {
  try {
    return await request();
  } catch (e) {
    if (e.message !== 'fetch failed') throw e;
    return await request();
  }
};

await check('faults: SMS and market restarted keep their secrets and orders', async () => {
  peerControl('restart', 'sms');
  same(await afterRestart(() => secretStatus(dataset)), 204, 'HEAD after restart');
  same(await pushSecret(owner, dataset, key.toString('base64')), 409, 'second push after restart');
  peerControl('restart', 'market');
  const order = await afterRestart(() => marketGet(`/datasetorders/${datasetOrderHash}?chainId=${peers.chainId}`));
  same(order.status, 'canceled', 'order');
});

provider.destroy();
console.log(`selftest: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
