/**
 * The trtc provider running the REAL trtc-js-sdk 4.15 in Chromium: createStream, LocalStream.initialize on the
 * fake camera/mic, the SDK's parameter checks and error class, checkSystemRequirements. Only the network client
 * (what would talk to Tencent's servers) is a double, see `trtc-v4-network-double.ts`.
 */
import { expect } from '@open-wc/testing';
import TRTC from 'trtc-js-sdk';
import type { RtcError } from 'trtc-js-sdk';
import type { RelayErrorInfo } from '../../src/contract/types.js';
import { setLazyModuleLoader } from '../../src/lazy/registry.js';
import { validatePushOptions, type PushOptionsInput } from '../../src/push/options.js';
import { PushProviderEvents, createPushProvider, type PushProvider } from '../../src/push/provider.js';
import '../../src/push/providers/trtc-v4-provider.js';
// The providers' implementations are lazy modules; this registers their loaders (the SDK's is replaced below).
import '../../src/lazy/esm.js';
import { RealRtcError, TRTC_CODES, TrtcNetworkDouble } from './trtc-v4-network-double.js';
import { rejection } from '../support/until.js';

const config = {
  sdkAppId: '1400000001',
  userId: 'alice',
  userSig: 'sig-from-server',
  roomId: '8',
  playDomain: 'play.example.com',
};
const STREAM = '1400000001_8_alice_main';

function nextError(provider: PushProvider): Promise<RelayErrorInfo> {
  return new Promise((resolve) =>
    provider.addEventListener(
      PushProviderEvents.ERROR,
      (e) => resolve((e as CustomEvent<RelayErrorInfo>).detail),
      { once: true },
    ),
  );
}

const opts = (input: PushOptionsInput) => validatePushOptions(input);

describe('trtc push provider (real trtc-js-sdk 4.15, Tencent network replaced)', () => {
  let net: TrtcNetworkDouble;
  let media: MediaStream;

  before(async () => {
    media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  });
  after(() => media.getTracks().forEach((t) => t.stop()));

  beforeEach(() => {
    net = new TrtcNetworkDouble();
    setLazyModuleLoader('trtc-js-sdk', () => Promise.resolve(net.module));
  });

  it('the real SDK refuses audio/video flags mixed with audioSource/videoSource (what broke every start)', () => {
    const [audio] = media.getAudioTracks();
    let err: RtcError | null = null;
    try {
      TRTC.createStream({ userId: 'alice', audio: true, audioSource: audio });
    } catch (e) {
      err = e as RtcError;
    }
    expect(err?.getCode()).to.equal(TRTC_CODES.INVALID_PARAMETER);
    expect(err?.message).to.contain('can not be mixed');
    // The double fails calls with this same class: the SDK names the code from its own table.
    expect(err).to.be.instanceOf(RealRtcError);
    // Every code the double fails with is one the SDK's own table names the same way.
    for (const [name, code] of Object.entries(TRTC_CODES)) {
      expect(new RealRtcError({ code, message: 'x' }).message).to.contain(`<${name} 0x${code.toString(16)}>`);
    }
  });

  it('camera push: publishes a real LocalStream of the camera, relays it under the default stream id, stops cleanly', async () => {
    const provider = createPushProvider('trtc-v4', config);
    const result = await provider.start(
      opts({ encode: 'flv', recordId: 'meeting_42', recordFileTypes: 'none' }),
      media,
    );

    expect(net.methods()).to.deep.equal(['createClient', 'join', 'publish', 'startPublishCDNStream']);
    const client = net.clients[0];
    expect(client.config).to.deep.equal({
      mode: 'live',
      sdkAppId: 1400000001,
      userId: 'alice',
      userSig: 'sig-from-server',
      streamId: STREAM,
      userDefineRecordId: 'meeting_42',
    });
    // What the real SDK would tell Tencent on join.
    expect(client.businessInfo.Str_uc_params).to.deep.equal({
      userdefine_streamid_main: STREAM,
      userdefine_record_id: 'meeting_42',
    });
    expect(client.joined).to.deep.equal({ roomId: 8, role: 'anchor' });
    const published = client.published!;
    expect(published.getVideoTrack()).to.equal(media.getVideoTracks()[0]);
    expect(published.getAudioTrack()).to.equal(media.getAudioTracks()[0]);
    expect(client.cdn).to.deep.equal({ streamId: STREAM });
    expect(result).to.deep.equal({
      streamId: STREAM,
      urls: [
        { encode: 'flv', url: `https://play.example.com/live/${STREAM}.flv` },
        { encode: 'rtmp', url: `rtmp://play.example.com/live/${STREAM}` },
        { encode: 'hls', url: `https://play.example.com/live/${STREAM}.m3u8` },
      ],
    });

    await provider.stop();
    expect(net.methods().slice(4)).to.deep.equal(['stopPublishCDNStream', 'unpublish', 'leave', 'destroy']);
    expect(client.cdn).to.equal(null);
    expect(client.joined).to.equal(null);
    // The preview's tracks belong to the page: stopping the push must not turn the camera off.
    expect(media.getTracks().every((t) => t.readyState === 'live')).to.equal(true);
  });

  it('audio-only + MP3: pureAudioPushMode 2 (relay and record), a LocalStream without video, string room', async () => {
    const provider = createPushProvider('trtc-v4', { ...config, roomId: undefined, strRoomId: 'studio-a' });
    const result = await provider.start(
      opts({ encode: 'hls', recordFileTypes: 'mp3', audioOnly: true, streamId: 'radio1', recordId: 'ep_7' }),
      media,
    );
    const client = net.clients[0];
    expect(client.config.pureAudioPushMode).to.equal(2);
    expect(client.config.useStringRoomId).to.equal(true);
    expect(client.businessInfo.Str_uc_params).to.deep.equal({
      pure_audio_push_mod: 2,
      userdefine_streamid_main: 'radio1',
      userdefine_record_id: 'ep_7',
    });
    expect(client.joined).to.deep.equal({ roomId: 'studio-a', role: 'anchor' });
    expect(client.published?.hasVideo()).to.equal(false);
    expect(client.published?.getAudioTrack()).to.equal(media.getAudioTracks()[0]);
    expect(client.cdn).to.deep.equal({ streamId: 'radio1' });
    expect(result.urls[0]).to.deep.equal({ encode: 'hls', url: 'https://play.example.com/live/radio1.m3u8' });
    await provider.stop();
    expect(net.methods().at(-1)).to.equal('destroy');
  });

  it('audio-only without recording relays with pureAudioPushMode 1', async () => {
    const provider = createPushProvider('trtc-v4', config);
    await provider.start(opts({ encode: 'flv', audioOnly: true }), media);
    expect(net.clients[0].config.pureAudioPushMode).to.equal(1);
    expect(net.clients[0].businessInfo.Str_uc_params?.pure_audio_push_mod).to.equal(1);
    await provider.stop();
  });

  it('refuses a user id the CDN stream id cannot carry, naming it, before anything is created or joined', async () => {
    const err = await rejection(
      createPushProvider('trtc-v4', { ...config, userId: 'alice@home' }).start(
        opts({ encode: 'flv' }),
        media,
      ),
    );
    expect(err.code).to.equal('INVALID_STREAM_ID');
    expect(err.message).to.contain('"alice@home"');
    expect(err.message).to.contain('stream-id');
    expect(net.calls).to.deep.equal([]);
    // With an explicit stream id the same user can push.
    const provider = createPushProvider('trtc-v4', { ...config, userId: 'alice@home' });
    await provider.start(opts({ encode: 'flv', streamId: 'alice_home' }), media);
    expect(net.clients[0].cdn).to.deep.equal({ streamId: 'alice_home' });
    await provider.stop();
  });

  it('says the console recording template decides HLS/FLV/MP4 instead of ignoring them', async () => {
    const err = await rejection(
      createPushProvider('trtc-v4', config).start(opts({ encode: 'flv', recordFileTypes: 'hls,mp4' }), media),
    );
    expect(err.code).to.equal('RECORD_TYPES_BY_TEMPLATE');
    expect(err.message).to.match(/recording template/);
    expect(err.message).to.contain('HLS, MP4');
    expect(net.calls).to.deep.equal([]);
  });

  it('switches camera and microphone live through the real LocalStream.replaceTrack', async () => {
    const provider = createPushProvider('trtc-v4', config);
    await provider.start(opts({ encode: 'flv' }), media);
    const other = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 320, height: 180 },
    });
    try {
      await provider.replaceTrack!(other.getVideoTracks()[0]);
      await provider.replaceTrack!(other.getAudioTracks()[0]);
      const published = net.clients[0].published!;
      expect(published.getVideoTrack()).to.equal(other.getVideoTracks()[0]);
      expect(published.getAudioTrack()).to.equal(other.getAudioTracks()[0]);
      // The relay was not interrupted.
      expect(net.methods()).to.deep.equal(['createClient', 'join', 'publish', 'startPublishCDNStream']);
      await provider.stop();
      const err = await rejection(provider.replaceTrack!(other.getVideoTracks()[0]));
      expect(err.code).to.equal('NOT_STARTED');
    } finally {
      other.getTracks().forEach((t) => t.stop());
    }
  });

  it('an audio-only push cannot take a video track (the SDK says so, 0x1000)', async () => {
    const provider = createPushProvider('trtc-v4', config);
    await provider.start(opts({ encode: 'flv', audioOnly: true }), media);
    const err = await rejection(provider.replaceTrack!(media.getVideoTracks()[0]));
    expect(err.module).to.equal('trtc');
    expect(err.message).to.contain('0x1000');
    await provider.stop();
  });

  it('reports START_PUBLISH_CDN_FAILED (0x4045) and leaves the room', async () => {
    net.failNext('startPublishCDNStream', TRTC_CODES.START_PUBLISH_CDN_FAILED);
    const provider = createPushProvider('trtc-v4', config);
    const err = await rejection(provider.start(opts({ encode: 'hls' }), media));
    expect(err.module).to.equal('trtc');
    expect(err.code).to.equal('START_PUBLISH_CDN_FAILED');
    expect(err.message).to.contain('relayed push');
    expect(err.message).to.contain('0x4045');
    expect(net.clients[0].joined).to.equal(null);
    expect(net.clients[0].destroyed).to.equal(true);
    expect(net.methods()).to.not.include('stopPublishCDNStream');
  });

  it('reports STOP_PUBLISH_CDN_FAILED (0x4046) as an error event but still leaves the room', async () => {
    const provider = createPushProvider('trtc-v4', config);
    await provider.start(opts({ encode: 'hls' }), media);
    net.failNext('stopPublishCDNStream', TRTC_CODES.STOP_PUBLISH_CDN_FAILED);
    const error = nextError(provider);
    await provider.stop();
    expect((await error).code).to.equal('STOP_PUBLISH_CDN_FAILED');
    expect(net.clients[0].joined).to.equal(null);
    expect(net.clients[0].destroyed).to.equal(true);
  });

  it('maps join and signalling failures to what the user must check', async () => {
    net.failNext('join', TRTC_CODES.JOIN_ROOM_FAILED);
    let err = await rejection(createPushProvider('trtc-v4', config).start(opts({ encode: 'hls' }), media));
    expect(err.code).to.equal('BACKEND_REJECTED');
    expect(err.message).to.match(/UserSig/);
    net.failNext('join', TRTC_CODES.SIGNAL_CHANNEL_SETUP_FAILED);
    err = await rejection(createPushProvider('trtc-v4', config).start(opts({ encode: 'hls' }), media));
    expect(err.code).to.equal('BACKEND_UNREACHABLE');
    expect(err.message).to.contain('0x4001');
    expect(net.clients.every((c) => c.destroyed)).to.equal(true);
  });

  it('lets the real SDK refuse a bad SDKAppID-less config with its own parameter error', async () => {
    const err = await rejection(
      createPushProvider('trtc-v4', { ...config, sdkAppId: '0' }).start(opts({ encode: 'hls' }), media),
    );
    expect(err.code).to.equal('INVALID_OPTIONS');
    expect(err.message).to.contain('sdk-app-id');
    expect(net.calls).to.deep.equal([]);
  });

  it('ends the push with an error event when the SDK reports an unrecoverable error after going live', async () => {
    const provider = createPushProvider('trtc-v4', config);
    await provider.start(opts({ encode: 'hls' }), media);
    const client = net.clients[0];
    const error = nextError(provider);
    client.emit(
      'error',
      new RealRtcError({ code: TRTC_CODES.UPLINK_RECONNECTION_FAILED, message: 'uplink lost' }),
    );
    const info = await error;
    expect(info.code).to.equal('INGEST_FAILED');
    expect(client.joined).to.equal(null);
    expect(client.destroyed).to.equal(true);
    expect(client.listenerCount('error')).to.equal(0);
  });

  it('says another page joined as the same user id when TRTC kicks the anchor out (client-banned, kick)', async () => {
    const provider = createPushProvider('trtc-v4', config);
    await provider.start(opts({ encode: 'hls' }), media);
    const client = net.clients[0];
    const error = nextError(provider);
    client.emit('client-banned', { reason: 'kick', message: 'kicked out by the same user id' });
    const info = await error;
    expect(info.code).to.equal('TRTC_KICKED_SAME_USER');
    expect(info.message).to.contain('same user id');
    expect(info.message).not.to.contain('could not be reached');
    expect(client.joined).to.equal(null);
    expect(client.destroyed).to.equal(true);
  });

  it('fetches the UserSig from sig-endpoint with a POST, never computing one', async () => {
    const { stubUrl } = (await (await fetch('/push-stubs/info')).json()) as { stubUrl: string };
    const provider = createPushProvider('trtc-v4', {
      ...config,
      userSig: undefined,
      sigEndpoint: `${stubUrl}/usersig`,
    });
    await provider.start(opts({ encode: 'flv' }), media);
    expect(net.clients[0].config.userSig).to.equal('sig-1400000001-alice');
    // the room permission ticket the site's server bound to this room and role is what the room is entered with
    expect(net.clients[0].joined).to.deep.equal({ roomId: 8, role: 'anchor', privateMapKey: 'pmk-8-anchor' });
    await provider.stop();
    const log = (await (await fetch(`${stubUrl}/log`)).json()) as {
      scenario: string;
      method: string;
      body: unknown;
    }[];
    const sigCall = log.filter((l) => l.scenario === 'usersig').at(-1);
    expect(sigCall?.method).to.equal('POST');
    expect(sigCall?.body).to.deep.equal({ sdkAppId: 1400000001, userId: 'alice', roomId: 8, role: 'anchor' });

    const broken = createPushProvider('trtc-v4', {
      ...config,
      userId: 'broken',
      userSig: undefined,
      sigEndpoint: `${stubUrl}/usersig`,
    });
    const err = await rejection(broken.start(opts({ encode: 'flv' }), media));
    expect(err.code).to.equal('SIG_UNAVAILABLE');
    expect(net.clients.length).to.equal(1);
  });

  it('refuses to start without a UserSig source or a play domain, before creating a client', async () => {
    let err = await rejection(
      createPushProvider('trtc-v4', { ...config, userSig: '' }).start(opts({ encode: 'flv' }), media),
    );
    expect(err.code).to.equal('SIG_UNAVAILABLE');
    err = await rejection(
      createPushProvider('trtc-v4', { ...config, playDomain: undefined }).start(
        opts({ encode: 'flv' }),
        media,
      ),
    );
    expect(err.code).to.equal('INVALID_OPTIONS');
    expect(err.message).to.contain('play-domain');
    expect(net.calls).to.deep.equal([]);
  });

  it('stops cleanly when stop() arrives during the start', async () => {
    net.delayMs = 150;
    const provider = createPushProvider('trtc-v4', config);
    const started = provider.start(opts({ encode: 'flv' }), media);
    await new Promise((r) => setTimeout(r, 200));
    await provider.stop();
    const err = await rejection(started);
    expect(err.code).to.equal('START_CANCELLED');
    expect(net.methods()).to.not.include('startPublishCDNStream');
    expect(net.clients[0].joined).to.equal(null);
    expect(net.clients[0].destroyed).to.equal(true);
  });

  it('names the registered providers when asked for an unknown one', () => {
    expect(() => createPushProvider('whip', {})).to.throw(/trtc/);
  });
});
