// Deploys iExec's PoCo 6.1.0 (from the artifacts of `npm pack @iexec/poco@6.1.0`), a DataProtector with iExec's ABI,
// a test app and a test workerpool on a fresh anvil chain, and writes deployment.json.
//
//   node deploy.mjs --rpc http://127.0.0.1:PORT --poco DIR/package --out deployment.json
//
// Order (PROTOCOL.md §7, as PoCo's own deploy/0_deploy.ts does it for a native chain): the four diamond pieces;
// Diamond(cuts, {owner, init, init()}); IexecLibOrders_v5 linked into the facets that need it; every facet added
// with diamondCut (only the selectors not yet present); the three registries, each initialize(0x0); configure(...);
// the five categories of PoCo's config.json. On a fresh anvil the addresses are the same every time.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ethers } from 'ethers';
import solc from 'solc';
import { devAccount, DATAPROTECTOR_ABI, HUB_ABI } from './lib/iexec.mjs';

const { values: args } = parseArgs({ options: { rpc: { type: 'string' }, poco: { type: 'string' }, out: { type: 'string' } } });
if (!args.rpc || !args.poco || !args.out) {
  console.error('usage: node deploy.mjs --rpc URL --poco POCO_PACKAGE_DIR --out deployment.json');
  process.exit(2);
}

const CHAIN_ID = 31337n;
// Same facet set as PoCo 6.1.0's arbitrumSepolia deployment, with the native escrow instead of the token one:
// this chain has no RLC token, the native coin plays that part (the SDK's `isNative: true`).
const FACETS = [
  'IexecAccessorsABILegacyFacet', 'IexecCategoryManagerFacet', 'IexecConfigurationExtraFacet',
  'IexecConfigurationFacet', 'IexecERC20Facet', 'IexecEscrowNativeFacet', 'IexecOrderManagementFacet',
  'IexecPoco1Facet', 'IexecPoco2Facet', 'IexecPocoAccessorsFacet', 'IexecRelayFacet',
];
// PoCo's config/config.json categories (description is JSON.stringify({})).
const CATEGORIES = [['XS', 300], ['S', 1200], ['M', 3600], ['L', 10800], ['XL', 36000]];
const FACET_CUT_ADD = 0;

const provider = new ethers.JsonRpcProvider(args.rpc, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
const wallet = (role) => new ethers.Wallet(devAccount(role).privateKey, provider);
const deployer = wallet('deployer');

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
// Hardhat wrote PoCo's enum parameters with their Solidity name as the ABI type
// ("IexecLibOrders_v5.OrderOperationEnum"); the ABI encoding of an enum is uint8, which is what ethers needs to
// compute those functions' selectors (otherwise it drops them and they would be missing from the diamond).
const fixEnums = (params = []) => params.map((p) => ({ ...p,
  type: /^[A-Za-z_]\w*\.\w+/.test(p.type) ? p.type.replace(/^[A-Za-z_]\w*\.\w+/, 'uint8') : p.type,
  ...(p.components && { components: fixEnums(p.components) }) }));
const withAbiFixed = (a) => ({ ...a, abi: a.abi.map((f) => ({ ...f, inputs: fixEnums(f.inputs), outputs: f.outputs && fixEnums(f.outputs) })) });
const artifact = (name) => {
  const dirs = { Diamond: '', IexecLibOrders_v5: 'libs/', AppRegistry: 'registries/apps/',
    DatasetRegistry: 'registries/datasets/', WorkerpoolRegistry: 'registries/workerpools/' };
  return withAbiFixed(readJson(join(args.poco, 'artifacts/contracts', `${dirs[name] ?? 'facets/'}${name}.sol/${name}.json`)));
};
// The diamond's own pieces come from @mudgen/diamond-1, whose bytecode the package ships only as deployments.
const diamondPiece = (name) => readJson(join(args.poco, 'deployments/arbitrumSepolia', `${name}.json`));

async function deploy(name, { abi, bytecode }, ...ctorArgs) {
  const contract = await new ethers.ContractFactory(abi, bytecode, deployer).deploy(...ctorArgs);
  await contract.waitForDeployment();
  return contract;
}

async function send(what, txPromise) {
  const receipt = await (await txPromise).wait();
  if (receipt.status !== 1) throw new Error(`${what} failed`);
  return receipt;
}

// Replaces the `__$…$__` placeholders of linked libraries, at the offsets the artifact lists.
function link({ bytecode, linkReferences }, libraries) {
  let hex = bytecode.slice(2);
  for (const libs of Object.values(linkReferences ?? {})) {
    for (const [lib, refs] of Object.entries(libs)) {
      const address = libraries[lib];
      if (!address) throw new Error(`no address for library ${lib}`);
      for (const { start, length } of refs) {
        hex = hex.slice(0, start * 2) + address.slice(2).toLowerCase() + hex.slice((start + length) * 2);
      }
    }
  }
  if (hex.includes('__$')) throw new Error('unlinked library placeholder left');
  return '0x' + hex;
}

const selectorsOf = (abi) => {
  const selectors = [];
  new ethers.Interface(abi).forEachFunction((f) => selectors.push(f.selector));
  return selectors;
};

function compileDataProtector() {
  const source = readFileSync(new URL('./contracts/DataProtector.sol', import.meta.url), 'utf8');
  const input = {
    language: 'Solidity',
    sources: { 'DataProtector.sol': { content: source } },
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const { abi, evm } = output.contracts['DataProtector.sol'].DataProtector;
  // The compiled contract must expose exactly iExec's ABI (selector 0x167fbf5f, event topic 0x37b19b89…).
  const expected = new ethers.Interface(DATAPROTECTOR_ABI), got = new ethers.Interface(abi);
  expected.forEachFunction((f) => { if (!got.getFunction(f.selector)) throw new Error(`DataProtector lacks ${f.format()}`); });
  expected.forEachEvent((e) => { if (!got.getEvent(e.topicHash)) throw new Error(`DataProtector lacks ${e.format()}`); });
  return { abi, bytecode: '0x' + evm.bytecode.object };
}

async function main() {
  const { chainId } = await provider.getNetwork();
  if (chainId !== CHAIN_ID) throw new Error(`expected chain id ${CHAIN_ID}, got ${chainId}`);
  if ((await provider.getBlockNumber()) !== 0) throw new Error('deploy.mjs needs a fresh chain');
  const owner = deployer.address;

  // 1. The diamond and its three standard facets.
  const init = await deploy('DiamondInit', diamondPiece('DiamondInit'));
  const cuts = [];
  for (const name of ['DiamondCutFacet', 'DiamondLoupeFacet', 'OwnershipFacet']) {
    const piece = diamondPiece(name);
    const facet = await deploy(name, piece);
    cuts.push({ facetAddress: await facet.getAddress(), action: FACET_CUT_ADD, functionSelectors: selectorsOf(piece.abi) });
  }
  const initCalldata = new ethers.Interface(diamondPiece('DiamondInit').abi).encodeFunctionData('init');
  const diamond = await deploy('Diamond', artifact('Diamond'), cuts, { owner, init: await init.getAddress(), initCalldata });
  const hubAddress = await diamond.getAddress();
  const cutter = new ethers.Contract(hubAddress, diamondPiece('DiamondCutFacet').abi, deployer);
  const loupe = new ethers.Contract(hubAddress, diamondPiece('DiamondLoupeFacet').abi, deployer);

  // 2. The order library, then every facet linked against it and cut into the diamond.
  const libOrders = await deploy('IexecLibOrders_v5', artifact('IexecLibOrders_v5'));
  const libraries = { IexecLibOrders_v5: await libOrders.getAddress() };
  for (const name of FACETS) {
    const facetArtifact = artifact(name);
    const facet = await deploy(name, { abi: facetArtifact.abi, bytecode: link(facetArtifact, libraries) });
    const fresh = [];
    for (const selector of selectorsOf(facetArtifact.abi)) {
      if ((await loupe.facetAddress(selector)) === ethers.ZeroAddress) fresh.push(selector);
    }
    if (fresh.length === 0) continue;
    await send(`diamondCut ${name}`, cutter.diamondCut(
      [{ facetAddress: await facet.getAddress(), action: FACET_CUT_ADD, functionSelectors: fresh }], ethers.ZeroAddress, '0x'));
  }
  // (PoCo's full IexecInterfaceNative ABI has enum types ethers cannot parse; the few calls needed are spelled out.)
  const hub = new ethers.Contract(hubAddress, [...HUB_ABI,
    'function configure(address token, string name, string symbol, uint8 decimal, address appregistry, address datasetregistry, address workerpoolregistry, address v3_iexecHub)',
    'function createCategory(string name, string description, uint256 workClockTimeRef) returns (uint256)'], deployer);

  // 3. Registries, configuration, categories.
  const registries = {};
  for (const name of ['AppRegistry', 'DatasetRegistry', 'WorkerpoolRegistry']) {
    const registry = await deploy(name, artifact(name));
    await send(`${name}.initialize`, registry.initialize(ethers.ZeroAddress));
    registries[name] = registry;
  }
  const [appRegistry, datasetRegistry, workerpoolRegistry] = await Promise.all(
    ['AppRegistry', 'DatasetRegistry', 'WorkerpoolRegistry'].map((n) => registries[n].getAddress()));
  await send('configure', hub.configure(ethers.ZeroAddress, 'Staked RLC', 'SRLC', 9,
    appRegistry, datasetRegistry, workerpoolRegistry, ethers.ZeroAddress));
  for (const [name, workClockTimeRef] of CATEGORIES) {
    await send(`createCategory ${name}`, hub.createCategory(name, JSON.stringify({}), workClockTimeRef));
  }

  // 4. DataProtector, compiled now from contracts/DataProtector.sol.
  const dataprotector = await deploy('DataProtector', compileDataProtector(), datasetRegistry);

  // 5. A test app and workerpool for the compute proof (matchOrders), owned by their own accounts.
  const appOwner = devAccount('appOwner').address, workerpoolOwner = devAccount('workerpoolOwner').address;
  const appArgs = [appOwner, 'protectedfs-test-app', 'DOCKER',
    ethers.toUtf8Bytes('registry.local/protectedfs-test-app:1.0.0'), ethers.id('protectedfs-test-app'),
    ethers.toUtf8Bytes(JSON.stringify({ framework: 'SCONE', version: 'v5', entrypoint: 'node /app/app.js',
      heapSize: 1073741824, fingerprint: ethers.id('protectedfs-test-app-enclave').slice(2) }))];
  const app = await registries.AppRegistry.createApp.staticCall(...appArgs);
  await send('createApp', registries.AppRegistry.createApp(...appArgs));
  const workerpool = await registries.WorkerpoolRegistry.createWorkerpool.staticCall(workerpoolOwner, 'protectedfs-test-workerpool');
  await send('createWorkerpool', registries.WorkerpoolRegistry.createWorkerpool(workerpoolOwner, 'protectedfs-test-workerpool'));

  // Sanity: what the stand-ins and the SDK will rely on.
  const domain = await hub.domain();
  if (domain.name !== 'iExecODB' || domain.version !== '5.0.0' || domain.chainId !== CHAIN_ID || domain.verifyingContract !== hubAddress) {
    throw new Error(`unexpected PoCo domain ${domain}`);
  }
  if ((await hub.countCategory()) !== BigInt(CATEGORIES.length)) throw new Error('categories missing');
  if ((await hub.datasetregistry()) !== datasetRegistry) throw new Error('configure did not take');

  const accounts = Object.fromEntries(['deployer', 'owner', 'consumer', 'appOwner', 'workerpoolOwner', 'stranger']
    .map((role) => [role, devAccount(role)]));
  const deployment = {
    chainId: Number(CHAIN_ID),
    hub: hubAddress,
    appRegistry, datasetRegistry, workerpoolRegistry,
    dataprotector: await dataprotector.getAddress(),
    app, workerpool,
    blockNumber: await provider.getBlockNumber(),
    accounts,
  };
  writeFileSync(`${args.out}.tmp`, JSON.stringify(deployment, null, 2) + '\n');
  renameSync(`${args.out}.tmp`, args.out);
  console.log(`deploy.mjs: PoCo hub ${hubAddress}, DataProtector ${deployment.dataprotector}, block ${deployment.blockNumber}`);
}

main().then(() => provider.destroy(), (error) => {
  console.error('deploy.mjs:', error.shortMessage ?? error.message, error.info?.error?.message ?? '');
  process.exit(1);
});
