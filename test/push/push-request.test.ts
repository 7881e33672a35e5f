/** What a start asks for, assembled from an element-shaped source without any element. */
import { expect } from '@open-wc/testing';
import '../../src/push/builtin-providers.js';
import { attributeKey, pushRequest, type PushRequestSource } from '../../src/push/push-request.js';

const attrs = (o: Record<string, string>) => Object.entries(o).map(([name, value]) => ({ name, value }));

describe('push request', () => {
  it('camel-cases attribute names', () => {
    expect(attributeKey('sdk-app-id')).to.equal('sdkAppId');
    expect(attributeKey('endpoint')).to.equal('endpoint');
  });

  it('passes every attribute, camel-cased, to the provider (a page provider reads undeclared ones)', () => {
    const source: PushRequestSource = {
      provider: 'memory',
      encode: 'hls',
      providerConfig: {},
      attributes: attrs({ provider: 'memory', 'bucket-name': 'b1', encode: 'hls' }),
    };
    const { provider, config, options } = pushRequest(source);
    expect(provider).to.equal('memory');
    expect(config).to.include({ bucketName: 'b1', provider: 'memory', encode: 'hls' });
    expect(options.encode).to.equal('hls');
  });

  it('takes declared attributes set as properties over the attributes, and providerConfig over both', () => {
    const source = {
      provider: 'trtc',
      providerConfig: { userSig: 'from-config' },
      attributes: attrs({ 'sdk-app-id': '1', 'user-id': 'alice', 'user-sig': 'from-attr' }),
      sdkAppId: '1400000001',
      roomId: '8',
      userId: undefined,
      undeclaredProperty: 'not read',
    };
    const { config } = pushRequest(source);
    expect(config).to.deep.equal({
      sdkAppId: '1400000001',
      userId: 'alice',
      userSig: 'from-config',
      roomId: '8',
    });
  });

  it('hands the push options over unchecked (PushSession validates them)', () => {
    const { options } = pushRequest({
      provider: 'local',
      providerConfig: {},
      attributes: [],
      encode: 'flv',
      recordFileTypes: ['mp4', 'bogus'],
      recordId: 42,
      audioOnly: true,
      streamId: 's1',
    });
    expect(options).to.deep.equal({
      encode: 'flv',
      recordFileTypes: ['mp4', 'bogus'],
      recordId: 42,
      audioOnly: true,
      streamId: 's1',
    });
  });
});
