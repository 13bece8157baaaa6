// Stand-in for iExec's Secret Management Service, web3 secrets and web2 secrets (PROTOCOL.md §3), checking what iexec-sms checks
// in the order it checks it:
//
//   POST /secrets/web3?secretAddress=<dataset>   body = the secret (text/plain), Authorization = 0x<65-byte sig>
//        413 body over 4096 bytes; 401 unless the personal_sign signature over
//        keccak256(keccak256("IEXEC_SMS_DOMAIN") || dataset || keccak256(body)) recovers to dataset.owner() on chain;
//        409 if a secret already exists for that address (secrets are never replaced); else 204 stored.
//   HEAD /secrets/web3?secretAddress=<dataset>   204 exists / 404.
//   POST|PUT /secrets/web2?ownerAddress=<wallet>&secretName=<name>   a wallet's named secret (the SDK's
//        pushWeb2Secret, e.g. iexec-result-encryption-public-key): 413 over 4096 bytes; 401 unless the signature over
//        keccak256(keccak256("IEXEC_SMS_DOMAIN") || owner || keccak256(name) || keccak256(body)) recovers to owner;
//        POST 409 if it exists, PUT 404 if it does not; else 204 stored.
//   HEAD /secrets/web2?ownerAddress=<wallet>&secretName=<name>   204 exists / 404.
//   GET  /test/secrets/<dataset>                 TEST ONLY, not part of the SMS: the stored secret, so tests can
//                                                check the pushed key decrypts the file. protectedfs never calls it.
//   GET  /up                                     readiness probe.
//
//   node sms.mjs --port P --rpc URL --chain-id 31337 --state FILE
import { parseArgs } from 'node:util';
import { ethers } from 'ethers';
import { OWNABLE_ABI, web2SecretChallenge, web3SecretChallenge } from './lib/iexec.mjs';
import { serve, readBody, send, chainProvider, loadState, saveState } from './lib/http.mjs';

const { values: args } = parseArgs({ options: {
  port: { type: 'string' }, rpc: { type: 'string' }, 'chain-id': { type: 'string' }, state: { type: 'string' } } });
if (!args.port || !args.rpc || !args['chain-id'] || !args.state) {
  console.error('usage: node sms.mjs --port P --rpc URL --chain-id ID --state FILE');
  process.exit(2);
}

const SECRET_MAX_BYTES = 4096;
const provider = chainProvider(args.rpc, args['chain-id']);
const secrets = loadState(args.state, {});   // lowercase address -> secret

// The signer of `authorization` if it is the on-chain owner of `secretAddress`, else null. A malformed signature,
// an address without code or without owner() all mean "not the owner", as in iexec-sms.
async function isSignedByOwner(challenge, authorization, secretAddress) {
  let signer;
  try {
    signer = ethers.verifyMessage(ethers.getBytes(challenge), authorization);
  } catch {
    return false;
  }
  if ((await provider.getCode(secretAddress)) === '0x') return false;
  let owner;
  try {
    owner = await new ethers.Contract(secretAddress, OWNABLE_ABI, provider).owner();
  } catch (error) {
    if (error.code === 'CALL_EXCEPTION' || error.code === 'BAD_DATA') return false;
    throw error;   // chain unreachable: 500, not a wrong answer
  }
  return signer === owner;
}

function secretAddressOf(url) {
  const value = url.searchParams.get('secretAddress');
  return value && ethers.isAddress(value) ? value.toLowerCase() : null;
}

// Web2 secrets live beside the web3 ones, under "web2|<lowercase owner>|<name>".
async function web2(req, res, url) {
  const owner = url.searchParams.get('ownerAddress');
  const name = url.searchParams.get('secretName');
  if (!owner || !ethers.isAddress(owner) || !name) return send(res, 400, { error: 'ownerAddress and secretName' });
  const id = `web2|${owner.toLowerCase()}|${name}`;
  if (req.method === 'HEAD') return send(res, secrets[id] === undefined ? 404 : 204);
  if (req.method !== 'POST' && req.method !== 'PUT') return send(res, 405, { error: 'method not allowed' });
  const body = await readBody(req, SECRET_MAX_BYTES);
  if (body === null) return send(res, 413);
  const authorization = req.headers.authorization;
  if (!authorization) return send(res, 400, { error: 'missing Authorization header' });
  let signer;
  try {
    signer = ethers.verifyMessage(ethers.getBytes(web2SecretChallenge(owner, name, body)), authorization);
  } catch {
    return send(res, 401);
  }
  if (signer !== ethers.getAddress(owner)) return send(res, 401);
  if (req.method === 'POST' && secrets[id] !== undefined) return send(res, 409);
  if (req.method === 'PUT' && secrets[id] === undefined) return send(res, 404);
  secrets[id] = body.toString('utf8');
  saveState(args.state, secrets);
  return send(res, 204);
}

serve('sms', Number(args.port), async (req, res, url) => {
  if (url.pathname === '/up' && req.method === 'GET') return send(res, 200, { ok: true });

  const testRead = url.pathname.match(/^\/test\/secrets\/(0x[0-9a-fA-F]{40})$/);
  if (testRead && req.method === 'GET') {
    const value = secrets[testRead[1].toLowerCase()];
    return value === undefined ? send(res, 404, { error: 'no secret' }) : send(res, 200, { address: testRead[1], value });
  }

  if (url.pathname === '/secrets/web2') return web2(req, res, url);
  if (url.pathname !== '/secrets/web3') return send(res, 404, { error: 'not found' });
  const secretAddress = secretAddressOf(url);
  if (!secretAddress) return send(res, 400, { error: 'secretAddress must be an address' });

  if (req.method === 'HEAD') return send(res, secrets[secretAddress] === undefined ? 404 : 204);
  if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });

  const body = await readBody(req, SECRET_MAX_BYTES);
  if (body === null) return send(res, 413);
  const authorization = req.headers.authorization;
  if (!authorization) return send(res, 400, { error: 'missing Authorization header' });
  const challenge = web3SecretChallenge(secretAddress, body);
  if (!(await isSignedByOwner(challenge, authorization, secretAddress))) {
    console.log(`sms: unauthorized web3 secret push for ${secretAddress} (challenge ${challenge})`);
    return send(res, 401);
  }
  if (secrets[secretAddress] !== undefined) return send(res, 409);
  secrets[secretAddress] = body.toString('utf8');
  saveState(args.state, secrets);
  return send(res, 204);
});
