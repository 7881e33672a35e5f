// Demo page glue: tabs, the viewer's stats and the live embed snippets (language: i18n.js). The widgets themselves
// need none of this — they are configured by attributes and talk through DOM events. Every address is derived from
// where this page was loaded (`npm start` mounts the relay and the receiver on the same origin).
import { onLang, t } from './i18n.js';

const origin = location.origin;

// ---- tabs (WAI-ARIA tabs pattern: arrows move, Enter/Space/click select)
const tabs = [...document.querySelectorAll('[role="tab"]')];
let onViewShown = () => {};
function selectTab(tab, focus = true) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (focus) tab.focus();
  onViewShown();
  history.replaceState(null, '', `#${tab.id.replace('tab-', '')}`);
}
for (const t of tabs) {
  t.addEventListener('click', () => selectTab(t));
  t.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(t);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    selectTab(tabs[(next + tabs.length) % tabs.length]);
  });
}
const initial = tabs.find((t) => t.id === `tab-${location.hash.slice(1)}`);
if (initial) selectTab(initial, false);

// ---- viewer: any URL, the protocol it chose, live stats
const viewer = document.getElementById('viewer-player');
const urlInput = document.getElementById('viewer-url');
const stat = (name) => document.querySelector(`#viewer-stats [data-stat="${name}"]`);
const log = document.getElementById('viewer-log');
urlInput.placeholder = `${origin}/live/demo.flv`;
let lastState = null;
onLang(() => {
  if (lastState) stat('state').textContent = t(`st.${lastState}`);
});
let reconnects = 0;
// Each line is kept as a function of the language, so a language switch relabels the whole log.
const entries = [];
function renderLog() {
  log.replaceChildren(...entries.map((line) => {
    const li = document.createElement('li');
    li.textContent = line();
    return li;
  }));
}
function logLine(text) {
  const at = new Date();
  entries.unshift(() => `${at.toLocaleTimeString(document.documentElement.lang)} ${text()}`);
  entries.length = Math.min(entries.length, 50);
  renderLog();
}
onLang(renderLog);
document.getElementById('viewer-form').addEventListener('submit', (e) => {
  e.preventDefault();
  reconnects = 0;
  stat('reconnects').textContent = '0';
  viewer.src = urlInput.value.trim(); // set last, so it wins over the test stream's `sources` (see README)
});
viewer.addEventListener('relay-player-state', (e) => {
  lastState = e.detail.state;
  stat('state').textContent = t(`st.${e.detail.state}`);
  stat('protocol').textContent = e.detail.protocol ?? '–';
  if (e.detail.state === 'reconnecting') stat('reconnects').textContent = String(++reconnects);
  const { state, protocol, url } = e.detail;
  logLine(() => `${t('logState')} ${t(`st.${state}`)} ${protocol ?? ''} ${url ?? ''}`);
});
viewer.addEventListener('relay-player-fallback', (e) => {
  const { from, to, reason } = e.detail;
  logLine(() => `${t('logFallback')} ${from.url} → ${to?.url ?? t('none')}: ${reason}`);
});
viewer.addEventListener('relay-player-error', (e) => {
  const { code, message } = e.detail;
  logLine(() => `${t('logError')} ${code}: ${message}`);
});
setInterval(() => {
  if (document.getElementById('view-viewer').hidden || typeof viewer.getStats !== 'function') return;
  const s = viewer.getStats();
  stat('latency').textContent = s.latency == null ? '–' : `${s.latency.toFixed(2)} s`;
  stat('bitrate').textContent = s.bitrate == null ? '–' : `${Math.round(s.bitrate / 1000)} kbit/s`;
  stat('droppedFrames').textContent = s.droppedFrames == null ? '–' : `${s.droppedFrames} / ${s.totalFrames}`;
}, 1000);

// The local test stream started by `npm start` (if any) is offered as the default viewer URL.
fetch('/api/demo').then((r) => (r.ok ? r.json() : null)).then((info) => {
  if (!info?.urls?.length) return;
  const flv = info.urls.find((u) => u.encode === 'flv') ?? info.urls[0];
  urlInput.value = flv.url;
  viewer.sources = info.urls;
}).catch(() => {});

// ---- embed snippets, each rendered live in a frame
const script = `${origin}/dist/relay-widgets.js`;
// The ES module build, for a page without a bundler: lit and hls.js from this server (a bundler resolves them).
const importMap = JSON.stringify({ imports: {
  'relay-widgets': `${origin}/dist/esm/index.js`, 'relay-widgets/': `${origin}/dist/esm/`,
  lit: `${origin}/node_modules/lit/index.js`, 'lit/': `${origin}/node_modules/lit/`,
  'lit-html': `${origin}/node_modules/lit-html/lit-html.js`, 'lit-html/': `${origin}/node_modules/lit-html/`,
  'lit-element/': `${origin}/node_modules/lit-element/`,
  '@lit/reactive-element': `${origin}/node_modules/@lit/reactive-element/reactive-element.js`,
  '@lit/reactive-element/': `${origin}/node_modules/@lit/reactive-element/`,
  'hls.js': `${origin}/node_modules/hls.js/dist/hls.mjs`,
  'hls.js/dist/hls.light.mjs': `${origin}/node_modules/hls.js/dist/hls.light.mjs`,
} }, null, 2);
const snippets = [
  { key: 'snippetClassic', code: `<script src="${script}"></script>

<relay-player src="${origin}/live/demo.flv" autoplay muted controls></relay-player>` },
  { key: 'snippetModule', code: `<script type="importmap">
${importMap}
</script>
<script type="module">
  import 'relay-widgets/define.js'; // registers the elements ('relay-widgets' alone registers nothing)
  const player = document.createElement('relay-player');
  player.sources = [{ encode: 'hls', url: '${origin}/live/demo.m3u8' }];
  Object.assign(player, { autoplay: true, muted: true, controls: true });
  document.body.append(player);
</script>` },
  { key: 'snippetCms', code: `<script src="${script}"></script>

<live-push-controls id="cms-studio" endpoint="${origin}" credential-endpoint="${origin}/api/credentials"
                    encode="flv" record-file-types="mp4"></live-push-controls>
<relay-player for="cms-studio" autoplay muted controls></relay-player>
<recording-list endpoint="${origin}" player="cms-recording"></recording-list>
<relay-player id="cms-recording" controls></relay-player>` },
];
const host = document.getElementById('snippets');
for (const s of snippets) {
  const box = document.createElement('div');
  box.className = 'snippet';
  const h = document.createElement('h3');
  const pre = document.createElement('pre');
  const code = document.createElement('code');
  code.textContent = s.code;
  pre.append(code);
  const copy = document.createElement('button');
  copy.className = 'copy';
  copy.type = 'button';
  copy.addEventListener('click', async () => {
    await navigator.clipboard.writeText(s.code).catch(() => {});
    copy.textContent = t('copied');
    setTimeout(() => (copy.textContent = t('copy')), 1500);
  });
  const frame = document.createElement('iframe');
  onLang((lang) => {
    h.textContent = t(s.key);
    copy.textContent = t('copy');
    copy.setAttribute('aria-label', t('copyLabel', { name: t(s.key) }));
    frame.title = t('frameTitle', { name: t(s.key) });
    // the live snippet follows the page's language too
    frame.dataset.lang = lang;
    frame.contentDocument?.documentElement?.setAttribute('lang', lang);
    for (const w of frame.contentDocument?.querySelectorAll('relay-player, live-push-controls, recording-list') ?? []) w.setAttribute('lang', lang);
  });
  frame.setAttribute('allow', 'camera; microphone; autoplay; clipboard-write');
  // As tall as what the snippet shows (a push form, two players and a list are taller than any fixed height).
  frame.addEventListener('load', () => {
    const win = frame.contentWindow;
    const doc = frame.contentDocument;
    if (!win || !doc?.documentElement) return;
    // the language may have changed between building the srcdoc and its load
    doc.documentElement.setAttribute('lang', frame.dataset.lang);
    const fit = () => (frame.style.height = `${doc.documentElement.scrollHeight + 2}px`);
    new win.ResizeObserver(fit).observe(doc.body);
    fit();
  });
  frame.loading = 'lazy';
  // Filled in when the Embed view is first shown: each live snippet holds a stream or an event-stream open, and a
  // browser has only six HTTP/1.1 connections per host for the whole page (the Studio needs its own).
  frame.dataset.srcdoc = `<meta charset="utf-8"><body style="font-family:system-ui;margin:8px">${s.code}</body>`;
  box.append(h, pre, copy, frame);
  host.append(box);
}
function loadSnippets() {
  if (document.getElementById('view-embed').hidden) return;
  for (const frame of host.querySelectorAll('iframe[data-srcdoc]')) {
    frame.srcdoc = `<!doctype html><html lang="${frame.dataset.lang}">${frame.dataset.srcdoc}</html>`;
    delete frame.dataset.srcdoc;
  }
}
onViewShown = loadSnippets;
loadSnippets();
