import { expect } from '@open-wc/testing';
import { RelayError } from '../../src/contract/errors.js';
import { classifyUrl, encodeOf, normaliseSources, parseSourcesAttribute } from '../../src/player/protocol.js';

function thrown(fn: () => unknown): RelayError {
  try {
    fn();
  } catch (e) {
    return e as RelayError;
  }
  throw new Error('expected a throw');
}

describe('protocol: classifyUrl', () => {
  it('reads the protocol from the path suffix, ignoring query strings and fragments', () => {
    expect(classifyUrl('https://cdn.example/live/s1.flv')).to.equal('flv');
    expect(classifyUrl('https://cdn.example/live/s1.flv?txSecret=abc&txTime=5F')).to.equal('flv');
    expect(classifyUrl('https://cdn.example/live/s1.m3u8?token=x#t=3')).to.equal('hls');
    expect(classifyUrl('/rec/2024/a.MP4')).to.equal('mp4');
    expect(classifyUrl('rec/a.mp3?download=1')).to.equal('mp3');
  });
  it('recognises RTMP by scheme, whatever the path', () => {
    expect(classifyUrl('rtmp://push.example/live/s1')).to.equal('rtmp');
    expect(classifyUrl('RTMPS://push.example/live/s1.flv')).to.equal('rtmp');
  });
  it('returns null when it cannot tell, instead of guessing', () => {
    expect(classifyUrl('https://cdn.example/live/s1')).to.equal(null);
    expect(classifyUrl('https://cdn.example/play?f=s1.flv')).to.equal(null);
    expect(classifyUrl('')).to.equal(null);
  });
  it('prefers an explicit encode over the URL', () => {
    expect(encodeOf({ encode: 'hls', url: 'https://x/stream' })).to.equal('hls');
    expect(encodeOf({ url: 'https://x/a.flv' })).to.equal('flv');
  });
});

describe('protocol: sources input', () => {
  it('parses a JSON list of { encode, url } and bare URL strings', () => {
    expect(
      parseSourcesAttribute(
        '[{"encode":"rtmp","url":"rtmp://a/b"},{"url":" https://a/b.flv "},"https://a/b.m3u8"]',
      ),
    ).to.deep.equal([
      { encode: 'rtmp', url: 'rtmp://a/b' },
      { url: 'https://a/b.flv' },
      { url: 'https://a/b.m3u8' },
    ]);
  });
  it('keeps a quality label, trimmed, and rejects one that is not a non-empty string', () => {
    expect(
      parseSourcesAttribute(
        '[{"encode":"flv","url":"a.flv","quality":" 720p "},{"url":"b.flv","quality":"超清"}]',
      ),
    ).to.deep.equal([
      { encode: 'flv', url: 'a.flv', quality: '720p' },
      { url: 'b.flv', quality: '超清' },
    ]);
    const e = thrown(() => normaliseSources([{ url: 'a.flv', quality: 720 }]));
    expect(e.code).to.equal('BAD_SOURCES');
    expect(e.message).to.match(/sources\[0\]\.quality must be a non-empty string/);
  });
  it('normalises encode case', () => {
    expect(normaliseSources([{ encode: 'FLV', url: 'x' }])).to.deep.equal([{ encode: 'flv', url: 'x' }]);
  });
  it('rejects malformed JSON with BAD_SOURCES and a message saying what is wrong', () => {
    const e = thrown(() => parseSourcesAttribute('[{"url": '));
    expect(e).to.be.instanceOf(RelayError);
    expect(e.code).to.equal('BAD_SOURCES');
    expect(e.module).to.equal('player');
    expect(e.message).to.match(/not valid JSON/);
  });
  it('rejects wrong shapes: not an array, missing url, unknown encode', () => {
    expect(thrown(() => normaliseSources({ url: 'x' })).message).to.match(/must be a JSON array/);
    expect(thrown(() => normaliseSources([{ encode: 'flv' }])).message).to.match(/sources\[0\]\.url/);
    expect(thrown(() => normaliseSources(['ok', 42])).message).to.match(/sources\[1\]/);
    expect(thrown(() => normaliseSources([{ encode: 'srt', url: 'x' }])).message).to.match(
      /"srt" is not one of/,
    );
    expect(thrown(() => normaliseSources([{ encode: 'webrtc', url: 'x', token: 7 }])).message).to.match(
      /sources\[0\]\.token/,
    );
    expect(normaliseSources([{ encode: 'WebRTC', url: ' https://w/whep ', token: ' t ' }])).to.deep.equal([
      { encode: 'webrtc', url: 'https://w/whep', token: 't' },
    ]);
  });
});
