// What iExec's SDK sees of a result-encryption key protectedfs pushed to the peers' SMS: its own
// result.checkResultEncryptionKeyExists for each address given; and, the other way, the SDK's own
// result.pushResultEncryptionKey accepted by the same SMS (so its challenge is the SDK's). Called by
// test_iexec_peers.cpp; prints one JSON object {address: exists, ..., "sdkPush": exists after the SDK's push}.
//
//   node iexec_result_key_check.mjs PEERS_ENV ADDRESS...
import { IExec, ethers, peersReader, readPeersEnv, utils } from './iexec_peers_sdk.mjs';

const [peersEnv, ...addresses] = process.argv.slice(2);
const env = readPeersEnv(peersEnv);
const { generateKeyPairSync } = await import('node:crypto');
const reader = peersReader(env);
const out = {};
for (const address of addresses) out[address] = await reader.result.checkResultEncryptionKeyExists(address);
const sdkWallet = ethers.Wallet.createRandom();
const sdk = new IExec({ ethProvider: utils.getSignerFromPrivateKey(env.PFS_RPC, sdkWallet.privateKey) },
  { hubAddress: env.PFS_HUB, isNative: true, smsURL: env.PFS_SMS, iexecGatewayURL: env.PFS_MARKET });
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' } });
await sdk.result.pushResultEncryptionKey(publicKey);
out.sdkPush = await reader.result.checkResultEncryptionKeyExists(sdkWallet.address);
console.log(JSON.stringify(out));
