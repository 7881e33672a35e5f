import { expect } from '@open-wc/testing';
import { buildPlayUrls, resolvePlayUrls } from '../../src/push/play-urls.js';

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

describe('play-scheme and transcode-template', () => {
  it('play-scheme http serves a bare host over http; a domain written with its scheme keeps it', () => {
    expect(buildPlayUrls('play.example.com', 's1', 'flv', { scheme: 'http' })[0]!.url).to.equal(
      'http://play.example.com/live/s1.flv',
    );
    expect(buildPlayUrls('https://play.example.com', 's1', 'flv', { scheme: 'http' })[0]!.url).to.equal(
      'https://play.example.com/live/s1.flv',
    );
  });

  it('without an endpoint: unsigned URLs of StreamName_templateId only, scheme as asked', async () => {
    const urls = await resolvePlayUrls(
      { playDomain: 'play.example.com', playScheme: 'HTTP', transcodeTemplate: 'hd' },
      's1',
      'hls',
    );
    expect(urls.map((u) => u.url)).to.deep.equal([
      'http://play.example.com/live/s1_hd.m3u8',
      'rtmp://play.example.com/live/s1_hd',
      'http://play.example.com/live/s1_hd.flv',
    ]);
  });

  it('refuses a malformed template or scheme before anything is fetched', async () => {
    for (const config of [
      { playDomain: 'd', transcodeTemplate: 'a/b' },
      { playDomain: 'd', playScheme: 'ftp' },
    ]) {
      const err = await resolvePlayUrls(config, 's1', 'flv').catch((e: unknown) => e);
      expect((err as { code: string }).code).to.equal('INVALID_OPTIONS');
    }
  });

  it('with play-url-endpoint an unreachable service is PLAY_URLS_UNAVAILABLE, naming it', async () => {
    const err = await resolvePlayUrls(
      { playDomain: 'd', playUrlEndpoint: 'http://127.0.0.1:9/api/trtc/play-urls' },
      's1',
      'flv',
    ).catch((e: unknown) => e);
    expect((err as { code: string }).code).to.equal('PLAY_URLS_UNAVAILABLE');
    expect((err as Error).message).to.contain('play URL service at http://127.0.0.1:9');
  });
});
