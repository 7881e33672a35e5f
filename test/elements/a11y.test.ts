/**
 * Accessibility of each element in its main states, in English and Simplified Chinese, checked with axe-core
 * (`expect(el).to.be.accessible()`), against the real relay and receiver the other browser tests use.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import type { RecordingList } from '../../src/elements/recording-list/recording-list.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import { pressCentre } from '../support/input.js';

interface ReceiverInfo {
  url: string;
  key: string;
  deadUrl: string;
}

const langs = ['en', 'zh-CN'] as const;
const uid = (p: string): string =>
  `${p}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;

let receiver: ReceiverInfo;
let relayUrl: string;

before(async () => {
  receiver = (await (await fetch('/receiver-support')).json()) as ReceiverInfo;
  const relay = (await (await fetch('/relay-support/info')).json()) as { url?: string; error?: string };
  if (!relay.url) throw new Error(`relay did not start: ${relay.error}`);
  relayUrl = relay.url;
});

function part(el: HTMLElement, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
}

for (const lang of langs) {
  describe(`accessibility (${lang})`, () => {
    describe('<relay-player>', () => {
      it('idle, nothing to play', async () => {
        const el = await fixture<RelayPlayer>(html`<relay-player lang=${lang} controls></relay-player>`);
        await expect(el).to.be.accessible();
      });

      it('waiting for a press (no autoplay)', async () => {
        const el = await fixture<RelayPlayer>(
          html`<relay-player lang=${lang} src="/media/av.mp4" controls></relay-player>`,
        );
        await waitUntil(() => part(el, 'play-button'), 'big play button shown', { timeout: 10_000 });
        await expect(el).to.be.accessible();
      });

      it('playing with controls', async () => {
        const el = await fixture<RelayPlayer>(
          html`<relay-player lang=${lang} src="/media/av.mp4" autoplay muted controls></relay-player>`,
        );
        await waitUntil(() => el.state === 'playing', 'playing', { timeout: 20_000 });
        await expect(el).to.be.accessible();
      });

      it('error, with Try again', async () => {
        const el = await fixture<RelayPlayer>(
          html`<relay-player
            lang=${lang}
            src="/media/missing-${uid('x')}.mp4"
            autoplay
            muted
            controls
          ></relay-player>`,
        );
        await waitUntil(() => el.state === 'error', 'error state', { timeout: 30_000 });
        expect(part(el, 'error'), 'error shown').to.not.equal(null);
        await expect(el).to.be.accessible();
      });
    });

    describe('<live-push-controls>', () => {
      it('idle', async () => {
        const el = await fixture<LivePushControls>(
          html`<live-push-controls
            lang=${lang}
            endpoint=${relayUrl}
            record-file-types="mp4"
          ></live-push-controls>`,
        );
        await expect(el).to.be.accessible();
      });

      it('camera preview on', async () => {
        const el = await fixture<LivePushControls>(
          html`<live-push-controls lang=${lang} endpoint=${relayUrl}></live-push-controls>`,
        );
        await el.preview();
        await el.updateComplete;
        await expect(el).to.be.accessible();
        el.stopPreview();
      });

      it('bad options shown inline', async () => {
        const el = await fixture<LivePushControls>(
          html`<live-push-controls
            lang=${lang}
            endpoint=${relayUrl}
            record-id="not a valid id!"
          ></live-push-controls>`,
        );
        await el.start().catch(() => undefined);
        await el.updateComplete;
        expect(part(el, 'message'), 'error message shown').to.not.equal(null);
        await expect(el).to.be.accessible();
      });

      it('live, with its play URLs', async () => {
        const el = await fixture<LivePushControls>(
          html`<live-push-controls
            lang=${lang}
            endpoint=${relayUrl}
            encode="flv"
            record-file-types="none"
          ></live-push-controls>`,
        );
        try {
          await el.start();
          await el.updateComplete;
          await waitUntil(() => part(el, 'urls'), 'play URLs shown', { timeout: 30_000 });
          await expect(el).to.be.accessible();
        } finally {
          await el.stop();
        }
      });
    });

    describe('<recording-list>', () => {
      async function mounted(endpoint: string, streamId: string): Promise<RecordingList> {
        const el = await fixture<RecordingList>(
          html`<recording-list lang=${lang} endpoint=${endpoint} stream-id=${streamId}></recording-list>`,
        );
        await waitUntil(
          () =>
            part(el, 'base')?.getAttribute('aria-busy') === 'false' &&
            part(el, 'status')?.textContent?.trim(),
          'list settled',
          { timeout: 15_000 },
        );
        return el;
      }

      it('empty', async () => {
        const el = await mounted(receiver.url, uid('empty'));
        await expect(el).to.be.accessible();
      });

      it('with recordings, one selected', async () => {
        const streamId = uid('a11y');
        for (const [i, fmt] of ['mp4', 'flv'].entries()) {
          const fileId = uid('file');
          const res = await fetch('/receiver-support/notify', {
            method: 'POST',
            body: JSON.stringify({
              appid: 1251457656,
              event_type: 100,
              stream_id: streamId,
              channel_id: streamId,
              file_format: fmt,
              file_id: fileId,
              record_file_id: fileId,
              duration: 63,
              start_time: 1_700_000_000 + i,
              end_time: 1_700_000_063 + i,
              file_size: 1_349_000,
              video_url: `${location.origin}/receiver-support/media/av.${fmt}`,
            }),
          });
          expect(((await res.json()) as { status: number }).status).to.equal(200);
        }
        const el = await mounted(receiver.url, streamId);
        await waitUntil(
          () => el.shadowRoot!.querySelectorAll('[part~="select"]').length === 2,
          'two listed',
          {
            timeout: 15_000,
          },
        );
        await expect(el).to.be.accessible();
        await pressCentre(el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="select"]')!);
        await el.updateComplete;
        expect(part(el, 'selected'), 'selection shown').to.not.equal(null);
        await expect(el).to.be.accessible();
      });

      it('error, with Try again', async () => {
        const el = await mounted(receiver.deadUrl, uid('dead'));
        await waitUntil(() => part(el, 'retry'), 'retry shown', { timeout: 15_000 });
        await expect(el).to.be.accessible();
      });
    });
  });
}
