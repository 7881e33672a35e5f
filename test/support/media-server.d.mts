import type { IncomingMessage, ServerResponse } from 'node:http';

export declare const mediaDir: string;
export declare function ensureFixtures(): void;
export interface MediaServer {
  /** Answers /media/ requests; false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** ms into the live streams' current segment (and GOP) cycle. */
  livePhase(): number;
  /** Length of one live segment (and GOP), ms. */
  segMs: number;
  /** Ends every live response and timer. */
  close(): void;
}
export declare function createMediaServer(): MediaServer;
