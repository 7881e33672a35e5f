/**
 * The three elements without a browser: Lit SSR (`@lit-labs/ssr`, with its DOM shim) constructs them and renders
 * their shells, as a prerendering step or a server-rendered page would. Nothing may touch `document`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from '@lit-labs/ssr';
import { collectResult } from '@lit-labs/ssr/lib/render-result.js';
import { html } from 'lit';

// the shim is installed by @lit-labs/ssr; the element modules are loaded after it
const { RelayPlayer } = await import('../../../src/elements/relay-player/relay-player.ts');
const { LivePushControls } = await import('../../../src/elements/live-push-controls/live-push-controls.ts');
const { RecordingList } = await import('../../../src/elements/recording-list/recording-list.ts');
await import('../../../src/register.ts');

test('there is no DOM here (the test would prove nothing otherwise)', () => {
  assert.equal(typeof document, 'undefined');
});

for (const [name, Ctor] of [
  ['relay-player', RelayPlayer],
  ['live-push-controls', LivePushControls],
  ['recording-list', RecordingList],
] as const) {
  test(`new ${Ctor.name}() does not throw without a DOM`, () => {
    assert.doesNotThrow(() => new Ctor());
    assert.equal(customElements.get(name), Ctor);
  });
}

test('<relay-player> renders its shell with Lit SSR: region and video, labelled in its lang', async () => {
  const out = await collectResult(
    render(html`<relay-player src="/media/rec.mp4" controls lang="zh-CN"></relay-player>`),
  );
  assert.match(out, /<template shadowroot(mode)?="open"/);
  assert.match(out, /part="base"/);
  assert.match(out, /<video part="video"/);
  assert.match(out, /aria-label="直播播放器"/);
});

test('<live-push-controls> and <recording-list> render their shells with Lit SSR', async () => {
  for (const tag of [
    html`<live-push-controls></live-push-controls>`,
    html`<recording-list></recording-list>`,
  ]) {
    const out = await collectResult(render(tag));
    assert.match(out, /<template shadowroot(mode)?="open"/);
  }
});
