// Signed play URLs end to end (see test/server/signed-play-stack.ts): the real relay with a play key and the real receiver
// signing URLs for it, started on first use. Dev-server routes (same origin as the tests):
//   GET  /signed-play/info  {"relay", "receiver", "streamId"} once all listen, or {"error": <its log>}
//   POST /signed-play/cut   drops every open connection to the relay (the viewers' streams break)
import { startServerProcess } from './server-process.mjs';

let child = null;
let starting = null;

async function start(origin) {
  child = await startServerProcess({
    script: 'test/server/signed-play-stack.ts',
    name: 'signed-play',
    env: { SIGNED_PLAY_ORIGIN: origin },
    ready: /signed-play listening on (http:\/\/\S+)/,
    timeoutMs: 60_000,
    keepOutput: 8000,
    killAfterMs: 5000,
  });
  return child.url;
}

export default {
  name: 'signed-play',
  async serve(context) {
    if (context.path !== '/signed-play/info' && context.path !== '/signed-play/cut') return undefined;
    starting ??= start(context.origin);
    try {
      const control = await starting;
      const cut = context.path === '/signed-play/cut';
      const res = await fetch(`${control}${cut ? '/cut' : '/info'}`, { method: cut ? 'POST' : 'GET' });
      return { body: await res.text(), type: 'json' };
    } catch (err) {
      return { body: JSON.stringify({ error: String(err && err.message) }), type: 'json' };
    }
  },
  async serverStop() {
    await starting?.catch(() => undefined);
    await child?.stop();
    child = null;
  },
};
