import { expect } from '@open-wc/testing';
import { detectCapabilities, orderSources, type Capabilities } from '../../src/player/source-order.js';

const chromeLike: Capabilities = { mse: true, nativeHls: false, mp4: true, mp3: true };
const safariIosLike: Capabilities = { mse: false, nativeHls: true, mp4: true, mp3: true };

describe('source order', () => {
  it('orders lowest latency first: FLV, then HLS, then MP4, then MP3', () => {
    const { playable } = orderSources(
      [{ url: 'a.mp3' }, { url: 'b.mp4' }, { url: 'c.m3u8' }, { url: 'd.flv' }],
      chromeLike,
    );
    expect(playable.map((c) => c.source.url)).to.deep.equal(['d.flv', 'c.m3u8', 'b.mp4', 'a.mp3']);
    expect(playable.map((c) => c.engine)).to.deep.equal(['mpegts', 'hls.js', 'native', 'native']);
  });
  it('tries a WebRTC (WHEP) source first where the browser has WebRTC, and skips it with a reason where not', () => {
    const sources = [
      { url: 'd.flv' },
      { encode: 'webrtc' as const, url: 'https://x/whep/s', token: 't' },
      { url: 'c.m3u8' },
    ];
    const { playable } = orderSources(sources, { ...chromeLike, webrtc: true });
    expect(playable.map((c) => c.engine)).to.deep.equal(['webrtc', 'mpegts', 'hls.js']);
    expect(playable[0]!.source.token).to.equal('t');
    const without = orderSources(sources, chromeLike);
    expect(without.playable.map((c) => c.engine)).to.deep.equal(['mpegts', 'hls.js']);
    expect(without.skipped[0]!.reason).to.match(/no WebRTC/);
    expect(detectCapabilities().webrtc).to.equal(true);
  });
  it('always skips RTMP with a reason, and keeps input order among equals', () => {
    const { playable, skipped } = orderSources(
      [
        { encode: 'rtmp', url: 'rtmp://x/live/s' },
        { encode: 'hls', url: 'https://x/1.m3u8' },
        { encode: 'hls', url: 'https://x/2.m3u8' },
      ],
      chromeLike,
    );
    expect(playable.map((c) => c.source.url)).to.deep.equal(['https://x/1.m3u8', 'https://x/2.m3u8']);
    expect(skipped).to.have.length(1);
    expect(skipped[0]!.source.url).to.equal('rtmp://x/live/s');
    expect(skipped[0]!.reason).to.match(/RTMP cannot be played in a web browser/);
  });
  it('uses native HLS and skips FLV where there is no MSE (iOS Safari)', () => {
    const { playable, skipped } = orderSources([{ url: 'a.flv' }, { url: 'a.m3u8' }], safariIosLike);
    expect(playable.map((c) => c.engine)).to.deep.equal(['native-hls']);
    expect(skipped[0]!.reason).to.match(/Media Source Extensions/);
  });
  it('skips a URL whose protocol cannot be told, asking for an encode', () => {
    const { playable, skipped } = orderSources([{ url: 'https://x/stream' }], chromeLike);
    expect(playable).to.deep.equal([]);
    expect(skipped[0]!.reason).to.match(/give it an "encode"/);
  });
  it('fills in the guessed encode on each candidate', () => {
    const { playable } = orderSources([{ url: 'https://x/a.flv?sign=1' }], chromeLike);
    expect(playable[0]!.source).to.deep.equal({ encode: 'flv', url: 'https://x/a.flv?sign=1' });
  });
  it('detects that this Chromium plays FLV/HLS through MSE, MP4 and MP3 natively', () => {
    const caps = detectCapabilities();
    expect(caps.mse).to.equal(true);
    expect(caps.mp4).to.equal(true);
    expect(caps.mp3).to.equal(true);
  });
});
