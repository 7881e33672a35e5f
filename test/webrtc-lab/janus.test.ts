/**
 * Interop with servers we did not write: Debian's Janus 1.1.2 behind Meetecho's simple-whip-server (WHIP) and
 * janus-whep-server (WHEP), started by `scripts/webrtc-lab.mjs` in a network namespace of their own. The widgets
 * publish with `provider="whip"` and play with a `{ encode: "webrtc" }` source; Janus's WHEP answers carry the
 * quirks `src/webrtc/answer-quirks.ts` mends. Run with `npm run test:lab` (as root).
 */
import { expect, fixture, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';
import { pressCentre } from '../support/input.js';
import { until } from '../support/until.js';

interface Lab {
  JANUS_WHIP_URL?: string;
  JANUS_WHIP_TOKEN?: string;
  JANUS_WHEP_URL?: string;
}
let lab: Required<Lab>;

before(async () => {
  const info = (await (await fetch('/webrtc-lab/info')).json()) as Lab;
  if (!info.JANUS_WHIP_URL || !info.JANUS_WHEP_URL || !info.JANUS_WHIP_TOKEN)
    throw new Error('no lab: run these tests with `npm run test:lab` (scripts/webrtc-lab.mjs starts Janus)');
  lab = info as Required<Lab>;
});

const part = (el: Element, name: string): HTMLElement =>
  el.shadowRoot!.querySelector(`[part~="${name}"]`) as HTMLElement;

/** Whether the WHIP endpoint has a publisher (simple-whip-server's list of endpoints says `enabled`). */
async function publishing(): Promise<boolean> {
  const list = (await (await fetch(new URL('/whip/endpoints', lab.JANUS_WHIP_URL))).json()) as {
    id: string;
    enabled: boolean;
  }[];
  return list.find((e) => e.id === 'lab')?.enabled ?? false;
}

describe('Janus (WHIP + WHEP) with the widgets', () => {
  it('publishes to Janus over WHIP, plays from Janus over WHEP, and Stop / removal end both sessions', async () => {
    const wrapper = await fixture<HTMLDivElement>(
      `<div style="width:640px"><live-push-controls id="j" provider="whip" endpoint="${lab.JANUS_WHIP_URL}" token="${lab.JANUS_WHIP_TOKEN}" whep-url="${lab.JANUS_WHEP_URL}"></live-push-controls><relay-player for="j" autoplay muted></relay-player></div>`,
    );
    const push = wrapper.querySelector('live-push-controls') as LivePushControls;
    const player = wrapper.querySelector('relay-player') as RelayPlayer;
    const errors: RelayErrorInfo[] = [];
    push.addEventListener('live-push-error', (e) => errors.push(e.detail));
    player.addEventListener('relay-player-error', (e) => errors.push(e.detail));
    await push.preview();
    await push.updateComplete;
    await pressCentre(part(push, 'start-button'));
    await waitUntil(() => push.state === 'live', `live on Janus (errors ${JSON.stringify(errors)})`, {
      timeout: 20000,
    });
    expect(await publishing()).to.equal(true);
    const video = player.shadowRoot!.querySelector('video')!;
    await waitUntil(
      () => video.videoWidth > 0 && video.currentTime > 0.5,
      `a picture from Janus (errors ${JSON.stringify(errors)}, state ${player.state}, protocol ${player.protocol}, stats ${JSON.stringify(player.getStats())})`,
      {
        timeout: 20000,
      },
    );
    expect(player.protocol).to.equal('webrtc');
    await waitUntil(
      () => (player.getStats().webrtc?.framesDecoded ?? 0) > 0,
      'WebRTC stats of the Janus stream',
    );
    // the viewer's session, then the publisher's
    const whepSessions = (): string[] =>
      performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((n) => n.startsWith(new URL('/whep/', lab.JANUS_WHEP_URL).href) && n !== lab.JANUS_WHEP_URL);
    player.remove();
    const [resource] = await until('the WHEP DELETE', () => (whepSessions().length ? whepSessions() : null));
    const again = await fetch(resource!, { method: 'DELETE' });
    expect(again.status, 'the WHEP session is gone on the server').to.be.within(400, 499);
    await pressCentre(part(push, 'stop-button'));
    await waitUntil(() => push.state === 'previewing', 'stopped');
    await waitUntil(async () => !(await publishing()), 'the WHIP endpoint free again', { timeout: 10000 });
    expect(errors).to.deep.equal([]);
  });

  it("a wrong token: Janus's WHIP server refuses with 403, and the element says so", async () => {
    const wrapper = await fixture<HTMLDivElement>(
      `<div><live-push-controls provider="whip" endpoint="${lab.JANUS_WHIP_URL}" token="wrong"></live-push-controls></div>`,
    );
    const push = wrapper.querySelector('live-push-controls') as LivePushControls;
    const errors: RelayErrorInfo[] = [];
    push.addEventListener('live-push-error', (e) => errors.push(e.detail));
    await push.start().catch(() => undefined);
    expect(errors[0]).to.include({ module: 'push', code: 'PUSH_AUTH_FAILED' });
    expect(errors[0]!.message).to.contain(new URL(lab.JANUS_WHIP_URL).pathname);
    expect(await publishing()).to.equal(false);
  });
});
