/**
 * Janus 1.1.2's WHEP answers, as it sends them (webrtc-field-notes.md), mended into answers Chromium accepts; a
 * correct answer passes untouched.
 */
import { expect } from '@open-wc/testing';
import { mendAnswer } from '../../src/webrtc/answer-quirks.js';

const OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:0',
  'a=setup:actpass',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:toffset',
  'a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
  'a=recvonly',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:1',
  'a=setup:actpass',
  'a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=recvonly',
  '',
].join('\r\n');

/** Janus 1.1.2: actpass in its answer, its own ids (mid=4, playout-delay=12), and an extension nobody offered. */
const JANUS = [
  'v=0',
  'o=- 9 1 IN IP4 127.0.0.1',
  's=Mountpoint 1',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:0',
  'a=setup:actpass',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:12 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
  'a=extmap:13 urn:3gpp:video-orientation',
  'a=sendonly',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:1',
  'a=setup:actpass',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendonly',
  '',
].join('\r\n');

describe('answer quirks', () => {
  it("Janus 1.1.2's WHEP answer: actpass read as active, extension ids renumbered to the offer's, unoffered ones dropped", () => {
    const { sdp, mended } = mendAnswer(OFFER, JANUS);
    expect(mended).to.deep.equal(['setup-actpass', 'extmap-ids']);
    expect(sdp).not.to.contain('actpass');
    expect(sdp.match(/a=setup:active/g)).to.have.length(2);
    expect(sdp).to.contain('a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid\r\n');
    expect(sdp).to.contain('a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n');
    expect(sdp).not.to.contain('video-orientation');
    expect(sdp).not.to.match(/a=extmap:(4|12) /);
    expect(sdp.endsWith('\r\n')).to.equal(true);
  });

  it('a correct answer is used exactly as it came', () => {
    const good = JANUS.replace(/a=setup:actpass/g, 'a=setup:passive')
      .replace(
        'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
        'a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid',
      )
      .replace(
        'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
        'a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid',
      )
      .replace('a=extmap:12 ', 'a=extmap:6 ')
      .replace('a=extmap:13 urn:3gpp:video-orientation\r\n', '');
    expect(mendAnswer(OFFER, good)).to.deep.equal({ sdp: good, mended: [], unusable: null });
  });

  it("Janus's Streaming plugin answering with its mountpoint's own payload type: told as unusable, naming both codecs", () => {
    const offer = OFFER.replace(
      'a=recvonly\r\nm=audio',
      'a=recvonly\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:108 H264/90000\r\nm=audio',
    );
    const answer = JANUS.replace('a=sendonly\r\nm=audio', 'a=sendonly\r\na=rtpmap:96 H264/90000\r\nm=audio');
    expect(mendAnswer(offer, answer).unusable).to.equal(
      'it sends H264 as payload type 96, which this browser offered for VP8',
    );
    const fine = JANUS.replace('a=sendonly\r\nm=audio', 'a=sendonly\r\na=rtpmap:108 H264/90000\r\nm=audio');
    expect(mendAnswer(offer, fine).unusable).to.equal(null);
    const unknown = JANUS.replace(
      'a=sendonly\r\nm=audio',
      'a=sendonly\r\na=rtpmap:127 H264/90000\r\nm=audio',
    );
    expect(mendAnswer(offer, unknown).unusable).to.contain('did not offer');
  });

  it('the mended Janus answer is one Chromium accepts (and the raw one is not)', async () => {
    /** A recvonly viewer's offer, set, and Janus's answer to it built the way Janus builds it. */
    const viewer = async (): Promise<{ pc: RTCPeerConnection; offer: string; answer: string }> => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const offer = pc.localDescription!.sdp;
      const fingerprint = /a=fingerprint:.*/.exec(offer)![0];
      const midId = /a=extmap:(\d+) urn:ietf:params:rtp-hdrext:sdes:mid/.exec(offer)![1];
      const janusId = midId === '4' ? '5' : '4';
      const section = (kind: string, mid: string, pt: string, codec: string): string[] => [
        `m=${kind} 9 UDP/TLS/RTP/SAVPF ${pt}`,
        'c=IN IP4 127.0.0.1',
        `a=mid:${mid}`,
        'a=ice-ufrag:janus',
        'a=ice-pwd:janusjanusjanusjanusjanus',
        fingerprint,
        'a=setup:actpass',
        `a=extmap:${janusId} urn:ietf:params:rtp-hdrext:sdes:mid`,
        'a=sendonly',
        'a=rtcp-mux',
        `a=rtpmap:${pt} ${codec}`,
      ];
      const videoPt = /a=rtpmap:(\d+) VP8\/90000/.exec(offer)![1]!;
      const audioPt = /a=rtpmap:(\d+) opus\/48000\/2/.exec(offer)![1]!;
      const answer = [
        'v=0',
        'o=- 9 1 IN IP4 127.0.0.1',
        's=Mountpoint',
        't=0 0',
        'a=group:BUNDLE 0 1',
        ...section('video', '0', videoPt, 'VP8/90000'),
        ...section('audio', '1', audioPt, 'opus/48000/2'),
        '',
      ].join('\r\n');
      return { pc, offer, answer };
    };
    const raw = await viewer();
    let refused = '';
    await raw.pc
      .setRemoteDescription({ type: 'answer', sdp: raw.answer })
      .catch((e: Error) => (refused = e.message));
    expect(refused, 'Chromium refuses the raw answer').not.to.equal('');
    raw.pc.close();
    const fixed = await viewer();
    const { sdp, mended } = mendAnswer(fixed.offer, fixed.answer);
    expect(mended).to.deep.equal(['setup-actpass', 'extmap-ids']);
    await fixed.pc.setRemoteDescription({ type: 'answer', sdp });
    expect(fixed.pc.signalingState).to.equal('stable');
    fixed.pc.close();
  });
});
