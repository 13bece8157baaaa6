// Stand-in for iExec's market API (iexec-market-api), for app, dataset and workerpool orders, with the real API's
// routes, JSON shapes, checks and status codes (400 validation, 403 authorization and business errors, 404):
//
//   GET  /challenge?chainId=&address=         {ok, data: EIP-712 Challenge typed data}; one pending challenge per
//                                             address, consumed by the next authenticated call (single use)
//   POST /<kind>s?chainId=  {order}           header authorization: <typedDataHash>_<signature>_<address>; the
//                                             signature must recover to <address>, the asset's on-chain owner must
//                                             be <address>, hub.verifySignature(owner, orderHash, sign) must hold
//                                             (PoCo's EIP-712 domain read from hub.domain()), at most 50 open orders
//                                             per signer, remaining = volume - hub.viewConsumed(orderHash) > 0
//   PUT  /<kind>s?chainId=  {target, orderHash | <asset>}   unpublish (signer only)
//   GET  /<kind>s?chainId=&<asset>=&...&pageIndex=&pageSize=   {ok, orders, count[, nextPage]}; open orders only
//   GET  /<kind>s/<orderHash>?chainId=        {ok, orderHash, chainId, order, remaining, status, signer, ...}
//   GET  /version                             readiness probe
// with <kind> in apporder, datasetorder, workerpoolorder. The real API learns closes, fills and transfers from
// chain events; this one re-reads the chain when it lists (viewConsumed, owner()), which gives the same answers.
// One deliberate extra rule: a dataset order with apprestrict 0x0 is refused, as the SDK refuses to make one
// (any app could read the data), so a client that builds such a grant fails its tests.
//
//   node market.mjs --port P --rpc URL --chain-id 31337 --hub 0x... --state FILE
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { ethers } from 'ethers';
import { HUB_ABI, ORDER_KINDS, ORDER_TYPES, NULL_ADDRESS, orderHash, pocoDomain, registeredOwner } from './lib/iexec.mjs';
import { serve, readBody, send, HttpError, chainProvider, loadState, saveState } from './lib/http.mjs';

const { values: args } = parseArgs({ options: {
  port: { type: 'string' }, rpc: { type: 'string' }, 'chain-id': { type: 'string' }, hub: { type: 'string' },
  state: { type: 'string' } } });
if (!args.port || !args.rpc || !args['chain-id'] || !args.hub || !args.state) {
  console.error('usage: node market.mjs --port P --rpc URL --chain-id ID --hub ADDRESS --state FILE');
  process.exit(2);
}

const CHAIN_ID = Number(args['chain-id']);
const MAX_OPEN_ORDERS_PER_WALLET = 50;
const PAGE_SIZE = { default: 20, min: 10, max: 1000 };
const provider = chainProvider(args.rpc, CHAIN_ID);
const hub = new ethers.Contract(args.hub, HUB_ABI, provider);
// orders: orderHash -> { kind, orderHash, chainId, order, signer, remaining, status, publicationTimestamp }
const state = loadState(args.state, { orders: {} });
const challenges = new Map();   // lowercase address -> { value, hash }   (single use, like the real API's store)

const invalid = (message) => new HttpError(400, message, { ok: false, error: message });
const forbidden = (message) => new HttpError(403, message, { ok: false, error: message });
const authError = (why) => new HttpError(403, why, { ok: false, error: 'invalid authorization' });
const notFound = (message) => new HttpError(404, message, { ok: false, error: message });

// ---- authentication (services/auth.js) -------------------------------------------------------------------------

const challengeTypedData = (value) => ({
  types: {
    EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }],
    Challenge: [{ name: 'challenge', type: 'string' }],
  },
  domain: { name: 'iExec Gateway', version: '1', chainId: CHAIN_ID },
  primaryType: 'Challenge',
  message: { challenge: `Sign this message to log into iExec Gateway: ${value}` },
});
const typedDataHash = ({ domain, types: { EIP712Domain, ...types }, message }) =>
  ethers.TypedDataEncoder.hash(domain, types, message);

function getChallenge(address) {
  let current = challenges.get(address.toLowerCase());
  if (!current) {
    const value = randomBytes(24).toString('base64url');
    current = { value, hash: typedDataHash(challengeTypedData(value)) };
    challenges.set(address.toLowerCase(), current);
  }
  return challengeTypedData(current.value);
}

// Returns the authenticated address and consumes its challenge.
function authenticate(req) {
  const header = req.headers.authorization;
  if (!header) throw authError('missing authorization');
  const [hash, signature, address] = header.split('_');
  if (!address || !ethers.isAddress(address) || address === NULL_ADDRESS) throw authError('bad address');
  const current = challenges.get(address.toLowerCase());
  if (!current || current.hash !== hash) throw authError('challenge not valid, request a new one');
  const { domain, types: { EIP712Domain, ...types }, message } = challengeTypedData(current.value);
  let signer;
  try {
    signer = ethers.verifyTypedData(domain, types, message, signature);
  } catch {
    throw authError('malformed signature');
  }
  if (signer.toLowerCase() !== address.toLowerCase()) throw authError('signer mismatch');
  challenges.delete(address.toLowerCase());
  return ethers.getAddress(address);
}

// ---- validation (utils/validator.js) ---------------------------------------------------------------------------

function chainIdOf(url) {
  const value = url.searchParams.get('chainId');
  if (value === null) throw invalid('chainId is a required field');
  if (!/^\d+$/.test(value) || Number(value) !== CHAIN_ID) throw invalid(`chainId ${value} is not supported`);
  return CHAIN_ID;
}

const UINT_FIELDS = new Set(['appprice', 'datasetprice', 'workerpoolprice', 'volume', 'category', 'trust']);

// Returns { message (as signed, strings), stored (numbers where the real API stores numbers), sign }.
function validateOrder(kind, order) {
  if (!order || typeof order !== 'object') throw invalid('order is a required field');
  const message = {};
  const stored = {};
  for (const { name, type } of ORDER_TYPES[ORDER_KINDS[kind].type]) {
    const value = order[name];
    if (value === undefined || value === null || value === '') throw invalid(`${name} is a required field`);
    const text = String(value);
    if (type === 'address') {
      if (!ethers.isAddress(text)) throw invalid(`${name} must be a valid ethereum address`);
      message[name] = stored[name] = ethers.getAddress(text);
    } else if (type === 'bytes32') {
      if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw invalid(`${name} must be a bytes32 hexstring`);
      message[name] = stored[name] = text.toLowerCase();
    } else {
      if (!/^\d+$/.test(text)) throw invalid(`${name} must be an integer`);
      if (UINT_FIELDS.has(name) && BigInt(text) > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`${name} is too large`);
      message[name] = text;
      stored[name] = Number(text);
    }
  }
  if (typeof order.sign !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(order.sign)) throw invalid('sign is a required field');
  stored.sign = order.sign;
  return { message, stored };
}

// ---- chain reads -----------------------------------------------------------------------------------------------

let domainCache;
const domain = async () => (domainCache ??= await pocoDomain(hub));

async function remainingOf(entry) {
  const consumed = await hub.viewConsumed(entry.orderHash);
  const remaining = BigInt(entry.order.volume) - consumed;
  return remaining > 0n ? Number(remaining) : 0;
}

// Brings an open order up to date with the chain: filled or closed orders (remaining 0) and orders whose signer
// no longer owns the asset (transfer) leave the open book.
async function refresh(entry) {
  if (entry.status !== 'open') return entry;
  entry.remaining = await remainingOf(entry);
  if (entry.remaining === 0) {
    const closedEvent = { apporder: 'ClosedAppOrder', datasetorder: 'ClosedDatasetOrder', workerpoolorder: 'ClosedWorkerpoolOrder' }[entry.kind];
    const topic = ethers.id(`${closedEvent}(bytes32)`);
    const logs = await provider.getLogs({ address: args.hub, topics: [topic], fromBlock: 0 });
    entry.status = logs.some((log) => log.data === entry.orderHash) ? 'canceled' : 'filled';
  } else {
    const { asset, registry } = ORDER_KINDS[entry.kind];
    const owner = await registeredOwner(hub, registry, entry.order[asset], provider);
    if (owner !== entry.signer) entry.status = 'dead';
  }
  return entry;
}

// ---- routes ----------------------------------------------------------------------------------------------------

async function publish(kind, req, url) {
  const chainId = chainIdOf(url);
  const authorized = authenticate(req);
  let body;
  try {
    body = JSON.parse((await readBody(req, 1 << 20))?.toString('utf8') ?? '');
  } catch {
    throw invalid('order is a required field');
  }
  const { message, stored } = validateOrder(kind, body.order);
  const { type, asset, registry } = ORDER_KINDS[kind];
  const hash = orderHash(await domain(), type, message);

  const existing = state.orders[hash];
  if (existing && existing.status !== 'dead') throw forbidden('order already published');
  const signer = await registeredOwner(hub, registry, message[asset], provider);
  if (!signer) throw forbidden('Resource not deployed');
  if (signer !== authorized) throw forbidden(`only order signer ${signer} can publish an order`);
  if (!(await hub.verifySignature(signer, hash, stored.sign))) throw forbidden('invalid sign');
  if (kind === 'datasetorder' && message.apprestrict === NULL_ADDRESS) {
    throw forbidden('apprestrict 0x0 would let any app read the dataset (refused, as the iExec SDK refuses it)');
  }
  const open = Object.values(state.orders).filter((o) => o.kind === kind && o.signer === signer && o.status === 'open');
  if (open.length >= MAX_OPEN_ORDERS_PER_WALLET) {
    throw forbidden(`maximun of ${MAX_OPEN_ORDERS_PER_WALLET} published open ${kind} has been reached for wallet ${signer}`);
  }
  const entry = { kind, orderHash: hash, chainId, order: stored, signer, remaining: 0, status: 'open',
    publicationTimestamp: new Date().toISOString() };
  entry.remaining = await remainingOf(entry);
  if (entry.remaining === 0) throw forbidden('order already consumed');
  state.orders[hash] = entry;
  saveState(args.state, state);
  return { ok: true, published: present(entry) };
}

async function unpublish(kind, req, url) {
  chainIdOf(url);
  const authorized = authenticate(req);
  let body;
  try {
    body = JSON.parse((await readBody(req, 1 << 20))?.toString('utf8') || '{}');
  } catch {
    throw invalid('body must be JSON');
  }
  const target = body.target ?? 'unpublish_orderHash';
  const { asset } = ORDER_KINDS[kind];
  const mine = Object.values(state.orders)
    .filter((o) => o.kind === kind && o.status === 'open' && o.signer === authorized)
    .sort((a, b) => a.publicationTimestamp.localeCompare(b.publicationTimestamp));
  let victims;
  if (target === 'unpublish_orderHash') {
    victims = mine.filter((o) => o.orderHash === body.orderHash);
    if (!victims.length) throw forbidden(`${kind} with orderHash ${body.orderHash} is not published`);
  } else if (target === 'unpublish_last' || target === 'unpublish_all') {
    if (!body[asset] || !ethers.isAddress(body[asset])) throw invalid(`${asset} is a required field`);
    const ofAsset = mine.filter((o) => o.order[asset] === ethers.getAddress(body[asset]));
    if (!ofAsset.length) throw forbidden(`no open ${kind} published by signer ${authorized} for ${asset} ${body[asset]}`);
    victims = target === 'unpublish_last' ? ofAsset.slice(-1) : ofAsset;
  } else {
    throw invalid(`target must be one of unpublish_orderHash, unpublish_last, unpublish_all`);
  }
  for (const o of victims) o.status = 'canceled';
  saveState(args.state, state);
  return { ok: true, unpublished: victims.map((o) => o.orderHash) };
}

const present = ({ kind, ...entry }) => ({
  ...entry,
  ...(kind === 'datasetorder' && { bulk: entry.order.datasetprice === 0 && entry.order.volume === Number.MAX_SAFE_INTEGER }),
});

async function getOne(kind, url, hash) {
  const chainId = chainIdOf(url);
  const entry = state.orders[hash.toLowerCase()];
  if (!entry || entry.kind !== kind) throw notFound(`${kind} not found`);
  await refresh(entry);
  saveState(args.state, state);
  const { orderHash: h, order, remaining, status, publicationTimestamp, signer } = entry;
  return { ok: true, orderHash: h, chainId, order, remaining, status, publicationTimestamp, signer };
}

// Restriction filter as the real API applies it: absent = only unrestricted orders; "any" = no filter;
// an address = unrestricted or restricted to it, or only restricted to it when the matching is*Strict is true.
function restrictionFilter(url, param, field, strictParam) {
  const value = url.searchParams.get(param);
  if (value === null) return (o) => o.order[field] === NULL_ADDRESS;
  if (value === 'any') return () => true;
  if (!ethers.isAddress(value)) throw invalid(`${param} must be a valid ethereum address`);
  const address = ethers.getAddress(value);
  const strict = strictParam && url.searchParams.get(strictParam) === 'true';
  return (o) => o.order[field] === address || (!strict && o.order[field] === NULL_ADDRESS);
}

function assetFilter(url, param, field) {
  const value = url.searchParams.get(param);
  if (value === null || value === 'any') return () => true;
  if (!ethers.isAddress(value)) throw invalid(`${param} must be a valid ethereum address`);
  return (o) => o.order[field] === ethers.getAddress(value);
}

function tagFilter(url) {
  const min = url.searchParams.get('minTag'), max = url.searchParams.get('maxTag');
  return (o) => {
    const tag = BigInt(o.order.tag);
    return (min === null || (tag & BigInt(min)) === BigInt(min)) && (max === null || (tag & ~BigInt(max)) === 0n);
  };
}

function intParam(url, name, fallback, { min = 0, max = Infinity } = {}) {
  const value = url.searchParams.get(name);
  if (value === null) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw invalid(`${name} must be an integer in [${min}, ${max}]`);
  return Number(value);
}

async function list(kind, url) {
  const chainId = chainIdOf(url);
  const { asset, price } = ORDER_KINDS[kind];
  const filters = [tagFilter(url)];
  if (kind === 'datasetorder') {
    if (!url.searchParams.get('dataset') && !url.searchParams.get('datasetOwner')) throw invalid('dataset or datasetOwner is required');
    filters.push(assetFilter(url, 'dataset', 'dataset'),
      restrictionFilter(url, 'app', 'apprestrict', 'isAppStrict'),
      restrictionFilter(url, 'workerpool', 'workerpoolrestrict', 'isWorkerpoolStrict'),
      restrictionFilter(url, 'requester', 'requesterrestrict', 'isRequesterStrict'));
  } else if (kind === 'apporder') {
    if (!url.searchParams.get('app') && !url.searchParams.get('appOwner')) throw invalid('app or appOwner is required');
    filters.push(assetFilter(url, 'app', 'app'),
      restrictionFilter(url, 'dataset', 'datasetrestrict', 'isDatasetStrict'),
      restrictionFilter(url, 'workerpool', 'workerpoolrestrict', 'isWorkerpoolStrict'),
      restrictionFilter(url, 'requester', 'requesterrestrict', 'isRequesterStrict'));
  } else {
    const category = url.searchParams.get('category');
    filters.push(assetFilter(url, 'workerpool', 'workerpool'),
      restrictionFilter(url, 'app', 'apprestrict', 'isAppStrict'),
      restrictionFilter(url, 'dataset', 'datasetrestrict', 'isDatasetStrict'),
      restrictionFilter(url, 'requester', 'requesterrestrict', 'isRequesterStrict'),
      (o) => category === null || o.order.category === Number(category));
  }
  const ownerParam = url.searchParams.get(`${asset}Owner`);
  if (ownerParam) filters.push((o) => o.signer === ethers.getAddress(ownerParam));
  const minVolume = intParam(url, 'minVolume', 0);
  const bulkOnly = url.searchParams.get('bulkOnly') === 'true';
  const pageIndex = intParam(url, 'pageIndex', 0);
  const pageSize = intParam(url, 'pageSize', PAGE_SIZE.default, PAGE_SIZE);

  const candidates = Object.values(state.orders).filter((o) => o.kind === kind && o.status === 'open' && filters.every((f) => f(o)));
  for (const entry of candidates) await refresh(entry);
  saveState(args.state, state);
  const open = candidates
    .filter((o) => o.status === 'open' && o.remaining >= minVolume && (!bulkOnly || present(o).bulk))
    .sort((a, b) => (a.order[price] - b.order[price]) || a.publicationTimestamp.localeCompare(b.publicationTimestamp)
      || a.orderHash.localeCompare(b.orderHash));
  const page = open.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize);
  const more = (pageIndex + 1) * pageSize < open.length;
  return { ok: true, orders: page.map(present), count: open.length, ...(more && { nextPage: pageIndex + 1 }) };
}

serve('market', Number(args.port), async (req, res, url) => {
  if (url.pathname === '/version' && req.method === 'GET') return send(res, 200, { ok: true, version: 'protectedfs-test-stand-in' });
  if (url.pathname === '/challenge' && req.method === 'GET') {
    chainIdOf(url);
    const address = url.searchParams.get('address');
    if (!address) throw invalid('address is a required field');
    if (!ethers.isAddress(address)) throw invalid('address must be a valid ethereum address');
    return send(res, 200, { ok: true, data: getChallenge(address) });
  }
  const route = url.pathname.match(/^\/(apporder|datasetorder|workerpoolorder)s(?:\/(0x[0-9a-fA-F]{64}))?$/);
  if (!route) return send(res, 404, { ok: false, error: 'not found' });
  const [, kind, hash] = route;
  if (hash && req.method === 'GET') return send(res, 200, await getOne(kind, url, hash));
  if (hash) return send(res, 405, { ok: false, error: 'method not allowed' });
  if (req.method === 'GET') return send(res, 200, await list(kind, url));
  if (req.method === 'POST') return send(res, 200, await publish(kind, req, url));
  if (req.method === 'PUT') return send(res, 200, await unpublish(kind, req, url));
  return send(res, 405, { ok: false, error: 'method not allowed' });
});
