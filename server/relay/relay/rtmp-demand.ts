/**
 * Who plays what on the in-process RTMP server (node-media-server 2, see `rtmp-server.ts`), so the relay pushes a
 * stream into it only while someone plays it: a play request for `/live/{id}` starts the push (the player waits as
 * an idle player until the publisher arrives), and the push stops once nobody has played it for a while.
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

interface NmsSession {
  playStreamPath?: string;
  isPlaying?: boolean;
  isIdling?: boolean;
}

interface NmsContext {
  sessions: Map<string, NmsSession>;
  nodeEvent: EventEmitter;
}

const require = createRequire(import.meta.url);
const context = (): NmsContext => require('node-media-server/src/node_core_ctx.js') as NmsContext;

/** Calls `listener` whenever an RTMP player asks for `path` (e.g. `/live/s_1`); returns the unsubscribe. */
export function onRtmpPlay(path: string, listener: () => void): () => void {
  const { nodeEvent } = context();
  const onPrePlay = (_id: string, playPath: string): void => {
    if (playPath === path) listener();
  };
  nodeEvent.on('prePlay', onPrePlay);
  return () => nodeEvent.off('prePlay', onPrePlay);
}

/** RTMP players of `path` right now (playing, or waiting for its publisher). */
export function rtmpPlayers(path: string): number {
  let n = 0;
  for (const s of context().sessions.values())
    if (s.playStreamPath === path && (s.isPlaying || s.isIdling)) n += 1;
  return n;
}
