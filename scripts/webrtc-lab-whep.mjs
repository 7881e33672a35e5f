// The lab's WHEP server (see webrtc-lab.mjs): Meetecho's janus-whep-server, unchanged, serving Janus's Streaming
// mountpoint 1 as the endpoint `lab`, on 127.0.0.1:<argv[2]>. Loaded from the lab's own install, not the project's.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const cache = new URL('../node_modules/.cache/webrtc-lab/', import.meta.url).pathname;
const { JanusWhepServer } = await import(pathToFileURL(join(cache, 'node_modules/janus-whep-server/src/whep.js')).href);
const server = new JanusWhepServer({
  janus: { address: 'ws://127.0.0.1:8188' },
  rest: { port: Number(process.argv[2]), basePath: '/whep' },
});
await server.start();
server.createEndpoint({ id: 'lab', plugin: 'streaming', mountpoint: 1 });
console.log('WHEP ready');
