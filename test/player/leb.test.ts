import { expect } from '@open-wc/testing';
import { expandLebSources, lebFallbacks } from '../../src/player/leb.js';
import { SourceList, txExpired } from '../../src/player/session/sources.js';

describe('webrtc:// (LEB) sources: TCPlayer’s FLV/HLS fallback', () => {
  it('rewrites webrtc://d/live/s?q to https FLV then HLS, keeping the query as written', () => {
    expect(lebFallbacks('webrtc://play.example.com/live/s1?txSecret=abc&txTime=6A00&x=%2F')).to.deep.equal([
      { encode: 'flv', url: 'https://play.example.com/live/s1.flv?txSecret=abc&txTime=6A00&x=%2F' },
      { encode: 'hls', url: 'https://play.example.com/live/s1.m3u8?txSecret=abc&txTime=6A00&x=%2F' },
    ]);
  });

  it('keeps a port, an app path and a percent-encoded name; drops a fragment; http when asked', () => {
    expect(lebFallbacks('WEBRTC://127.0.0.1:8443/app/a%20b#t=1', 'http')).to.deep.equal([
      { encode: 'flv', url: 'http://127.0.0.1:8443/app/a%20b.flv' },
      { encode: 'hls', url: 'http://127.0.0.1:8443/app/a%20b.m3u8' },
    ]);
  });

  it('leaves other URLs alone and keeps a quality label; a webrtc:// without a stream is not guessed at', () => {
    const flv = { url: 'https://d/live/s.flv' };
    expect(
      expandLebSources([{ url: 'webrtc://d/live/s_hd', quality: 'HD' }, flv, { url: 'webrtc://d/' }]),
    ).to.deep.equal([
      { encode: 'flv', url: 'https://d/live/s_hd.flv', quality: 'HD' },
      { encode: 'hls', url: 'https://d/live/s_hd.m3u8', quality: 'HD' },
      flv,
      { url: 'webrtc://d/' },
    ]);
    expect(lebFallbacks('https://d/live/s.flv')).to.equal(null);
  });

  it('is done before source ordering: a webrtc:// source is played by the FLV or HLS engine', () => {
    const { playable } = new SourceList().order([{ url: 'webrtc://d/live/s' }], {
      mse: true,
      nativeHls: false,
      mp4: true,
      mp3: true,
    });
    expect(playable.map((c) => c.source.url)).to.deep.equal([
      'https://d/live/s.flv',
      'https://d/live/s.m3u8',
    ]);
  });
});

describe('signed URL expiry (txTime)', () => {
  it('reads txTime as hex unix seconds; URLs without one never expire', () => {
    const at = 0x6a000000 * 1000;
    expect(txExpired('https://d/live/s.flv?txSecret=x&txTime=6A000000', at)).to.equal(true);
    expect(txExpired('https://d/live/s.flv?txSecret=x&txTime=6a000001', at)).to.equal(false);
    expect(txExpired('https://d/live/s.flv', at)).to.equal(false);
    expect(txExpired('https://d/live/s.flv?notxTime=1', at)).to.equal(false);
  });
});
