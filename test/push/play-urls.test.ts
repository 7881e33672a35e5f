import { expect } from '@open-wc/testing';
import { buildPlayUrls } from '../../src/push/play-urls.js';

describe('play URLs on a play domain', () => {
  it('follows the CSS convention, requested protocol first, https by default', () => {
    expect(buildPlayUrls('play.example.com', '1400_8_alice_main', 'hls')).to.deep.equal([
      { encode: 'hls', url: 'https://play.example.com/live/1400_8_alice_main.m3u8' },
      { encode: 'rtmp', url: 'rtmp://play.example.com/live/1400_8_alice_main' },
      { encode: 'flv', url: 'https://play.example.com/live/1400_8_alice_main.flv' },
    ]);
  });

  it('keeps an explicit scheme, port and app path', () => {
    const urls = buildPlayUrls('http://127.0.0.1:8080/app/', 's1', 'flv');
    expect(urls[0]).to.deep.equal({ encode: 'flv', url: 'http://127.0.0.1:8080/app/s1.flv' });
    expect(urls.find((u) => u.encode === 'rtmp')?.url).to.equal('rtmp://127.0.0.1/app/s1');
  });

  it('refuses an empty or non-http play domain', () => {
    expect(() => buildPlayUrls('', 's', 'hls')).to.throw(/play-domain/);
    expect(() => buildPlayUrls('ftp://x.example', 's', 'hls')).to.throw(/http/);
  });
});
