// DNS rebinding (issue 20): a page on rebind.attacker.example whose name is re-pointed at 127.0.0.1 reads the
// receiver same-origin — no `Origin`, only its own name in `Host` — when RECEIVER_READ_KEY is unset. Real process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { receiverConfigFromEnv } from '../../../server/receiver/config.ts';
import { rawRequest } from './raw-request.ts';
import { postCallback, recordingNotification, signed, startReceiver } from './receiver-process.ts';
import type { RunningReceiver } from './receiver-process.ts';

const KEY = 'host-test-key';

describe('Host names a loopback receiver answers', () => {
  let r: RunningReceiver;
  let port: string;
  before(async () => {
    r = await startReceiver({ key: KEY }); // RECEIVER_READ_KEY unset: reads are open to this machine
    port = new URL(r.url).port;
    const n = recordingNotification('private-1', {
      stream_id: 'private',
      video_url: 'https://vod.example/private-1.mp4',
    });
    assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
  });
  after(async () => {
    await r.stop();
  });

  test('a rebinding name gets 421 HOST_NOT_ALLOWED on the list, the live feed and callbacks, and no recording', async () => {
    const host = `rebind.attacker.example:${port}`;
    for (const path of ['/api/recordings', '/api/recordings/events', '/api/recordings?streamId=private']) {
      const res = await rawRequest(`${r.url}${path}`, { headers: { host } });
      assert.deepEqual([res.status, res.code], [421, 'HOST_NOT_ALLOWED'], path);
      assert.doesNotMatch(res.body, /private-1/);
      assert.match(res.body, /RECEIVER_HOSTS/);
    }
    const body = JSON.stringify(signed(KEY, recordingNotification('rebound', { stream_id: 'private' })));
    const post = await rawRequest(`${r.url}/callbacks/tencent`, {
      method: 'POST',
      headers: { host, 'content-type': 'application/json' },
      body,
    });
    assert.deepEqual([post.status, post.code], [421, 'HOST_NOT_ALLOWED']);
  });

  test('loopback names and IP literals are served', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST.:${port}`,
      `app.localhost:${port}`,
    ]) {
      const res = await rawRequest(`${r.url}/api/recordings?streamId=private`, { headers: { host } });
      assert.equal(res.status, 200, host);
      assert.match(res.body, /private-1/);
    }
  });
});

describe('RECEIVER_HOSTS', () => {
  let r: RunningReceiver;
  before(async () => {
    r = await startReceiver({
      key: KEY,
      env: { RECEIVER_HOSTS: 'recordings.example.com, cms.example.com:8443' },
    });
  });
  after(async () => {
    await r.stop();
  });

  test('the listed names are served (any case, any port), others refused', async () => {
    const status = async (host: string) =>
      (await rawRequest(`${r.url}/api/recordings`, { headers: { host } })).status;
    assert.equal(await status('recordings.example.com'), 200);
    assert.equal(await status('Recordings.Example.com:443'), 200);
    assert.equal(await status('cms.example.com'), 200);
    assert.equal(await status('127.0.0.1'), 200);
    assert.equal(await status('example.com'), 421);
    assert.equal(await status('recordings.example.com.attacker.example'), 421);
    assert.equal(await status('recordings.example.com@attacker.example'), 421);
  });

  test('a receiver bound beyond loopback will not start without them; * answers any name', () => {
    const env = { CALLBACK_KEY: KEY, RECEIVER_HOST: '0.0.0.0' };
    assert.throws(() => receiverConfigFromEnv(env), /RECEIVER_HOSTS/);
    assert.deepEqual(receiverConfigFromEnv({ ...env, RECEIVER_HOSTS: 'a.example' }).plugin.allowedHosts, [
      'a.example',
    ]);
    assert.equal(receiverConfigFromEnv({ ...env, RECEIVER_HOSTS: '*' }).plugin.allowedHosts, '*');
    assert.deepEqual(receiverConfigFromEnv({ CALLBACK_KEY: KEY }).plugin.allowedHosts, []);
  });
});
