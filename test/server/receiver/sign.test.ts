import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sign as computeSign, verifySign } from '../../../server/shared/sign.ts';

const NOW = 1_700_000_000;

test('sign is md5(key + t) in lowercase hex', () => {
  // md5("key1700000600"), computed independently with coreutils md5sum.
  assert.equal(computeSign('key', 1700000600), 'bae57a7a26dc8fe289f922d0ba53dde8');
  assert.match(computeSign('key', 1), /^[0-9a-f]{32}$/);
});

test('a genuine signature with t in the future passes; t as a string or number alike', () => {
  const t = NOW + 600;
  assert.equal(verifySign('key', t, computeSign('key', t), NOW), null);
  assert.equal(verifySign('key', String(t), computeSign('key', t).toUpperCase(), NOW), null);
});

test('a wrong key, a tampered t or a truncated sign is refused', () => {
  const t = NOW + 600;
  assert.equal(verifySign('key', t, computeSign('other', t), NOW), 'SIGN_INVALID');
  assert.equal(verifySign('key', t + 1, computeSign('key', t), NOW), 'SIGN_INVALID');
  assert.equal(verifySign('key', t, computeSign('key', t).slice(0, 31), NOW), 'SIGN_INVALID');
});

test('an expired t is refused even with a valid sign, within the tolerated skew it passes', () => {
  const t = NOW - 10;
  assert.equal(verifySign('key', t, computeSign('key', t), NOW), 'SIGN_EXPIRED');
  assert.equal(verifySign('key', t, computeSign('key', t), NOW, 30), null);
});

test('missing or non-numeric t and sign are refused as missing', () => {
  assert.equal(verifySign('key', undefined, 'x', NOW), 'SIGN_MISSING');
  assert.equal(verifySign('key', NOW + 5, undefined, NOW), 'SIGN_MISSING');
  assert.equal(verifySign('key', '12abc', computeSign('key', '12abc'), NOW), 'SIGN_MISSING');
  assert.equal(verifySign('key', { t: 1 }, 'x', NOW), 'SIGN_MISSING');
});
