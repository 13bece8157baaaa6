// A stand-in for the workerpool on the local peers, which have no worker: it takes a task of a deal protectedfs
// matched through its two PoCo steps, as iExec's scheduler and a worker would, then reads the result back with the
// SDK. Called by test_iexec_result.cpp; prints one JSON object.
//
//   node iexec_worker_standin.mjs PEERS_ENV initialize TASK
//     hub.initialize(deal, 0) for the deal (found by its OrdersMatched event) whose first task is TASK.
//   node iexec_worker_standin.mjs PEERS_ENV initialize-next DATASET_ORDER_HASH
//     waits (up to 60 s) for a deal on this dataset order whose first task is not started, initializes it and prints
//     its task: for a run that follows its task and only returns the task id at the end.
//   node iexec_worker_standin.mjs PEERS_ENV finalize TASK ZIP
//     ZIP uploaded to the peers' IPFS node, then hub.contributeAndFinalize by a fresh worker with results =
//     {"storage":"ipfs","location":"/ipfs/<cid>"}; prints the CID, the task's status and the SHA-256 of what the SDK's
//     task.fetchResults (the download of the DataProtector's getResultFromCompletedTask) gets for TASK.
//   node iexec_worker_standin.mjs PEERS_ENV finalize TASK --results TEXT
//     the same with these results bytes (e.g. none, or another storage) and nothing uploaded; prints the SDK's
//     error for them as sdkError.
//
// The deal carries the TEE tag 0x…09, so PoCo 6.1.0 wants an enclave challenge (`_enclaveChallenge != 0 ||
// tag[31] & 1 == 0`): a fresh key plays the enclave and signs (resultHash, resultSeal). No TEE broker is set on the
// peers' hub, so the authorization is checked against the workerpool's owner (the scheduler): its personal_sign of
// keccak256(abi.encodePacked(worker, taskid, enclaveChallenge)). A deal's trust is max(request trust, 1) = 1, which
// contributeAndFinalize requires; it locks no worker stake.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [peersEnv, step, taskid, zipPath] = process.argv.slice(2);
const env = Object.fromEntries(readFileSync(peersEnv, 'utf8').split('\n').filter((l) => l.includes('='))
  .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const peersPackage = fileURLToPath(new URL('../../peers/package.json', import.meta.url));
const require = createRequire(peersPackage);
const { IExec } = await import(pathToFileURL(require.resolve('iexec')).href);
const { ethers } = await import(pathToFileURL(require.resolve('ethers')).href);

const provider = new ethers.JsonRpcProvider(env.PFS_RPC);
const fundedWallet = async () => {
  const wallet = ethers.Wallet.createRandom().connect(provider);
  await provider.send('anvil_setBalance', [wallet.address, '0x3635c9adc5dea00000']);
  return wallet;
};
const HUB_ABI = [
  'event OrdersMatched(bytes32 dealid, bytes32 appHash, bytes32 datasetHash, bytes32 workerpoolHash, bytes32 requestHash, uint256 volume)',
  'function initialize(bytes32 dealid, uint256 idx) returns (bytes32)',
  'function contributeAndFinalize(bytes32 taskid, bytes32 resultDigest, bytes results, bytes resultsCallback, address enclaveChallenge, bytes enclaveSign, bytes authorizationSign)',
  'function viewTask(bytes32 taskid) view returns ((uint8 status, bytes32 dealid, uint256 idx, uint256 timeref, uint256 contributionDeadline, uint256 revealDeadline, uint256 finalDeadline, bytes32 consensusValue, uint256 revealCounter, uint256 winnerCounter, address[] contributors, bytes32 resultDigest, bytes results, uint256 resultsTimestamp, bytes resultsCallback))',
];
const out = {};

const firstTask = (dealid) => ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256'], [dealid, 0]));

if (step === 'initialize') {
  const hub = new ethers.Contract(env.PFS_HUB, HUB_ABI, await fundedWallet());
  const events = await hub.queryFilter(hub.filters.OrdersMatched(), 0);
  const match = events.find((e) => firstTask(e.args.dealid) === taskid);
  if (!match) throw new Error(`no deal has ${taskid} as its first task`);
  await (await hub.initialize(match.args.dealid, 0)).wait();
  out.deal = match.args.dealid;
} else if (step === 'initialize-next') {
  const hub = new ethers.Contract(env.PFS_HUB, HUB_ABI, await fundedWallet());
  for (let tries = 0; !out.task; ++tries) {
    if (tries === 120) throw new Error(`no new deal on dataset order ${taskid}`);
    for (const e of await hub.queryFilter(hub.filters.OrdersMatched(), 0)) {
      if (e.args.datasetHash !== taskid || Number((await hub.viewTask(firstTask(e.args.dealid))).status) !== 0) continue;
      await (await hub.initialize(e.args.dealid, 0)).wait();
      out.task = firstTask(e.args.dealid);
      break;
    }
    if (!out.task) await new Promise((resolve) => setTimeout(resolve, 500));
  }
} else if (step === 'finalize') {
  const given = zipPath === '--results' ? process.argv[6] : undefined;
  const zip = given === undefined ? readFileSync(zipPath) : Buffer.from(given);
  if (given === undefined) {
    const form = new FormData();
    form.append('file', new Blob([zip]), 'iexec_out.zip');
    const added = await fetch(`${env.PFS_IPFS_API}/api/v0/add?pin=true`, { method: 'POST', body: form });
    if (!added.ok) throw new Error(`IPFS add: ${added.status}`);
    out.cid = JSON.parse((await added.text()).trim().split('\n').pop()).Hash;
  }

  const worker = await fundedWallet();
  const enclave = ethers.Wallet.createRandom();
  const scheduler = new ethers.Wallet(env.PFS_WORKERPOOL_OWNER_KEY);
  const digest = '0x' + createHash('sha256').update(zip).digest('hex');
  const resultHash = ethers.solidityPackedKeccak256(['bytes32', 'bytes32'], [taskid, digest]);
  const resultSeal = ethers.solidityPackedKeccak256(['address', 'bytes32', 'bytes32'], [worker.address, taskid, digest]);
  const enclaveSign = await enclave.signMessage(ethers.getBytes(
    ethers.solidityPackedKeccak256(['bytes32', 'bytes32'], [resultHash, resultSeal])));
  const authorization = await scheduler.signMessage(ethers.getBytes(
    ethers.solidityPackedKeccak256(['address', 'bytes32', 'address'], [worker.address, taskid, enclave.address])));
  const results = ethers.toUtf8Bytes(given ?? JSON.stringify({ storage: 'ipfs', location: `/ipfs/${out.cid}` }));
  const hub = new ethers.Contract(env.PFS_HUB, HUB_ABI, worker);
  await (await hub.contributeAndFinalize(taskid, digest, results, '0x', enclave.address, enclaveSign,
    authorization)).wait();
  out.status = Number((await hub.viewTask(taskid)).status);

  const reader = new IExec({ ethProvider: env.PFS_RPC }, { hubAddress: env.PFS_HUB, isNative: true,
    ipfsNodeURL: env.PFS_IPFS_API, ipfsGatewayURL: env.PFS_IPFS_GATEWAY, smsURL: env.PFS_SMS,
    iexecGatewayURL: env.PFS_MARKET });
  try {
    const fetched = Buffer.from(await (await reader.task.fetchResults(taskid)).arrayBuffer());
    out.sdkSize = fetched.length;
    out.sdkSha256 = createHash('sha256').update(fetched).digest('hex');
  } catch (error) {
    out.sdkError = error.message;
  }
} else {
  throw new Error(`unknown step ${step}`);
}
console.log(JSON.stringify(out));
