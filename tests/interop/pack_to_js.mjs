// protectedfs pack → iExec's readers. A folder with every supported type (the 14 MIME types and
// application/octet-stream, text, bool/f64/i128 through user.protected.type, an empty file, nested folders, a
// dot-file, a leaf of 4 MiB written as a streamed ZIP64 entry) is packed by the real CLI; node then decrypts the file, checks the checksum and the CID
// (ipfs-only-hash), opens the zip with jszip, reads every field with @iexec/dataprotector-deserializer and
// compares the schema with the SDK's own extractDataSchema for the same values.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { IExecDataProtectorDeserializer, JSZip, assertSame, checksumOf, cidOf, decryptProtectedFile, extractDataSchema } from './sdk.mjs';

const [bin, work] = process.argv.slice(2);
const input = join(work, 'input');
const vectors = JSON.parse(readFileSync(new URL('../vectors/schema.json', import.meta.url)));
const sample = (name) => {
  const hex = vectors.by_leading_bytes.find((v) => v.name === name).bytes_hex;
  return Buffer.concat([Buffer.from(hex, 'hex'), randomBytes(300)]);  // a realistic tail after the signature
};

// file name → [expected value, optional user.protected.type]; keys follow SPEC.md §2.
const files = {
  'scan 2024.pdf': sample('pdf'), 'photo.png': sample('png'), 'portrait.jpg': sample('jpeg'), 'anim.gif': sample('gif'),
  'archive.zip': sample('zip'), 'bitmap.bmp': sample('bmp'), 'report.final.xml': sample('xml'), 'voice.wav': sample('wav'),
  'picture.webp': sample('webp'), 'clip.avi': sample('avi'), 'song.mp3': sample('mp3_id3'), 'tune.mid': sample('midi'),
  'movie.mp4': sample('mp4'), 'film.mpg': sample('mpeg_ps'),
  'blob.bin': Buffer.concat([Buffer.from([0xfe, 0x00, 0xff]), randomBytes(70000)]),
  // 4 MiB and more: the streamed entry (ZIP64 sizes, data descriptor) of a field zipped while it is written
  'large.bin': Buffer.concat([Buffer.from([0xfe, 0x00, 0xff]), randomBytes(4 * 1048576)]),
  'email.txt': 'alice@example.com\n', 'notes.md': 'héllo\nwörld €\n', 'no-newline': 'exact text', 'empty': '',
  'age': ['42.5\n', 'f64'], 'big': ['-170141183460469231731687303715884105728', 'i128'], 'ok': ['true\n', 'bool'],
  'contact/phone.txt': '+33 6 12 34 56 78\n', 'contact/address/city': 'Lyon\n', 'contact/address/zip code.txt': '69001\n',
  '.secret': 'never published', 'contact/.swp': 'editor swap file',
};

const expected = {};
const keyOf = (name) => name.replace(/^(.+)\.[^.]*$/, '$1').replace(/[^A-Za-z0-9_-]/gu, '_');
for (const [path, spec] of Object.entries(files)) {
  const [content, type] = Array.isArray(spec) ? spec : [spec];
  const full = join(input, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  if (type) execFileSync('setfattr', ['-n', 'user.protected.type', '-v', type, full]);
  const parts = path.split('/');
  if (parts.some((p) => p.startsWith('.'))) continue;
  let node = expected;
  for (const dir of parts.slice(0, -1)) node = node[dir] ??= {};
  const key = keyOf(parts.at(-1));
  if (type === 'f64') node[key] = Number(content);
  else if (type === 'i128') node[key] = BigInt(content);
  else if (type === 'bool') node[key] = content.trim() === 'true';
  else if (typeof content === 'string') node[key] = content.endsWith('\n') ? content.slice(0, -1) : content;
  else node[key] = new Uint8Array(content);
}

const out = join(work, 'data.enc');
const info = JSON.parse(execFileSync(bin, ['pack', input, out], { encoding: 'utf8' }));
const encrypted = readFileSync(out);

assertSame(info.checksum, checksumOf(encrypted), 'checksum');
assertSame(info.cid, await cidOf(encrypted), 'CID (ipfs-only-hash)');
assertSame(info.multiaddr, `/p2p/${info.cid}`, 'multiaddr');

// The schema: what the SDK's extractDataSchema says for the same values, in the same key order.
const sdkSchema = await extractDataSchema(expected);
const sortedObject = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k,
  o[k] !== null && typeof o[k] === 'object' && !(o[k] instanceof Uint8Array) ? sortedObject(o[k]) : o[k]]));
assertSame(JSON.parse(info.schema), sdkSchema, 'schema');
assertSame(info.schema, JSON.stringify(await extractDataSchema(sortedObject(expected))), 'schema text');
const mimeTypes = new Set(JSON.stringify(sdkSchema).match(/"[a-z]+\/[a-z0-9.+-]+"/g));
if (mimeTypes.size !== 15) throw new Error(`expected all 15 binary types, got ${[...mimeTypes]}`);

// The zip, as an iApp receives it after the TEE pre-compute.
const zipBytes = decryptProtectedFile(encrypted, info.key);
const zipPath = join(work, 'dataset.zip');
writeFileSync(zipPath, zipBytes);
const zip = await JSZip.loadAsync(zipBytes);
for (const name of Object.keys(zip.files)) if (name.split('/').some((p) => p.startsWith('.'))) throw new Error(`dot-file ${name} was published`);
const deserializer = new IExecDataProtectorDeserializer({ protectedDataPath: zipPath });
let checked = 0;
async function check(schema, values, prefix) {
  for (const [key, type] of Object.entries(schema)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof type === 'object') { await check(type, values[key], path); continue; }
    if (!zip.file(path.split('.').join('/'))) throw new Error(`jszip finds no entry for ${path}`);
    assertSame(await deserializer.getValue(path, type), values[key], path);
    checked++;
  }
}
await check(sdkSchema, expected, '');
console.log(`${checked} fields read back by the deserializer; schema, checksum and CID ${info.cid} match the SDK`);
