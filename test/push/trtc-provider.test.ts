import { expect } from '@open-wc/testing';
import type { RelayErrorInfo } from '../../src/types.js';
import { setLazyModuleLoader } from '../../src/lazy-modules.js';
import { validatePushOptions } from '../../src/push/options.js';
import { PushProviderEvents, createPushProvider, type PushProvider } from '../../src/push/provider.js';
import '../../src/push/trtc-provider.js';
// The providers' implementations are lazy modules; this registers their loaders (the SDK itself is faked below).
import '../../src/lazy-modules-esm.js';
import { FakeTrtc, TRTC_CODES, type FakeClient } from './fake-trtc.js';

const config = {
  sdkAppId: '1400000001',
  userId: 'alice',
  userSig: 'sig-from-server',
  roomId: '8',
  playDomain: 'play.example.com',
};

async function rejection(p: Promise<unknown>): Promise<RelayErrorInfo & Error> {
  try {
    await p;
  } catch (err) {
    return err as RelayErrorInfo & Error;
  }
  throw new Error('expected a rejection');
}

function nextError(provider: PushProvider): Promise<RelayErrorInfo> {
  return new Promise((resolve) =>
    provider.addEventListener(
      PushProviderEvents.ERROR,
      (e) => resolve((e as CustomEvent<RelayErrorInfo>).detail),
      {
        once: true,
      },
    ),
  );
}

describe('trtc push provider (against a fake of trtc-js-sdk v4)', () => {
  let fake: FakeTrtc;
  let media: MediaStream;

  before(async () => {
    media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  });
  after(() => media.getTracks().forEach((t) => t.stop()));

  beforeEach(() => {
    fake = new FakeTrtc();
    setLazyModuleLoader('trtc', () => Promise.resolve(fake.module));
  });

  it('joins as anchor, publishes the camera, starts the CDN relay and returns play URLs on the play domain', async () => {
    const provider = createPushProvider('trtc', config);
    const options = validatePushOptions({ encode: 'flv', recordFileTypes: 'hls', recordId: 7 });
    const result = await provider.start(options, media);

    expect(fake.methods()).to.deep.equal([
      'createClient',
      'join',
      'createStream',
      'initialize',
      'publish',
      'startPublishCDNStream',
    ]);
    const client = fake.clients[0];
    expect(client.config).to.deep.equal({
      mode: 'live',
      sdkAppId: 1400000001,
      userId: 'alice',
      userSig: 'sig-from-server',
      streamId: '1400000001_8_alice_main',
      userDefineRecordId: '7',
    });
    expect(client.joined).to.deep.equal({ roomId: 8, role: 'anchor' });
    expect(client.published?.getVideoTrack()).to.equal(media.getVideoTracks()[0]);
    expect(client.cdn).to.deep.equal({ streamId: '1400000001_8_alice_main' });
    expect(result).to.deep.equal({
      streamId: '1400000001_8_alice_main',
      urls: [
        { encode: 'flv', url: 'https://play.example.com/live/1400000001_8_alice_main.flv' },
        { encode: 'rtmp', url: 'rtmp://play.example.com/live/1400000001_8_alice_main' },
        { encode: 'hls', url: 'https://play.example.com/live/1400000001_8_alice_main.m3u8' },
      ],
    });

    await provider.stop();
    expect(fake.methods().slice(6)).to.deep.equal(['stopPublishCDNStream', 'unpublish', 'leave', 'destroy']);
    expect(client.cdn).to.equal(null);
    expect(client.joined).to.equal(null);
    // The preview's tracks belong to the page: stopping the push must not turn the camera off.
    expect(media.getTracks().every((t) => t.readyState === 'live')).to.equal(true);
  });

  it('pushes audio only with pureAudioPushMode and a custom stream id and string room', async () => {
    const provider = createPushProvider('trtc', { ...config, roomId: 'studio-a' });
    const options = validatePushOptions({
      encode: 'hls',
      recordFileTypes: 'mp3',
      audioOnly: true,
      streamId: 'radio1',
    });
    const result = await provider.start(options, media);
    const client = fake.clients[0];
    expect(client.config.pureAudioPushMode).to.equal(1);
    expect(client.config.useStringRoomId).to.equal(true);
    expect(client.config.userDefineRecordId).to.equal(undefined);
    expect(client.joined).to.deep.equal({ roomId: 'studio-a', role: 'anchor' });
    expect(client.published?.hasVideo()).to.equal(false);
    expect(client.published?.hasAudio()).to.equal(true);
    expect(result.urls[0]).to.deep.equal({ encode: 'hls', url: 'https://play.example.com/live/radio1.m3u8' });
    await provider.stop();
  });

  it('reports START_PUBLISH_CDN_FAILED (0x4045) and leaves the room', async () => {
    fake.failNext('startPublishCDNStream', TRTC_CODES.START_PUBLISH_CDN_FAILED);
    const provider = createPushProvider('trtc', config);
    const err = await rejection(provider.start(validatePushOptions({ encode: 'hls' }), media));
    expect(err.module).to.equal('trtc');
    expect(err.code).to.equal('START_PUBLISH_CDN_FAILED');
    expect(err.message).to.contain('0x4045');
    expect(fake.clients[0].joined).to.equal(null);
    expect(fake.clients[0].destroyed).to.equal(true);
    expect(fake.methods()).to.not.include('stopPublishCDNStream');
  });

  it('reports STOP_PUBLISH_CDN_FAILED (0x4046) as an error event but still leaves the room', async () => {
    const provider = createPushProvider('trtc', config);
    await provider.start(validatePushOptions({ encode: 'hls' }), media);
    fake.failNext('stopPublishCDNStream', TRTC_CODES.STOP_PUBLISH_CDN_FAILED);
    const error = nextError(provider);
    await provider.stop();
    expect((await error).code).to.equal('STOP_PUBLISH_CDN_FAILED');
    expect(fake.clients[0].joined).to.equal(null);
    expect(fake.clients[0].destroyed).to.equal(true);
  });

  it('maps join and signalling failures to what the user must check', async () => {
    fake.failNext('join', TRTC_CODES.JOIN_ROOM_FAILED);
    let err = await rejection(
      createPushProvider('trtc', config).start(validatePushOptions({ encode: 'hls' }), media),
    );
    expect(err.code).to.equal('BACKEND_REJECTED');
    expect(err.message).to.match(/UserSig/);
    fake.failNext('join', TRTC_CODES.SIGNAL_CHANNEL_SETUP_FAILED);
    err = await rejection(
      createPushProvider('trtc', config).start(validatePushOptions({ encode: 'hls' }), media),
    );
    expect(err.code).to.equal('BACKEND_UNREACHABLE');
    expect(err.message).to.contain('0x4001');
  });

  it('ends the push with an error event when the SDK reports an unrecoverable error after going live', async () => {
    const provider = createPushProvider('trtc', config);
    await provider.start(validatePushOptions({ encode: 'hls' }), media);
    const client: FakeClient = fake.clients[0];
    const error = nextError(provider);
    const { FakeRtcError } = await import('./fake-trtc.js');
    client.emit('error', new FakeRtcError(TRTC_CODES.UPLINK_RECONNECTION_FAILED, 'uplink lost'));
    const info = await error;
    expect(info.code).to.equal('INGEST_FAILED');
    expect(client.joined).to.equal(null);
    expect(client.listenerCount('error')).to.equal(0);
  });

  it('fetches the UserSig from sig-endpoint, never computing one', async () => {
    const { stubUrl } = (await (await fetch('/push-stubs/info')).json()) as { stubUrl: string };
    const provider = createPushProvider('trtc', {
      ...config,
      userSig: undefined,
      sigEndpoint: `${stubUrl}/usersig`,
    });
    await provider.start(validatePushOptions({ encode: 'flv' }), media);
    expect(fake.clients[0].config.userSig).to.equal('sig-1400000001-alice');
    await provider.stop();

    const broken = createPushProvider('trtc', {
      ...config,
      userId: 'broken',
      userSig: undefined,
      sigEndpoint: `${stubUrl}/usersig`,
    });
    const err = await rejection(broken.start(validatePushOptions({ encode: 'flv' }), media));
    expect(err.code).to.equal('SIG_UNAVAILABLE');
    expect(fake.clients.length).to.equal(1);
  });

  it('refuses to start without a UserSig source or a play domain, before creating a client', async () => {
    let err = await rejection(
      createPushProvider('trtc', { ...config, userSig: '' }).start(
        validatePushOptions({ encode: 'flv' }),
        media,
      ),
    );
    expect(err.code).to.equal('SIG_UNAVAILABLE');
    err = await rejection(
      createPushProvider('trtc', { ...config, playDomain: undefined }).start(
        validatePushOptions({ encode: 'flv' }),
        media,
      ),
    );
    expect(err.code).to.equal('INVALID_OPTIONS');
    expect(err.message).to.contain('play-domain');
    expect(fake.calls).to.deep.equal([]);
  });

  it('stops cleanly when stop() arrives during the start', async () => {
    fake.delayMs = 150;
    const provider = createPushProvider('trtc', config);
    const started = provider.start(validatePushOptions({ encode: 'flv' }), media);
    await new Promise((r) => setTimeout(r, 200));
    await provider.stop();
    const err = await rejection(started);
    expect(err.code).to.equal('START_CANCELLED');
    expect(fake.methods()).to.not.include('startPublishCDNStream');
    expect(fake.clients[0].joined).to.equal(null);
    expect(fake.clients[0].destroyed).to.equal(true);
  });

  it('names the registered providers when asked for an unknown one', () => {
    expect(() => createPushProvider('whip', {})).to.throw(/trtc/);
  });
});
