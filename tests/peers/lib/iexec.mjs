// What the deploy script, the SMS and market stand-ins and the self-test share: anvil's dev accounts and the roles
// they play, PoCo's EIP-712 order types, and the small ABIs the stand-ins call (as the real services do, they read
// ownership and consumption from the chain instead of trusting the client).
import { ethers } from 'ethers';

// anvil's default dev mnemonic: the same ten funded accounts on every fresh chain.
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

// Role -> account index. `stranger` owns nothing and signs the negative tests.
export const ROLES = { deployer: 0, owner: 1, consumer: 2, appOwner: 3, workerpoolOwner: 4, stranger: 5 };

export function devAccount(role) {
  const index = ROLES[role];
  if (index === undefined) throw new Error(`unknown role ${role}`);
  const wallet = ethers.HDNodeWallet.fromPhrase(ANVIL_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
  return { address: wallet.address, privateKey: wallet.privateKey };
}

export const NULL_ADDRESS = ethers.ZeroAddress;

// PoCo v5 orders (IexecLibOrders_v5), field order as hashed on chain.
export const ORDER_TYPES = {
  AppOrder: [
    { name: 'app', type: 'address' }, { name: 'appprice', type: 'uint256' }, { name: 'volume', type: 'uint256' },
    { name: 'tag', type: 'bytes32' }, { name: 'datasetrestrict', type: 'address' },
    { name: 'workerpoolrestrict', type: 'address' }, { name: 'requesterrestrict', type: 'address' },
    { name: 'salt', type: 'bytes32' },
  ],
  DatasetOrder: [
    { name: 'dataset', type: 'address' }, { name: 'datasetprice', type: 'uint256' }, { name: 'volume', type: 'uint256' },
    { name: 'tag', type: 'bytes32' }, { name: 'apprestrict', type: 'address' },
    { name: 'workerpoolrestrict', type: 'address' }, { name: 'requesterrestrict', type: 'address' },
    { name: 'salt', type: 'bytes32' },
  ],
  WorkerpoolOrder: [
    { name: 'workerpool', type: 'address' }, { name: 'workerpoolprice', type: 'uint256' },
    { name: 'volume', type: 'uint256' }, { name: 'tag', type: 'bytes32' }, { name: 'category', type: 'uint256' },
    { name: 'trust', type: 'uint256' }, { name: 'apprestrict', type: 'address' },
    { name: 'datasetrestrict', type: 'address' }, { name: 'requesterrestrict', type: 'address' },
    { name: 'salt', type: 'bytes32' },
  ],
  RequestOrder: [
    { name: 'app', type: 'address' }, { name: 'appmaxprice', type: 'uint256' }, { name: 'dataset', type: 'address' },
    { name: 'datasetmaxprice', type: 'uint256' }, { name: 'workerpool', type: 'address' },
    { name: 'workerpoolmaxprice', type: 'uint256' }, { name: 'requester', type: 'address' },
    { name: 'volume', type: 'uint256' }, { name: 'tag', type: 'bytes32' }, { name: 'category', type: 'uint256' },
    { name: 'trust', type: 'uint256' }, { name: 'beneficiary', type: 'address' }, { name: 'callback', type: 'address' },
    { name: 'params', type: 'string' }, { name: 'salt', type: 'bytes32' },
  ],
};

// Order kinds as the market API names them: primary EIP-712 type, the asset field, its registry getter on the hub.
export const ORDER_KINDS = {
  apporder: { type: 'AppOrder', asset: 'app', price: 'appprice', registry: 'appregistry' },
  datasetorder: { type: 'DatasetOrder', asset: 'dataset', price: 'datasetprice', registry: 'datasetregistry' },
  workerpoolorder: { type: 'WorkerpoolOrder', asset: 'workerpool', price: 'workerpoolprice', registry: 'workerpoolregistry' },
};

const ORDER_TUPLES = Object.fromEntries(Object.entries(ORDER_TYPES).map(([name, fields]) =>
  [name, `tuple(${fields.map((f) => `${f.type} ${f.name}`).join(', ')}, bytes sign)`]));

export const HUB_ABI = [
  'function domain() view returns (tuple(string name, string version, uint256 chainId, address verifyingContract))',
  'function verifySignature(address account, bytes32 hash, bytes signature) view returns (bool)',
  'function viewConsumed(bytes32 id) view returns (uint256)',
  'function appregistry() view returns (address)',
  'function datasetregistry() view returns (address)',
  'function workerpoolregistry() view returns (address)',
  'function countCategory() view returns (uint256)',
  `function matchOrders(${ORDER_TUPLES.AppOrder}, ${ORDER_TUPLES.DatasetOrder}, ${ORDER_TUPLES.WorkerpoolOrder}, ${ORDER_TUPLES.RequestOrder}) returns (bytes32)`,
  `function manageDatasetOrder(tuple(${ORDER_TUPLES.DatasetOrder} order, uint8 operation, bytes sign) orderOperation)`,
  'event ClosedDatasetOrder(bytes32 datasetHash)',
];

export const REGISTRY_ABI = [
  'function isRegistered(address entry) view returns (bool)',
  'function balanceOf(address owner) view returns (uint256)',
  'function ownerOf(uint256 tokenId) view returns (address)',
];

export const OWNABLE_ABI = ['function owner() view returns (address)'];

export const DATASET_ABI = [
  'function owner() view returns (address)',
  'function m_datasetName() view returns (string)',
  'function m_datasetMultiaddr() view returns (bytes)',
  'function m_datasetChecksum() view returns (bytes32)',
];

export const DATAPROTECTOR_ABI = [
  'function registry() view returns (address)',
  'function createDatasetWithSchema(address owner, string name, string schema, bytes multiaddr, bytes32 checksum) returns (address)',
  'event DatasetSchema(address indexed dataset, string schema)',
];

// EIP-712 domain as PoCo reports it (the hub's domain(), so a wrong deployment cannot pass by construction).
export async function pocoDomain(hub) {
  const d = await hub.domain();
  return { name: d.name, version: d.version, chainId: d.chainId, verifyingContract: d.verifyingContract };
}

export function orderHash(domain, type, order) {
  return ethers.TypedDataEncoder.hash(domain, { [type]: ORDER_TYPES[type] }, order);
}

export function signOrder(wallet, domain, type, order) {
  return wallet.signTypedData(domain, { [type]: ORDER_TYPES[type] }, order);
}

// The owner of an app, dataset or workerpool, or null when `address` is not registered in that registry:
// the market API refuses orders on unregistered assets instead of calling owner() on arbitrary contracts.
export async function registeredOwner(hub, registryGetter, address, provider) {
  const registry = new ethers.Contract(await hub[registryGetter](), REGISTRY_ABI, provider);
  if (!(await registry.isRegistered(address))) return null;
  return new ethers.Contract(address, OWNABLE_ABI, provider).owner();
}

// The SMS web3-secret challenge (PROTOCOL.md §3): the owner personal_signs these 32 bytes.
// The SDK's getChallengeForSetWeb2Secret: a wallet's named secret (e.g. iexec-result-encryption-public-key).
export function web2SecretChallenge(ownerAddress, secretName, body) {
  return ethers.keccak256(ethers.concat([ethers.id('IEXEC_SMS_DOMAIN'), ethers.getAddress(ownerAddress),
    ethers.id(secretName), ethers.keccak256(body)]));
}

export function web3SecretChallenge(secretAddress, body) {
  return ethers.keccak256(ethers.concat([
    ethers.id('IEXEC_SMS_DOMAIN'), ethers.getAddress(secretAddress), ethers.keccak256(body)]));
}
