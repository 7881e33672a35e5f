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

describe('play-url-endpoint against the real receiver (signed-play stack)', () => {
  type Info = { relay: string; receiver: string; streamId: string; error?: string };
  let info: Info;
  before(async () => {
    info = (await (await fetch('/signed-play/info')).json()) as Info;
    expect(info.error, info.error).to.equal(undefined);
  });

  it('answers the start with URLs signed by the site, which the keyed relay plays; the page holds no key', async () => {
    const urls = await resolvePlayUrls(
      { playDomain: 'ignored.example', playUrlEndpoint: `${info.receiver}/api/trtc/play-urls` },
      info.streamId,
      'hls',
    );
    expect(urls.map((u) => u.encode)).to.deep.equal(['hls', 'rtmp', 'flv']);
    const flv = urls.find((u) => u.encode === 'flv')!.url;
    expect(flv).to.match(
      new RegExp(`^${info.relay}/live/${info.streamId}\\.flv\\?txSecret=[0-9a-f]{32}&txTime=`),
    );
    const res = await fetch(flv);
    expect(res.status).to.equal(200);
    await res.body?.cancel();
    expect((await fetch(flv.split('?')[0]!)).status).to.equal(403);
  });

  it("a stream the site does not sign is PLAY_URLS_UNAVAILABLE with the receiver's reason", async () => {
    const err = await resolvePlayUrls(
      { playDomain: 'd', playUrlEndpoint: `${info.receiver}/api/trtc/play-urls` },
      'someone_else',
      'flv',
    ).catch((e: unknown) => e);
    expect((err as { code: string }).code).to.equal('PLAY_URLS_UNAVAILABLE');
    expect((err as Error).message).to.contain('not in TRTC_PLAY_STREAMS');
  });
});
