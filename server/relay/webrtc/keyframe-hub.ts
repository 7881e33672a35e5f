/**
 * The FLV hub of a WHIP ingest: the same hub every output reads from, which also asks the publisher for a keyframe
 * whenever an output or recorder joins it (a viewer, the recorder, the live HLS muxer, the RTMP push), so none of
 * them waits for the publisher's next periodic keyframe.
 */
import { FlvHub, type FlvConsumer } from '../relay/flv-hub.ts';

export class KeyframeHub extends FlvHub {
  constructor(private readonly onJoin: () => void) {
    super();
  }

  override subscribe(consumer: FlvConsumer, opts?: { clock?: boolean }): () => void {
    this.onJoin();
    return super.subscribe(consumer, opts);
  }
}
