// iExec's own code, as the interop tests use it: the DataProtector SDK's serializer and schema detection (not
// exported by the package, so imported by file), the deserializer that iApps use, jszip, and ipfs-only-hash.
import { createDecipheriv, createCipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const here = new URL('./node_modules/', import.meta.url);
const data = await import(new URL('@iexec/dataprotector/dist/src/utils/data.js', here));
export const { createZipFromObject, extractDataSchema } = data;
export { IExecDataProtectorDeserializer } from '@iexec/dataprotector-deserializer';
export { default as JSZip } from 'jszip';
import Hash from 'ipfs-only-hash';

// PROTOCOL.md §1.4: file = IV || AES-256-CBC-PKCS7(zip).
export function decryptProtectedFile(file, keyBase64) {
  const key = Buffer.from(keyBase64, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, file.subarray(0, 16));
  return Buffer.concat([decipher.update(file.subarray(16)), decipher.final()]);
}

export function encryptProtectedFile(zip) {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return { key: key.toString('base64'), file: Buffer.concat([iv, cipher.update(zip), cipher.final()]) };
}

export const checksumOf = (bytes) => '0x' + createHash('sha256').update(bytes).digest('hex');
export const cidOf = (bytes) => Hash.of(bytes);  // kubo's defaults, CIDv0
export const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

// Deep equality that also compares Uint8Array contents and bigints.
export function assertSame(actual, expected, where) {
  const show = (v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : typeof v === 'bigint' ? `${v}n` : JSON.stringify(v));
  if (expected instanceof Uint8Array) {
    if (!(actual instanceof Uint8Array) || Buffer.compare(Buffer.from(actual), Buffer.from(expected)) !== 0)
      throw new Error(`${where}: got ${show(actual)}, expected ${show(expected)}`);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    const a = Object.keys(actual ?? {}).sort(), e = Object.keys(expected).sort();
    if (JSON.stringify(a) !== JSON.stringify(e)) throw new Error(`${where}: keys ${a} differ from ${e}`);
    for (const k of e) assertSame(actual[k], expected[k], `${where}.${k}`);
    return;
  }
  if (actual !== expected) throw new Error(`${where}: got ${show(actual)}, expected ${show(expected)}`);
}
