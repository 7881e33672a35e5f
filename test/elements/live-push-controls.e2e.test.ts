/**
 * End to end: <live-push-controls> pushes Chromium's fake camera to the REAL local relay (started by
 * test/support/relay.plugin.mjs), a <relay-player> plays what comes out, and the recordings arrive as signed
 * callbacks (collected by the plugin) and can be downloaded.
 */
import { expect, fixture, waitUntil } from '@open-wc/testing';
import '../../src/register.js';
import '../../src/lazy/esm.js';
import type { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import type { LivePushStartedDetail, LivePushStoppedDetail, PlayerState } from '../../src/contract/events.js';
import type { PlayUrl, RelayErrorInfo } from '../../src/contract/types.js';

interface PlayerLike extends HTMLElement {
  sources: PlayUrl[] | null;
  readonly state: PlayerState;
  readonly protocol: string | null;
  readonly media: HTMLVideoElement | null;
}

interface Callback {
  event_type: number;
  stream_id: string;
  file_format?: string;
  file_size?: number;
  video_url?: string;
  userdefinerecordid?: string;
}

let relayUrl = '';
const callbacksFor = async (streamId: string): Promise<Callback[]> =>
  ((await (await fetch('/relay-support/callbacks')).json()) as Callback[]).filter(
    (c) => c.stream_id === streamId,
  );

async function studio(attrs: string): Promise<{
  el: LivePushControls;
  started: LivePushStartedDetail[];
  stopped: LivePushStoppedDetail[];
  errors: RelayErrorInfo[];
}> {
  const id = `studio-${Math.random().toString(36).slice(2, 8)}`;
  const wrapper = await fixture<HTMLDivElement>(
    `<div><live-push-controls id="${id}" endpoint="${relayUrl}" ${attrs}></live-push-controls></div>`,
  );
  const el = wrapper.querySelector('live-push-controls') as LivePushControls;
  const started: LivePushStartedDetail[] = [];
  const stopped: LivePushStoppedDetail[] = [];
  const errors: RelayErrorInfo[] = [];
  el.addEventListener('live-push-started', (e) => started.push(e.detail));
  el.addEventListener('live-push-stopped', (e) => stopped.push(e.detail));
  el.addEventListener('live-push-error', (e) => errors.push(e.detail));
  return { el, started, stopped, errors };
}

/** Waits until the player's video has decoded frames and its clock advances by `seconds`. */
async function seesFrames(player: PlayerLike, seconds = 1): Promise<void> {
  await waitUntil(
    () => player.state === 'playing' && (player.media?.currentTime ?? 0) > 0,
    'player never played',
    {
      timeout: 25000,
    },
  );
  const t0 = player.media!.currentTime;
  await waitUntil(() => player.media!.currentTime > t0 + seconds, 'currentTime did not advance', {
    timeout: 15000,
  });
  expect(player.media!.videoWidth).to.be.greaterThan(0);
}

const hasPlayer = (): boolean => !!customElements.get('relay-player');

describe('<live-push-controls> against the real local relay', function () {
  this.timeout(90000);

  before(async () => {
    const res = await fetch('/relay-support/info');
    const info = (await res.json()) as { url?: string; error?: string };
    if (!info.url) throw new Error(`the local relay did not start: ${info.error}`);
    relayUrl = info.url;
  });

  it('FLV relay + FLV/MP4 recording: a <relay-player for> shows frames, Stop finalises tagged recordings', async function () {
    const { el, started, stopped, errors } = await studio(
      'encode="flv" record-file-types="flv,mp4" record-id="4242"',
    );
    let player: PlayerLike | null = null;
    if (hasPlayer()) {
      player = document.createElement('relay-player') as PlayerLike;
      player.setAttribute('for', el.id);
      player.setAttribute('autoplay', '');
      player.setAttribute('muted', '');
      el.parentElement!.append(player);
    }
    const live = await el.start();
    expect(errors).to.deep.equal([]);
    expect(started).to.deep.equal([live]);
    expect(live.recordId).to.equal('4242');
    expect(live.urls[0].encode, 'requested protocol first').to.equal('flv');
    expect(live.urls.map((u) => u.encode)).to.include.members(['flv', 'hls']);
    const shown = [...el.shadowRoot!.querySelectorAll('[part~="url"] code')].map((c) => c.textContent);
    expect(shown).to.deep.equal(live.urls.map((u) => u.url));

    const state = (await (await fetch(`${relayUrl}/api/streams/${live.streamId}`)).json()) as {
      ingesting: boolean;
      relay: { encode: string; recordFileTypes: string[]; recordId: number | string } | null;
    };
    expect(state.ingesting).to.equal(true);
    // The relay gets a digits-only record id as a JSON integer (accepted by every relay version) or a string.
    expect(String(state.relay?.recordId)).to.equal('4242');
    expect(state.relay?.encode).to.equal('flv');
    expect(state.relay!.recordFileTypes).to.have.members(['flv', 'mp4']);

    // the studio pushes over WHIP (the default where WebRTC connects), and its player takes the real-time URL
    expect(live.transport).to.equal('webrtc');
    expect(live.urls.map((u) => u.encode)).to.include('webrtc');
    if (player) {
      await seesFrames(player, 1.5);
      expect(player.protocol).to.equal('webrtc');
      // the same WHIP push over HTTP-FLV: the relay depacketises the browser's H.264 itself and ffmpeg adds the AAC
      const flv = document.createElement('relay-player') as PlayerLike;
      flv.setAttribute('src', live.urls.find((u) => u.encode === 'flv')!.url);
      flv.setAttribute('autoplay', '');
      flv.setAttribute('muted', '');
      el.parentElement!.append(flv);
      await seesFrames(flv, 1);
      const played = flv.media as HTMLVideoElement & { webkitAudioDecodedByteCount?: number };
      expect(played.videoWidth).to.equal(player.media!.videoWidth);
      await waitUntil(() => (played.webkitAudioDecodedByteCount ?? 0) > 0, 'the FLV carries audio too');
      flv.remove();
      // live for a few seconds, as a push is: the relay's recorder of a WHIP push starts once the push's first
      // keyframe and AAC header are in (README, Known limits)
      await new Promise((r) => setTimeout(r, 2500));
    } else {
      await new Promise((r) => setTimeout(r, 3000));
    }

    await el.stop();
    expect(stopped).to.deep.equal([{ streamId: live.streamId, reason: 'stopped' }]);
    expect(el.state).to.equal('previewing');
    if (player)
      await waitUntil(() => player!.state === 'ended', 'player shows the broadcast ended on stop', {
        timeout: 10000,
      });

    await waitUntil(
      async () => (await callbacksFor(live.streamId)).filter((c) => c.event_type === 100).length >= 2,
      'recording callbacks',
      { timeout: 20000 },
    ).catch(async (err: Error) => {
      const seen = await callbacksFor(live.streamId);
      const state = await (await fetch(`${relayUrl}/api/streams/${live.streamId}`)).text();
      throw new Error(`${err.message}: callbacks ${JSON.stringify(seen)}; stream ${state}`);
    });
    const files = (await callbacksFor(live.streamId)).filter((c) => c.event_type === 100);
    expect(files.map((f) => f.file_format)).to.have.members(['flv', 'mp4']);
    for (const f of files) {
      expect(f.userdefinerecordid).to.equal('4242');
      const res = await fetch(f.video_url!);
      expect(res.status, f.video_url).to.equal(200);
      expect((await res.arrayBuffer()).byteLength).to.be.greaterThan(10000);
    }
    const gone = await fetch(`${relayUrl}/api/streams/${live.streamId}`);
    expect(gone.status, 'stream released on the relay').to.equal(404);
    player?.remove();
  });

  it('HLS relay + HLS recording: the HLS URL plays, and the recorded playlist is downloadable', async function () {
    const { el, stopped } = await studio('encode="hls" record-file-types="hls"');
    const live = await el.start();
    expect(live.urls[0].encode).to.equal('hls');
    const hls = live.urls.find((u) => u.encode === 'hls')!;
    if (hasPlayer()) {
      // A page wiring the event to the player itself, choosing the HLS URL.
      const player = document.createElement('relay-player') as PlayerLike;
      player.setAttribute('autoplay', '');
      player.setAttribute('muted', '');
      player.setAttribute('src', hls.url);
      el.parentElement!.append(player);
      await seesFrames(player, 1);
      expect(player.protocol).to.equal('hls');
      player.remove();
    } else {
      await waitUntil(async () => (await fetch(hls.url)).ok, 'live playlist', { timeout: 20000 });
    }
    await el.stop();
    expect(stopped[0].reason).to.equal('stopped');
    await waitUntil(
      async () => (await callbacksFor(live.streamId)).some((c) => c.event_type === 100),
      'recording callback',
      { timeout: 20000 },
    );
    const [file] = (await callbacksFor(live.streamId)).filter((c) => c.event_type === 100);
    expect(file.file_format).to.equal('hls');
    const playlist = await (await fetch(file.video_url!)).text();
    expect(playlist).to.contain('#EXTM3U');
    expect(playlist).to.contain('#EXT-X-ENDLIST');
  });

  it('RTMP relay without recording: an rtmp:// URL first, the HTTP ones alongside, no recording callback', async () => {
    const { el } = await studio('encode="rtmp" record-file-types="none"');
    const live = await el.start();
    expect(live.urls[0].encode).to.equal('rtmp');
    expect(live.urls[0].url).to.match(/^rtmp:\/\/127\.0\.0\.1:\d+\/live\//);
    expect(live.recordId).to.equal(null);
    await new Promise((r) => setTimeout(r, 1500));
    await el.stop();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await callbacksFor(live.streamId)).filter((c) => c.event_type === 100)).to.deep.equal([]);
  });

  it('audio-only push with MP3 recording records an MP3 file', async () => {
    const { el } = await studio('audio-only encode="flv" record-file-types="mp3" record-id="7"');
    expect(el.shadowRoot!.querySelector('video'), 'no camera preview when audio-only').to.equal(null);
    const live = await el.start();
    await new Promise((r) => setTimeout(r, 3000));
    await el.stop();
    await waitUntil(
      async () => (await callbacksFor(live.streamId)).some((c) => c.event_type === 100),
      'mp3 recording callback',
      { timeout: 20000 },
    );
    const [file] = (await callbacksFor(live.streamId)).filter((c) => c.event_type === 100);
    expect(file.file_format).to.equal('mp3');
    expect(file.userdefinerecordid).to.equal('7');
    const res = await fetch(file.video_url!);
    expect(res.status).to.equal(200);
    expect((await res.arrayBuffer()).byteLength).to.be.greaterThan(1000);
  });

  it('a second studio asking for a stream id in use gets the relay’s 409 inline, and the first stays live', async () => {
    const id = `e2e_${Date.now()}`;
    const first = await studio(`encode="flv" stream-id="${id}"`);
    const second = await studio(`encode="flv" stream-id="${id}"`);
    const live = await first.el.start();
    expect(live.streamId).to.equal(id);
    await second.el.start().catch(() => undefined);
    expect(second.el.state).to.equal('error');
    expect(second.errors[0]).to.include({ module: 'relay', code: 'ALREADY_STARTED' });
    await second.el.updateComplete;
    expect(second.el.shadowRoot!.querySelector('[part="message"]')?.textContent).to.contain(id);
    expect(first.el.state).to.equal('live');
    await first.el.stop();
    expect(first.stopped).to.deep.equal([{ streamId: id, reason: 'stopped' }]);
  });

  it('when the relay drops the stream (network loss for the page), it stops with a message and can start again', async () => {
    const { el, stopped, errors } = await studio('encode="flv"');
    const live = await el.start();
    await fetch(`${relayUrl}/api/streams/${live.streamId}`, { method: 'DELETE' });
    await waitUntil(() => el.state === 'error', 'error state', { timeout: 10000 });
    expect(errors[0]).to.include({ code: 'INGEST_FAILED' });
    expect(stopped).to.deep.equal([{ streamId: live.streamId, reason: 'INGEST_FAILED' }]);
    const again = await el.start();
    expect(again.streamId).to.not.equal(live.streamId);
    await el.stop();
  });
});
