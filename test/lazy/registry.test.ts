import { expect } from '@open-wc/testing';
import { loadLazyModule, setLazyModuleLoader } from '../../src/lazy/registry.js';
import { addTranslation, messagesFor, normaliseLang } from '../../src/i18n/index.js';

describe('lazy modules', () => {
  it('loads hls.js and mpegts.js on demand, once, with no loader set up by the page', async () => {
    const hls = await loadLazyModule('hls');
    expect(typeof hls.isSupported).to.equal('function');
    expect(hls.isSupported()).to.equal(true);
    const mpegts = await loadLazyModule('mpegts');
    expect(mpegts.getFeatureList().mseLivePlayback).to.equal(true);
    expect(await loadLazyModule('hls')).to.equal(hls);
  });

  it('rejects clearly when a module fails to load, and retries next time', async () => {
    let calls = 0;
    setLazyModuleLoader('trtc-js-sdk', () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('offline')) : Promise.resolve('sdk');
    });
    let err: unknown;
    try {
      await loadLazyModule('trtc-js-sdk');
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.equal('offline');
    expect(await loadLazyModule('trtc-js-sdk')).to.equal('sdk');
  });
});

describe('addTranslation', () => {
  it('adds a third language, matched by primary subtag, missing labels staying English', () => {
    addTranslation('ja', { player: { play: '再生' } });
    expect(normaliseLang('ja-JP')).to.equal('ja');
    expect(normaliseLang('zh-TW')).to.equal('zh-CN');
    expect(normaliseLang('fr')).to.equal('en');
    expect(messagesFor('ja').player.play).to.equal('再生');
    expect(messagesFor('ja').player.pause).to.equal(messagesFor('en').player.pause);
  });

  it('relabels an element on the page whose lang is that language', async () => {
    addTranslation('fr', { player: { region: 'Lecteur en direct' } });
    await import('../../src/define.js');
    const el = document.createElement('relay-player') as HTMLElement & { updateComplete: Promise<unknown> };
    el.setAttribute('lang', 'fr-FR');
    document.body.append(el);
    await el.updateComplete;
    const html = el.shadowRoot?.innerHTML ?? '';
    el.remove();
    expect(html).to.contain('Lecteur en direct');
  });

  it('relabels each element from its own section; adding a language again replaces its labels', async () => {
    addTranslation('de', { player: { region: 'Live-Player' } });
    addTranslation('de', {
      push: { region: 'Live-Übertragung' },
      recordings: { region: 'Aufnahmen' },
    });
    await import('../../src/define.js');
    const regions: Record<string, string | null | undefined> = {};
    for (const tag of ['relay-player', 'live-push-controls', 'recording-list']) {
      const el = document.createElement(tag) as HTMLElement & { updateComplete: Promise<unknown> };
      el.setAttribute('lang', 'de');
      document.body.append(el);
      await el.updateComplete;
      regions[tag] = el.shadowRoot?.querySelector('[role="region"]')?.getAttribute('aria-label');
      el.remove();
    }
    expect(regions).to.deep.equal({
      'relay-player': messagesFor('en').player.region,
      'live-push-controls': 'Live-Übertragung',
      'recording-list': 'Aufnahmen',
    });
    // a language added over zh-CN is merged over English, as for any other language
    addTranslation('zh-CN', { push: { camera: '摄像机' } });
    expect(messagesFor('zh-CN').push.camera).to.equal('摄像机');
    expect(messagesFor('zh-CN').push.microphone).to.equal(messagesFor('en').push.microphone);
  });
});
