// Time to first frame on the same local live stream: <relay-player> (classic script, engine loaded lazily by a
// <script> on first play) vs the raw engine used directly (the same minified engine file, loaded by the page's own
// <script> tag; for HLS the full hls.js build, as a page that uses hls.js usually does, and the light build that
// <relay-player> starts with, as a second baseline), and <relay-player> with a `<link rel="preload" as="script">` of the engine file (the engine then
// downloads in parallel with the classic script).
// Fresh browser context per run (no cache); N paired rounds (every variant starts at the same point of the live
// segment cycle), reported as medians and as the median of per-round ratios to the raw engine.
// Usage: node bench/run.mjs player-ttff [rounds]
import { ensureBuild, launchChromium, median, sleep, startServer } from './player-support.ts';
import { LAZY_REGISTRY } from '../src/lazy/classic.generated.ts';

const RUNS = Number(process.argv[2] ?? 7);

const firstFrame = (videoExpr: string) => `
  const mark = () => (window.__ttff = performance.now());
  const hook = (v) => ('requestVideoFrameCallback' in v ? v.requestVideoFrameCallback(mark) : v.addEventListener('playing', mark, { once: true }));
  hook(${videoExpr});`;

const relayPage = (
  src: string,
  preload = '',
  script = 'relay-widgets.js',
) => `<!doctype html><meta charset="utf-8">
${preload ? `<link rel="preload" as="script" href="/dist/relay-widgets-${preload}.js">` : ''}
<script src="/dist/${script}"></script>
<relay-player src="${src}" autoplay muted></relay-player>
<script>
  const el = document.querySelector('relay-player');
  el.updateComplete.then(() => { ${firstFrame('el.media')} });
</script>`;

const rawFlvPage = (src: string) => `<!doctype html><meta charset="utf-8">
<video muted autoplay playsinline></video>
<script src="/dist/relay-widgets-mpegts.js"></script>
<script>
  const mpegts = window.${LAZY_REGISTRY}.mpegts;
  const v = document.querySelector('video');
  ${firstFrame('v')}
  const p = mpegts.createPlayer({ type: 'flv', isLive: true, url: '${src}' });
  p.attachMediaElement(v); p.load(); p.play();
</script>`;

const rawHlsPage = (src: string, build = 'hls') => `<!doctype html><meta charset="utf-8">
<video muted autoplay playsinline></video>
<script src="/dist/relay-widgets-${build}.js"></script>
<script>
  const Hls = window.${LAZY_REGISTRY}['${build}'];
  const v = document.querySelector('video');
  ${firstFrame('v')}
  const h = new Hls(); h.attachMedia(v); h.loadSource('${src}'); v.play();
</script>`;

ensureBuild();
const server = await startServer({
  '/relay-flv.html': relayPage('/media/live.flv'),
  '/raw-flv.html': rawFlvPage('/media/live.flv'),
  '/relay-hls.html': relayPage('/media/live.m3u8'),
  '/player-flv.html': relayPage('/media/live.flv', '', 'relay-player.js'),
  '/player-hls.html': relayPage('/media/live.m3u8', '', 'relay-player.js'),
  '/relay+preload-flv.html': relayPage('/media/live.flv', 'mpegts'),
  '/relay+preload-hls.html': relayPage('/media/live.m3u8', 'hls-light'),
  '/raw-hls.html': rawHlsPage('/media/live.m3u8'),
  '/raw-light-hls.html': rawHlsPage('/media/live.m3u8', 'hls-light'),
});
const browser = await launchChromium();
try {
  const measure = async (path: string): Promise<number> => {
    const ctx = await browser.createBrowserContext();
    try {
      const page = await ctx.newPage();
      await page.goto(server.origin + path);
      await page.waitForFunction('window.__ttff !== undefined', { timeout: 20000, polling: 20 });
      return Number(await page.evaluate('window.__ttff'));
    } finally {
      await ctx.close();
    }
  };
  // warm up the server side and the OS file cache once
  await measure('/raw-flv.html');
  await measure('/raw-hls.html');
  const results: Record<string, number[]> = {
    'relay-flv': [],
    'player-flv': [],
    'raw-flv': [],
    'relay+preload-flv': [],
    'relay-hls': [],
    'player-hls': [],
    'raw-hls': [],
    'raw-light-hls': [],
    'relay+preload-hls': [],
  };
  // Paired rounds. The live streams make a new 1 s segment (and GOP) every second, and the time to the first frame
  // depends a lot on where in that cycle a page starts (up to a segment). Each round therefore picks one random
  // point of the cycle and starts every variant exactly there, in a shuffled order: the variants of a round meet
  // the same stream state, and the per-round ratio to the raw engine cancels that variance out.
  const names = Object.keys(results);
  const startAt = async (phase: number): Promise<void> => {
    const wait = (phase - server.livePhase() + server.segMs) % server.segMs;
    await sleep(wait < 20 ? wait + server.segMs : wait);
  };
  for (let i = 0; i < RUNS; i++) {
    const phase = Math.random() * server.segMs;
    const order = [...names].sort(() => Math.random() - 0.5);
    for (const name of order) {
      await startAt(phase);
      results[name]!.push(await measure(`/${name}.html`));
    }
  }
  const fmt = (xs: number[]) =>
    `median ${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;
  /** median over rounds of variant / raw in the same round */
  const paired = (xs: number[], raw: number[]) => median(xs.map((x, k) => x / raw[k]!)).toFixed(2);
  for (const proto of ['flv', 'hls']) {
    const relay = results[`relay-${proto}`]!;
    const raw = results[`raw-${proto}`]!;
    const pre = results[`relay+preload-${proto}`]!;
    const player = results[`player-${proto}`]!;
    const P = proto.toUpperCase();
    console.log(`${P} raw engine:                   ${fmt(raw)}`);
    console.log(`${P} relay-player:                 ${fmt(relay)}`);
    console.log(`${P} relay-player + preload:       ${fmt(pre)}`);
    console.log(`${P} relay-player.js (viewer page): ${fmt(player)}`);
    console.log(
      `${P} ratio to raw, median of paired rounds (ratio of medians): relay-widgets.js ${paired(relay, raw)} ` +
        `(${(median(relay) / median(raw)).toFixed(2)}), relay-player.js ${paired(player, raw)} ` +
        `(${(median(player) / median(raw)).toFixed(2)}), relay-widgets.js + preload hint ${paired(pre, raw)} ` +
        `(${(median(pre) / median(raw)).toFixed(2)}); target <= 1.05 without a hint`,
    );
  }
  // <relay-player> starts HLS with hls.js's light build: how that build does on its own, for comparison
  const light = results['raw-light-hls']!;
  const rawHls = results['raw-hls']!;
  console.log(`HLS raw hls.js light build:     ${fmt(light)}`);
  console.log(
    `HLS ratio to raw light build, median of paired rounds: relay-widgets.js ` +
      `${paired(results['relay-hls']!, light)}, relay-player.js ${paired(results['player-hls']!, light)}; ` +
      `raw light / raw full ${paired(light, rawHls)}`,
  );
} finally {
  await browser.close();
  await server.close();
}
