/**
 * <live-push-controls provider="trtc"> as a user sees it, on the real trtc-sdk-v5 5.17 (Tencent's scheduler and
 * signalling are the double of test/push/trtc-v5-network-double.ts; the SDK's uplink really sends to a peer in the
 * page): the recording boxes say the console decides, and the camera can be switched while live.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand, sendKeys, setViewport } from '@web/test-runner-commands';
import '../../src/register.js';
import '../../src/lazy/esm.js';
import type { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import { setLazyModuleLoader } from '../../src/lazy/registry.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';
import { TrtcV5NetworkDouble } from '../push/trtc-v5-network-double.js';
import { pressCentre } from '../support/input.js';
import CDNStreaming from 'trtc-sdk-v5/plugins/cdn-streaming/cdn-streaming.esm.js';

/** The business info the SDK sent Tencent in its join request. */
function joinBusinessInfo(net: TrtcV5NetworkDouble): Record<string, unknown> {
  return JSON.parse(String(net.channel.command('join')?.data.bussinessInfo)).Str_uc_params;
}
/** The video track the SDK's uplink is sending (the peer in the page receives it). */
function sentVideoTrackId(net: TrtcV5NetworkDouble): string | undefined {
  return net.channel.edge
    ?.getReceivers()
    .find((r) => r.track.kind === 'video' && r.track.readyState === 'live')?.track.id;
}

function box(el: LivePushControls, type: string): HTMLInputElement {
  return el.shadowRoot!.querySelector<HTMLInputElement>(`input[name="record"][value="${type}"]`)!;
}
function describedBy(el: LivePushControls, input: HTMLElement): string {
  const id = input.getAttribute('aria-describedby')!;
  return el.shadowRoot!.getElementById(id)?.textContent?.trim() ?? '';
}

describe('<live-push-controls provider="trtc">', () => {
  let net: TrtcV5NetworkDouble;
  let el: LivePushControls;

  beforeEach(async () => {
    net = new TrtcV5NetworkDouble();
    setLazyModuleLoader('trtc-sdk-v5', () => Promise.resolve(net.module));
    setLazyModuleLoader('trtc-cdn-streaming', () => Promise.resolve(CDNStreaming));
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
    expect(joinBusinessInfo(net)).to.deep.include({ pure_audio_push_mod: 2 });
    // what went to Tencent's edge: audio only
    expect(net.channel.command('publish')?.data.state).to.include({ audio: true, bigVideo: false });
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
    expect(net.channels).to.deep.equal([]);
    expect(net.created).to.deep.equal([]);
  });

  it('keeps the camera picker usable while live and switches the published camera', async () => {
    await el.start();
    await el.updateComplete;
    const select = el.shadowRoot!.querySelector<HTMLSelectElement>('select[name="camera"]')!;
    await waitUntil(() => select.options.length > 1, 'the camera list did not fill in');
    expect(select.disabled).to.equal(false);
    const preview = el.shadowRoot!.querySelector('video')!;
    const before = (preview.srcObject as MediaStream).getVideoTracks()[0];
    // a keyboard user on the picker: ArrowDown moves to the next camera (a pointer would open the native popup)
    expect(select.selectedIndex).to.equal(0);
    select.focus();
    await sendKeys({ press: 'ArrowDown' });
    await waitUntil(
      () => (preview.srcObject as MediaStream).getVideoTracks()[0] !== before,
      'the preview did not switch camera',
    );
    const now = (preview.srcObject as MediaStream).getVideoTracks()[0];
    // the SDK's uplink now sends a copy of the new camera (updateLocalVideo → the room's replaceTrack)
    await waitUntil(
      () => net.replacedTracks.at(-1)?.getSettings().deviceId === now.getSettings().deviceId,
      'the SDK did not switch the sent camera',
    );
    expect(net.replacedTracks.at(-1)!.readyState).to.equal('live');
    expect(sentVideoTrackId(net)).to.be.a('string');
    expect(el.state).to.equal('live');
    await el.stop();
    // Stop: the relay, then the room; the element's own camera keeps previewing
    expect(net.channel.names().slice(-2)).to.deep.equal(['stop_publishing', 'leave']);
    expect(now.readyState).to.equal('live');
  });

  it('at 390 px in Chinese: Start with the mouse, live, then a kick is shown in Chinese and the preview keeps running', async () => {
    await setViewport({ width: 390, height: 844 });
    const zh = await fixture<HTMLDivElement>(
      html`<div lang="zh-CN">
        <live-push-controls
          provider="trtc"
          sdk-app-id="1400000001"
          user-id="alice"
          user-sig="sig"
          str-room-id="class 1"
          stream-id="class_1"
          play-domain="play.example.com"
        ></live-push-controls>
      </div>`,
    );
    const push = zh.querySelector<LivePushControls>('live-push-controls')!;
    await push.updateComplete;
    const errors: RelayErrorInfo[] = [];
    push.addEventListener('live-push-error', (e) => errors.push(e.detail));
    const startButton = push.shadowRoot!.querySelector<HTMLButtonElement>('[part="start-button"]')!;
    await waitUntil(() => !startButton.disabled, 'Start stays disabled');
    await pressCentre(startButton);
    await waitUntil(() => push.state === 'live' || errors.length > 0, 'the push did not go live', {
      timeout: 20000,
    });
    expect(errors).to.deep.equal([]);
    expect(net.channel.command('join')?.data).to.include({ roomId: 'class 1', useStringRoomId: true });
    push.shadowRoot!.querySelector('[part="status"]')!.scrollIntoView({ block: 'end' });
    await executeServerCommand('player-screenshot', { name: 'live-push-trtc-zh-390-live' });
    net.channel.ban('kick');
    await waitUntil(() => errors.length > 0, 'no error after the kick');
    expect(errors[0].code).to.equal('TRTC_KICKED_SAME_USER');
    await push.updateComplete;
    const shown = push.shadowRoot!.querySelector('[part="message"]')?.textContent ?? '';
    expect(shown).to.contain('另一个页面以相同的用户 ID 进入了房间');
    const preview = push.shadowRoot!.querySelector('video')!;
    expect((preview.srcObject as MediaStream).getVideoTracks()[0].readyState).to.equal('live');
    push.shadowRoot!.querySelector('[part="message"]')!.scrollIntoView({ block: 'end' });
    await executeServerCommand('player-screenshot', { name: 'live-push-trtc-zh-390-kicked' });
    await setViewport({ width: 800, height: 600 });
  });
});
