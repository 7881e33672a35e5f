import { expect, fixture, html } from '@open-wc/testing';
import '../../src/register.js';
// The providers' implementations are lazy modules; this registers their loaders (the SDK's network is replaced below).
import '../../src/lazy/esm.js';
import type { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import { setLazyModuleLoader } from '../../src/lazy/registry.js';
import type { PushOptions } from '../../src/push/options.js';
import {
  BasePushProvider,
  registerPushProvider,
  type PushProviderConfig,
  type PushResult,
} from '../../src/push/provider.js';
import { TrtcNetworkDouble } from './trtc-v4-network-double.js';

/** A provider a page could add: proves the element needs no change for a new backend. */
class MemoryProvider extends BasePushProvider {
  readonly name = 'memory';
  static last: { config: PushProviderConfig; options: PushOptions; tracks: number } | null = null;
  static stops = 0;
  constructor(readonly config: PushProviderConfig) {
    super();
  }
  async start(options: PushOptions, media: MediaStream): Promise<PushResult> {
    MemoryProvider.last = { config: this.config, options, tracks: media.getTracks().length };
    this.setState('live');
    return {
      streamId: 'mem-1',
      urls: [{ encode: options.encode, url: `https://cdn.example/live/mem-1.${options.encode}` }],
    };
  }
  async stop(): Promise<void> {
    MemoryProvider.stops += 1;
    this.setState('idle');
  }
}

describe('push provider registry', () => {
  it('lets a page add a provider the element uses by name, with its own attributes as config', async () => {
    registerPushProvider('memory', (config) => new MemoryProvider(config));
    const el = await fixture<LivePushControls>(
      html`<live-push-controls
        provider="memory"
        bucket-name="b1"
        encode="hls"
        record-file-types="mp4"
      ></live-push-controls>`,
    );
    el.providerConfig = { token: 't0k' };
    const live = await el.start();
    expect(live).to.deep.equal({
      streamId: 'mem-1',
      urls: [{ encode: 'hls', url: 'https://cdn.example/live/mem-1.hls' }],
      recordId: null,
    });
    expect(MemoryProvider.last?.config).to.include({ bucketName: 'b1', token: 't0k', encode: 'hls' });
    expect(MemoryProvider.last?.options.recordFileTypes).to.deep.equal(['mp4']);
    expect(MemoryProvider.last?.tracks).to.equal(2);
    await el.stop();
    expect(MemoryProvider.stops).to.equal(1);
  });

  it('reports an unknown provider name inline, recoverably', async () => {
    const el = await fixture<LivePushControls>(
      html`<live-push-controls provider="nope"></live-push-controls>`,
    );
    const err = await el.start().then(
      () => null,
      (e: { code: string }) => e,
    );
    expect(err?.code).to.equal('PROVIDER_UNKNOWN');
    expect(el.state).to.equal('error');
    expect(el.error?.message).to.contain('local');
    el.stopPreview();
    expect(el.state).to.equal('idle');
  });

  it('drives the trtc provider from the element attributes (real SDK), URLs on the play domain', async () => {
    const net = new TrtcNetworkDouble();
    setLazyModuleLoader('trtc-js-sdk', () => Promise.resolve(net.module));
    const el = await fixture<LivePushControls>(
      html`<live-push-controls
        provider="trtc-v4"
        sdk-app-id="1400000001"
        user-id="bob"
        user-sig="sig"
        room-id="99"
        play-domain="play.example.com"
        encode="hls"
        record-id="class_5"
      ></live-push-controls>`,
    );
    const live = await el.start();
    expect(live.urls[0]).to.deep.equal({
      encode: 'hls',
      url: 'https://play.example.com/live/1400000001_99_bob_main.m3u8',
    });
    expect(live.recordId).to.equal('class_5');
    expect(net.clients[0].config.userDefineRecordId).to.equal('class_5');
    await el.stop();
    expect(net.methods().slice(-4)).to.deep.equal(['stopPublishCDNStream', 'unpublish', 'leave', 'destroy']);
  });
});
