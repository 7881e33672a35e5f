/**
 * <live-push-controls provider="trtc"> as a user sees it, on the real trtc-js-sdk 4.15 (Tencent's network is the
 * double of test/push/trtc-network-double.ts): the recording boxes say the console decides, and the camera can be
 * switched while live.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/register.js';
import '../../src/lazy/esm.js';
import type { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import { setLazyModuleLoader } from '../../src/lazy/registry.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';
import { TrtcNetworkDouble } from '../push/trtc-network-double.js';
import { pressCentre } from '../support/input.js';

function box(el: LivePushControls, type: string): HTMLInputElement {
  return el.shadowRoot!.querySelector<HTMLInputElement>(`input[name="record"][value="${type}"]`)!;
}
function describedBy(el: LivePushControls, input: HTMLElement): string {
  const id = input.getAttribute('aria-describedby')!;
  return el.shadowRoot!.getElementById(id)?.textContent?.trim() ?? '';
}

describe('<live-push-controls provider="trtc">', () => {
  let net: TrtcNetworkDouble;
  let el: LivePushControls;

  beforeEach(async () => {
    net = new TrtcNetworkDouble();
    setLazyModuleLoader('trtc', () => Promise.resolve(net.module));
    el = await fixture<LivePushControls>(
      html`<live-push-controls
        provider="trtc"
        sdk-app-id="1400000001"
        user-id="alice"
        user-sig="sig"
        room-id="8"
        play-domain="play.example.com"
      ></live-push-controls>`,
    );
  });

  it('disables HLS/FLV/MP4 and says the console recording template decides; MP3 asks for audio recording', async () => {
    for (const type of ['hls', 'flv', 'mp4']) {
      expect(box(el, type).disabled, type).to.equal(true);
      expect(describedBy(el, box(el, type))).to.contain('recording template');
    }
    expect(box(el, 'mp3').disabled).to.equal(true);
    el.audioOnly = true;
    await el.updateComplete;
    expect(box(el, 'mp3').disabled).to.equal(false);
    expect(describedBy(el, box(el, 'mp3'))).to.contain('pureAudioPushMode 2');
    await pressCentre(box(el, 'mp3'));
    const live = await el.start();
    expect(net.clients[0].config.pureAudioPushMode).to.equal(2);
    expect(live.urls[0].url).to.equal('https://play.example.com/live/1400000001_8_alice_main.flv');
    await el.stop();
    expect(el.state).to.equal('previewing');
  });

  it('a page that still asks for HLS recording is told why instead of being ignored', async () => {
    el.recordFileTypes = ['hls'];
    const errors: RelayErrorInfo[] = [];
    el.addEventListener('live-push-error', (e) => errors.push(e.detail));
    await el.start().catch(() => undefined);
    expect(errors.map((e) => e.code)).to.deep.equal(['RECORD_TYPES_BY_TEMPLATE']);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="message"]')?.textContent).to.contain('recording template');
    expect(net.calls).to.deep.equal([]);
  });

  it('keeps the camera picker usable while live and switches the published camera', async () => {
    await el.start();
    await el.updateComplete;
    const select = el.shadowRoot!.querySelector<HTMLSelectElement>('select[name="camera"]')!;
    await waitUntil(() => select.options.length > 1, 'the camera list did not fill in');
    expect(select.disabled).to.equal(false);
    const before = net.clients[0].published!.getVideoTrack();
    // a keyboard user on the picker: ArrowDown moves to the next camera (a pointer would open the native popup)
    expect(select.selectedIndex).to.equal(0);
    select.focus();
    await sendKeys({ press: 'ArrowDown' });
    await waitUntil(
      () => net.clients[0].published!.getVideoTrack() !== before,
      'the camera was not switched',
    );
    expect(before?.readyState).to.equal('ended');
    expect(el.state).to.equal('live');
    const preview = el.shadowRoot!.querySelector('video')!;
    await el.updateComplete;
    expect((preview.srcObject as MediaStream).getVideoTracks()[0]).to.equal(
      net.clients[0].published!.getVideoTrack(),
    );
    await el.stop();
  });
});
