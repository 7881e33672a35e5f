/**
 * Signed play URLs that expire, as a viewer meets them: the real relay with a play key refuses an expired
 * `txTime`; `<relay-player play-url-endpoint>` plays a signed URL from the real receiver (5 s lifetime), the
 * connection breaks after the URL expired, and the reconnect asks the receiver for a fresh URL and plays again.
 * And a `webrtc://` (LEB) source plays through its FLV fallback against the same relay.
 * The stack: `test/support/signed-play.plugin.mjs`.
 */
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import type { PlayUrl } from '../../src/contract/types.js';
import { mount } from '../support/player.js';
import { until } from '../support/until.js';

type Info = { relay: string; receiver: string; streamId: string; error?: string };
type Answer = { urls: PlayUrl[]; expiresAt: number };
let info: Info;

before(async () => {
  info = (await (await fetch('/signed-play/info')).json()) as Info;
  expect(info.error, info.error).to.equal(undefined);
});

const endpoint = () => `${info.receiver}/api/trtc/play-urls`;
async function signed(): Promise<Answer> {
  const res = await fetch(endpoint(), {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streamId: info.streamId, encode: 'flv' }),
  });
  expect(res.status).to.equal(200);
  return (await res.json()) as Answer;
}
const txTime = (url: string | null) => parseInt(new URL(url ?? 'x:').searchParams.get('txTime') ?? '0', 16);
/** The video shows new frames: its clock moves by a second. */
async function advancing(video: HTMLVideoElement, what: string): Promise<void> {
  const from = video.currentTime;
  await until(what, () => video.currentTime > from + 1, 30_000);
}

describe('<relay-player> with signed play URLs that expire', () => {
  it('plays, breaks after the URL expired, reconnects with a fresh URL from play-url-endpoint and plays again', async () => {
    const first = await signed();
    const flv = first.urls.find((u) => u.encode === 'flv')!;
    const { el, rec } = await mount(
      { autoplay: true, muted: true, 'play-url-endpoint': endpoint() },
      { sources: [flv] },
    );
    await until('the signed URL playing', () => el.state === 'playing', 30_000);
    await advancing(el.media!, 'the first URL showing frames');
    expect(el.currentUrl).to.equal(flv.url);
    // the URL expires (the relay allows no skew); the stream plays on until the connection breaks
    await until('the URL to expire', () => Date.now() / 1000 > first.expiresAt + 1, 15_000);
    const expired = await fetch(flv.url, { cache: 'no-store' });
    expect(expired.status, 'the relay refuses the expired URL').to.equal(403);
    await fetch('/signed-play/cut');
    await until('the reconnect', () => rec.states.some((s) => s.state === 'reconnecting'), 20_000);
    await until(
      'playing again',
      () => el.state === 'playing' && txTime(el.currentUrl) > first.expiresAt,
      40_000,
    );
    await advancing(el.media!, 'the fresh URL showing frames');
    expect(el.currentUrl).to.match(
      new RegExp(`/live/${info.streamId}\\.flv\\?txSecret=[0-9a-f]{32}&txTime=`),
    );
    expect(rec.errors.filter((e) => e.fatal)).to.deep.equal([]);
  });

  it("a page's own refreshSources hook is asked instead, with the expired playing source first", async () => {
    const first = await signed();
    const flv = first.urls.find((u) => u.encode === 'flv')!;
    const asked: string[][] = [];
    const refreshSources = async (expired: readonly PlayUrl[]) => {
      asked.push(expired.map((u) => u.url));
      return (await signed()).urls;
    };
    const { el } = await mount({ autoplay: true, muted: true }, { sources: [flv], refreshSources });
    await until('the signed URL playing', () => el.state === 'playing', 30_000);
    await until('the URL to expire', () => Date.now() / 1000 > first.expiresAt + 1, 15_000);
    await fetch('/signed-play/cut');
    await until(
      'playing again',
      () => el.state === 'playing' && txTime(el.currentUrl) > first.expiresAt,
      40_000,
    );
    await advancing(el.media!, 'the fresh URL showing frames');
    expect(asked[0]).to.deep.equal([flv.url]);
  });

  it('a page handed an already expired URL (stale page, long pause) gets a fresh one before it first plays', async () => {
    const stale = await signed();
    await until('the URL to expire', () => Date.now() / 1000 > stale.expiresAt + 1, 15_000);
    const flv = stale.urls.find((u) => u.encode === 'flv')!;
    const { el, rec } = await mount(
      { autoplay: true, muted: true, 'play-url-endpoint': endpoint() },
      { sources: [flv] },
    );
    await until('playing', () => el.state === 'playing', 30_000);
    await advancing(el.media!, 'frames');
    expect(txTime(el.currentUrl)).to.be.greaterThan(stale.expiresAt);
    expect(rec.errors).to.deep.equal([]);
  });

  it('without play-url-endpoint the expired URL cannot come back (what the endpoint is for)', async () => {
    const first = await signed();
    const flv = first.urls.find((u) => u.encode === 'flv')!;
    const { el, rec } = await mount({ autoplay: true, muted: true }, { sources: [flv] });
    await until('the signed URL playing', () => el.state === 'playing', 30_000);
    await until('the URL to expire', () => Date.now() / 1000 > first.expiresAt + 1, 15_000);
    await fetch('/signed-play/cut');
    await until('a failed reconnect', () => rec.errors.length >= 2 && el.state === 'reconnecting', 30_000);
    expect(el.currentUrl).to.equal(flv.url);
    expect(el.state).to.not.equal('playing');
  });

  it('a webrtc:// (LEB) source plays through its FLV fallback, the signed query kept', async () => {
    const flv = (await signed()).urls.find((u) => u.encode === 'flv')!.url;
    const u = new URL(flv);
    const leb = `webrtc://${u.host}/live/${info.streamId}${u.search}`;
    const { el } = await mount(
      { autoplay: true, muted: true, 'play-scheme': 'http' },
      { sources: [{ url: leb }] },
    );
    await until('the LEB source playing', () => el.state === 'playing', 30_000);
    await advancing(el.media!, 'frames through the fallback');
    expect(el.currentUrl).to.equal(flv);
    expect(el.protocol).to.equal('flv');
  });
});
