// Reference CIDs for tests/unit/format/test_cid.cpp, computed by ipfs-only-hash 4.0.0 (ipfs-unixfs-importer 7:
// fixed chunker, balanced layout, dag-pb leaves, CIDv0), i.e. the library the vectors in tests/vectors were made with.
//
//   cd tests/interop && node cid_fixture.mjs            # prints the C++ fixture rows
//
// 1. Checks that the importer's defaults (262144-byte chunks, 174 links per node) reproduce every entry of
//    tests/vectors/ipfs_cid.json, so that the option names below really are the ones that set those defaults.
// 2. Prints `{chunk_size, max_links, length, seed, "Qm…", cumulative_size},` rows for small chunk sizes and fan-outs, on lengths at
//    and around the boundaries where the balanced tree gains a level (3-, 4- and 5-level trees and deeper).
// Inputs are the vectors' generator: byte[i] = (i*31 + seed) & 0xff.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const Hash = require('ipfs-only-hash');
const { importer } = require('ipfs-unixfs-importer');  // what ipfs-only-hash wraps; used for the root's size

const here = dirname(fileURLToPath(import.meta.url));

function generated(length, seed) {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; ++i) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function optionsFor(chunkSize, maxLinks) {
  const options = {};
  if (chunkSize !== undefined) options.maxChunkSize = chunkSize;
  if (maxLinks !== undefined) options.maxChildrenPerNode = maxLinks;
  return options;
}

async function cidOf(bytes, chunkSize, maxLinks) {
  return Hash.of(bytes, optionsFor(chunkSize, maxLinks));
}

// The root's cumulative size (kubo add's `Size`), with the CID checked against ipfs-only-hash's.
async function sizeOf(bytes, chunkSize, maxLinks, cid) {
  const block = { get: async () => { throw new Error('no get'); }, put: async () => { throw new Error('no put'); } };
  let last;
  for await (const entry of importer([{ content: bytes }], block, { ...optionsFor(chunkSize, maxLinks), onlyHash: true })) {
    last = entry;
  }
  if (`${last.cid}` !== cid) throw new Error(`importer and ipfs-only-hash disagree: ${last.cid} / ${cid}`);
  return last.size;
}

// 1. Defaults against the shared vectors (with and without spelling the defaults out).
const vectors = JSON.parse(readFileSync(join(here, '..', 'vectors', 'ipfs_cid.json'), 'utf8'));
for (const v of vectors) {
  const bytes = v.content_utf8 !== undefined ? new TextEncoder().encode(v.content_utf8) : generated(v.length, 7);
  const implicit = await cidOf(bytes);
  const explicit = await cidOf(bytes, 262144, 174);
  if (implicit !== v.cid_v0 || explicit !== v.cid_v0) {
    throw new Error(`defaults do not reproduce ${v.cid_v0}: got ${implicit} / ${explicit}`);
  }
}
console.error(`defaults reproduce all ${vectors.length} entries of ipfs_cid.json`);

// The option names must take effect (an unknown name would be ignored silently and give the defaults' CID).
{
  const bytes = generated(5 * 1024, 7);
  const byDefault = await cidOf(bytes);
  const smallChunks = await cidOf(bytes, 1024);
  const smallChunksFewLinks = await cidOf(bytes, 1024, 4);
  if (new Set([byDefault, smallChunks, smallChunksFewLinks]).size !== 3) {
    throw new Error('maxChunkSize / maxChildrenPerNode were not applied');
  }
}

// Cumulative sizes of the vectors' entries, for the C++ test.
for (const v of vectors) {
  const bytes = v.content_utf8 !== undefined ? new TextEncoder().encode(v.content_utf8) : generated(v.length, 7);
  console.error(`  ${v.cid_v0} size ${await sizeOf(bytes, undefined, undefined, v.cid_v0)}`);
}

// 2. Small parameters: lengths around every k * chunk where k is a power of max_links (a new level) or one past it.
const sets = [
  { chunk: 1024, links: 4, ks: [1, 2, 3, 4, 5, 8, 15, 16, 17, 20, 63, 64, 65, 100], seed: 7 },
  { chunk: 256, links: 3, ks: [1, 2, 3, 4, 9, 10, 26, 27, 28, 80, 81, 82, 250], seed: 11 },
  { chunk: 100, links: 2, ks: [1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 64, 65, 129], seed: 3 },
  { chunk: 1, links: 5, ks: [1, 5, 6, 25, 26, 125, 126, 624, 625, 626], seed: 200 },
];
const rows = [];
for (const { chunk, links, ks, seed } of sets) {
  const lengths = new Set([0]);
  for (const k of ks) for (const d of [-1, 0, 1]) if (k * chunk + d >= 0) lengths.add(k * chunk + d);
  for (const length of [...lengths].sort((a, b) => a - b)) {
    const bytes = generated(length, seed);
    const cid = await cidOf(bytes, chunk, links);
    const size = await sizeOf(bytes, chunk, links, cid);
    rows.push(`    {${chunk}, ${links}, ${length}, ${seed}, "${cid}", ${size}},`);
  }
}
console.log(rows.join('\n'));
