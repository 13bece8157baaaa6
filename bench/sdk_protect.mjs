// iExec's JS SDK protect pipeline, as a user of @iexec/dataprotector runs it, against the local peers:
// DataProtector's own protectData (tests/interop/node_modules, pinned) with an IExec of the same package set up for
// the peers (its module constructor only knows iExec's public chains, so protectData is called with the IExec it
// would build): schema, zip (JSZip), AES-256-CBC (the iexec SDK's forge), checksum, IPFS add + gateway check,
// createDatasetWithSchema on the chain, the key pushed to the SMS.
//   node bench/sdk_protect.mjs PEERS_ENV FILE
//   node bench/sdk_protect.mjs - FILE     offline: only the steps protectData runs before the upload, with the same
//                                         functions (schema, zip, encrypt, checksum), for bench/fs.sh
// Prints one line per step: "step TITLE SECONDS" (from its start to its end, by the SDK's onStatusUpdate), then
// "read SECONDS" (the file read into memory, as a browser's File.arrayBuffer() would), "maxrss KIB" (the peak RSS of
// this process) and "total SECONDS ADDRESS".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [envPath, file] = process.argv.slice(2);
const offline = envPath === '-';
const env = offline ? { PFS_RPC: 'http://127.0.0.1:1', PFS_OWNER_KEY: '0x' + '11'.repeat(32) }
  : Object.fromEntries(readFileSync(envPath, 'utf8').split('\n').filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const interop = new URL('../tests/interop/node_modules/', import.meta.url);
const { protectData } = await import(new URL('@iexec/dataprotector/dist/src/lib/dataProtectorCore/protectData.js', interop));
// iexec as the DataProtector package resolves it
const require = createRequire(fileURLToPath(new URL('@iexec/dataprotector/package.json', interop)));
const iexecMain = require.resolve('iexec');
const { IExec } = await import(pathToFileURL(iexecMain).href);
const { getSignerFromPrivateKey } = await import(pathToFileURL(iexecMain.replace(/index\.js$/, 'utils.js')).href);

const signer = getSignerFromPrivateKey(env.PFS_RPC, env.PFS_OWNER_KEY, { allowExperimentalNetworks: true });
const iexec = new IExec({ ethProvider: signer }, {
  hubAddress: env.PFS_HUB, isNative: true, smsURL: env.PFS_SMS, iexecGatewayURL: env.PFS_MARKET,
  ipfsNodeURL: env.PFS_IPFS_API, ipfsGatewayURL: env.PFS_IPFS_GATEWAY, allowExperimentalNetworks: true,
});

const t0 = performance.now();
const content = readFileSync(file);
const read = (performance.now() - t0) / 1000;
if (offline) {  // protectData's own calls up to the upload, timed the same way
  const { createZipFromObject, extractDataSchema } = await import(new URL('@iexec/dataprotector/dist/src/utils/data.js', interop));
  const start = performance.now();
  let t = performance.now();
  const lap = (title) => { const n = performance.now(); console.log(`step ${title} ${((n - t) / 1000).toFixed(3)}`); t = n; };
  await extractDataSchema({ file: content }); lap('EXTRACT_DATA_SCHEMA');
  const zip = await createZipFromObject({ file: content }); lap('CREATE_ZIP_FILE');
  const key = iexec.dataset.generateEncryptionKey();
  const encrypted = await iexec.dataset.encrypt(zip, key);
  await iexec.dataset.computeEncryptedFileChecksum(encrypted); lap('ENCRYPT_FILE');
  console.log(`read ${read.toFixed(3)}`);
  console.log(`maxrss ${process.resourceUsage().maxRSS}`);
  console.log(`total ${((performance.now() - start) / 1000).toFixed(3)} offline`);
  process.exit(0);
}
const started = {};
const start = performance.now();
const result = await protectData({
  iexec, dataprotectorContractAddress: env.PFS_DATAPROTECTOR, ipfsNode: env.PFS_IPFS_API,
  ipfsGateway: env.PFS_IPFS_GATEWAY, name: `bench-${Date.now()}`, data: { file: content },
  onStatusUpdate: ({ title, isDone }) => {
    const now = performance.now();
    if (!isDone) started[title] = now;
    else console.log(`step ${title} ${((now - (started[title] ?? now)) / 1000).toFixed(3)}`);
  },
});
console.log(`read ${read.toFixed(3)}`);
console.log(`maxrss ${process.resourceUsage().maxRSS}`);  // KiB, the process's peak
console.log(`total ${((performance.now() - start) / 1000).toFixed(3)} ${result.address}`);
process.exit(0);
