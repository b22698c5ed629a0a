import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compress, createSqliteStore, defaultSqlitePath, findMarkers, unfold } from '../core/index.ts';

/**
 * The README's first command: compress a real 2,000-line log (HDFS from ../shared/corpora when it
 * is there, otherwise the dpkg log shipped beside this file, so that the demo also runs from an
 * installed package), show the savings, and unfold one fold back out of the SQLite store, byte-exact.
 *
 * @example
 * await runDemo({ storePath: defaultSqlitePath(), root: '/path/to/tokenfold' });
 */
export async function runDemo({ storePath = defaultSqlitePath(), root }: { storePath?: string; root: string }): Promise<void> {
  const input = pickInput(root);
  const text = readFileSync(input.path, 'utf8');
  const store = await createSqliteStore(storePath);
  try {
    const result = await compress(text, { query: input.query, store });
    const saved = Math.round((1 - result.tokensAfter / result.tokensBefore) * 100);
    const shown = result.text.split('\n');
    process.stdout.write(
      [
        `input   ${input.path} (${input.what})`,
        `kind    ${result.kind}`,
        `tokens  ${result.tokensBeforeExact ? '' : '~'}${result.tokensBefore.toLocaleString('en-US')} → ${result.tokensAfter.toLocaleString('en-US')} (-${saved}%), ${result.folds.length} folds`,
        `store   ${storePath}`,
        '',
        '--- compressed (first 25 lines) ---',
        ...shown.slice(0, 25),
        shown.length > 25 ? `… ${shown.length - 25} more lines` : '',
        '',
      ].join('\n'),
    );
    const first = findMarkers(result.text)[0];
    if (!first) return;
    const unfolded = await unfold(first.id, { store });
    if (unfolded.status !== 'ok') throw new Error(`unfold ${first.id}: ${unfolded.message}`);
    const fold = result.folds.find((candidate) => candidate.id === first.id)!;
    process.stdout.write(
      [
        `--- unfold ${first.id}: ${fold.count} ${fold.unit}, ${unfolded.text.length} chars back from the store ---`,
        ...unfolded.text.split('\n').slice(0, 5),
        '',
        `Try: ${existsSync(join(root, 'bench')) ? 'npm run tokenfold --' : 'npx tokenfold'} unfold ${first.id} --grep '.' | head`,
        '',
      ].join('\n'),
    );
  } finally {
    await store.disconnect();
  }
}

function pickInput(root: string): { path: string; what: string; query: string } {
  const corpusLog = join(root, '..', 'shared', 'corpora', 'logs', 'loghub', 'HDFS_2k.log');
  if (existsSync(corpusLog)) return { path: corpusLog, what: 'a real HDFS log from loghub', query: 'which blocks had exceptions' };
  return { path: join(root, 'cli', 'demo-dpkg.log'), what: 'a real dpkg log, 2,000 lines', query: 'which packages were upgraded' };
}
