/**
 * Real time, glass to glass: a page paints the wall clock (ms, 24 bits as an 8×3 grid of black/white blocks) into a
 * canvas 30 times a second, publishes the canvas, and plays it back in the same page. For every frame the player
 * presents (`requestVideoFrameCallback`) the page reads the blocks back: glass-to-glass = display time − painted
 * time (one clock). Each case publishes its own stream; in one run:
 *
 *   WHIP → local relay → raw WHEP          a bare `RTCPeerConnection` viewer (the baseline for the relay cases)
 *   WHIP → local relay → <relay-player>    the widget playing `{ encode: "webrtc" }`, `latency` normal and low
 *   WHIP → local relay → FLV               the widget playing the relay's HTTP-FLV of the same WHIP push
 *   WebSocket → local relay → FLV          the fallback ingest (MediaRecorder H.264 WebM over the relay's WebSocket)
 *   WHIP → Janus → raw WHEP / widget       when run inside the lab (JANUS_WHIP_URL…: see below), Janus 1.1.2 with
 *                                          Meetecho's WHIP and WHEP servers; the raw viewer applies the minimal
 *                                          rewrite Janus's WHEP answer needs (actpass → active, extension ids)
 *
 * plus time to first frame (viewer created → first presented frame) for the WHEP viewers.
 *
 * Usage: node bench/run.mjs webrtc-glass [seconds-per-case]
 *   with Janus: node scripts/webrtc-lab.mjs -- node --import tsx bench/webrtc-glass.bench.ts [seconds-per-case]
 */
import { api, relayProcess, tempDir } from '../test/server/relay/support.ts';
import { ensureBuild, launchChromium, median, sleep, startServer } from './player-support.ts';

const SECONDS = Number(process.argv[2] ?? 15);
const W = 320;
const H = 240;
const BITS = 24;
const COLS = 8;
const ROWS = 3;

type Viewer = 'raw-whep' | 'widget-whep' | 'widget-flv';
type Push = 'whip' | 'ws';
interface Case {
  name: string;
  server: 'relay' | 'janus';
  push: Push;
  viewer: Viewer;
  latency: 'normal' | 'low';
}
const CASES: Case[] = [
  {
    name: 'relay: raw WHEP (baseline)',
    server: 'relay',
    push: 'whip',
    viewer: 'raw-whep',
    latency: 'normal',
  },
  {
    name: 'relay: <relay-player> WHEP',
    server: 'relay',
    push: 'whip',
    viewer: 'widget-whep',
    latency: 'normal',
  },
  {
    name: 'relay: <relay-player> WHEP low',
    server: 'relay',
    push: 'whip',
    viewer: 'widget-whep',
    latency: 'low',
  },
  { name: 'relay: WHIP → FLV', server: 'relay', push: 'whip', viewer: 'widget-flv', latency: 'normal' },
  { name: 'relay: WHIP → FLV low', server: 'relay', push: 'whip', viewer: 'widget-flv', latency: 'low' },
  { name: 'relay: WebSocket → FLV', server: 'relay', push: 'ws', viewer: 'widget-flv', latency: 'normal' },
  { name: 'relay: WebSocket → FLV low', server: 'relay', push: 'ws', viewer: 'widget-flv', latency: 'low' },
];
const janus = process.env.JANUS_WHIP_URL && process.env.JANUS_WHEP_URL ? process.env : null;
if (janus)
  CASES.push(
    {
      name: 'Janus: raw WHEP (baseline)',
      server: 'janus',
      push: 'whip',
      viewer: 'raw-whep',
      latency: 'normal',
    },
    {
      name: 'Janus: <relay-player> WHEP',
      server: 'janus',
      push: 'whip',
      viewer: 'widget-whep',
      latency: 'normal',
    },
  );

const page = `<!doctype html><meta charset="utf-8">
<script src="/dist/relay-widgets.js"></script>
<div id="out"></div>
<script>
const q = new URLSearchParams(location.search);
const relay = q.get('relay');
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
  const location = new URL(res.headers.get('location'), url).href;
  // what a bare page needs for Janus 1.1.2's WHEP answer: actpass → active, the offer's extension ids
  const ids = new Map([...pc.localDescription.sdp.matchAll(/a=extmap:(\\d+) (\\S+)/g)].map((m) => [m[2], m[1]]));
  const sdp = (await res.text()).replace(/a=setup:actpass/g, 'a=setup:active')
    .replace(/a=extmap:(\\d+) (\\S+)(.*)\\r\\n/g, (l, id, uri, rest) => ids.has(uri) ? 'a=extmap:' + ids.get(uri) + ' ' + uri + rest + '\\r\\n' : '');
  await pc.setRemoteDescription({ type: 'answer', sdp });
  return location;
}
window.publishWs = async (ingestUrl) => {
  const ws = new WebSocket(ingestUrl);
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  const rec = new MediaRecorder(src.captureStream(30), { mimeType: 'video/webm;codecs=h264', videoKeyFrameIntervalDuration: 1000 });
  rec.ondataavailable = (e) => e.data.size && ws.readyState === 1 && ws.send(e.data);
  rec.start(250);
};
window.publish = async (url, token) => {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  const track = src.captureStream(30).getVideoTracks()[0];
  const t = pc.addTransceiver(track, { direction: 'sendonly' });
  const codecs = RTCRtpSender.getCapabilities('video').codecs;
  t.setCodecPreferences([...codecs.filter((c) => /h264/i.test(c.mimeType)), ...codecs.filter((c) => !/h264/i.test(c.mimeType))]);
  const p = t.sender.getParameters(); p.degradationPreference = 'maintain-resolution'; await t.sender.setParameters(p);
  const location = await exchange(pc, url, token);
  window.unpublish = () => fetch(location, { method: 'DELETE', headers: token ? { authorization: 'Bearer ' + token } : {} });
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
window.view = async (kind, latency, url) => {
  window.__t0 = performance.now();
  if (kind === 'raw-whep') {
    const v = document.createElement('video'); v.muted = true; v.autoplay = true; v.playsInline = true;
    document.getElementById('out').append(v);
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    // recvonly video + audio, the offer the widget's engine makes too
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addEventListener('track', (e) => { if (e.track.kind === 'video') v.srcObject = new MediaStream([e.track]); });
    measure(v, () => null);
    await exchange(pc, url);
    return;
  }
  const el = document.createElement('relay-player');
  el.setAttribute('autoplay', ''); el.setAttribute('muted', ''); el.setAttribute('latency', latency);
  el.style.width = '${W}px';
  el.sources = [{ encode: kind === 'widget-whep' ? 'webrtc' : 'flv', url }];
  document.getElementById('out').append(el);
  await el.updateComplete;
  measure(el.media, () => el.getStats().latency);
};
</script>`;

ensureBuild();
// The page and dist/ from here; the relay allows this origin.
const server = await startServer({ '/glass.html': page });
const origin = server.origin;
const data = tempDir('webrtc-glass-');
const relay = await relayProcess({ DATA_DIR: data.dir, ALLOWED_ORIGINS: origin });

const browser = await launchChromium(['--allow-loopback-in-peer-connection']);
const results: {
  name: string;
  g2g: number;
  p90: number;
  ttff: number | null;
  est: number | null;
  frames: number;
}[] = [];
try {
  console.log(
    `canvas clock (320×240, 30 fps) → server → viewer in one page; ${SECONDS} s per case after 4 s of warm-up`,
  );
  if (!janus) console.log('(no Janus cases: run inside scripts/webrtc-lab.mjs for them)');
  for (const c of CASES) {
    const tab = await browser.newPage();
    await tab.goto(`${origin}/glass.html`);
    let id = '';
    let whepUrl = `${janus?.JANUS_WHEP_URL}`;
    let flv = '';
    if (c.server === 'janus') {
      await tab.evaluate(
        `window.publish(${JSON.stringify(janus?.JANUS_WHIP_URL)}, ${JSON.stringify(janus?.JANUS_WHIP_TOKEN)})`,
      );
    } else {
      const created = await api<{ streamId: string; ingest: { url: string; whip: string } }>(
        relay.base,
        'POST',
        '/api/streams',
        {},
      );
      id = created.body.streamId;
      whepUrl = `${relay.base}/whep/${id}`;
      const ingest = created.body.ingest;
      if (c.push === 'ws') await tab.evaluate(`window.publishWs(${JSON.stringify(ingest.url)})`);
      else
        await tab.evaluate(
          `window.publish(${JSON.stringify(ingest.whip)}, ${JSON.stringify(new URL(ingest.url).searchParams.get('token'))})`,
        );
      if (c.viewer === 'widget-flv') {
        await sleep(c.push === 'ws' ? 1500 : 0); // the ingest has media before the relay starts
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
    }
    await sleep(1000); // the publisher's encoder settles
    await tab.evaluate(
      `window.view(${JSON.stringify(c.viewer)}, ${JSON.stringify(c.latency)}, ${JSON.stringify(c.viewer === 'widget-flv' ? flv : whepUrl)})`,
    );
    await sleep(4000);
    await tab.evaluate('window.__s.length = 0');
    await sleep(SECONDS * 1000);
    const s = (await tab.evaluate('window.__s')) as { g2g: number; est: number | null }[];
    const ttff = (await tab.evaluate('window.__ttff')) as number | null;
    await tab.evaluate('window.unpublish && window.unpublish()');
    await tab.close();
    if (id) await api(relay.base, 'DELETE', `/api/streams/${id}`);
    else await sleep(1000);
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
  for (const r of results) {
    const base = results.find((b) => b.name.startsWith(r.name.split(':')[0]!))!;
    console.log(
      r.name.padEnd(26) +
        `glass-to-glass median ${r.g2g.toFixed(0)} ms, p90 ${r.p90.toFixed(0)} ms (×${(r.g2g / base.g2g).toFixed(2)} of the raw viewer; ${r.frames} frames)` +
        (r.ttff !== null
          ? `; first frame ${r.ttff.toFixed(0)} ms (×${(r.ttff / (base.ttff ?? NaN)).toFixed(2)})`
          : '') +
        (r.est !== null ? `; getStats().latency ${r.est.toFixed(0)} ms` : ''),
    );
  }
} finally {
  await browser.close();
  await server.close();
  await relay.stop();
  data.remove();
}
