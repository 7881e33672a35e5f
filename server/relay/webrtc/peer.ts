/**
 * Creating and closing the relay's libdatachannel peer connections. A closed connection's wrapper is kept reachable
 * for a while before the garbage collector may free it: node-datachannel 0.33's native callbacks can still run
 * for a connection that was just closed, and a wrapper freed under them was seen (under load, in this repository's
 * WebRTC tests) to close an unrelated, newer connection.
 */
import ndc from 'node-datachannel';
import type { PeerConnection } from 'node-datachannel';
import { rtcConfig, type WebRtcNetwork } from './network.ts';

const KEEP_CLOSED_MS = 30_000;
const recentlyClosed = new Set<PeerConnection>();

export function openPeer(name: string, network: WebRtcNetwork): PeerConnection {
  return new ndc.PeerConnection(name, rtcConfig(network));
}

/** Closes `pc` (idempotent) and keeps its wrapper alive for {@link KEEP_CLOSED_MS}. */
export function closePeer(pc: PeerConnection): void {
  try {
    pc.close();
  } catch {
    // already closed
  }
  if (recentlyClosed.has(pc)) return;
  recentlyClosed.add(pc);
  setTimeout(() => recentlyClosed.delete(pc), KEEP_CLOSED_MS).unref();
}

/** Resolves once `pc` has gathered its candidates (immediate on a bound address), or after `ms`. */
export function gathered(pc: PeerConnection, ms = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (pc.gatheringState() === 'complete') return resolve();
    const t = setTimeout(resolve, ms);
    pc.onGatheringStateChange((state) => {
      if (state === 'complete') {
        clearTimeout(t);
        resolve();
      }
    });
  });
}
