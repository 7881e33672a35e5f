/**
 * Known server mistakes in SDP answers, mended narrowly (as hls.js mends broken playlists): each rewrite applies
 * only when the answer has exactly that mistake, and leaves a correct answer byte for byte as it came.
 *
 * - Janus 1.1.2's WHEP answers say `a=setup:actpass`, which RFC 8842 §5.3 forbids in an answer; Chromium's
 *   `setRemoteDescription` refuses it. Janus then starts the DTLS handshake itself, so the answer is read as
 *   `active` (measured: with `active` the session plays; webrtc-field-notes.md).
 * - Janus 1.1.2's WHEP answers number their RTP header extensions their own way (mid=4, playout-delay=12…)
 *   instead of echoing the offer's ids (RFC 8285 §6: the answer must use the offer's id for an extension it
 *   accepts). Chromium refuses ids that clash with the offer's. The answer's extensions are renumbered to the
 *   offer's id of the same URI, and ones the offer did not have are dropped.
 */

/** `a=extmap:<id>[/<direction>] <uri>` */
const EXTMAP = /^a=extmap:(\d+)(\/\w+)? (\S+)(.*)$/;

function offerExtensionIds(offer: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const line of offer.split(/\r?\n/)) {
    const m = EXTMAP.exec(line);
    if (m && !ids.has(m[3]!)) ids.set(m[3]!, m[1]!);
  }
  return ids;
}

/** What was mended, for logs and tests. */
export interface MendedAnswer {
  sdp: string;
  /** `setup-actpass`, `extmap-ids`: the quirks found. Empty when the answer was used as it came. */
  mended: string[];
  /**
   * Why the answer cannot play even mended, or `null`: a payload type the answer gives another codec than the
   * offer did (Janus 1.1.2's Streaming plugin answers with its mountpoint's own numbers), which the browser would
   * decode as the offer's codec. Nothing on this side can mend that (the server sends that number).
   */
  unusable: string | null;
}

/** Per media section: payload type → codec name (lower case). */
function payloadTypes(sdp: string): Map<string, string>[] {
  const sections: Map<string, string>[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) sections.push(new Map());
    const m = /^a=rtpmap:(\d+) ([^/\s]+)/.exec(line);
    if (m && sections.length) sections[sections.length - 1]!.set(m[1]!, m[2]!.toLowerCase());
  }
  return sections;
}

function payloadConflict(offer: string, answer: string): string | null {
  const offered = payloadTypes(offer);
  const answered = payloadTypes(answer);
  for (let i = 0; i < answered.length; i++) {
    for (const [pt, codec] of answered[i]!) {
      const mine = offered[i]?.get(pt);
      if (mine !== codec)
        return mine
          ? `it sends ${codec.toUpperCase()} as payload type ${pt}, which this browser offered for ${mine.toUpperCase()}`
          : `it sends ${codec.toUpperCase()} as payload type ${pt}, which this browser did not offer`;
    }
  }
  return null;
}

/** Mends the known quirks of `answer` to `offer` (see the module's comment). */
export function mendAnswer(offer: string, answer: string): MendedAnswer {
  const mended: string[] = [];
  const eol = answer.includes('\r\n') ? '\r\n' : '\n';
  let lines = answer.split(/\r?\n/);
  if (lines.some((l) => l === 'a=setup:actpass')) {
    lines = lines.map((l) => (l === 'a=setup:actpass' ? 'a=setup:active' : l));
    mended.push('setup-actpass');
  }
  const ids = offerExtensionIds(offer);
  const wrong = lines.some((l) => {
    const m = EXTMAP.exec(l);
    return m !== null && ids.get(m[3]!) !== m[1];
  });
  if (wrong) {
    lines = lines.flatMap((l) => {
      const m = EXTMAP.exec(l);
      if (!m) return [l];
      const id = ids.get(m[3]!);
      return id === undefined ? [] : [`a=extmap:${id}${m[2] ?? ''} ${m[3]}${m[4]}`];
    });
    mended.push('extmap-ids');
  }
  return { sdp: mended.length ? lines.join(eol) : answer, mended, unusable: payloadConflict(offer, answer) };
}
