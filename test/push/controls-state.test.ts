/** What the push controls offer in each state and with each provider's capabilities, without the element. */
import { expect } from '@open-wc/testing';
import type { PushState } from '../../src/contract/events.js';
import { controlsState, recordBox, toggleRecordFileType } from '../../src/push/controls-state.js';
import { DEFAULT_PROVIDER_SPEC, type PushProviderCapabilities } from '../../src/push/provider.js';

const browserChooses = DEFAULT_PROVIDER_SPEC.capabilities;
const templateDecides: PushProviderCapabilities = { ...browserChooses, chooseRecordFormats: false };

describe('push controls state', () => {
  it('locks the options while a push starts, runs or stops, and offers Stop while there is something to stop', () => {
    const rows = (['idle', 'previewing', 'starting', 'live', 'stopping', 'error'] as PushState[]).map((s) => {
      const v = controlsState(s, false);
      return [s, v.locked, v.canStop];
    });
    expect(rows).to.deep.equal([
      ['idle', false, false],
      ['previewing', false, false],
      ['starting', true, true],
      ['live', true, true],
      ['stopping', true, false],
      ['error', false, false],
    ]);
  });

  it('offers to turn the camera on or off only when no push runs', () => {
    expect(controlsState('idle', false).camera).to.equal('on');
    expect(controlsState('previewing', true).camera).to.equal('off');
    expect(controlsState('live', true).camera).to.equal(null);
  });

  it('lets the browser tick HLS/FLV/MP4 only when the provider lets it choose the file types', () => {
    expect(recordBox('hls', false, false, browserChooses)).to.deep.equal({
      disabled: false,
      hint: 'record-hint',
    });
    expect(recordBox('hls', false, false, templateDecides)).to.deep.equal({
      disabled: true,
      hint: 'template-hint',
    });
    expect(recordBox('mp4', true, false, browserChooses).disabled).to.equal(true);
  });

  it('offers MP3 for an audio-only push only, whoever decides the other types', () => {
    for (const caps of [browserChooses, templateDecides]) {
      expect(recordBox('mp3', false, false, caps)).to.deep.equal({ disabled: true, hint: 'mp3-hint' });
      expect(recordBox('mp3', false, true, caps)).to.deep.equal({ disabled: false, hint: 'mp3-hint' });
    }
  });

  it('keeps the recording types in canonical order as boxes are ticked and cleared', () => {
    let types = toggleRecordFileType([], 'mp4', true);
    types = toggleRecordFileType(types, 'hls', true);
    expect(types).to.deep.equal(['hls', 'mp4']);
    expect(toggleRecordFileType(types, 'hls', false)).to.deep.equal(['mp4']);
  });
});
