// @web/dev-server plugin: serves the player's ffmpeg-made media fixtures under /media/ (see media-server.mjs).
// Koa's middleware chain is already composed when plugins start, so /media/ requests are taken off the HTTP
// server before Koa sees them (live responses are streamed and cut by hand, which Koa would get in the way of).
import { createMediaServer } from './media-server.mjs';

let media;

export default {
  name: 'relay-media-fixtures',
  serverStart({ server }) {
    media = createMediaServer();
    const others = server.listeners('request');
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      if (req.url?.startsWith('/media/') && media.handle(req, res)) return;
      for (const l of others) l.call(server, req, res);
    });
  },
  serverStop() {
    media?.close();
  },
};
