// Shared by every demo page: the language switch (`<select id="lang">`) and the page's own labels. Elements with
// `data-i18n="key"` get the text, `data-i18n-attr="attr:key;attr:key"` the attributes; the widgets translate
// themselves from their `lang`. The choice is remembered across pages.
const strings = {
  en: {
    lang: 'Language',
    // index
    title: 'Relay widgets — demo',
    brand: 'Relay widgets',
    tagline: 'live relay push · playback · recordings',
    views: 'Demo views',
    studio: 'Studio',
    viewer: 'Viewer',
    embed: 'Embed',
    studioHint: 'Push your camera to the local relay, watch the relayed stream, stop, and play the recording.',
    broadcaster: 'Broadcaster',
    relayed: 'Relayed stream',
    recordings: 'Recordings',
    urlLabel: 'Stream or file URL',
    play: 'Play',
    state: 'State',
    protocol: 'Protocol',
    latency: 'Latency',
    bitrate: 'Bitrate',
    dropped: 'Dropped frames',
    reconnects: 'Reconnects',
    eventLog: 'Event log',
    embedHint: "Each snippet below is live: it runs in the frame under it, against this page's local relay.",
    snippetClassic: 'Classic script tag',
    snippetModule: 'ES module import (bundler or import map)',
    snippetCms: 'CMS HTML block',
    copy: 'Copy',
    copied: 'Copied',
    copyLabel: 'Copy the {name} snippet',
    frameTitle: '{name} — live',
    logState: 'state',
    logFallback: 'fallback',
    logError: 'error',
    none: 'none',
    'st.idle': 'idle',
    'st.loading': 'loading',
    'st.playing': 'playing',
    'st.waiting': 'buffering',
    'st.reconnecting': 'reconnecting',
    'st.error': 'error',
    'st.ended': 'ended',
    // cms-embed
    cmsTitle: 'CMS article with relay widgets',
    cmsHeading: 'Live from the newsroom',
    cmsIntro: 'This page is what a CMS author writes: a script tag and HTML attributes, no code.',
    watch: 'Watch',
    // player-only
    playerOnlyTitle: 'Player only — relay widgets',
    playerOnlyHeading: 'Watch the test stream',
  },
  'zh-CN': {
    lang: '语言',
    title: '直播组件 — 演示',
    brand: '直播组件',
    tagline: '旁路推流 · 播放 · 录制',
    views: '演示视图',
    studio: '推流室',
    viewer: '观看',
    embed: '嵌入',
    studioHint: '把摄像头推流到本地转推服务，观看旁路直播，停止后播放录制文件。',
    broadcaster: '主播',
    relayed: '旁路直播',
    recordings: '录制文件',
    urlLabel: '直播流或文件地址',
    play: '播放',
    state: '状态',
    protocol: '协议',
    latency: '延迟',
    bitrate: '码率',
    dropped: '丢帧',
    reconnects: '重连次数',
    eventLog: '事件日志',
    embedHint: '下面每段代码都是实时的：它在下方的框架中运行，连接本页面的本地转推服务。',
    snippetClassic: '经典 script 标签',
    snippetModule: 'ES 模块导入（打包工具或 import map）',
    snippetCms: 'CMS 的 HTML 区块',
    copy: '复制',
    copied: '已复制',
    copyLabel: '复制“{name}”代码',
    frameTitle: '{name} — 实时运行',
    logState: '状态',
    logFallback: '切换源',
    logError: '错误',
    none: '无',
    'st.idle': '未播放',
    'st.loading': '加载中',
    'st.playing': '播放中',
    'st.waiting': '缓冲中',
    'st.reconnecting': '重连中',
    'st.error': '出错',
    'st.ended': '已结束',
    cmsTitle: '嵌入直播组件的 CMS 文章',
    cmsHeading: '新闻编辑室直播',
    cmsIntro: '这个页面就是 CMS 作者写的内容：一个 script 标签加 HTML 属性，无需代码。',
    watch: '观看',
    playerOnlyTitle: '仅播放器 — 直播组件',
    playerOnlyHeading: '观看测试直播流',
  },
};

let lang = 'en';
const listeners = [];

/** The label `key` in the current language, `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const s = strings[lang][key] ?? strings.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/** Calls `fn(lang)` now and on every language change. */
export function onLang(fn) {
  listeners.push(fn);
  fn(lang);
}

function apply() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('live-push-controls, relay-player, recording-list')) {
    el.setAttribute('lang', lang);
    el.requestUpdate?.(); // not every element watches its `lang` attribute
  }
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr, t(key));
    }
  }
  for (const fn of listeners) fn(lang);
}

const select = document.getElementById('lang');
lang = localStorage.getItem('relay-demo-lang') || (navigator.language.startsWith('zh') ? 'zh-CN' : 'en');
if (!(lang in strings)) lang = 'en';
if (select) {
  select.value = lang;
  select.addEventListener('change', () => {
    lang = select.value;
    localStorage.setItem('relay-demo-lang', lang);
    apply();
  });
}
apply();

/** Widgets with `data-endpoint="here"` talk to the server this page came from (no hard-coded address). */
for (const el of document.querySelectorAll('[data-endpoint="here"]')) el.setAttribute('endpoint', location.origin);
