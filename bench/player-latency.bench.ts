// Live latency over a long FLV playback: <relay-player> vs raw mpegts.js (default config) on the same local live
// stream, side by side in one headless Chromium. Every second each page reports its distance from the live edge
// (newest received media minus the playhead) and how far the playhead has fallen behind the wall clock since the
// first frame (drift; seeks to the edge count as catching up). Usage: node bench/run.mjs player-latency [seconds] [hiccup-every-seconds]
import { ensureBuild, launchChromium, median, sleep, startServer } from './player-support.ts';

const SECONDS = Number(process.argv[2] ?? 60);
// every HICCUP seconds the server holds the stream for 3 s then sends the backlog (0 = a perfect network)
const HICCUP = Number(process.argv[3] ?? 15);

// Both players on one page (a second tab would be hidden, and Chromium defers media in hidden tabs).
const page = `<!doctype html><meta charset="utf-8">
<script src="/dist/relay-widgets.js"></script>
<relay-player src="/media/live.flv?id=relay&hiccup=${HICCUP}" autoplay muted style="width:320px"></relay-player>
<video id="raw" muted autoplay playsinline width="320"></video>
<script>
  window.__samples = { relay: [], raw: [] };
  function probe(name, v) {
    let t0 = null;
    setInterval(() => {
      if (!v.buffered.length || v.currentTime === 0) return;
      const now = performance.now() / 1000;
      if (t0 === null) t0 = { wall: now, media: v.currentTime };
      window.__samples[name].push({
        edge: v.buffered.end(v.buffered.length - 1) - v.currentTime,
        drift: now - t0.wall - (v.currentTime - t0.media),
        rate: v.playbackRate,
      });
    }, 1000);
  }
  const el = document.querySelector('relay-player');
  el.updateComplete.then(() => probe('relay', el.media));
</script>
<script type="module">
  import mpegts from '/dist/relay-widgets-mpegts.js';
  const v = document.getElementById('raw');
  const p = mpegts.createPlayer({ type: 'flv', isLive: true, url: '/media/live.flv?id=raw&hiccup=${HICCUP}' });
  p.attachMediaElement(v); p.load(); p.play();
  probe('raw', v);
</script>`;

ensureBuild();
const server = await startServer({ '/latency.html': page });
const browser = await launchChromium();
try {
  const tab = await browser.newPage();
  await tab.goto(server.origin + '/latency.html');
  console.log(`playing both for ${SECONDS} s, network hiccup (3 s hold) every ${HICCUP || '∞'} s…`);
  await sleep(SECONDS * 1000);
  type Sample = { edge: number; drift: number; rate: number };
  const { relay: rs, raw: ws } = (await tab.evaluate('window.__samples')) as {
    relay: Sample[];
    raw: Sample[];
  };
  // Behind live = how far the playhead is behind the server's live clock. The server is real-time and local, so at
  // the first sample that is the buffered distance; afterwards it grows by the playhead's drift vs the wall clock.
  const report = (name: string, s: Sample[]) => {
    const edge = s.map((x) => x.edge);
    const behind = s.map((x) => s[0]!.edge + x.drift);
    const fifth = Math.max(1, Math.floor(s.length / 5));
    console.log(
      `${name}: ${s.length} samples; behind live median ${median(behind).toFixed(2)} s, max ${Math.max(...behind).toFixed(2)} s, ` +
        `first-fifth median ${median(behind.slice(0, fifth)).toFixed(2)} s -> last-fifth median ${median(behind.slice(-fifth)).toFixed(2)} s; ` +
        `buffered distance median ${median(edge).toFixed(2)} s, max ${Math.max(...edge).toFixed(2)} s`,
    );
    return median(behind);
  };
  const a = report('relay-player', rs);
  const b = report('raw mpegts ', ws);
  console.log(`median behind-live ratio relay/raw: ${(a / b).toFixed(2)}`);
} finally {
  await browser.close();
  await server.close();
}
