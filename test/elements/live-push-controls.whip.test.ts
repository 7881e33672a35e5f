/**
 * WebRTC push: `provider="whip"` to a WHIP endpoint (the REAL local relay's `/whip/{id}`, and a cross-origin server
 * that misbehaves on purpose, `test/support/sdp-stubs.plugin.mjs`), and `provider="local"` choosing WHIP or the
 * WebSocket ingest. Driven as a user does: Start/Stop pressed with the real mouse, the camera switched with the
 * keyboard.
 */
import { expect, fixture, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import type { LivePushStartedDetail, LivePushStoppedDetail } from '../../src/contract/events.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';
import { pressCentre } from '../support/input.js';
import { uid } from '../support/until.js';

let relay = '';
let stub = '';

before(async () => {
  const info = (await (await fetch('/relay-support/info')).json()) as { url?: string; error?: string };
  if (!info.url) throw new Error(`the relay did not start: ${info.error}`);
  relay = info.url;
  stub = ((await (await fetch('/sdp-stubs/info')).json()) as { url: string }).url;
});

interface Studio {
  el: LivePushControls;
  started: LivePushStartedDetail[];
  stopped: LivePushStoppedDetail[];
  errors: RelayErrorInfo[];
}

async function studio(attrs: string, player = false): Promise<Studio & { player: RelayPlayer | null }> {
  const id = uid('studio');
  const wrapper = await fixture<HTMLDivElement>(
    `<div style="width:640px"><live-push-controls id="${id}" ${attrs}></live-push-controls>${
      player ? `<relay-player for="${id}" autoplay muted></relay-player>` : ''
    }</div>`,
  );
  const el = wrapper.querySelector('live-push-controls') as LivePushControls;
  const s: Studio = { el, started: [], stopped: [], errors: [] };
  el.addEventListener('live-push-started', (e) => s.started.push(e.detail));
  el.addEventListener('live-push-stopped', (e) => s.stopped.push(e.detail));
  el.addEventListener('live-push-error', (e) => s.errors.push(e.detail));
  return { ...s, player: wrapper.querySelector('relay-player') };
}

const part = (el: LivePushControls, name: string): HTMLElement =>
  el.shadowRoot!.querySelector(`[part~="${name}"]`) as HTMLElement;

/** Presses Start with the mouse once the camera is on (the button is enabled). */
async function pressStart(el: LivePushControls): Promise<void> {
  await el.preview();
  await el.updateComplete;
  await pressCentre(part(el, 'start-button'));
}

async function pressStop(el: LivePushControls): Promise<void> {
  await el.updateComplete;
  await pressCentre(part(el, 'stop-button'));
}

/** A stream on the relay and its ingest token (a relay without a push key authorises WHIP with it). */
async function relayStream(): Promise<{ id: string; token: string }> {
  const res = await fetch(`${relay}/api/streams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streamId: uid('whip') }),
  });
  const { streamId, ingest } = (await res.json()) as { streamId: string; ingest: { url: string } };
  return { id: streamId, token: new URL(ingest.url).searchParams.get('token')! };
}

const streamState = async (id: string): Promise<{ status: number; ingesting?: boolean; ingest?: string }> => {
  const res = await fetch(`${relay}/api/streams/${id}`);
  return res.ok ? { status: res.status, ...((await res.json()) as object) } : { status: res.status };
};

/** Frames the player's video presents within `ms` (requestVideoFrameCallback: only new decoded frames count). */
function framesWithin(video: HTMLVideoElement, ms: number): Promise<number> {
  return new Promise((resolve) => {
    let n = 0;
    let done = false;
    const on = (): void => {
      if (done) return;
      n++;
      video.requestVideoFrameCallback(on);
    };
    video.requestVideoFrameCallback(on);
    setTimeout(() => {
      done = true;
      resolve(n);
    }, ms);
  });
}

const videoOf = (p: RelayPlayer): HTMLVideoElement => p.shadowRoot!.querySelector('video')!;

describe('provider="whip"', () => {
  it('publishes to a WHIP endpoint (the local relay), a <relay-player for> plays the WHEP URL, Stop ends the session', async () => {
    const { id, token } = await relayStream();
    const s = await studio(
      `provider="whip" endpoint="${relay}/whip/${id}" token="${token}" whep-url="${relay}/whep/${id}"`,
      true,
    );
    await pressStart(s.el);
    await waitUntil(() => s.el.state === 'live', `live (errors: ${JSON.stringify(s.errors)})`, {
      timeout: 15000,
    });
    expect(s.started[0]).to.deep.include({ streamId: id, transport: 'webrtc' });
    expect(s.started[0]!.urls).to.deep.equal([{ encode: 'webrtc', url: `${relay}/whep/${id}` }]);
    expect((await streamState(id)).ingesting).to.equal(true);
    await s.el.updateComplete;
    expect(part(s.el, 'status').textContent).to.contain('real time (WebRTC)');
    const player = s.player!;
    await waitUntil(() => videoOf(player).currentTime > 0.5, 'the player shows the WHIP push over WHEP', {
      timeout: 15000,
    });
    expect(player.protocol).to.equal('webrtc');
    await pressStop(s.el);
    await waitUntil(() => s.el.state === 'previewing', 'stopped');
    expect(s.stopped).to.deep.equal([{ streamId: id, reason: 'stopped' }]);
    // the WHIP session was DELETEd: the relay's ingest ended with it
    await waitUntil(async () => (await streamState(id)).ingest !== 'ingesting', 'the relay saw the push end');
    expect(s.errors).to.deep.equal([]);
  });

  it('switching the camera while live keeps the session and the picture', async () => {
    const { id, token } = await relayStream();
    const s = await studio(
      `provider="whip" endpoint="${relay}/whip/${id}" token="${token}" whep-url="${relay}/whep/${id}"`,
      true,
    );
    await pressStart(s.el);
    await waitUntil(() => s.el.state === 'live', 'live', { timeout: 15000 });
    const player = s.player!;
    await waitUntil(() => videoOf(player).currentTime > 0.5, 'picture', { timeout: 15000 });
    const posts = (): number =>
      performance.getEntriesByType('resource').filter((e) => e.name === `${relay}/whip/${id}`).length;
    const before = posts();
    const preview = s.el.shadowRoot!.querySelector('video')!;
    const oldTrack = (preview.srcObject as MediaStream).getVideoTracks()[0]!;
    const select = s.el.shadowRoot!.querySelector<HTMLSelectElement>('select[name="camera"]')!;
    await waitUntil(() => select.options.length > 1, 'a second camera to switch to');
    expect(select.disabled, 'the picker stays usable while live').to.equal(false);
    select.focus();
    await sendKeys({ press: select.selectedIndex === 0 ? 'ArrowDown' : 'ArrowUp' });
    await waitUntil(() => oldTrack.readyState === 'ended', 'the old camera released');
    expect(s.el.state).to.equal('live');
    // the viewer keeps getting new frames from the new camera, over the same WHIP session
    expect(await framesWithin(videoOf(player), 1500)).to.be.greaterThan(5);
    expect(posts(), 'no second WHIP session').to.equal(before);
    expect((await streamState(id)).ingesting).to.equal(true);
    await pressStop(s.el);
    await waitUntil(() => s.el.state === 'previewing', 'stopped');
  });

  for (const [scenario, code, words] of [
    ['status-401', 'PUSH_AUTH_FAILED', '401'],
    ['status-403', 'PUSH_AUTH_FAILED', '403'],
    ['status-404', 'NOT_FOUND', '404'],
    ['text-500', 'BACKEND_REJECTED', '500'],
    ['not-sdp', 'BAD_ANSWER', 'SDP'],
  ] as const) {
    it(`a WHIP answer ${scenario}: ${code} naming the endpoint and the status, and Start works again`, async () => {
      const s = await studio(`provider="whip" endpoint="${stub}/${scenario}/whip/s1" token="t"`);
      await pressStart(s.el);
      await waitUntil(() => s.el.state === 'error', 'error state', { timeout: 15000 });
      expect(s.errors[0]).to.include({ module: 'push', code });
      expect(s.errors[0]!.message).to.contain(`${stub}/${scenario}/whip/s1`).and.contain(words);
      await s.el.updateComplete;
      expect(part(s.el, 'message').textContent).to.contain(words);
      // nothing left on the server: a session it made (not-sdp answers 201 with a Location) is DELETEd
      if (scenario === 'not-sdp')
        await waitUntil(async () => {
          const log = (await (await fetch(`${stub}/log`)).json()) as { method: string; path: string }[];
          return log.some((l) => l.method === 'DELETE' && l.path.startsWith('/not-sdp/res/'));
        }, 'the DELETE of the unusable session');
      // Start again, now at a real endpoint
      const { id, token } = await relayStream();
      s.el.setAttribute('endpoint', `${relay}/whip/${id}`);
      s.el.setAttribute('token', token);
      await s.el.updateComplete;
      await pressCentre(part(s.el, 'start-button'));
      await waitUntil(() => s.el.state === 'live', 'live after the error', { timeout: 15000 });
      await pressStop(s.el);
      await waitUntil(() => s.el.state === 'previewing', 'stopped');
    });
  }

  it('a WHIP server that never answers: BACKEND_TIMEOUT after the bound, and the element is usable again', async () => {
    const s = await studio(`provider="whip" endpoint="${stub}/hang/whip/s1"`);
    await pressStart(s.el);
    await waitUntil(() => s.el.state === 'error', 'error state', { timeout: 20000 });
    expect(s.errors[0]).to.include({ module: 'push', code: 'BACKEND_TIMEOUT' });
    expect(s.errors[0]!.message).to.contain('did not answer within 10 s');
  });

  it('recording choices are refused with a reason: the WHIP server records as it is configured', async () => {
    const s = await studio(`provider="whip" endpoint="${stub}/ok/whip/s1" record-file-types="mp4"`);
    await s.el.start().catch(() => undefined);
    expect(s.errors[0]).to.include({ code: 'INVALID_OPTIONS' });
    expect(s.errors[0]!.message).to.contain('cannot choose recordings');
  });
});

describe('provider="local": WebRTC first, the WebSocket ingest as the fallback', () => {
  it('transport="websocket" pushes over the WebSocket ingest, and says so', async () => {
    const s = await studio(`endpoint="${relay}" transport="websocket" encode="flv"`, true);
    await pressStart(s.el);
    await waitUntil(() => s.el.state === 'live', 'live', { timeout: 15000 });
    expect(s.started[0]!.transport).to.equal('websocket');
    expect(s.started[0]!.urls.map((u) => u.encode)).not.to.include('webrtc');
    await s.el.updateComplete;
    expect(part(s.el, 'status').textContent).to.contain('over WebSocket');
    await waitUntil(() => videoOf(s.player!).currentTime > 0.5, 'FLV picture', { timeout: 20000 });
    expect(s.player!.protocol).to.equal('flv');
    await pressStop(s.el);
    await waitUntil(() => s.el.state === 'previewing', 'stopped');
  });

  for (const encode of ['flv', 'hls'] as const) {
    it(`the ${encode.toUpperCase()} player’s latency counts from the pusher’s capture clock, carried through the relay`, async () => {
      // The pusher says when its media's timestamp 0 was captured ({"clock": ms} on the ingest socket); here it
      // says 4 s earlier than it was (a pusher whose clock runs behind), so a player that reads the relay's clock
      // (FLV cue points, HLS program dates) reports ≥ 4 s, and one that counts only its own buffer about 1–3 s.
      const proto = WebSocket.prototype;
      const send = proto.send;
      proto.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
        if (typeof data === 'string' && data.startsWith('{"clock":')) {
          data = JSON.stringify({ clock: (JSON.parse(data) as { clock: number }).clock - 4000 });
        }
        return send.call(this, data);
      };
      try {
        const s = await studio(`endpoint="${relay}" transport="websocket" encode="${encode}"`);
        await pressStart(s.el);
        await waitUntil(() => s.el.state === 'live', 'live', { timeout: 15000 });
        const url = s.started[0]!.urls.find((u) => u.encode === encode)!.url;
        const player = await fixture<RelayPlayer>(
          `<relay-player src="${url}" autoplay muted></relay-player>`,
        );
        expect(player.protocol === null || player.protocol === encode).to.equal(true);
        await waitUntil(() => videoOf(player).currentTime > 1, `${encode} picture`, { timeout: 25000 });
        expect(player.protocol).to.equal(encode);
        const latency = player.getStats().latency;
        expect(latency, 'capture clock 4 s back')
          .to.be.a('number')
          .within(4, encode === 'hls' ? 9 : 7.5);
        player.remove();
        await pressStop(s.el);
        await waitUntil(() => s.el.state === 'previewing', 'stopped');
      } finally {
        proto.send = send;
      }
    });
  }

  it('a browser without WebRTC falls back to the WebSocket ingest by itself', async () => {
    const g = globalThis as { RTCPeerConnection?: unknown };
    const saved = g.RTCPeerConnection;
    g.RTCPeerConnection = undefined;
    try {
      const s = await studio(`endpoint="${relay}" encode="flv" lang="zh-CN"`);
      await pressStart(s.el);
      await waitUntil(() => s.el.state === 'live', `live (errors: ${JSON.stringify(s.errors)})`, {
        timeout: 15000,
      });
      expect(s.started[0]!.transport).to.equal('websocket');
      expect((await streamState(s.started[0]!.streamId)).ingesting).to.equal(true);
      await s.el.updateComplete;
      expect(part(s.el, 'status').textContent).to.contain('经 WebSocket');
      await pressStop(s.el);
      await waitUntil(() => s.el.state === 'previewing', 'stopped');
    } finally {
      g.RTCPeerConnection = saved;
    }
  });

  it('transport="webrtc" does not fall back: without WebRTC the start fails and says why', async () => {
    const g = globalThis as { RTCPeerConnection?: unknown };
    const saved = g.RTCPeerConnection;
    g.RTCPeerConnection = undefined;
    try {
      const s = await studio(`endpoint="${relay}" transport="webrtc"`);
      await pressStart(s.el);
      await waitUntil(() => s.el.state === 'error', 'error', { timeout: 15000 });
      expect(s.errors[0]).to.include({ code: 'UNSUPPORTED_BROWSER' });
    } finally {
      g.RTCPeerConnection = saved;
    }
  });
});
