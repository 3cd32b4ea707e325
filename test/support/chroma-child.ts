// Starts an embedded Chroma for a test, prints its URL and waits to be killed.
import { startEmbeddedChroma } from '../../src/store/chroma-server.js';

const server = await startEmbeddedChroma(process.argv[2]!);
process.stdout.write(JSON.stringify({ url: server.url, owned: server.owned }) + '\n');
setInterval(() => {}, 1 << 30);
