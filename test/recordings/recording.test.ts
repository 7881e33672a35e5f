import { expect } from '@open-wc/testing';
import { durationOf, plausibleSize, plausibleTime, readRecording } from '../../src/recordings/recording.js';

const row = (fields: Record<string, unknown> = {}) => ({
  id: '1',
  streamId: 's',
  recordId: null,
  fileFormat: 'mp4',
  startTime: 1_700_000_000,
  endTime: 1_700_000_012,
  duration: 12,
  fileSize: 100,
  url: 'https://h/a.mp4',
  ...fields,
});

describe('reading a recording row', () => {
  it('refuses only rows that cannot be shown or played: no id, no stream, no http(s) URL', () => {
    expect(readRecording(row())).to.deep.include({ id: '1', streamId: 's', duration: 12 });
    expect(readRecording(row({ url: 'javascript:alert(1)' }))).to.equal(null);
    expect(readRecording(row({ url: 'rtmp://h/live/x' }))).to.equal(null);
    expect(readRecording(row({ streamId: '' }))).to.equal(null);
    expect(readRecording(row({ id: undefined }))).to.equal(null);
    expect(readRecording(null)).to.equal(null);
  });

  it('keeps rows with bad numbers, their values unknown (NaN)', () => {
    const r = readRecording(row({ startTime: '1', duration: null, fileSize: 'big', fileFormat: 7 }))!;
    expect([r.startTime, r.duration, r.fileSize].map(Number.isNaN)).to.deep.equal([true, true, true]);
    expect(r.fileFormat).to.equal('');
  });

  it('reads record ids as strings, an older receiver’s integers as text, and nothing else', () => {
    expect(readRecording(row({ recordId: 'meeting_42' }))!.recordId).to.equal('meeting_42');
    expect(readRecording(row({ recordId: 42 }))!.recordId).to.equal('42');
    expect(readRecording(row({ recordId: 'a b' }))!.recordId).to.equal(null);
    expect(readRecording(row({ recordId: 1.5 }))!.recordId).to.equal(null);
  });

  it('keeps a thumbnail only when it is an http(s) URL', () => {
    expect(readRecording(row({ thumbnailUrl: 'https://h/p.jpg' }))!.thumbnailUrl).to.equal('https://h/p.jpg');
    expect(readRecording(row({ thumbnailUrl: 'data:image/png;base64,AA' }))).not.to.have.property(
      'thumbnailUrl',
    );
  });

  it('calls times, lengths and sizes out of range unknown', () => {
    expect(plausibleTime(1e20)).to.equal(null);
    expect(plausibleTime(0)).to.equal(null);
    expect(plausibleTime(NaN)).to.equal(null);
    expect(plausibleTime(1_700_000_000)).to.equal(1_700_000_000);
    expect(plausibleSize(1e30)).to.equal(null);
    expect(plausibleSize(-1)).to.equal(null);
    expect(plausibleSize(3_100_000)).to.equal(3_100_000);
    const r = readRecording(row({ duration: NaN }))!;
    expect(durationOf(r), 'from end - start').to.equal(12);
    expect(durationOf({ ...r, endTime: 1e20 })).to.equal(null);
  });
});
