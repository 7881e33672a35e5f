import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignReplayGuard } from '../../../server/receiver/sign-replay.ts';

const NOW = 1_800_000_000;

test('a pair is bound to its first sender: others may only resend a body it came with', () => {
  const guard = new SignReplayGuard(30);
  const t = NOW + 600;
  assert.equal(guard.admit(t, 'ABC', { event_type: 1, stream_id: 'a' }, '10.0.0.1', NOW), true);
  assert.equal(guard.admit(t, 'abc', { event_type: 100, stream_id: 'b' }, '10.0.0.1', NOW), true);
  assert.equal(guard.admit(t, 'abc', { stream_id: 'b', event_type: 100 }, '10.0.0.2', NOW), true);
  assert.equal(guard.admit(t, 'abc', { event_type: 100, stream_id: 'evil' }, '10.0.0.2', NOW), false);
  assert.equal(guard.admit(t, 'abc', { event_type: 100, stream_id: 'evil' }, '10.0.0.2', NOW), false);
});

test('pairs are forgotten once their t has expired, and never more than the cap are kept', () => {
  const guard = new SignReplayGuard(30, 3);
  const body = { event_type: 1 };
  assert.equal(guard.admit(NOW + 10, 's1', body, 'a', NOW), true);
  // Past t + skew the pair is gone: (the receiver refuses such a t as expired before asking the guard.)
  assert.equal(guard.admit(NOW + 10, 's1', { event_type: 2 }, 'b', NOW + 41), true);
  for (let i = 0; i < 5; i++) guard.admit(NOW + 600 + i, `cap-${i}`, body, 'a', NOW);
  assert.equal(guard.admit(NOW + 600, 'cap-0', { event_type: 2 }, 'b', NOW), true, 'the oldest was dropped');
  assert.equal(guard.admit(NOW + 604, 'cap-4', { event_type: 2 }, 'b', NOW), false, 'the newest is kept');
});
