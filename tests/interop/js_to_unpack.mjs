// The SDK's own serializer → protectedfs unpack. createZipFromObject builds the zip of an object with every kind
// of value, node encrypts it as the SDK does, and the real CLI unpacks it: with the SDK's schema every field
// comes back exactly; without a schema binary and text fields are still recognised; and packing the unpacked
// folder again yields the same schema (scalars keep their type through user.protected.type).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { assertSame, checksumOf, createZipFromObject, encryptProtectedFile, extractDataSchema } from './sdk.mjs';

const [bin, work] = process.argv.slice(2);
const vectors = JSON.parse(readFileSync(new URL('../vectors/schema.json', import.meta.url)));
const sample = (name) => new Uint8Array(Buffer.concat([Buffer.from(vectors.by_leading_bytes.find((v) => v.name === name).bytes_hex, 'hex'), randomBytes(100)]));

const data = {
  email: 'bob@example.com', note: 'multi\nline ünïcode €', empty: '', age: 31.25, tiny: -1e-300, big: 12345678901234567890123n,
  ok: false, doc: sample('pdf'), raw: new Uint8Array(randomBytes(5000)),
  nested: { inner: 'x', pic: sample('png'), deeper: { song: sample('mp3_frame'), count: 7 } },
};
const schema = await extractDataSchema(data);
const zip = await createZipFromObject(data);
const { key, file } = encryptProtectedFile(zip);
const enc = join(work, 'sdk.enc');
writeFileSync(enc, file);

const extension = { 'application/pdf': '.pdf', 'image/png': '.png', 'audio/mpeg': '.mp3' };
function verify(folder, values, types, prefix = '') {
  for (const [k, value] of Object.entries(values)) {
    const type = types[k];
    if (typeof type === 'object') { verify(join(folder, k), value, type, `${prefix}${k}.`); continue; }
    const path = join(folder, k + (extension[type] ?? ''));
    const content = readFileSync(path);
    let got;
    if (type === 'string') got = content.toString('utf8').replace(/\n$/, '');
    else if (type === 'f64') got = Number(content.toString());
    else if (type === 'i128') got = BigInt(content.toString().trim());
    else if (type === 'bool') got = content.toString().trim() === 'true';
    else got = new Uint8Array(content);
    assertSame(got, value, prefix + k);
  }
}

// With the schema: exact.
const withSchema = join(work, 'with-schema');
execFileSync(bin, ['unpack', enc, '--key', key, '--checksum', checksumOf(file), '--schema', JSON.stringify(schema), withSchema]);
verify(withSchema, data, schema);

// Without it: binary and text fields are recognised from their bytes (scalars need the schema).
const guessed = JSON.parse(execFileSync(bin, ['unpack', enc, '--key', key, join(work, 'guessed')], { encoding: 'utf8' }));
const guessedSchema = JSON.parse(guessed.schema);
for (const [path, type] of [['email', 'string'], ['note', 'string'], ['empty', 'string'], ['doc', 'application/pdf'],
  ['raw', 'application/octet-stream'], ['nested.pic', 'image/png'], ['nested.deeper.song', 'audio/mpeg']])
  assertSame(path.split('.').reduce((o, k) => o[k], guessedSchema), type, `guessed type of ${path}`);

// Packing what was unpacked gives back the same fields and schema.
const info = JSON.parse(execFileSync(bin, ['pack', withSchema, join(work, 'again.enc')], { encoding: 'utf8' }));
const sorted = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, typeof o[k] === 'object' ? sorted(o[k]) : o[k]]));
assertSame(info.schema, JSON.stringify(sorted(schema)), 'schema after unpack and pack again');
console.log(`SDK zip of ${Object.keys(data).length} top-level fields unpacked identically; schema ${JSON.stringify(schema)}`);
