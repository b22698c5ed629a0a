import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createSqliteStore, recordLedger } from 'tokenfold';
import { countColor, readPng } from '../test/support/png.ts';
import { CHART_COLORS } from './stats-html.ts';

/*
 * `tokenfold stats`: the table from a ledger of three kinds over three days, and the HTML page as
 * headless Chromium (Debian's `chromium`) paints it: both series of both charts must show.
 */

const cli = join(import.meta.dirname, 'index.ts');
const folder = mkdtempSync(join(tmpdir(), 'tokenfold-stats-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const store = join(folder, 'folds.sqlite');
const page = join(folder, 'savings.html');

function chromiumSkipReason(): string | undefined {
  if (spawnSync('chromium', ['--version'], { stdio: 'ignore' }).status === 0) return undefined;
  if (process.env.CI) throw new Error('chromium is not installed, and CI must run the page test (see .ci/run)');
  return 'chromium is not installed (apt-get install chromium); set CI=1 to make this a failure';
}

describe('tokenfold stats', () => {
  it('prints saved tokens per kind, net of what unfold read back, and writes the page', async () => {
    const ledger = await createSqliteStore(store);
    const day = 86_400_000;
    const now = Date.now();
    const entries = [
      { kind: 'log', at: now - 2 * day, tokensBefore: 40_000, tokensAfter: 6_000, folds: 12, foldIds: ['100000000000001'] },
      { kind: 'json', at: now - day, tokensBefore: 20_000, tokensAfter: 5_000, folds: 4, foldIds: [] },
      { kind: 'build', at: now, tokensBefore: 9_000, tokensAfter: 2_000, folds: 3, foldIds: [] },
    ];
    for (const entry of entries) {
      await recordLedger(ledger, { type: 'compress', at: entry.at, source: 'cli', kind: entry.kind, tokensBefore: entry.tokensBefore, tokensAfter: entry.tokensAfter, folds: entry.folds, detail: { foldIds: entry.foldIds } });
    }
    await recordLedger(ledger, { type: 'unfold', at: now, source: 'cli', tokensReturned: 3_000, detail: { id: '100000000000001' } });
    await ledger.disconnect();

    const result = spawnSync(process.execPath, ['--conditions=tokenfold-source', cli, 'stats', '--store', store, '--html', page], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const rows = Object.fromEntries(result.stdout.split('\n').map((line) => line.trim().split(/\s{2,}/)).map((cells) => [cells[0], cells.slice(1)]));
    // kind: calls, before, after, saved, folds, unfolds, read back, net saved
    assert.deepEqual(rows.log, ['1', '40,000', '6,000', '85.0%', '12', '1', '3,000', '31,000']);
    assert.deepEqual(rows.total, ['3', '69,000', '13,000', '81.2%', '19', '1', '3,000', '53,000']);
    const html = readFileSync(page, 'utf8');
    assert.match(html, /53,000 tokens saved net/);
    assert.doesNotMatch(html, /<script|<link|src=/, 'the page fetches nothing');
  });

  it('renders both charts in a real headless browser', { skip: chromiumSkipReason() }, () => {
    const shot = join(folder, 'savings.png');
    const browser = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${join(folder, 'chromium')}`, '--hide-scrollbars', '--window-size=900,1100', `--screenshot=${shot}`, `file://${page}`], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(browser.status, 0, browser.stderr);
    const png = readPng(readFileSync(shot));
    assert.equal(png.width, 900);
    // Three kinds and three days of bars in the saved colour, and unfold's read-back bars.
    assert.ok(countColor(png, CHART_COLORS.saved) > 10_000, `saved bars: ${countColor(png, CHART_COLORS.saved)} pixels`);
    assert.ok(countColor(png, CHART_COLORS.readBack) > 300, `read-back bars: ${countColor(png, CHART_COLORS.readBack)} pixels`);
  });
});
