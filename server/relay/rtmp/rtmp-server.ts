/**
 * RTMP output: node-media-server@2's RTMP server (GOP cache on), bound to 127.0.0.1 on the given port (0 = a free
 * one). The relay pushes each `encode: "rtmp"` relay into it with ffmpeg; players pull `rtmp://…/live/{id}`.
 *
 * Only the relay publishes: node-media-server's own auth waves every local client through, so publishes are
 * checked in its `prePublish` hook instead — the stream must be one the relay is pushing right now and the
 * publish must carry the relay's own credential; anything else is rejected before it is registered, so no one
 * (not even a process on this machine) can publish first and have viewers get their video. Plays are checked
 * the same way against the play key.
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Server, Socket } from 'node:net';
import { ID_SOURCE } from '../../../src/contract/ids.ts';

export interface RtmpServer {
  /** `rtmp://host:port` */
  baseUrl: string;
  port: number;
  /** The relay is about to publish `name` (a publish of any other name is refused). */
  expect(name: string): void;
  unexpect(name: string): void;
  close(): Promise<void>;
}

export interface RtmpAccess {
  /** `name` is the stream id, `args` the publish URL's query. */
  mayPublish(name: string, args: Record<string, unknown>): boolean;
  mayPlay(name: string, args: Record<string, unknown>): boolean;
}

interface NmsRtmpServer {
  tcpServer: Server;
  stop(): void;
}

interface NmsSession {
  socket: Socket;
  reject(): void;
}

interface NmsContext {
  sessions: Map<string, NmsSession>;
  nodeEvent: NodeJS.EventEmitter;
}

const require = createRequire(import.meta.url);

export async function startRtmpServer(port: number, host: string, access: RtmpAccess): Promise<RtmpServer> {
  const Logger = require('node-media-server/src/node_core_logger.js') as { setLogType(t: number): void };
  Logger.setLogType(0);
  const NodeRtmpServer = require('node-media-server/src/node_rtmp_server.js') as new (
    config: object,
  ) => NmsRtmpServer;
  // node-media-server keeps its sessions and events in one module-wide context shared by every server it runs.
  const context = require('node-media-server/src/node_core_ctx.js') as NmsContext;
  const config = {
    rtmp: { port: port || 1935, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
  };
  const nrs = new NodeRtmpServer(config);
  await new Promise<void>((resolve, reject) => {
    nrs.tcpServer.once('error', reject);
    nrs.tcpServer.listen(port, host, () => resolve());
  });
  const actual = (nrs.tcpServer.address() as AddressInfo).port;
  const expected = new Set<string>();
  /** The session `id` if it is one of this server's, else null. */
  const ours = (id: string): NmsSession | null => {
    const session = context.sessions.get(id);
    return session && session.socket.localPort === actual ? session : null;
  };
  const livePath = new RegExp(`^/live/(${ID_SOURCE})$`);
  const nameOf = (path: string): string | null => livePath.exec(path)?.[1] ?? null;
  const onPrePublish = (id: string, path: string, args: Record<string, unknown>): void => {
    const session = ours(id);
    const name = nameOf(path);
    if (session && !(name && expected.has(name) && access.mayPublish(name, args))) session.reject();
  };
  const onPrePlay = (id: string, path: string, args: Record<string, unknown>): void => {
    const session = ours(id);
    const name = nameOf(path);
    if (session && !(name && access.mayPlay(name, args))) session.reject();
  };
  context.nodeEvent.on('prePublish', onPrePublish);
  context.nodeEvent.on('prePlay', onPrePlay);
  return {
    baseUrl: `rtmp://${host}:${actual}`,
    port: actual,
    expect: (name) => void expected.add(name),
    unexpect: (name) => void expected.delete(name),
    close: () =>
      new Promise<void>((resolve) => {
        context.nodeEvent.off('prePublish', onPrePublish);
        context.nodeEvent.off('prePlay', onPrePlay);
        nrs.stop(); // closes the listener and every RTMP session
        resolve();
      }),
  };
}
