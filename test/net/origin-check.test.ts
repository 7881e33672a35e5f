/**
 * A request the browser's origin policy blocks is told apart from a server that is not there: the page learns
 * `ORIGIN_NOT_ALLOWED`, naming its own origin and `ALLOWED_ORIGINS`. The "other origin" is this test server under
 * its other loopback name (localhost ↔ 127.0.0.1): a real server that answers without CORS headers for this page.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/define.js';
import originBlocked from '../../src/net/origin-check.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import type { RecordingList } from '../../src/elements/recording-list/recording-list.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';

const otherName = location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
/** This test server, seen from another origin (its answers carry no CORS headers). */
const other = `${location.protocol}//${otherName}:${location.port}`;
let deadUrl: string;

before(async () => {
  deadUrl = ((await (await fetch('/receiver-support')).json()) as { deadUrl: string }).deadUrl;
  // the premise: the other origin answers, and this page may not read it
  const reachable = await fetch(`${other}/`, { mode: 'no-cors' }).then(
    () => true,
    () => false,
  );
  expect(reachable, `${other} is reachable`).to.equal(true);
});

describe('origin check', () => {
  it('a server that answers but does not allow this page: ORIGIN_NOT_ALLOWED naming the page and ALLOWED_ORIGINS', async () => {
    const url = `${other}/api/streams`;
    const plain = await fetch(url, { method: 'POST' }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(plain, 'the plain request is blocked').to.be.instanceOf(TypeError);
    const err = await originBlocked(url, 'relay');
    expect(err?.code).to.equal('ORIGIN_NOT_ALLOWED');
    expect(err?.module).to.equal('relay');
    expect(err?.message).to.contain(location.origin).and.contain('ALLOWED_ORIGINS').and.contain(other);
  });

  it('a server that is not running is not called an origin problem', async () => {
    expect(await originBlocked(`${deadUrl}/api/streams`, 'relay')).to.equal(null);
  });

  it('the same origin is never an origin problem', async () => {
    expect(await originBlocked(`${location.origin}/nothing-here`, 'relay')).to.equal(null);
  });

  it('a player on another origin that does not allow this page says so, and a dead server stays "cannot be played"', async () => {
    const fatal = async (src: string): Promise<{ player: RelayPlayer; detail: RelayErrorInfo }> => {
      const player = await fixture<RelayPlayer>(html`<relay-player muted autoplay></relay-player>`);
      const seen: string[] = [];
      const done = new Promise<RelayErrorInfo>((resolve) =>
        player.addEventListener('relay-player-error', (e) => {
          const d = (e as CustomEvent<RelayErrorInfo & { fatal?: boolean }>).detail;
          seen.push(`${d.code}${d.fatal ? ' (fatal)' : ''}: ${d.message}`);
          if (d.fatal) resolve(d);
        }),
      );
      player.src = src;
      const detail = await Promise.race([
        done,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no fatal error; saw ${JSON.stringify(seen)}`)), 25_000),
        ),
      ]);
      return { player, detail };
    };
    const blocked = await fatal(`${other}/live/demo.flv`);
    expect(blocked.detail.code).to.equal('ORIGIN_NOT_ALLOWED');
    const shown = blocked.player.shadowRoot!.querySelector('[part="error"]')!.textContent!;
    expect(shown).to.contain(location.origin).and.contain('ALLOWED_ORIGINS');

    const dead = await fatal(`${deadUrl}/live/demo.flv`);
    expect(dead.detail.code).to.equal('ALL_SOURCES_FAILED');
  });

  it('a recording list on another origin that does not allow this page says so', async () => {
    const list = await fixture<RecordingList>(html`<recording-list endpoint=${other}></recording-list>`);
    const ev = (await oneEvent(list, 'recording-error')) as CustomEvent<RelayErrorInfo>;
    expect(ev.detail.code).to.equal('ORIGIN_NOT_ALLOWED');
    const status = list.shadowRoot!.querySelector('[part="status"]')!.textContent!;
    expect(status).to.contain(location.origin).and.contain('ALLOWED_ORIGINS');
  });
});
