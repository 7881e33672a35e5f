// Runs inside the demo page (injected before its scripts by the demo tests): reads the widgets' state the way a
// user would see it, and keeps a log of the events they fire. Plain browser JavaScript, no imports.
(() => {
  const log = [];
  const names = [
    'live-push-state',
    'live-push-started',
    'live-push-stopped',
    'live-push-error',
    'relay-player-state',
    'relay-player-fallback',
    'relay-player-error',
    'recording-select',
    'recording-error',
  ];
  for (const name of names) {
    document.addEventListener(
      name,
      (e) => {
        const target = e.composedPath()[0];
        log.push({ name, id: target && target.id, detail: JSON.parse(JSON.stringify(e.detail ?? null)) });
      },
      true,
    );
  }
  const videoOf = (id) => {
    const el = document.getElementById(id);
    if (!el) return null;
    return el.media ?? el.shadowRoot?.querySelector('video') ?? null;
  };
  window.demoTest = {
    log,
    events: (name, id) => log.filter((e) => e.name === name && (id === undefined || e.id === id)),
    video(id) {
      const v = videoOf(id);
      if (!v) return null;
      return {
        currentTime: v.currentTime,
        videoWidth: v.videoWidth,
        videoHeight: v.videoHeight,
        paused: v.paused,
        readyState: v.readyState,
        error: v.error ? v.error.code : null,
      };
    },
    pushState() {
      const s = document.getElementById('studio')?.shadowRoot?.querySelector('[part="status"] .state');
      return s ? s.textContent.trim() : null;
    },
    recordings() {
      const root = document.getElementById('studio-recordings')?.shadowRoot;
      if (!root) return [];
      return [...root.querySelectorAll('[part~="select"]')].map((b) => ({
        id: b.dataset.id,
        stream: b.closest('[part="take"]')?.dataset.stream,
        format: b.querySelector('.format')?.textContent.trim(),
        selected: b.getAttribute('aria-current') === 'true',
      }));
    },
    overflow() {
      return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth };
    },
  };
})();
