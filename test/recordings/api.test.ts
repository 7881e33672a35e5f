import { expect } from '@open-wc/testing';
import type { Recording } from '../../src/events.js';
import { baseUrl, isRecording, mergeRecordings, recordingsUrl } from '../../src/recordings/api.js';

const rec = (id: string, startTime: number, url = 'https://h/a.mp4'): Recording => ({
  id,
  streamId: 's',
  recordId: null,
  fileFormat: 'mp4',
  startTime,
  endTime: startTime + 10,
  duration: 10,
  fileSize: 100,
  url,
});

describe('recordings API client', () => {
  it('builds list and events URLs from the endpoint and filter', () => {
    expect(
      recordingsUrl('http://h:1/', { recordId: 5, streamId: 'a b' }, { limit: 2, before: null }),
    ).to.equal('http://h:1/api/recordings?recordId=5&streamId=a+b&limit=2');
    expect(recordingsUrl('http://h', {}, { lastEventId: '9' }, '/api/recordings/events')).to.equal(
      'http://h/api/recordings/events?lastEventId=9',
    );
    expect(baseUrl('')).to.equal(location.origin);
  });

  it('accepts only well-formed recordings with http(s) URLs', () => {
    expect(isRecording(rec('1', 1))).to.equal(true);
    expect(isRecording(rec('1', 1, 'javascript:alert(1)'))).to.equal(false);
    expect(isRecording(rec('1', 1, 'rtmp://h/live/x'))).to.equal(false);
    expect(isRecording({ ...rec('1', 1), startTime: '1' })).to.equal(false);
    expect(isRecording(null)).to.equal(false);
  });

  it('merges newest first by start time and never shows a recording twice', () => {
    const list = mergeRecordings([], [rec('a', 30), rec('b', 10)]);
    const merged = mergeRecordings(list, [rec('c', 20), rec('a', 30), rec('d', 40), rec('e', 5)]);
    expect(merged.map((r) => r.id)).to.deep.equal(['d', 'a', 'c', 'b', 'e']);
  });
});
