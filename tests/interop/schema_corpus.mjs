// Generates tests/unit/format/schema_corpus.json: tricky leading bytes and the type that the iExec SDK itself gives
// them (dataprotector's extractDataSchema on a Uint8Array, which runs magic-bytes.js). The C++ unit test
// (tests/unit/format/test_mime_detect.cpp) checks pfs::format::detect_mime against every entry.
//
// Deterministic: a fixed-seed PRNG, no clock, no randomness from the platform. Re-run after changing the pinned
// packages:   node tests/interop/schema_corpus.mjs   (from the repository root or anywhere else)
//
// The signatures are not copied by hand: they are read from magic-bytes.js's own pattern tree, so every pattern that
// yields a MIME type (supported by the SDK or not) is exercised, at its offset, whole, truncated, mutated and moved.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
// extractDataSchema is not among the package's exports: import the module file itself (same code the SDK runs).
const { extractDataSchema } = await import(
  new URL('./node_modules/@iexec/dataprotector/dist/src/utils/data.js', import.meta.url)
);
const { createTree } = require('magic-bytes.js/dist/model/pattern-tree.js');
const versionOf = (pkg) => JSON.parse(readFileSync(here(`./node_modules/${pkg}/package.json`), 'utf8')).version;
const magicVersion = versionOf('magic-bytes.js');
const sdkVersion = versionOf('@iexec/dataprotector');
if (magicVersion !== '1.13.1' || sdkVersion !== '2.0.0-beta.27') {
  throw new Error(`unexpected versions: magic-bytes.js ${magicVersion}, dataprotector ${sdkVersion}`);
}

const OUT = here('../unit/format/schema_corpus.json');

// mulberry32: small, deterministic.
let seed = 0x5eed1234;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const randByte = () => Math.floor(rand() * 256);
const randBytes = (n) => Array.from({ length: n }, randByte);
const pick = (arr) => arr[Math.floor(rand() * arr.length)];

// Every pattern of the library: walk its trees, one pattern per node that holds matches.
const tree = createTree();
const patterns = []; // { offset, sig: [byte | '?'], mimes: [...] }
const collect = (node, offset, path) => {
  if (node.matches) patterns.push({ offset, sig: path, mimes: node.matches.map((m) => m.mime) });
  for (const [k, child] of Object.entries(node.bytes)) {
    collect(child, offset, [...path, k === '?' ? '?' : Number(k)]);
  }
};
for (const [k, node] of Object.entries(tree.offset)) collect(node, Number(k), []);
collect(tree.noOffset, 0, []);
const withMime = patterns.filter((p) => p.mimes.some((m) => m !== undefined));
// Signatures of the dead pattern ["0xFE","0xED","0xFA","0xC"] ("0xc" never equals a byte's "0x0c") can't be found by
// the walk; add its intended bytes by hand so the corpus shows that it indeed never matches.
const extraSigs = [[0xfe, 0xed, 0xfa, 0x0c], [0xfe, 0xed, 0xfa, 0xcf]];

const entries = new Map(); // hex -> bytes (dedup, insertion order kept)
const add = (bytes) => {
  const b = Uint8Array.from(bytes.map((x) => x & 0xff));
  const hex = Buffer.from(b).toString('hex');
  if (!entries.has(hex)) entries.set(hex, b);
};
const fill = (sig, wild = randByte) => sig.map((x) => (x === '?' ? wild() : x));
const place = (offset, body, prefix = () => 0) => [...Array.from({ length: offset }, prefix), ...body];
const tails = () => [[], randBytes(8), randBytes(40)];

// 1. Every signature at its offset, with wildcards filled several ways, followed by nothing or random tails.
for (const p of withMime) {
  const wilds = p.sig.includes('?') ? [randByte, () => 0, () => 0xff, () => 0x20] : [randByte];
  for (const wild of wilds) {
    for (const tail of tails()) add([...place(p.offset, fill(p.sig, wild)), ...tail]);
  }
  // With a random prefix before an offset signature (the offset trees don't look at it, offset 0 does).
  if (p.offset > 0 && p.offset < 0x200) add([...place(p.offset, fill(p.sig), randByte), ...randBytes(4)]);
}
for (const s of extraSigs) for (const tail of tails()) add([...s, ...tail]);

// 2. Truncated signatures: every proper prefix.
for (const p of withMime) {
  const full = place(p.offset, fill(p.sig));
  for (let n = Math.max(0, p.offset); n < full.length; ++n) add(full.slice(0, n));
}

// 3. One-byte mutations of each signature (+1 or -1, a random other byte), with a short tail.
for (const p of withMime) {
  if (p.offset >= 0x100) continue; // tar/class offsets: a few are enough (section 1)
  const full = [...place(p.offset, fill(p.sig)), ...randBytes(6)];
  for (let i = p.offset; i < p.offset + p.sig.length; ++i) {
    for (const f of [(x) => (i % 2 ? x + 1 : x - 1), (x) => (x + 1 + Math.floor(rand() * 255)) & 0xff]) {
      const m = full.slice();
      m[i] = f(m[i]) & 0xff;
      add(m);
    }
  }
}

// 4. Signatures at the wrong offset: shifted right by 1, 4 or 8 bytes (zeros or random before), or left by 1..4.
for (const p of withMime) {
  if (p.offset >= 0x100) continue;
  const body = fill(p.sig);
  for (const shift of [1, 4, 8]) add([...place(p.offset + shift, body, shift === 4 ? () => 0 : randByte), ...randBytes(4)]);
  for (const shift of [1, 2, 3, 4]) {
    if (p.offset >= shift) add([...place(p.offset - shift, body), ...randBytes(4)]);
  }
}

// 5. Short inputs: empty, every single byte, every second byte after each first byte of a signature.
add([]);
for (let a = 0; a < 256; ++a) add([a]);
// After 0xFF (mp3, aac, jpeg, UTF-16 BOMs) and 'G' (MPEG-TS) every second byte; after other first bytes a sample.
for (const a of [0xff, 0x47]) for (let b = 0; b < 256; ++b) add([a, b]);
const firstBytes = [...new Set(withMime.filter((p) => p.offset === 0 && p.sig[0] !== '?').map((p) => p.sig[0]))];
for (const a of firstBytes) {
  const seconds = withMime.filter((p) => p.offset === 0 && p.sig[0] === a && p.sig.length > 1).map((p) => p.sig[1]);
  for (const b of [...seconds.flatMap((x) => (x === '?' ? [] : [x, x + 1, x - 1])), ...randBytes(6)]) add([a, b]);
}
for (let i = 0; i < 300; ++i) add(randBytes(3 + Math.floor(rand() * 3))); // 3..5 random bytes

// 6. RIFF variants: every form type the tree knows and near misses, whole and truncated, RIFF mutated.
const ascii = (s) => [...Buffer.from(s, 'latin1')];
const riffForms = ['WEBP', 'WAVE', 'AVI ', 'AVIX', 'WEBp', 'WAV ', 'AVI\0', 'ftyp', 'RIFF', 'CDXA', 'RMID', 'ACON', '    '];
for (const head of ['RIFF', 'RIFX', 'RIF ', 'riff', 'FORM']) {
  for (const form of riffForms) {
    for (const size of [[0x24, 0x08, 0, 0], ascii('ftyp')]) {
      const whole = [...ascii(head), ...size, ...ascii(form), ...ascii('fmt '), ...randBytes(8)];
      add(whole);
      if (head === 'RIFF') for (let n = 5; n <= 12; ++n) add(whole.slice(0, n));
    }
  }
}

// 7. ftyp variants: brands of mp4, quicktime, heif, avif, 3gp, truncated at every length, at offsets 0..8.
const brands = ['mp42', 'isom', 'mp41', 'M4A ', 'M4V ', 'qt  ', 'qt', 'q', 'heic', 'heix', 'mif1', 'msf1', 'avif',
  'avis', 'avi', 'av', 'a', 'hei', 'mif', '3gp4', '3g2a', 'crx ', 'dash', 'f4v ', ''];
for (const brand of brands) {
  for (const size of [[0, 0, 0, 0x18], [0, 0, 0, 0x20], ascii('RIFF'), ascii('GIF8'), [0x89, 0x50, 0x4e, 0x47],
    [0, 0, 1, 0xba], ascii('PK\x03\x04'), ascii('%PDF'), [0xff, 0xd8, 0xff, 0xe0], ascii('ID3\x04'), ascii('BM\0\0'),
    ascii('MThd'), ascii('<?xm'), ascii('SP01'), ascii('Gxxx')]) {
    const whole = [...size, ...ascii('ftyp'), ...ascii(brand), ...randBytes(8)];
    add(whole);
    if (size[3] === 0x18) for (let n = 5; n <= 13; ++n) add(whole.slice(0, n));
  }
  for (const off of [0, 1, 2, 3, 5, 6, 8]) add([...Array(off).fill(0), ...ascii('ftyp'), ...ascii(brand), ...randBytes(4)]);
}
// Other offset-4 boxes (quicktime 'free' 'mdat' 'moov' 'wide') after every supported offset-0 signature prefix.
for (const box of ['free', 'mdat', 'moov', 'wide', 'ftyp', 'ftyq', 'FTYP']) {
  for (const p of withMime.filter((q) => q.offset === 0)) {
    const sig = fill(p.sig).slice(0, 4);
    add([...sig, ...Array(4 - sig.length).fill(0x2e), ...ascii(box), ...fill(p.sig).slice(8), ...randBytes(3)]);
  }
}

// 8. Text and near-text: what a user's files look like. Letters that start signatures ('G', 'B', 'I', 'M', 'P', 'R').
for (const s of ['Good morning', 'GIF', 'GIF8', 'GIF87', 'GIF89', 'GIF89a', 'GIF87a', 'GIF88a', 'BMW', 'BM', 'B',
  'ID3', 'ID', 'ID3v2', 'MThd', 'MThe', 'PK', 'PKZIP', '%PDF', '%PDF-1.4', '%!PS-Adobe', '%PD', '<?xml ',
  '<?xml version="1.0"?>', '<?xml\tversion', '<?xml', '<?XML ', '<svg xmlns="x">', 'RIFF', 'Hello, world\n',
  '{"a":1}', '[1,2]', 'SP01', 'SP0', 'WEBVTT\n', '\ufeffWEBVTT\n', '\ufeff%PDF-1.7', '\ufeff<?xml ', '\ufeffhello',
  'MZ', 'Received: x', 'SQLite format 3\0', 'OggS', '\x1f\x8b\x08', '\x7fELF', 'fLaC', 'Rar!\x1a\x07\x00',
  '1\r\n00:', '{\\rtf1', 'wOFF', 'wOF2', 'OTTO', 'PL', 'CWS', 'FWS', 'x']) {
  const b = [...Buffer.from(s, 'utf8')];
  add(b);
  add([...b, ...ascii(' tail of some text\n')]);
}

// 9. Random bytes: plain, and drawn from the alphabet of signature bytes so that walks go deep.
const alphabet = [...new Set(withMime.flatMap((p) => p.sig.filter((x) => x !== '?')))];
for (let i = 0; i < 300; ++i) add(randBytes(Math.floor(rand() * 48)));
for (let i = 0; i < 800; ++i) add(Array.from({ length: 1 + Math.floor(rand() * 16) }, () => pick(alphabet)));
// Random splices: a signature's prefix followed by another signature's suffix.
const zeroOff = withMime.filter((p) => p.offset === 0);
for (let i = 0; i < 400; ++i) {
  const a = fill(pick(zeroOff).sig);
  const b = fill(pick(withMime).sig);
  const cut = 1 + Math.floor(rand() * a.length);
  add([...a.slice(0, cut), ...b.slice(Math.floor(rand() * b.length)), ...randBytes(Math.floor(rand() * 6))]);
}

// The SDK's answer for each input, exactly as it computes it.
const out = [];
for (const [hex, bytes] of entries) {
  const schema = await extractDataSchema({ f: bytes });
  out.push({ hex, type: schema.f });
}
const json = '[\n' + out.map((e) => JSON.stringify(e)).join(',\n') + '\n]\n';
writeFileSync(OUT, json);
const counts = {};
for (const e of out) counts[e.type] = (counts[e.type] ?? 0) + 1;
console.log(`${out.length} entries, ${json.length} bytes -> ${OUT}`);
console.log(counts);
