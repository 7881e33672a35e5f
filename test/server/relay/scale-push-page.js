// The page side of scale-chromium.ts (runs in Chromium, served as /push.js): records a canvas + the fake
// microphone with MediaRecorder and sends the chunks to the relay's ingest WebSocket (and a mirror, if asked).

/**
 * @param {{ url: string, upload: string, width: number, height: number, fps: number, mimeType: string,
 *   resizeAfterMs: number, resizeTo: [number, number] | null, mirrorUrl: string | null }} o
 */
window.startPush = async (o) => {
  const canvas = document.createElement('canvas');
  canvas.width = o.width;
  canvas.height = o.height;
  document.body.append(canvas);
  const ctx = canvas.getContext('2d');
  let frame = 0;
  const draw = setInterval(() => {
    frame += 1;
    ctx.fillStyle = `hsl(${(frame * 5) % 360} 70% 40%)`;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#fff';
    ctx.fillRect((frame * 8) % canvas.width, canvas.height / 3, 60, 60);
    ctx.font = `${Math.round(canvas.height / 8)}px sans-serif`;
    ctx.fillText(String(frame), 20, canvas.height / 6);
  }, 1000 / o.fps);
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  const stream = new MediaStream([...canvas.captureStream(o.fps).getVideoTracks(), ...mic.getAudioTracks()]);
  const open = (url) =>
    new Promise((resolve, reject) => {
      const s = new WebSocket(url);
      s.onopen = () => resolve(s);
      s.onclose = () => reject(new Error(`${url} closed`));
    });
  const ws = await open(o.url);
  const mirror = o.mirrorUrl ? await open(o.mirrorUrl) : null;
  await window.__beforeRecord();
  const sent = [];
  // What the local provider does: H.264 preferred, a keyframe every second, 250 ms chunks.
  const recorder = new MediaRecorder(stream, { mimeType: o.mimeType, videoKeyFrameIntervalDuration: 1000 });
  recorder.ondataavailable = (ev) => {
    if (ev.data.size === 0) return;
    if (sent.length === 0) window.__firstChunk();
    sent.push(ev.data);
    if (ws.readyState === WebSocket.OPEN) ws.send(ev.data);
    if (mirror?.readyState === WebSocket.OPEN) mirror.send(ev.data);
  };
  recorder.start(250);
  if (o.resizeTo) {
    const [rw, rh] = o.resizeTo;
    setTimeout(() => {
      canvas.width = rw;
      canvas.height = rh;
    }, o.resizeAfterMs);
  }
  window.stopPush = async () => {
    const stopped = new Promise((r) => (recorder.onstop = r));
    recorder.stop();
    await stopped;
    clearInterval(draw);
    ws.close(1000, 'done');
    mirror?.close(1000, 'done');
    for (const t of stream.getTracks()) t.stop();
    await fetch(o.upload, { method: 'POST', body: new Blob(sent) });
  };
};
