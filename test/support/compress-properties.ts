import assert from 'node:assert/strict';
import fc from 'fast-check';
import Keyv from 'keyv';
import { compress, findMarkers, foldId, unfold } from 'tokenfold';
import type { CompressResult, ContentKind } from 'tokenfold';
import type { GeneratedInput } from './generators.ts';

/*
 * The properties every compression must keep, checked on one generated case (shared by
 * test/properties.test.ts and the reliability bench):
 *
 * - it never throws, and no compressor throws (the core would hide that as a pass-through);
 * - the output is never longer than the input in tokens;
 * - the same input gives the same bytes and the same folds;
 * - every marker is a fold that was stored, and unfolds to a text whose hash is its id;
 * - nothing is lost: the visible text with each fold put back in place of its marker is the
 *   input, or else each input line is in the visible text or in a fold (as a multiset, so
 *   dropping one of two equal lines counts); each value and key of a JSON input is visible or
 *   folded.
 *
 * Compressors that keep no simple "marker in place of the span" layout (JSON tables re-shape
 * rows, logs fold one template's scattered lines together) are checked by what they must keep,
 * not by where. HTML, rewritten as Markdown, and any kind not named here get the first four.
 */

// Kinds whose input is rebuilt by putting each fold back in place of its marker, or at least
// whose folds hold whole input lines.
const RECOVERABLE_KINDS = new Set<string>(['log', 'build', 'search', 'diff', 'text', 'code']);
const MARKER = /\[\[fold (\d{15})[^\]\n]*\]\]/g;

/** One generated case: an input, a budget and a query. */
export interface Case {
  input: GeneratedInput;
  budget: number;
  query: string;
}

/** Cases drawn from `inputs`, with budgets from tiny to roomy and a few queries. */
export const caseOf = (inputs: fc.Arbitrary<GeneratedInput>): fc.Arbitrary<Case> =>
  fc.record({
    input: inputs,
    budget: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 60, max: 400 }), fc.integer({ min: 400, max: 1500 })),
    query: fc.constantFrom('', '', 'error', 'payment failed', 'timeout worker', 'src/a.ts'),
  });

/** Compresses one case and checks every property; the failure message says which broke. */
export async function checkCase({ input, budget, query }: Case, kind?: ContentKind): Promise<void> {
  const run = async () => {
    const store = new Keyv();
    const failures: string[] = [];
    const result = await compress(input.text, {
      kind,
      budget,
      query,
      store,
      minTokens: 0,
      exactCounts: true,
      onError: (error, context) => failures.push(`${context.stage} (${context.kind}): ${error instanceof Error ? error.stack : String(error)}`),
    });
    return { result, store, failures };
  };
  const { result, store, failures } = await run();
  assert.deepEqual(failures, [], 'a compressor threw');
  assert.ok(result.tokensAfter <= result.tokensBefore, `${result.tokensAfter} tokens out of ${result.tokensBefore}`);

  const again = await run();
  assert.equal(again.result.text, result.text, 'not deterministic');
  assert.deepEqual(again.result.folds, result.folds, 'not deterministic');

  if (result.passThrough) {
    assert.equal(result.text, input.text);
    assert.deepEqual(result.folds, []);
    return;
  }
  const markerIds = [...new Set(findMarkers(result.text).map((marker) => marker.id))].sort();
  assert.deepEqual(markerIds, result.folds.map((fold) => fold.id).sort(), 'markers and folds differ');
  const folded: string[] = [];
  for (const fold of result.folds) {
    const back = await unfold(fold.id, { store });
    assert.equal(back.status, 'ok', `fold ${fold.id} does not unfold`);
    if (back.status !== 'ok') return;
    assert.equal(foldId(back.text, back), fold.id);
    assert.equal(back.text.length, fold.chars);
    folded.push(back.text);
  }
  assertNothingLost(input, result, folded);
}

function assertNothingLost(input: GeneratedInput, result: CompressResult, folded: string[]): void {
  const visible = result.text;
  if (RECOVERABLE_KINDS.has(result.kind)) {
    // Folds in place (prose, contiguous runs of lines) rebuild the input exactly; folds that
    // gather lines from all over (logs by template) still hold every line somewhere.
    const byId = new Map(result.folds.map((fold, index) => [fold.id, folded[index]!]));
    if (visible.replace(MARKER, (_marker, id: string) => byId.get(id) ?? '') === input.text) return;
    // Code keeps each visible line behind its line number (`12\t`).
    const shown = result.kind === 'code' ? visible.replace(/^\d+\t/gm, '') : visible;
    const recovered = countLines([shown.replace(MARKER, '\n'), ...folded]);
    for (const [line, count] of countLines([input.text])) {
      assert.ok((recovered.get(line) ?? 0) >= count, `line lost (${count}x in the input): ${JSON.stringify(line)}`);
    }
  } else if ((result.kind === 'json' || result.kind === 'ndjson') && input.family === 'json') {
    const everything = [visible, ...folded];
    for (const token of jsonTokens(JSON.parse(input.text))) {
      assert.ok(everything.some((text) => text.includes(token)), `JSON value lost: ${token}`);
    }
  }
}

function countLines(texts: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) for (const line of text.split('\n')) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

/** Every key and primitive of a parsed JSON value, as its source text (the input was stringified). */
function jsonTokens(value: unknown, tokens: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) jsonTokens(item, tokens);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      tokens.push(JSON.stringify(key));
      jsonTokens(item, tokens);
    }
  } else tokens.push(JSON.stringify(value));
  return tokens;
}
