import { expect } from '@open-wc/testing';
import { baseUrl, recordingsUrl } from '../../src/recordings/api.js';

describe('recordings API client', () => {
  it('builds list and events URLs from the endpoint, filter and read key', () => {
    expect(
      recordingsUrl('http://h:1/', { recordId: 'meeting_42', streamId: 'a b' }, { limit: 2, before: null }),
    ).to.equal('http://h:1/api/recordings?recordId=meeting_42&streamId=a+b&limit=2');
    expect(
      recordingsUrl(
        'http://h',
        { recordId: 'r1', readSecret: 'abc', readTime: '6553F100' },
        { lastEventId: '9' },
        '/api/recordings/events',
      ),
    ).to.equal('http://h/api/recordings/events?recordId=r1&readSecret=abc&readTime=6553F100&lastEventId=9');
    expect(baseUrl('')).to.equal(location.origin);
  });
});
