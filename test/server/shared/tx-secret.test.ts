import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { signUrl, txSign, txTimeFor, txVerify } from '../../../server/shared/tx-secret.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

test('txTime is the expiry as upper-case hex unix seconds', () => {
  assert.equal(txTimeFor(1_700_000_000), '6553F100');
});

test('txSecret is md5(key + streamName + txTime), as in Tencent CSS push/play URLs', () => {
  // Hand-computed: md5("abc123" + "1400123_room_user_main" + "6553F100")
  const c = txSign('abc123', '1400123_room_user_main', 1_700_000_000);
  assert.deepEqual(c, { txSecret: 'c760ce06bca8bc02accade6c66ff79b8', txTime: '6553F100' });
});

test('signUrl keeps the other query parameters and adds txSecret/txTime', () => {
  const u = new URL(signUrl('http://127.0.0.1:8080/live/s1.flv?a=1', 'k', 's1', 1_700_000_000));
  assert.equal(u.searchParams.get('a'), '1');
  assert.equal(u.searchParams.get('txTime'), '6553F100');
  assert.equal(u.searchParams.get('txSecret'), md5('ks16553F100'));
});

test('txVerify accepts a genuine pair and refuses missing, wrong, other-stream and expired ones', () => {
  const now = 1_700_000_000;
  const { txSecret, txTime } = txSign('k', 's1', now + 60);
  assert.equal(txVerify('k', 's1', txSecret, txTime, now), null);
  assert.equal(txVerify('k', 's1', txSecret.toUpperCase(), txTime, now), null);
  assert.equal(txVerify('k', 's1', undefined, txTime, now), 'MISSING');
  assert.equal(txVerify('k', 's1', txSecret, '', now), 'MISSING');
  assert.equal(txVerify('k', 's1', 'x'.repeat(32), txTime, now), 'INVALID');
  assert.equal(txVerify('k', 's2', txSecret, txTime, now), 'INVALID');
  assert.equal(txVerify('other', 's1', txSecret, txTime, now), 'INVALID');
  assert.equal(txVerify('k', 's1', txSecret, 'zz', now), 'INVALID');
  assert.equal(txVerify('k', 's1', txSecret, txTime, now + 61), 'EXPIRED');
  assert.equal(txVerify('k', 's1', txSecret, txTime, now + 61, 5), null);
});
