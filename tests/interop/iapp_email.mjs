// A real iApp, as iExec runs them: reads the protected data's `email` field with iExec's own deserializer (which
// opens $IEXEC_IN/$IEXEC_DATASET_FILENAME) and writes it to $IEXEC_OUT/result.txt, then computed.json.
// Used by the mount tests of grants and `protectedfs run` (tests/mount/grants.sh).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IExecDataProtectorDeserializer } from '@iexec/dataprotector-deserializer';

const out = process.env.IEXEC_OUT;
const email = await new IExecDataProtectorDeserializer().getValue('email', 'string');
await writeFile(join(out, 'result.txt'), `${email}\n${process.env.IEXEC_ARGS ?? ''}\n`);
await writeFile(join(out, 'computed.json'), JSON.stringify({ 'deterministic-output-path': join(out, 'result.txt') }));
