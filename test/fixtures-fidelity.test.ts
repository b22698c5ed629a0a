/*
 * Issue 10's promise on real failing builds: whatever tokenfold folds, every line that says why
 * a build failed stays visible. The fixtures are real runs made on the team's machine (see
 * test/fixtures/failures/README.md); their labels are exact lines of each file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import Keyv from 'keyv';
import { compress } from 'tokenfold';
import type { FixtureLabel } from '../bench/corpora.ts';
import { fixturesDir, loadFixtures, splitLines } from '../bench/corpora.ts';
import { viewOf } from '../bench/fidelity.ts';
import { reasonLines, scoreFailure } from '../bench/fidelity-ci.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const labels = JSON.parse(readFileSync(join(fixturesDir(repoRoot), 'labels.json'), 'utf8')) as FixtureLabel[];
const fixtures = loadFixtures(repoRoot);

describe('failing-build fixtures', () => {
  it('are at least 40 real runs, each with labelled lines that are exact lines of its file', () => {
    assert.ok(fixtures.length >= 40, `${fixtures.length} fixtures`);
    for (const label of labels) {
      const lines = new Set(splitLines(readFileSync(join(fixturesDir(repoRoot), label.file), 'utf8')));
      assert.ok(reasonLines(label.failureLines).length > 0, `${label.file} has no usable failure line`);
      for (const line of label.failureLines) assert.ok(lines.has(line), `${label.file}: not a line of the file: ${JSON.stringify(line)}`);
    }
  });
});

describe('compress() keeps every labelled failure line visible', () => {
  for (const fixture of fixtures) {
    it(fixture.id, async () => {
      const store = new Keyv();
      const result = await compress(fixture.text, { store });
      const score = scoreFailure(reasonLines(fixture.reason), await viewOf(result.text, store));
      const hidden = score.hidden.map(({ line, where }) => `  ${where === 'folded' ? 'folded ' : 'missing'} ${JSON.stringify(line)}`);
      assert.equal(
        score.reason.visible,
        score.reason.total,
        `${fixture.id} (${fixture.source}, routed as ${result.kind}${result.passThrough ? `, pass-through: ${result.passThrough}` : ''}): ` +
          `${score.hidden.length} of ${score.reason.total} labelled lines not visible\n${hidden.join('\n')}`,
      );
    });
  }
});
