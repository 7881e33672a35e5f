/**
 * RTMP output: node-media-server@2's RTMP server (GOP cache on), bound to 127.0.0.1 on the given port (0 = a free
 * one). The relay pushes each `encode: "rtmp"` relay into it with ffmpeg; players pull `rtmp://…/live/{id}`.
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';

export interface RtmpServer {
  /** `rtmp://host:port` */
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

interface NmsRtmpServer {
  tcpServer: Server;
  stop(): void;
}

const require = createRequire(import.meta.url);

export async function startRtmpServer(port: number, host: string): Promise<RtmpServer> {
  const Logger = require('node-media-server/src/node_core_logger.js') as { setLogType(t: number): void };
  Logger.setLogType(0);
  const NodeRtmpServer = require('node-media-server/src/node_rtmp_server.js') as new (
    config: object,
  ) => NmsRtmpServer;
  const config = {
    rtmp: { port: port || 1935, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
  };
  const nrs = new NodeRtmpServer(config);
  await new Promise<void>((resolve, reject) => {
    nrs.tcpServer.once('error', reject);
    nrs.tcpServer.listen(port, host, () => resolve());
  });
  const actual = (nrs.tcpServer.address() as AddressInfo).port;
  return {
    baseUrl: `rtmp://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        nrs.stop(); // closes the listener and every RTMP session
        resolve();
      }),
  };
}
