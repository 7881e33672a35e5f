/**
 * `crossorigin="use-credentials"`: the viewer's cookies go with every request of every engine, as they do for a
 * `<video crossorigin="use-credentials">`, so a media host that authorises viewers by cookie (a site's own CDN
 * behind its login) plays; with `anonymous` no cookie is sent and that host refuses. (Without the attribute the
 * media element's own requests are no-cors and carry cookies, the engines' are CORS without them, as hls.js and
 * mpegts.js do by default.) The host is
 * `test/support/cookie-gate.plugin.mjs`: another port (cross-origin, same site), credentialed CORS, 403 without the
 * cookie.
 */
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import { mount } from '../support/player.js';
import { until } from '../support/until.js';

let gate: string;
type Seen = { path: string; cookie: boolean };
const seen = async (): Promise<Seen[]> =>
  (await (await fetch(`${gate}/log`, { credentials: 'include' })).json()) as Seen[];

before(async () => {
  const { port } = (await (await fetch('/cookie-gate/info')).json()) as { port: number };
  // same site as this page (cookies are per host, not port), another origin
  gate = `${location.protocol}//${location.hostname}:${port}`;
  const res = await fetch(`${gate}/set-cookie`, { credentials: 'include' });
  expect(res.status).to.equal(204);
});
beforeEach(async () => {
  await fetch(`${gate}/reset`, { method: 'POST', credentials: 'include' });
});

const video = (el: HTMLElement): HTMLVideoElement => el.shadowRoot!.querySelector('video')!;

for (const [name, path] of [
  ['HLS (hls.js: playlists and segments)', '/media/live.m3u8'],
  ['HTTP-FLV (mpegts.js)', '/media/live.flv'],
  ['MP4 (the media element itself)', '/media/rec.mp4'],
] as const) {
  describe(`crossorigin and cookies: ${name}`, () => {
    it('with use-credentials, every request carries the cookie and the picture plays', async () => {
      const { el, rec } = await mount(
        { crossorigin: 'use-credentials', autoplay: true, muted: true },
        { sources: [{ url: `${gate}${path}` }] },
      );
      await until(
        `plays from the cookie host (errors: ${JSON.stringify(rec.errors)})`,
        () => video(el).currentTime > 0.5,
        20000,
      );
      const log = await seen();
      expect(log.length).to.be.greaterThan(0);
      expect(
        log.filter((s) => !s.cookie),
        'requests without the cookie',
      ).to.deep.equal([]);
      el.remove();
    });

    it('with crossorigin="anonymous" no cookie is sent, the host refuses, and the player says it could not play', async () => {
      const { el, rec } = await mount(
        { crossorigin: 'anonymous', autoplay: true, muted: true },
        { sources: [{ url: `${gate}${path}` }] },
      );
      await until('an error', () => rec.errors.length > 0, 20000);
      expect(video(el).currentTime).to.equal(0);
      const log = await seen();
      expect(log.length).to.be.greaterThan(0);
      expect(log.every((s) => !s.cookie)).to.equal(true);
      el.remove();
    });
  });
}
