import { expect } from '@open-wc/testing';
import { RelayError } from '../../src/contract/errors.js';
import {
  formatRecordFileTypes,
  parseRecordFileTypes,
  validatePushOptions,
  type PushOptionsInput,
} from '../../src/push/options.js';

function codeOf(input: PushOptionsInput): string {
  try {
    validatePushOptions(input);
  } catch (err) {
    expect(err).to.be.instanceOf(RelayError);
    const e = err as RelayError;
    expect(e.module).to.equal('push');
    expect(e.message.length).to.be.greaterThan(20);
    return e.code;
  }
  throw new Error('expected a validation error');
}

describe('push options', () => {
  it('reads record-file-types attributes like "hls,flv,mp4", "none" and messy spacing', () => {
    expect(parseRecordFileTypes('hls,flv,mp4')).to.deep.equal(['hls', 'flv', 'mp4']);
    expect(parseRecordFileTypes('none')).to.deep.equal([]);
    expect(parseRecordFileTypes('')).to.deep.equal([]);
    expect(parseRecordFileTypes(null)).to.deep.equal([]);
    expect(parseRecordFileTypes(' MP4 ,  hls hls')).to.deep.equal(['mp4', 'hls']);
    expect(formatRecordFileTypes([])).to.equal('none');
    expect(formatRecordFileTypes(['hls', 'mp4'])).to.equal('hls,mp4');
  });

  it('accepts a relay with recordings and returns them in canonical order', () => {
    expect(
      validatePushOptions({
        encode: 'HLS',
        recordFileTypes: 'mp4, flv,hls',
        recordId: '42',
        streamId: ' cam_1 ',
      }),
    ).to.deep.equal({
      encode: 'hls',
      recordFileTypes: ['hls', 'flv', 'mp4'],
      recordId: '42',
      audioOnly: false,
      streamId: 'cam_1',
    });
    expect(validatePushOptions({ encode: 'rtmp' })).to.deep.equal({
      encode: 'rtmp',
      recordFileTypes: [],
      recordId: null,
      audioOnly: false,
      streamId: null,
    });
  });

  it('refuses recording without a relay protocol', () => {
    expect(codeOf({ encode: null, recordFileTypes: ['hls'] })).to.equal('RECORD_WITHOUT_RELAY');
    expect(codeOf({ encode: 'none', recordFileTypes: 'mp4' })).to.equal('RECORD_WITHOUT_RELAY');
    expect(codeOf({ encode: '' })).to.equal('INVALID_OPTIONS');
  });

  it('allows MP3 only for audio-only pushes', () => {
    expect(codeOf({ encode: 'flv', recordFileTypes: ['mp3'] })).to.equal('MP3_REQUIRES_AUDIO_ONLY');
    expect(
      validatePushOptions({ encode: 'flv', recordFileTypes: ['mp3'], audioOnly: true }).recordFileTypes,
    ).to.deep.equal(['mp3']);
  });

  it('takes record ids as TRTC does: strings of letters, digits, "_" and "-" up to 64', () => {
    expect(validatePushOptions({ encode: 'hls', recordId: ' meeting_42 ' }).recordId).to.equal('meeting_42');
    expect(validatePushOptions({ encode: 'hls', recordId: 'a'.repeat(64) }).recordId).to.equal(
      'a'.repeat(64),
    );
    // A number, as pages written for integer ids pass it, is its decimal string.
    expect(validatePushOptions({ encode: 'hls', recordId: 42 }).recordId).to.equal('42');
    expect(validatePushOptions({ encode: 'hls', recordId: '  ' }).recordId).to.equal(null);
    expect(codeOf({ encode: 'hls', recordId: 'a'.repeat(65) })).to.equal('INVALID_RECORD_ID');
    expect(codeOf({ encode: 'hls', recordId: 'meeting 42' })).to.equal('INVALID_RECORD_ID');
    expect(codeOf({ encode: 'hls', recordId: '1.5' })).to.equal('INVALID_RECORD_ID');
    expect(codeOf({ encode: 'hls', recordId: 1.5 })).to.equal('INVALID_RECORD_ID');
    expect(codeOf({ encode: 'hls', recordId: 'id/../x' })).to.equal('INVALID_RECORD_ID');
  });

  it('names unknown protocols, recording types and bad stream ids', () => {
    expect(codeOf({ encode: 'webrtc' })).to.equal('INVALID_OPTIONS');
    expect(codeOf({ encode: 'hls', recordFileTypes: ['avi'] })).to.equal('INVALID_OPTIONS');
    expect(codeOf({ encode: 'hls', streamId: '../etc' })).to.equal('INVALID_OPTIONS');
    expect(codeOf({ encode: 'hls', streamId: 'x'.repeat(65) })).to.equal('INVALID_OPTIONS');
  });
});
