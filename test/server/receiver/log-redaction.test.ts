// Credentials never reach the receiver's log (issue 20): read secrets in URLs, signs and push secrets in callback
// URLs and bodies, at the most verbose level a deployment might run. Real process, its real output.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { redact as redactCredentials } from '../../../server/shared/redact.ts';
import { startServerProcess } from '../../support/server-process.mjs';
import { recordingNotification, signed } from './receiver-process.ts';

const KEY = 'log-test-key';
const SECRETS = ['READSECRET0a1b2c', 'QUERYSIGN3d4e5f', 'TXSECRET6a7b8c', 'BODYSIGN9d0e1f', 'USERSIG2a3b4c'];

test('no credential appears in any log line, at LOG_LEVEL=trace, whatever the request', async () => {
  const server = await startServerProcess({
    script: 'server/receiver/main.ts',
    name: 'receiver',
    env: {
      CALLBACK_KEY: KEY,
      RECEIVER_PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'receiver-log-')),
      RECEIVER_READ_KEY: 'read-key',
      LOG_LEVEL: 'trace',
    },
  });
  try {
    const [readSecret, querySign, txSecret, bodySign, userSig] = SECRETS;
    await fetch(`${server.url}/api/recordings?recordId=r1&readSecret=${readSecret}&readTime=6A0B1C2D`);
    await fetch(`${server.url}/api/recordings/events?recordId=r1&readSecret=${readSecret}&readTime=1`);
    const body = signed(
      KEY,
      recordingNotification('logged', { stream_param: `txSecret=${txSecret}&txTime=1` }),
    );
    for (const text of [
      JSON.stringify(body),
      JSON.stringify({ ...body, sign: bodySign }),
      `{"sign":"${bodySign}","stream_param":"txSecret=${txSecret}",`, // not JSON: a parser error quoting it
    ]) {
      await fetch(`${server.url}/callbacks/tencent?sign=${querySign}&usersig=${userSig}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // the last lines flushed
    const out = server.output();
    assert.match(out, /incoming request/); // the requests were logged …
    assert.match(out, /readSecret=\[redacted\]/); // … with their credentials hidden
    for (const secret of SECRETS) assert.ok(!out.includes(secret), `${secret} was logged:\n${out}`);
  } finally {
    await server.stop();
  }
});

test('credentials in query strings and JSON bodies are hidden, other fields kept', () => {
  assert.equal(
    redactCredentials('/api/recordings?recordId=a&readSecret=abc&readTime=1'),
    '/api/recordings?recordId=a&readSecret=[redacted]&readTime=1',
  );
  assert.equal(
    redactCredentials('{"t":1,"sign":"abc","stream_param":"txSecret=s3&txTime=1","key" : 42}'),
    '{"t":1,"sign":"[redacted]","stream_param":"txSecret=[redacted]&txTime=1","key" : "[redacted]"}',
  );
  assert.equal(
    redactCredentials('rtmp://h/live/s?txSecret=a&txTime=b&userSig=c&sdkappid=1'),
    'rtmp://h/live/s?txSecret=[redacted]&txTime=b&userSig=[redacted]&sdkappid=1',
  );
  assert.equal(redactCredentials('{"x":"a \\"sign\\":1"}'), '{"x":"a \\"sign\\":1"}');
});
