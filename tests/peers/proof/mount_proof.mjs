// What iExec's own code says of what a protectedfs mount published on the local peers (issue 5's proof), one check
// per command, exit 1 with the reason on the first mismatch. Run by tests/mount/iexec_proof.sh:
//   dataset ADDRESS NAME SCHEMA FIELDS_JSON   the iexec SDK reads the dataset (name, multiaddr, checksum); the
//                                             DatasetSchema log holds SCHEMA; the file at the multiaddr, fetched from
//                                             IPFS, decrypts with the key the SMS received, and iExec's deserializer
//                                             reads every field of FIELDS_JSON ({"path": ["type", value]}) back
//   verify OWNER GRANTS_JSON                  hub.verifySignature is true for every open grant's order (from the market)
//   offer                                     the app's and the workerpool's owners publish free orders (no one else will)
//   consumed ORDER_HASH                       prints hub.viewConsumed
//   order ORDER_HASH                          prints the signed dataset order as the market holds it (JSON)
//   match ORDER_JSON CONSUMER_KEY             matchOrders with that dataset order, as a static call: prints "ok" or the revert
import { createHash, randomBytes } from 'node:crypto';
import { ethers } from 'ethers';
import { IExec } from 'iexec';
import { DATAPROTECTOR_ABI, HUB_ABI, pocoDomain, signOrder } from '../lib/iexec.mjs';
import { IExecDataProtectorDeserializer, JSZip, decryptProtectedFile } from '../../interop/sdk.mjs';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = process.env;
const provider = new ethers.JsonRpcProvider(env.PFS_RPC, Number(env.PFS_CHAIN_ID), { staticNetwork: true, cacheTimeout: -1 });
const hub = new ethers.Contract(env.PFS_HUB, HUB_ABI, provider);
const fail = (why) => { console.error(`proof: ${why}`); process.exit(1); };
const same = (a, b, what) => { if (String(a) !== String(b)) fail(`${what}: got ${a}, expected ${b}`); };
const [command, ...args] = process.argv.slice(2);

async function login(wallet) {
  const { data } = await (await fetch(`${env.PFS_MARKET}/challenge?chainId=${env.PFS_CHAIN_ID}&address=${wallet.address}`)).json();
  const { EIP712Domain, ...types } = data.types;
  const signature = await wallet.signTypedData(data.domain, types, data.message);
  return `${ethers.TypedDataEncoder.hash(data.domain, types, data.message)}_${signature}_${wallet.address}`;
}
async function marketOrder(hash) {
  const answer = await (await fetch(`${env.PFS_MARKET}/datasetorders/${hash}?chainId=${env.PFS_CHAIN_ID}`)).json();
  if (!answer.order) fail(`the market does not know order ${hash}`);
  return answer.order;
}
const stringify = (order) => Object.fromEntries(Object.entries(order).map(([k, v]) => [k, String(v)]));
const salt = () => ethers.hexlify(randomBytes(32));
const TAG = '0x0000000000000000000000000000000000000000000000000000000000000009';

if (command === 'dataset') {
  const [address, name, schema, fields] = args;
  const iexec = new IExec({ ethProvider: env.PFS_RPC }, { hubAddress: env.PFS_HUB, isNative: true,
    ipfsNodeURL: env.PFS_IPFS_API, ipfsGatewayURL: env.PFS_IPFS_GATEWAY, smsURL: env.PFS_SMS });
  const { dataset } = await iexec.dataset.showDataset(address);
  same(dataset.datasetName, name, 'name read by the iexec SDK');
  const multiaddr = dataset.datasetMultiaddr;  // the SDK's human form: /p2p/Qm…
  if (!/^\/(p2p|ipfs)\/Qm/.test(multiaddr)) fail(`multiaddr read by the iexec SDK: ${multiaddr}`);
  const dp = new ethers.Contract(env.PFS_DATAPROTECTOR, DATAPROTECTOR_ABI, provider);
  const logs = await dp.queryFilter(dp.filters.DatasetSchema(address), 0);
  same(logs.length, 1, 'DatasetSchema logs of the dataset');
  same(logs[0].args.schema, schema, 'schema in the DatasetSchema log');
  const cid = multiaddr.split('/').pop();
  const file = Buffer.from(await (await fetch(`${env.PFS_IPFS_GATEWAY}/ipfs/${cid}`)).arrayBuffer());
  same('0x' + createHash('sha256').update(file).digest('hex'), dataset.datasetChecksum, 'checksum of the file in IPFS');
  const secret = await (await fetch(`${env.PFS_SMS}/test/secrets/${address}`)).json();  // the stand-in's test-only read
  const zip = decryptProtectedFile(file, secret.value);
  await JSZip.loadAsync(zip);  // a zip jszip opens
  const dir = mkdtempSync(join(tmpdir(), 'pfs-proof-'));
  try {
    writeFileSync(join(dir, 'data.zip'), zip);
    const deserializer = new IExecDataProtectorDeserializer({ protectedDataPath: join(dir, 'data.zip') });
    for (const [path, [type, expected]] of Object.entries(JSON.parse(fields))) {
      let value = await deserializer.getValue(path, type);
      if (value instanceof Uint8Array || value instanceof ArrayBuffer) value = Buffer.from(value).toString('hex');
      same(value, expected, `field ${path} read by the deserializer`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`dataset ${address}: name, multiaddr ${multiaddr}, checksum, schema and fields as iExec's code reads them`);
} else if (command === 'verify') {
  const [owner, grants] = args;
  let count = 0;
  for (const grant of JSON.parse(grants)) {
    const order = await marketOrder(grant.orderHash);
    if (!(await hub.verifySignature(owner, grant.orderHash, order.sign))) fail(`verifySignature false for ${grant.orderHash}`);
    count++;
  }
  console.log(`hub.verifySignature is true for ${count} order(s)`);
} else if (command === 'offer') {
  const domain = await pocoDomain(hub);
  for (const [kind, key, order] of [
    ['apporder', env.PFS_APP_OWNER_KEY, { app: env.PFS_APP, appprice: 0, volume: 1000000, tag: TAG,
      datasetrestrict: ethers.ZeroAddress, workerpoolrestrict: ethers.ZeroAddress, requesterrestrict: ethers.ZeroAddress, salt: salt() }],
    ['workerpoolorder', env.PFS_WORKERPOOL_OWNER_KEY, { workerpool: env.PFS_WORKERPOOL, workerpoolprice: 0, volume: 1000000,
      tag: TAG, category: 0, trust: 0, apprestrict: ethers.ZeroAddress, datasetrestrict: ethers.ZeroAddress,
      requesterrestrict: ethers.ZeroAddress, salt: salt() }]]) {
    const wallet = new ethers.Wallet(key, provider);
    const sign = await signOrder(wallet, domain, kind === 'apporder' ? 'AppOrder' : 'WorkerpoolOrder', order);
    const res = await fetch(`${env.PFS_MARKET}/${kind}s?chainId=${env.PFS_CHAIN_ID}`, { method: 'POST',
      headers: { 'Content-Type': 'application/json', authorization: await login(wallet) },
      body: JSON.stringify({ order: { ...stringify(order), sign } }) });
    if (!res.ok) fail(`publishing the ${kind}: ${res.status} ${await res.text()}`);
  }
  console.log('app and workerpool orders published');
} else if (command === 'consumed') {
  console.log(String(await hub.viewConsumed(args[0])));
} else if (command === 'order') {
  console.log(JSON.stringify(await marketOrder(args[0])));
} else if (command === 'match') {
  const [orderJson, consumerKey] = args;
  const consumer = new ethers.Wallet(consumerKey, provider);
  const domain = await pocoDomain(hub);
  const order = JSON.parse(orderJson);
  const appOrder = { app: env.PFS_APP, appprice: 0, volume: 1, tag: TAG, datasetrestrict: ethers.ZeroAddress,
    workerpoolrestrict: ethers.ZeroAddress, requesterrestrict: ethers.ZeroAddress, salt: salt() };
  const poolOrder = { workerpool: env.PFS_WORKERPOOL, workerpoolprice: 0, volume: 1, tag: TAG, category: 0, trust: 0,
    apprestrict: ethers.ZeroAddress, datasetrestrict: ethers.ZeroAddress, requesterrestrict: ethers.ZeroAddress, salt: salt() };
  const request = { app: env.PFS_APP, appmaxprice: 0, dataset: order.dataset, datasetmaxprice: order.datasetprice,
    workerpool: env.PFS_WORKERPOOL, workerpoolmaxprice: 0, requester: consumer.address, volume: 1, tag: TAG, category: 0,
    trust: 0, beneficiary: consumer.address, callback: ethers.ZeroAddress, params: '{}', salt: salt() };
  const sign = async (key, type, o) => signOrder(new ethers.Wallet(key, provider), domain, type, o);
  const consumerHub = hub.connect(consumer);
  try {
    await consumerHub.matchOrders.staticCall(
      { ...appOrder, sign: await sign(env.PFS_APP_OWNER_KEY, 'AppOrder', appOrder) },
      { ...order },
      { ...poolOrder, sign: await sign(env.PFS_WORKERPOOL_OWNER_KEY, 'WorkerpoolOrder', poolOrder) },
      { ...request, sign: await sign(consumerKey, 'RequestOrder', request) });
    console.log('ok');
  } catch (e) {
    console.log(`reverted: ${e.reason ?? e.shortMessage ?? e.message}`);
  }
} else {
  fail(`unknown command ${command}`);
}
