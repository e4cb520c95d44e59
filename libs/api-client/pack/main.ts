// `npm run client:pack [-- <dir>]`: the installable @ingrain/api-client tarball in <dir> (default: .).
import { packApiClient } from './pack-api-client.js';

const packed = await packApiClient(process.argv[2] ?? '.');
process.stdout.write(`${packed.tarball}\n`);
