// iExec's SDK opening a result that protectedfs's runner encrypted: utils.decryptResult(envelope zip, the
// beneficiary's PEM private key) gives back the result zip (iexec_out zipped), written to OUT.
// node decrypt_result.mjs ENVELOPE_ZIP PRIVATE_KEY_PEM OUT
import { readFile, writeFile } from 'node:fs/promises';
import { utils } from 'iexec';

const [envelope, key, out] = process.argv.slice(2);
const zip = await utils.decryptResult(await readFile(envelope), await readFile(key, 'utf8'));
await writeFile(out, zip);
