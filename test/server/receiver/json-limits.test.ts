import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonShapeProblem } from '../../../server/receiver/json-limits.ts';

const limits = { maxDepth: 3, maxString: 5 };

test('nesting is counted on objects and arrays, not on brackets inside strings', () => {
  assert.equal(jsonShapeProblem('{"a":[{"b":1}]}', limits), null);
  assert.match(jsonShapeProblem('{"a":[{"b":[1]}]}', limits) ?? '', /deeper than 3/);
  assert.equal(jsonShapeProblem('{"a":"[[[["}', limits), null);
  assert.equal(jsonShapeProblem('{"a":"\\"[[[["}', { ...limits, maxString: 10 }), null);
  assert.match(jsonShapeProblem('['.repeat(30_000) + ']'.repeat(30_000), limits) ?? '', /deeper/);
});

test('strings (keys and values) longer than the limit are refused, escapes counted as written', () => {
  assert.equal(jsonShapeProblem('{"abcde":"12345"}', limits), null);
  assert.match(jsonShapeProblem('{"abcdef":1}', limits) ?? '', /longer than 5/);
  assert.match(jsonShapeProblem('{"a":"123456"}', limits) ?? '', /longer than 5/);
  assert.match(jsonShapeProblem('{"a":"\\\\\\\\\\\\"}', limits) ?? '', /longer than 5/);
});
