/**
 * The headless push session, without any element: Chromium's fake camera/mic, the real trtc provider on the real
 * trtc-js-sdk (only Tencent's network doubled, see trtc-network-double.ts), and the real local provider against
 * the stub relay of test/support/push-stubs.plugin.mjs.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { LivePushStartedDetail, PushState } from '../../src/contract/events.js';
import { setLazyModuleLoader } from '../../src/lazy/registry.js';
import '../../src/push/builtin-providers.js';
import { createPushProvider } from '../../src/push/provider.js';
import { PushSession, type PushRequest } from '../../src/push/push-session.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';
import '../../src/lazy/esm.js';
import { RealRtcError, TRTC_CODES, TrtcNetworkDouble } from './trtc-v4-network-double.js';
import { rejection, sleep, until } from '../support/until.js';

/** Everything the session reports, in order. */
class Report {
  states: PushState[] = [];
  errors: RelayErrorInfo[] = [];
  started: LivePushStartedDetail[] = [];
  stopped: { streamId: string; reason: string }[] = [];
  media: (MediaStream | null)[] = [];
  elapsed: number[] = [];
  readonly session = new PushSession(
    {
      onState: (s) => this.states.push(s),
      onError: (e) => this.errors.push(e),
      onStarted: (l) => this.started.push(l),
      onStopped: (streamId, reason) => this.stopped.push({ streamId, reason }),
      onMedia: (m) => this.media.push(m),
      onElapsed: (s) => this.elapsed.push(s),
    },
    createPushProvider,
  );
}

const trtc = (options: PushRequest['options'] = { encode: 'flv' }): PushRequest => ({
  provider: 'trtc-v4',
  config: {
    sdkAppId: '1400000001',
    userId: 'alice',
    userSig: 'sig',
    roomId: '8',
    playDomain: 'play.example.com',
  },
  options,
});

describe('push session (headless)', () => {
  let net: TrtcNetworkDouble;
  let r: Report;

  beforeEach(() => {
    net = new TrtcNetworkDouble();
    setLazyModuleLoader('trtc-js-sdk', () => Promise.resolve(net.module));
    r = new Report();
  });
  afterEach(() => r.session.release());

  it('opens the devices, goes live, and stops back to a running preview', async () => {
    const live = await r.session.start(trtc());
    expect(live.streamId).to.equal('1400000001_8_alice_main');
    expect(r.started).to.deep.equal([live]);
    expect(r.states).to.deep.equal(['starting', 'live']);
    const media = r.session.media!;
    expect(
      media
        .getTracks()
        .map((t) => t.kind)
        .sort(),
    ).to.deep.equal(['audio', 'video']);
    expect(net.clients[0].published?.getVideoTrack()).to.equal(media.getVideoTracks()[0]);

    await r.session.stop();
    expect(r.states).to.deep.equal(['starting', 'live', 'stopping', 'previewing']);
    expect(r.stopped).to.deep.equal([{ streamId: live.streamId, reason: 'stopped' }]);
    expect(net.clients[0].destroyed).to.equal(true);
    expect(media.getTracks().every((t) => t.readyState === 'live')).to.equal(true);
    r.session.stopPreview();
    expect(media.getTracks().every((t) => t.readyState === 'ended')).to.equal(true);
    expect(r.session.state).to.equal('idle');
  });

  it('counts the seconds a push has been live, and is back at zero once it stopped', async () => {
    await r.session.start(trtc());
    expect(r.session.elapsed).to.equal(0);
    await until('two seconds live', () => r.elapsed.length >= 2);
    expect(r.elapsed.slice(0, 2)).to.deep.equal([1, 2]);
    await r.session.stop();
    expect(r.session.elapsed).to.equal(0);
    const reported = r.elapsed.length;
    await sleep(1100);
    expect(r.elapsed.length).to.equal(reported);
  });

  it('a second start while starting is the same start; while live it answers the running push', async () => {
    const a = r.session.start(trtc());
    const b = r.session.start(trtc({ encode: 'hls' }));
    expect(b).to.equal(a);
    const live = await a;
    expect(await r.session.start(trtc())).to.equal(live);
    expect(net.clients.length).to.equal(1);
  });

  it('stop during the start cancels it: START_CANCELLED, nothing left in the room, no started/stopped', async () => {
    net.delayMs = 150;
    const started = r.session.start(trtc());
    await waitUntil(() => net.methods().includes('join'));
    const stopped = r.session.stop();
    expect(r.session.stop()).to.equal(stopped);
    const err = await rejection(started);
    await stopped;
    expect(err.code).to.equal('START_CANCELLED');
    expect(r.states).to.deep.equal(['starting', 'stopping', 'previewing']);
    expect(r.started).to.deep.equal([]);
    expect(r.stopped).to.deep.equal([]);
    expect(r.errors).to.deep.equal([]);
    expect(net.methods()).to.not.include('startPublishCDNStream');
    expect(net.clients[0].destroyed).to.equal(true);
    // And Start works again.
    net.delayMs = 0;
    await r.session.start(trtc());
    expect(r.session.state).to.equal('live');
  });

  it('a start while the previous push is still stopping is refused, then works once it has stopped', async () => {
    await r.session.start(trtc());
    net.delayMs = 100;
    const stopping = r.session.stop();
    await waitUntil(() => r.session.state === 'stopping');
    expect((await rejection(r.session.start(trtc()))).code).to.equal('ALREADY_STARTED');
    await stopping;
    net.delayMs = 0;
    await r.session.start(trtc());
    expect(net.clients.length).to.equal(2);
  });

  it('bad options are reported without touching the state or any backend', async () => {
    const err = await rejection(r.session.start(trtc({ encode: 'flv', recordId: 'a b' })));
    expect(err.code).to.equal('INVALID_RECORD_ID');
    expect(r.errors.map((e) => e.code)).to.deep.equal(['INVALID_RECORD_ID']);
    expect(r.states).to.deep.equal([]);
    expect(net.calls).to.deep.equal([]);
  });

  it('a backend failure during the start ends in error, from which Start works again', async () => {
    net.failNext('startPublishCDNStream', TRTC_CODES.START_PUBLISH_CDN_FAILED);
    const err = await rejection(r.session.start(trtc()));
    expect(err.code).to.equal('START_PUBLISH_CDN_FAILED');
    expect(r.states).to.deep.equal(['starting', 'error']);
    expect(r.session.error?.code).to.equal('START_PUBLISH_CDN_FAILED');
    await r.session.start(trtc());
    expect(r.session.error).to.equal(null);
    expect(r.session.state).to.equal('live');
  });

  it('the SDK ending a live push (uplink lost) ends it with the error as the stopped reason', async () => {
    const live = await r.session.start(trtc());
    net.clients[0].emit(
      'error',
      new RealRtcError({ code: TRTC_CODES.UPLINK_RECONNECTION_FAILED, message: 'uplink lost' }),
    );
    await waitUntil(() => r.stopped.length === 1);
    expect(r.stopped[0]).to.deep.equal({ streamId: live.streamId, reason: 'INGEST_FAILED' });
    expect(r.session.state).to.equal('error');
    expect(r.session.live).to.equal(null);
  });

  it('a camera unplugged while live ends the push with DEVICE_LOST and releases the room', async () => {
    await r.session.start(trtc());
    const video = r.session.media!.getVideoTracks()[0];
    video.dispatchEvent(new Event('ended')); // what Chromium fires when the device goes away
    await waitUntil(() => net.clients[0].destroyed);
    expect(r.errors.map((e) => e.code)).to.deep.equal(['DEVICE_LOST']);
    expect(r.stopped[0].reason).to.equal('DEVICE_LOST');
    expect(r.session.media).to.equal(null);
    expect(video.readyState).to.equal('ended');
  });

  it('switches the camera of a live TRTC push without interrupting it', async () => {
    await r.session.start(trtc());
    expect(r.session.canSwitchDevices).to.equal(true);
    const before = r.session.media!;
    const oldVideo = before.getVideoTracks()[0];
    const [camera] = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    await r.session.setChoice({ cameraId: camera.deviceId });
    expect(r.session.choice.cameraId).to.equal(camera.deviceId);
    const after = r.session.media!;
    expect(after).to.not.equal(before);
    expect(r.media.at(-1)).to.equal(after);
    expect(after.getAudioTracks()[0]).to.equal(before.getAudioTracks()[0]);
    expect(net.clients[0].published?.getVideoTrack()).to.equal(after.getVideoTracks()[0]);
    expect(after.getVideoTracks()[0]).to.not.equal(oldVideo);
    expect(oldVideo.readyState).to.equal('ended');
    expect(r.session.state).to.equal('live');
    expect(net.methods()).to.deep.equal(['createClient', 'join', 'publish', 'startPublishCDNStream']);
  });

  it('on the local relay a live device switch is refused and the push keeps its devices', async () => {
    const { stubUrl } = (await (await fetch('/push-stubs/info')).json()) as { stubUrl: string };
    await r.session.start({
      provider: 'local',
      config: { endpoint: `${stubUrl}/ok` },
      options: { encode: 'flv' },
    });
    expect(r.session.canSwitchDevices).to.equal(false);
    const media = r.session.media!;
    const err = await rejection(r.session.switchDevice('video', 'other'));
    expect(err.code).to.equal('SWITCH_UNSUPPORTED');
    expect(r.session.media).to.equal(media);
    expect(r.session.state).to.equal('live');
    await r.session.stop();
  });

  it('audio-only opens the microphone alone and publishes no video', async () => {
    await r.session.start(trtc({ encode: 'flv', audioOnly: true, recordFileTypes: 'mp3' }));
    expect(r.session.media!.getVideoTracks()).to.deep.equal([]);
    expect(net.clients[0].published?.hasVideo()).to.equal(false);
    expect(net.clients[0].config.pureAudioPushMode).to.equal(2);
  });

  it('release() while live reports a disconnected stop, turns the camera off and leaves the room', async () => {
    const live = await r.session.start(trtc());
    const media = r.session.media!;
    r.session.release();
    expect(r.stopped).to.deep.equal([{ streamId: live.streamId, reason: 'disconnected' }]);
    expect(r.session.state).to.equal('idle');
    expect(media.getTracks().every((t) => t.readyState === 'ended')).to.equal(true);
    await waitUntil(() => net.clients[0].destroyed);
  });

  it('release() during a start abandons it', async () => {
    net.delayMs = 100;
    const started = r.session.start(trtc());
    await waitUntil(() => net.methods().includes('join'));
    r.session.release();
    expect((await rejection(started)).code).to.equal('START_CANCELLED');
    await waitUntil(() => net.clients[0].destroyed);
    expect(r.started).to.deep.equal([]);
  });
});
