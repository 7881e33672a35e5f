import type { IncomingMessage, ServerResponse } from 'node:http';

export declare const mediaDir: string;
export declare function ensureFixtures(): void;
export interface MediaServer {
  /** Answers /media/ requests; false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Ends every live response and timer. */
  close(): void;
}
export declare function createMediaServer(): MediaServer;
