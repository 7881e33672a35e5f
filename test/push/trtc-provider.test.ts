/**
 * The trtc provider running the REAL trtc-sdk-v5 5.17 and its CDNStreaming plugin in Chromium: TRTC.create, the
 * room's join request, the local tracks and their publish state machine, the uplink peer connection (answered by
 * a peer in the page, which receives the media), the plugin's relay request, KICKED_OUT. Only Tencent's scheduler
 * and signalling server are a double, see `trtc-v5-network-double.ts`.
 */
import { expect } from '@open-wc/testing';
import CDNStreaming from 'trtc-sdk-v5/plugins/cdn-streaming/cdn-streaming.esm.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';
import { setLazyModuleLoader } from '../../src/lazy/registry.js';
import { validatePushOptions, type PushOptionsInput } from '../../src/push/options.js';
import { PushProviderEvents, createPushProvider, type PushProvider } from '../../src/push/provider.js';
import '../../src/push/providers/trtc-provider.js';
import '../../src/lazy/esm.js';
import { TrtcV5NetworkDouble } from './trtc-v5-network-double.js';
import { rejection, until } from '../support/until.js';

const config = {
  sdkAppId: '1400000001',
  userId: 'alice',
  userSig: 'sig-from-server',
  roomId: '8',
  playDomain: 'play.example.com',
};
const STREAM = '1400000001_8_alice_main';
const opts = (input: PushOptionsInput) => validatePushOptions(input);

function nextError(provider: PushProvider): Promise<RelayErrorInfo> {
  return new Promise((resolve) =>
    provider.addEventListener(
      PushProviderEvents.ERROR,
      (e) => resolve((e as CustomEvent<RelayErrorInfo>).detail),
      { once: true },
    ),
  );
}

/** What the SDK told Tencent in its join request. */
function join(net: TrtcV5NetworkDouble) {
  const data = net.channel.command('join')?.data ?? {};
  return {
    data,
    uc: (JSON.parse(String(data.bussinessInfo ?? '{}')).Str_uc_params ?? {}) as Record<string, unknown>,
  };
}

/** Frames of each kind the peer standing in for Tencent's edge decoded from the SDK's uplink. */
async function received(net: TrtcV5NetworkDouble): Promise<{ audio: number; video: number }> {
  const out = { audio: 0, video: 0 };
  const stats = await net.channel.edge!.getStats();
  stats.forEach((s: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') out.video += s.framesDecoded ?? 0;
    if (s.kind === 'audio') out.audio += s.packetsReceived ?? 0;
  });
  return out;
}

describe('trtc push provider (real trtc-sdk-v5 + CDNStreaming, Tencent signalling replaced)', () => {
  let net: TrtcV5NetworkDouble;
  let media: MediaStream;

  before(async () => {
    media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
  });
  after(() => media.getTracks().forEach((t) => t.stop()));

  beforeEach(() => {
    net = new TrtcV5NetworkDouble();
    setLazyModuleLoader('trtc-sdk-v5', () => Promise.resolve(net.module));
    setLazyModuleLoader('trtc-cdn-streaming', () => Promise.resolve(CDNStreaming));
  });

  it('camera push: enters the room as anchor, the SDK sends real audio and video, relays under the default stream id, stops cleanly', async () => {
    const provider = createPushProvider('trtc', config);
    const result = await provider.start(opts({ encode: 'flv', recordId: 'lesson_7' }), media);
    expect(result.streamId).to.equal(STREAM);
    expect(result.urls[0]).to.deep.equal({
      encode: 'flv',
      url: `https://play.example.com/live/${STREAM}.flv`,
    });
    const { data, uc } = join(net);
    expect(data).to.include({
      roomId: '8',
      useStringRoomId: false,
      trtcRole: 20,
      trtcScene: 2,
      userSig: 'sig-from-server',
    });
    // the record id reaches Tencent in the join request's business info (userdefine_record_id)
    expect(uc).to.deep.equal({ userdefine_record_id: 'lesson_7' });
    expect(net.channel.command('publish')?.data.state).to.include({ audio: true, bigVideo: true });
    // the CDNStreaming plugin's own relay request, after the publish
    const relay = net.channel.command('start_publishing')!.data;
    expect(relay).to.include({ streamId: STREAM, streamType: 0 });
    expect(net.channel.names()).to.deep.equal([
      ...net.channel.names().slice(0, net.channel.names().indexOf('start_publishing')),
      'start_publishing',
    ]);
    expect(net.channel.names().indexOf('publish')).to.be.lessThan(
      net.channel.names().indexOf('start_publishing'),
    );
    // media really left the SDK's encoder
    await until(
      'the edge decodes video and hears audio',
      async () => {
        const r = await received(net);
        return r.video > 5 && r.audio > 5;
      },
      10_000,
    );
    await provider.stop();
    const names = net.channel.names();
    expect(names.slice(names.indexOf('stop_publishing'))).to.deep.equal(['stop_publishing', 'leave']);
    expect(net.channel.command('stop_publishing')!.data.sessionId).to.equal(relay.sessionId);
    // the element's own tracks live on (the SDK was given copies)
    expect(media.getTracks().map((t) => t.readyState)).to.deep.equal(['live', 'live']);
  });

  it('audio-only + MP3: pureAudioPushMode 2 in the join request, no video published, string room', async () => {
    const provider = createPushProvider('trtc', { ...config, roomId: undefined, strRoomId: 'class-A' });
    const result = await provider.start(
      opts({ encode: 'hls', audioOnly: true, recordFileTypes: ['mp3'] }),
      media,
    );
    expect(result.streamId).to.equal('1400000001_class-A_alice_main');
    const { data, uc } = join(net);
    expect(data).to.include({ roomId: 'class-A', useStringRoomId: true });
    expect(uc).to.deep.equal({ pure_audio_push_mod: 2 });
    expect(net.channel.command('publish')?.data.state).to.include({ audio: true, bigVideo: false });
    await provider.stop();
  });

  it('audio-only without recording relays with pureAudioPushMode 1', async () => {
    const provider = createPushProvider('trtc', config);
    await provider.start(opts({ encode: 'flv', audioOnly: true }), media);
    expect(join(net).uc).to.deep.equal({ pure_audio_push_mod: 1 });
    await provider.stop();
  });

  it('checks the room before anything is loaded: numeric room range, string rooms only by str-room-id, not both', async () => {
    for (const [cfg, says] of [
      [{ roomId: 'class-A' }, 'str-room-id instead'],
      [{ roomId: '4294967295' }, 'from 1 to 4294967294'],
      [{ roomId: '0' }, 'from 1 to 4294967294'],
      [{ roomId: '8', strRoomId: 'x' }, 'not both'],
      [{ roomId: undefined, strRoomId: 'bad/room' }, 'not a TRTC string room id'],
    ] as const) {
      const provider = createPushProvider('trtc', { ...config, ...cfg });
      const err = await rejection(provider.start(opts({ encode: 'flv' }), media));
      expect(err.code, JSON.stringify(cfg)).to.equal('INVALID_OPTIONS');
      expect(err.message, JSON.stringify(cfg)).to.contain(says);
    }
    expect(net.created).to.deep.equal([]);
  });

  it('says the console recording template decides HLS/FLV/MP4, before creating anything', async () => {
    const provider = createPushProvider('trtc', config);
    const err = await rejection(provider.start(opts({ encode: 'flv', recordFileTypes: ['mp4'] }), media));
    expect(err.code).to.equal('RECORD_TYPES_BY_TEMPLATE');
    expect(net.created).to.deep.equal([]);
  });

  it('relay not enabled: Tencent answers -102083, the push fails saying so and leaves the room', async () => {
    net.onNextChannel((c) => c.failNext('start_publishing', { code: -102083, message: 'relay not enabled' }));
    const provider = createPushProvider('trtc', config);
    const err = await rejection(provider.start(opts({ encode: 'flv' }), media));
    expect(err.module).to.equal('trtc');
    expect(err.code).to.equal('START_PUBLISH_CDN_FAILED');
    expect(err.message).to.contain('Relayed push (旁路推流) is not enabled');
    expect(err.message).to.contain('-102083');
    expect(net.channel.names().at(-1)).to.equal('leave');
  });

  it('a refused join (Tencent: UserSig expired) is BACKEND_REJECTED naming the UserSig, and nothing stays open', async () => {
    net.refuse('join', { code: -100013, message: 'userSig expired' });
    const provider = createPushProvider('trtc', config);
    const err = await rejection(provider.start(opts({ encode: 'flv' }), media));
    expect(err.code).to.equal('BACKEND_REJECTED');
    expect(err.message).to.contain('UserSig');
    expect(err.message).to.contain('-100013');
    // the SDK's own join retry was refused too; nothing was published or relayed
    expect(net.channels.flatMap((c) => c.names()).filter((n) => n === 'join')).to.have.length(2);
    expect(net.channels.some((c) => c.command('publish'))).to.equal(false);
  });

  it('same user id elsewhere: KICKED_OUT (kick) ends the push with TRTC_KICKED_SAME_USER', async () => {
    const provider = createPushProvider('trtc', config);
    await provider.start(opts({ encode: 'flv' }), media);
    const error = nextError(provider);
    net.channel.ban('kick');
    const info = await error;
    expect(info.code).to.equal('TRTC_KICKED_SAME_USER');
    expect(info.message).to.contain('same user id');
  });

  it('room dismissed: KICKED_OUT (room_disband) ends the push saying so', async () => {
    const provider = createPushProvider('trtc', config);
    await provider.start(opts({ encode: 'flv' }), media);
    const error = nextError(provider);
    net.channel.ban('room_disband');
    expect((await error).message).to.contain('dismissed');
  });

  it('switches camera and microphone live through updateLocalVideo/updateLocalAudio', async () => {
    const provider = createPushProvider('trtc', config);
    await provider.start(opts({ encode: 'flv' }), media);
    const other = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 320, height: 180 },
    });
    await provider.replaceTrack!(other.getVideoTracks()[0]);
    await provider.replaceTrack!(other.getAudioTracks()[0]);
    await until('the SDK swapped both tracks into its uplink', () => net.replacedTracks.length >= 2, 5000);
    expect(net.replacedTracks.map((t) => t.kind).sort()).to.deep.equal(['audio', 'video']);
    expect(net.replacedTracks.find((t) => t.kind === 'video')!.getSettings().width).to.equal(320);
    await provider.stop();
    other.getTracks().forEach((t) => t.stop());
  });

  it('uses the UserSig and room permission ticket from sig-endpoint', async () => {
    const seen: unknown[] = [];
    const original = window.fetch;
    window.fetch = async (input, init) => {
      // the SDK's own requests (to Tencent: none may leave here) are refused; the UserSig service answers
      if (!String(input instanceof Request ? input.url : input).includes('/api/trtc/usersig'))
        throw new TypeError('Failed to fetch');
      seen.push(JSON.parse(String(init?.body)));
      return new Response(JSON.stringify({ userSig: 'minted', privateMapKey: 'ticket-8' }), {
        headers: { 'content-type': 'application/json' },
      });
    };
    try {
      const provider = createPushProvider('trtc', {
        ...config,
        userSig: undefined,
        sigEndpoint: '/api/trtc/usersig',
      });
      await provider.start(opts({ encode: 'flv' }), media);
      expect(seen).to.deep.equal([{ sdkAppId: 1400000001, userId: 'alice', roomId: 8, role: 'anchor' }]);
      expect(join(net).data).to.include({ userSig: 'minted', privateMapKey: 'ticket-8' });
      await provider.stop();
    } finally {
      window.fetch = original;
    }
  });

  it('stops cleanly when stop() arrives during the start', async () => {
    net.onNextChannel((c) => (c.delayMs = 300));
    const provider = createPushProvider('trtc', config);
    const start = provider.start(opts({ encode: 'flv' }), media);
    await new Promise((r) => setTimeout(r, 100));
    await provider.stop();
    const err = await rejection(start);
    expect(err.code).to.equal('START_CANCELLED');
    expect(net.channel.command('start_publishing')).to.equal(undefined);
  });

  it('stops cleanly while Tencent has not yet confirmed the publish: cancelled at once, no relay, the room left', async () => {
    net.onNextChannel((c) => c.slow.set('publish', 5000));
    const provider = createPushProvider('trtc', config);
    const start = provider.start(opts({ encode: 'flv' }), media);
    await until('the SDK sent its publish offer', () => net.channels[0]?.command('publish'), 10_000);
    await provider.stop();
    const err = await rejection(start);
    expect(err.code).to.equal('START_CANCELLED');
    expect(net.channels[0]!.answered, 'stopped before Tencent answered the publish').not.to.include(
      'publish',
    );
    expect(net.channel.command('start_publishing')).to.equal(undefined);
    expect(net.channel.names()).to.include('leave');
  });
});
