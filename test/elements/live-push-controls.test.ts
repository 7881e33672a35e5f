/**
 * <live-push-controls> in Chromium with the fake camera/mic, against stub backends that fail on purpose
 * (test/support/push-stubs.plugin.mjs). The happy path against the real relay is in live-push-controls.e2e.test.ts.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/register.js';
// The providers' implementations are lazy modules; this registers their loaders.
import '../../src/lazy/esm.js';
import { setLazyModuleLoader } from '../../src/lazy/registry.js';
import { pressCentre } from '../support/input.js';
import { rejection } from '../support/until.js';
import type { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import type { LivePushStartedDetail, LivePushStoppedDetail, PushState } from '../../src/contract/events.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';

interface StubInfo {
  stubUrl: string;
  deadUrl: string;
}
interface StubLogEntry {
  scenario: string;
  method: string;
  path: string;
  bytes?: number;
}

let stubs: StubInfo;
const stubLog = async (scenario: string): Promise<StubLogEntry[]> =>
  ((await (await fetch(`${stubs.stubUrl}/log`)).json()) as StubLogEntry[]).filter(
    (e) => e.scenario === scenario,
  );

/** Records everything the element tells the page. */
class Recorder {
  states: PushState[] = [];
  errors: RelayErrorInfo[] = [];
  started: LivePushStartedDetail[] = [];
  stopped: LivePushStoppedDetail[] = [];
  constructor(el: HTMLElement) {
    el.addEventListener('live-push-state', (e) => this.states.push(e.detail.state));
    el.addEventListener('live-push-error', (e) => this.errors.push(e.detail));
    el.addEventListener('live-push-started', (e) => this.started.push(e.detail));
    el.addEventListener('live-push-stopped', (e) => this.stopped.push(e.detail));
  }
}

function part(el: LivePushControls, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector(`[part~="${name}"]`);
}
function startButton(el: LivePushControls): HTMLButtonElement {
  return part(el, 'start-button') as HTMLButtonElement;
}
function stopButton(el: LivePushControls): HTMLButtonElement {
  return part(el, 'stop-button') as HTMLButtonElement;
}
function message(el: LivePushControls): string {
  return part(el, 'message')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}
async function settle(el: LivePushControls, ...states: PushState[]): Promise<void> {
  await waitUntil(() => states.includes(el.state), `state stayed ${el.state}, wanted ${states.join('/')}`, {
    timeout: 15000,
  });
  await el.updateComplete;
}

async function pusher(endpoint: string, extra = ''): Promise<{ el: LivePushControls; rec: Recorder }> {
  const wrapper = await fixture<HTMLDivElement>(
    `<div><live-push-controls endpoint="${endpoint}" ${extra}></live-push-controls></div>`,
  );
  const el = wrapper.querySelector('live-push-controls') as LivePushControls;
  const rec = new Recorder(wrapper);
  await el.updateComplete;
  return { el, rec };
}

describe('<live-push-controls> error paths', () => {
  before(async () => {
    stubs = (await (await fetch('/push-stubs/info')).json()) as StubInfo;
  });

  it('shows labelled controls, an aria-live state line and no URLs before going live', async () => {
    const { el } = await pusher(`${stubs.stubUrl}/ok`);
    const root = el.shadowRoot!;
    expect(root.querySelector('[role="status"][aria-live="polite"]')?.textContent).to.contain('Not live');
    for (const name of ['camera', 'microphone', 'encode']) {
      const select = root.querySelector(`select[name="${name}"]`);
      expect(select?.closest('label')?.textContent?.trim().length, name).to.be.greaterThan(3);
    }
    const boxes = [...root.querySelectorAll<HTMLInputElement>('input[name="record"]')];
    expect(boxes.map((b) => b.value)).to.deep.equal(['hls', 'flv', 'mp4', 'mp3']);
    expect(boxes.find((b) => b.value === 'mp3')!.disabled, 'MP3 needs audio-only').to.equal(true);
    expect(startButton(el).textContent?.trim()).to.equal('Start');
    expect(stopButton(el).disabled).to.equal(true);
    expect(part(el, 'urls')).to.equal(null);
    await expect(el).shadowDom.to.be.accessible();
  });

  it('speaks Simplified Chinese under lang="zh-CN"', async () => {
    const wrapper = await fixture<HTMLDivElement>(
      html`<div lang="zh-CN"><live-push-controls endpoint=${stubs.deadUrl}></live-push-controls></div>`,
    );
    const el = wrapper.querySelector('live-push-controls') as LivePushControls;
    await el.updateComplete;
    expect(startButton(el).textContent?.trim()).to.equal('开始');
    expect(part(el, 'status')?.textContent).to.contain('未直播');
  });

  it('refuses MP3 recording for a camera push before contacting the relay, with an inline message', async () => {
    await fetch(`${stubs.stubUrl}/reset`, { method: 'POST' });
    const { el, rec } = await pusher(`${stubs.stubUrl}/ok`, 'record-file-types="hls,mp3"');
    await pressCentre(startButton(el));
    await waitUntil(() => rec.errors.length === 1);
    await el.updateComplete;
    expect(rec.errors[0].code).to.equal('MP3_REQUIRES_AUDIO_ONLY');
    expect(message(el)).to.contain('MP3');
    expect(part(el, 'message')?.getAttribute('role')).to.equal('alert');
    expect(rec.states).to.not.include('starting');
    expect(await stubLog('ok')).to.deep.equal([]);
    expect(startButton(el).disabled).to.equal(false);
  });

  it('refuses a record id with characters TRTC does not allow, typed in the field', async () => {
    const { el, rec } = await pusher(`${stubs.stubUrl}/ok`, 'record-file-types="mp4"');
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[name="record-id"]')!;
    expect(input.value).to.equal('');
    await pressCentre(input);
    await sendKeys({ type: 'class 12.5' });
    await el.start().catch(() => undefined);
    expect(rec.errors.map((e) => e.code)).to.deep.equal(['INVALID_RECORD_ID']);
    await el.updateComplete;
    expect(message(el)).to.contain('"class 12.5"');
    expect(message(el)).to.contain('letters, digits');
  });

  it('reports a denied camera, and Start works again once access is allowed', async () => {
    const original = navigator.mediaDevices.getUserMedia;
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    const { el, rec } = await pusher(`${stubs.stubUrl}/ok`);
    try {
      await pressCentre(startButton(el));
      await settle(el, 'error');
    } finally {
      navigator.mediaDevices.getUserMedia = original;
    }
    expect(rec.errors[0]).to.include({ module: 'camera', code: 'CAMERA_DENIED' });
    expect(message(el)).to.contain('denied');
    expect(startButton(el).disabled).to.equal(false);

    await pressCentre(startButton(el));
    await settle(el, 'live');
    expect(rec.started).to.have.length(1);
    await el.stop();
    expect(el.state).to.equal('previewing');
  });

  it('says the relay cannot be reached when nothing listens at the endpoint', async () => {
    const { el, rec } = await pusher(stubs.deadUrl);
    await el.start().catch(() => undefined);
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(rec.errors[0]).to.include({ module: 'relay', code: 'BACKEND_UNREACHABLE' });
    expect(message(el)).to.contain(stubs.deadUrl);
    expect(startButton(el).disabled).to.equal(false);
    expect(rec.started).to.deep.equal([]);
  });

  it('shows the relay’s own error when it answers 400, and a generic one for a bare 500', async () => {
    let { el, rec } = await pusher(`${stubs.stubUrl}/create-400`);
    await el.start().catch(() => undefined);
    await el.updateComplete;
    expect(rec.errors[0]).to.deep.equal({
      module: 'relay',
      code: 'INVALID_STREAM_ID',
      message: 'The stream id is taken (stub). Choose another.',
    });
    expect(message(el)).to.contain('The stream id is taken');
    expect(el.state).to.equal('error');

    ({ el, rec } = await pusher(`${stubs.stubUrl}/create-500`));
    await el.start().catch(() => undefined);
    await el.updateComplete;
    expect(rec.errors[0]).to.include({ module: 'relay', code: 'BACKEND_REJECTED' });
    expect(rec.errors[0].message).to.contain('500');
  });

  it('releases the stream it created when the relay start answers 503', async () => {
    await fetch(`${stubs.stubUrl}/reset`, { method: 'POST' });
    const { el, rec } = await pusher(`${stubs.stubUrl}/relay-503`);
    await el.start().catch(() => undefined);
    expect(rec.errors[0]).to.include({ module: 'relay', code: 'RELAY_UNAVAILABLE' });
    const log = await stubLog('relay-503');
    const created = log.find((e) => e.method === 'WS')!;
    expect(created.bytes, 'camera data reached the ingest before the relay call').to.be.greaterThan(0);
    const id = created.path.split('/').pop();
    await waitUntil(async () =>
      (await stubLog('relay-503')).some((e) => e.method === 'DELETE' && e.path === `/api/streams/${id}`),
    );
    expect(el.state).to.equal('error');
  });

  it('starts once when Start is clicked twice and start() is called again while starting', async () => {
    await fetch(`${stubs.stubUrl}/reset`, { method: 'POST' });
    const { el, rec } = await pusher(`${stubs.stubUrl}/slow`);
    await pressCentre(startButton(el));
    await pressCentre(startButton(el));
    const again = el.start();
    await el.updateComplete;
    expect(startButton(el).disabled, 'Start is disabled while starting').to.equal(true);
    const detail = await again;
    await settle(el, 'live');
    expect(rec.started).to.deep.equal([detail]);
    expect(
      (await stubLog('slow')).filter((e) => e.method === 'POST' && e.path === '/api/streams'),
    ).to.have.length(1);
    expect(el.urls.map((u) => u.encode)).to.deep.equal(['flv', 'hls']);
    await el.stop();
  });

  it('ends consistently when Stop is pressed during the start: preview on, nothing left on the relay', async () => {
    await fetch(`${stubs.stubUrl}/reset`, { method: 'POST' });
    const { el, rec } = await pusher(`${stubs.stubUrl}/slow`);
    const started = el.start();
    await settle(el, 'starting');
    await new Promise((r) => setTimeout(r, 300));
    await pressCentre(stopButton(el));
    const err = await started.then(
      () => null,
      (e: RelayErrorInfo) => e,
    );
    await settle(el, 'previewing');
    expect(err?.code).to.equal('START_CANCELLED');
    expect(rec.started).to.deep.equal([]);
    expect(rec.errors).to.deep.equal([]);
    expect(rec.states).to.deep.equal(['starting', 'stopping', 'previewing']);
    // The relay answered after Stop: the stream it created is deleted, not left orphaned.
    await waitUntil(
      async () => (await stubLog('slow')).some((e) => e.method === 'DELETE'),
      'stream deleted',
      {
        timeout: 5000,
      },
    );
    expect(startButton(el).disabled).to.equal(false);
  });

  it('stops with an error and a stopped event when the ingest connection drops, and can start again', async () => {
    const { el, rec } = await pusher(`${stubs.stubUrl}/drop`);
    await el.start();
    expect(part(el, 'urls')).to.not.equal(null);
    await settle(el, 'error');
    expect(rec.errors[0]).to.include({ module: 'relay', code: 'INGEST_FAILED' });
    expect(rec.errors[0].message).to.contain('ingest dropped by test');
    expect(rec.stopped).to.deep.equal([{ streamId: rec.started[0].streamId, reason: 'INGEST_FAILED' }]);
    expect(part(el, 'urls'), 'URLs of a dead stream are gone').to.equal(null);
    expect(message(el)).to.contain('connection');
    el.setAttribute('endpoint', `${stubs.stubUrl}/ok`);
    await el.start();
    expect(el.state).to.equal('live');
    await el.stop();
  });

  it('draws the copy buttons beside the play URLs as an icon, not a font glyph that may be missing', async () => {
    const { el } = await pusher(`${stubs.stubUrl}/ok`);
    await el.start();
    await el.updateComplete;
    const buttons = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="copy-button"]')];
    expect(buttons.length).to.be.greaterThan(0);
    for (const b of buttons) {
      expect(b.textContent!.trim(), 'no text glyph').to.equal('');
      const box = b.querySelector('svg')!.getBoundingClientRect();
      expect(box.width, 'icon width').to.be.greaterThan(12);
      expect(box.height, 'icon height').to.be.greaterThan(12);
      expect(b.getAttribute('aria-label')).to.match(/copy/i);
    }
    await el.stop();
  });

  it('stops with DEVICE_LOST when the camera goes away while live', async () => {
    await fetch(`${stubs.stubUrl}/reset`, { method: 'POST' });
    const { el, rec } = await pusher(`${stubs.stubUrl}/ok`);
    await el.start();
    const video = el.shadowRoot!.querySelector('video')!;
    const track = (video.srcObject as MediaStream).getVideoTracks()[0];
    // What Chromium does when a device is unplugged: the track ends by itself.
    track.stop();
    track.dispatchEvent(new Event('ended'));
    await settle(el, 'error');
    expect(rec.errors[0]).to.include({ module: 'camera', code: 'DEVICE_LOST' });
    expect(rec.stopped[0].reason).to.equal('DEVICE_LOST');
    await waitUntil(async () => (await stubLog('ok')).some((e) => e.method === 'DELETE'), 'stream released');
    expect(video.srcObject).to.equal(null);
    await el.start();
    expect(el.state).to.equal('live');
    await el.stop();
  });

  it('works headless with hide-ui: no controls, start() and stop() still push', async () => {
    const { el, rec } = await pusher(
      `${stubs.stubUrl}/ok`,
      'hide-ui encode="hls" record-file-types="hls,mp4" record-id="9"',
    );
    expect(el.shadowRoot!.querySelector('button')).to.equal(null);
    const live = await el.start();
    expect(live.recordId).to.equal('9');
    await el.stop();
    expect(rec.stopped).to.deep.equal([{ streamId: live.streamId, reason: 'stopped' }]);
    expect(rec.states.at(-1)).to.equal('previewing');
  });

  it('can be driven from the keyboard', async () => {
    const { el } = await pusher(`${stubs.stubUrl}/ok`);
    startButton(el).focus();
    await sendKeys({ press: 'Enter' });
    await settle(el, 'live');
    stopButton(el).focus();
    await sendKeys({ press: 'Space' });
    await settle(el, 'previewing');
  });

  it('stops the push and the camera when removed from the page', async () => {
    await fetch(`${stubs.stubUrl}/reset`, { method: 'POST' });
    const { el } = await pusher(`${stubs.stubUrl}/ok`);
    const live = await el.start();
    const media = el.shadowRoot!.querySelector('video')!.srcObject as MediaStream;
    const stopped: LivePushStoppedDetail[] = [];
    el.addEventListener('live-push-stopped', (e) => stopped.push(e.detail));
    el.remove();
    expect(stopped).to.deep.equal([{ streamId: live.streamId, reason: 'disconnected' }]);
    expect(media.getTracks().every((t) => t.readyState === 'ended')).to.equal(true);
    await waitUntil(async () => (await stubLog('ok')).some((e) => e.method === 'DELETE'), 'stream released');
  });
});

describe('<live-push-controls> before its push code has arrived', () => {
  const realLoader = () => import('../../src/push/push-session.js').then((m) => m.default);
  /** Holds the next fetch of the push code (lazy module `push-session`) until `arrive()`, or fails it. */
  function holdPushCode(fail?: Error): { arrive: () => void } {
    let arrive = (): void => undefined;
    const gate = new Promise<void>((resolve) => (arrive = resolve));
    setLazyModuleLoader('push-session', () => (fail ? Promise.reject(fail) : gate.then(realLoader)));
    return { arrive: () => arrive() };
  }
  before(async () => {
    stubs = (await (await fetch('/push-stubs/info')).json()) as StubInfo;
  });
  afterEach(() => setLazyModuleLoader('push-session', realLoader));

  it('reads as idle at once, and a Start pressed meanwhile goes live once the code has arrived', async () => {
    const code = holdPushCode();
    const { el, rec } = await pusher(`${stubs.stubUrl}/ok`);
    expect(el.state).to.equal('idle');
    expect(el.live).to.equal(null);
    const started = el.start();
    await pressCentre(startButton(el));
    code.arrive();
    const live = await started;
    await settle(el, 'live');
    expect(rec.started).to.deep.equal([live]);
    expect(rec.states).to.deep.equal(['starting', 'live']);
    await el.stop();
  });

  it('a Stop pressed before the code has arrived cancels the Start queued before it', async () => {
    const code = holdPushCode();
    const { el, rec } = await pusher(`${stubs.stubUrl}/ok`);
    const started = el.start();
    const stopped = el.stop();
    code.arrive();
    const err = await rejection(started);
    await stopped;
    expect(err.code).to.equal('START_CANCELLED');
    expect(rec.started).to.deep.equal([]);
    expect(rec.errors).to.deep.equal([]);
    await settle(el, 'previewing', 'idle');
  });

  it('opens no camera for a Start whose element left the page before the code arrived', async () => {
    const code = holdPushCode();
    const { el } = await pusher(`${stubs.stubUrl}/ok`);
    const states: PushState[] = [];
    el.addEventListener('live-push-state', (e) => states.push(e.detail.state));
    const started = el.start();
    el.remove();
    code.arrive();
    const err = await rejection(started);
    expect(err.code).to.equal('START_CANCELLED');
    expect(states).to.deep.equal([]);
    expect(el.shadowRoot!.querySelector('video')!.srcObject).to.equal(null);
  });

  it('says so when the code cannot be fetched, and Start works once it can', async () => {
    holdPushCode(
      new Error('https://cdn.example/relay-widgets-push-session.js could not be loaded (HTTP 404)'),
    );
    const { el, rec } = await pusher(`${stubs.stubUrl}/ok`);
    const err = await rejection(el.start());
    expect(err).to.include({ module: 'push', code: 'ENGINE_LOAD_FAILED' });
    expect(err.message).to.contain('relay-widgets-push-session.js could not be loaded (HTTP 404)');
    expect(rec.errors.map((e) => e.code)).to.deep.equal(['ENGINE_LOAD_FAILED']);
    await el.updateComplete;
    expect(message(el)).to.contain('relay-widgets-push-session.js');
    setLazyModuleLoader('push-session', realLoader);
    await el.start();
    expect(el.state).to.equal('live');
    expect(part(el, 'message')).to.equal(null);
    await el.stop();
  });
});
