/**
 * The real-time path through the local relay, glass to glass: a page paints the wall clock (ms, 24 bits as an
 * 8×3 grid of black/white blocks) into a canvas 30 times a second, publishes the canvas over WHIP to the relay
 * (H.264, passed through), and plays it back in the same page. For every frame the player presents
 * (`requestVideoFrameCallback`) the page reads the blocks back: glass-to-glass = display time − painted time (one
 * clock). Cases, one stream each, in one run:
 *
 *   raw WHEP            a bare `RTCPeerConnection` WHEP viewer (the baseline: what any page gets from the relay)
 *   <relay-player> WHEP the widget playing `{ encode: "webrtc" }`, `latency` normal and low
 *   <relay-player> FLV  the widget playing the relay's HTTP-FLV of the same WHIP push (the seconds-class path)
 *
 * plus time to first frame (viewer created → first presented frame) for the raw and widget WHEP viewers.
 *
 * Usage: node bench/run.mjs webrtc-glass [seconds-per-case]
 */
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, relayProcess, tempDir } from '../test/server/relay/support.ts';
import { ensureBuild, launchChromium, median, root, sleep } from './player-support.ts';

const SECONDS = Number(process.argv[2] ?? 15);
const W = 320;
const H = 240;
const BITS = 24;
const COLS = 8;
const ROWS = 3;

type Viewer = 'raw-whep' | 'widget-whep' | 'widget-flv';
const CASES: { name: string; viewer: Viewer; latency: 'normal' | 'low' }[] = [
  { name: 'raw WHEP (baseline)', viewer: 'raw-whep', latency: 'normal' },
  { name: '<relay-player> WHEP', viewer: 'widget-whep', latency: 'normal' },
  { name: '<relay-player> WHEP low', viewer: 'widget-whep', latency: 'low' },
  { name: '<relay-player> FLV', viewer: 'widget-flv', latency: 'normal' },
  { name: '<relay-player> FLV low', viewer: 'widget-flv', latency: 'low' },
];

const page = `<!doctype html><meta charset="utf-8">
<script src="/dist/relay-widgets.js"></script>
<div id="out"></div>
<script>
const q = new URLSearchParams(location.search);
const relay = q.get('relay'), id = q.get('id');
window.__s = []; window.__ttff = null;
// the publisher: the wall clock painted as blocks, 30 fps
const src = document.createElement('canvas'); src.width = ${W}; src.height = ${H};
const sg = src.getContext('2d');
setInterval(() => {
  const v = Date.now() % ${2 ** BITS};
  for (let b = 0; b < ${BITS}; b++) {
    sg.fillStyle = (v >> b) & 1 ? '#ebebeb' : '#101010';
    sg.fillRect((b % ${COLS}) * ${W / COLS}, Math.floor(b / ${COLS}) * ${H / ROWS}, ${W / COLS}, ${H / ROWS});
  }
}, 1000 / 30);
const gathered = (pc) => new Promise((r) => {
  if (pc.iceGatheringState === 'complete') return r();
  pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
  setTimeout(r, 1000);
});
async function exchange(pc, url, token) {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp',
    ...(token ? { authorization: 'Bearer ' + token } : {}) }, body: pc.localDescription.sdp });
  if (res.status !== 201) throw new Error(url + ' answered ' + res.status);
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
}
window.publish = async (token) => {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  const track = src.captureStream(30).getVideoTracks()[0];
  const t = pc.addTransceiver(track, { direction: 'sendonly' });
  const codecs = RTCRtpSender.getCapabilities('video').codecs;
  t.setCodecPreferences([...codecs.filter((c) => /h264/i.test(c.mimeType)), ...codecs.filter((c) => !/h264/i.test(c.mimeType))]);
  const p = t.sender.getParameters(); p.degradationPreference = 'maintain-resolution'; await t.sender.setParameters(p);
  await exchange(pc, relay + '/whip/' + id, token);
  await new Promise((r) => { const c = () => pc.connectionState === 'connected' && r(); pc.addEventListener('connectionstatechange', c); c(); });
  window.__pub = pc;
};
function measure(video, est) {
  const c = document.createElement('canvas'); c.width = ${W}; c.height = ${H};
  const g = c.getContext('2d', { willReadFrequently: true });
  const onFrame = (_now, meta) => {
    if (window.__ttff === null) window.__ttff = performance.now() - window.__t0;
    g.drawImage(video, 0, 0, ${W}, ${H});
    const d = g.getImageData(0, 0, ${W}, ${H}).data;
    let painted = 0;
    for (let b = 0; b < ${BITS}; b++) {
      const x = Math.floor(((b % ${COLS}) + 0.5) * ${W / COLS});
      const y = Math.floor((Math.floor(b / ${COLS}) + 0.5) * ${H / ROWS});
      if (d[(y * ${W} + x) * 4 + 1] > 128) painted |= 1 << b;
    }
    const shown = Math.round(performance.timeOrigin + meta.expectedDisplayTime) % ${2 ** BITS};
    window.__s.push({ g2g: (shown - painted + ${2 ** BITS}) % ${2 ** BITS}, est: est() });
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}
window.view = async (kind, latency, flvUrl) => {
  window.__t0 = performance.now();
  if (kind === 'raw-whep') {
    const v = document.createElement('video'); v.muted = true; v.autoplay = true; v.playsInline = true;
    document.getElementById('out').append(v);
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addEventListener('track', (e) => { v.srcObject = new MediaStream([e.track]); });
    measure(v, () => null);
    await exchange(pc, relay + '/whep/' + id);
    return;
  }
  const el = document.createElement('relay-player');
  el.setAttribute('autoplay', ''); el.setAttribute('muted', ''); el.setAttribute('latency', latency);
  el.style.width = '${W}px';
  el.sources = kind === 'widget-whep' ? [{ encode: 'webrtc', url: relay + '/whep/' + id }] : [{ encode: 'flv', url: flvUrl }];
  document.getElementById('out').append(el);
  await el.updateComplete;
  measure(el.media, () => el.getStats().latency);
};
</script>`;

ensureBuild();
// The page and dist/ from here; the relay allows this origin.
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/glass.html') {
    res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
    return void res.end(page);
  }
  const file = join(root, url.pathname);
  if (url.pathname.startsWith('/dist/') && !url.pathname.includes('..') && existsSync(file)) {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    return void res.end(readFileSync(file));
  }
  res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const addr = server.address();
const origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
const data = tempDir('webrtc-glass-');
const relay = await relayProcess({ DATA_DIR: data.dir, ALLOWED_ORIGINS: origin });

const browser = await launchChromium();
const results: {
  name: string;
  g2g: number;
  p90: number;
  ttff: number | null;
  est: number | null;
  frames: number;
}[] = [];
try {
  console.log(`canvas clock → WHIP → local relay → viewer; ${SECONDS} s per case after 4 s of warm-up`);
  for (const c of CASES) {
    const created = await api<{ streamId: string; ingest: { url: string } }>(
      relay.base,
      'POST',
      '/api/streams',
      {},
    );
    const id = created.body.streamId;
    const token = new URL(created.body.ingest.url).searchParams.get('token')!;
    const tab = await browser.newPage();
    await tab.goto(`${origin}/glass.html?relay=${encodeURIComponent(relay.base)}&id=${id}`);
    await tab.evaluate(`window.publish(${JSON.stringify(token)})`);
    let flv = '';
    if (c.viewer === 'widget-flv') {
      const r = await api<{ urls: { encode: string; url: string }[] }>(
        relay.base,
        'POST',
        `/api/streams/${id}/relay`,
        {
          encode: 'flv',
        },
      );
      flv = r.body.urls.find((u) => u.encode === 'flv')!.url;
    }
    await sleep(1000); // the publisher's encoder settles
    await tab.evaluate(
      `window.view(${JSON.stringify(c.viewer)}, ${JSON.stringify(c.latency)}, ${JSON.stringify(flv)})`,
    );
    await sleep(4000);
    await tab.evaluate('window.__s.length = 0');
    await sleep(SECONDS * 1000);
    const s = (await tab.evaluate('window.__s')) as { g2g: number; est: number | null }[];
    const ttff = (await tab.evaluate('window.__ttff')) as number | null;
    await tab.close();
    await api(relay.base, 'DELETE', `/api/streams/${id}`);
    const ok = s
      .filter((x) => x.g2g < 60_000)
      .map((x) => x.g2g)
      .sort((a, b) => a - b);
    const est = s.filter((x) => x.est !== null).map((x) => x.est as number);
    results.push({
      name: c.name,
      g2g: median(ok),
      p90: ok[Math.floor(ok.length * 0.9)] ?? NaN,
      ttff: c.viewer === 'widget-flv' ? null : ttff,
      est: est.length ? median(est) * 1000 : null,
      frames: ok.length,
    });
  }
  const base = results[0]!;
  for (const r of results) {
    console.log(
      r.name.padEnd(26) +
        `glass-to-glass median ${r.g2g.toFixed(0)} ms, p90 ${r.p90.toFixed(0)} ms (×${(r.g2g / base.g2g).toFixed(2)} of raw; ${r.frames} frames)` +
        (r.ttff !== null
          ? `; first frame ${r.ttff.toFixed(0)} ms (×${(r.ttff / (base.ttff ?? NaN)).toFixed(2)})`
          : '') +
        (r.est !== null ? `; getStats().latency ${r.est.toFixed(0)} ms` : ''),
    );
  }
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
  await relay.stop();
  data.remove();
}
