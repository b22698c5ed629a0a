import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compress, findMarkers, unfold } from 'tokenfold';
import type { CompressorContext, Piece } from 'tokenfold';
import { estimateTokens, o200kCounter } from '../tokens.ts';
import { compressJson } from './json.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

const corpora = new URL('../../../shared/corpora/json/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, corpora), 'utf8');

function context(budget: number, query = ''): CompressorContext {
  return { query, budget, countTokens: (text) => o200kCounter.count(text), estimateTokens };
}

function textOf(pieces: Piece[] | undefined): string {
  assert.ok(pieces, 'expected the compressor to produce output');
  return pieces.map((piece) => (typeof piece === 'string' ? piece : '[[fold]]')).join('');
}

/** What the model sees, and every fold's original, unfolded through the public API. */
async function view(text: string, options: { query?: string; budget?: number } = {}) {
  const result = await compress(text, { exactCounts: true, ...options });
  const folds: string[] = [];
  for (const { id } of findMarkers(result.text)) {
    const unfolded = await unfold(id);
    assert.equal(unfolded.status, 'ok', `marker ${id} must resolve`);
    if (unfolded.status === 'ok') folds.push(unfolded.text);
  }
  return { result, visible: result.text, folds, folded: folds.join('\n') };
}

// Splits a table line `["a",,{"b":1}]` into its cells; an empty cell is undefined (key absent).
function cellsOf(line: string): Array<unknown> {
  const cells: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    if (!inString && ((c === ',' && depth === 1) || (c === ']' && depth === 0))) {
      cells.push(line.slice(start, i));
      start = i + 1;
    }
  }
  return cells.map((cell) => (cell === '' ? undefined : JSON.parse(cell)));
}

/** Rows of every table in `text`, rebuilt as objects from the header's key order. */
function tableRows(text: string): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  let columns: string[] | undefined;
  for (const line of text.split('\n')) {
    const header = line.match(/^# \d+ rows as a table, one per line, cells in the key order (\[.*?\])(?: \(|$)/);
    if (header) {
      columns = JSON.parse(header[1]!) as string[];
      continue;
    }
    if (!columns || !line.startsWith('[') || line.startsWith('[[fold')) {
      if (!line.startsWith('[')) columns = undefined;
      continue;
    }
    const row: Record<string, unknown> = {};
    cellsOf(line).forEach((cell, index) => {
      if (cell !== undefined) row[columns![index]!] = cell;
    });
    rows.push(row);
  }
  return rows;
}

// Raw strings and numbers of a JSON text, found without our scanner.
function rawTokens(text: string): string[] {
  return text.match(/"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g) ?? [];
}

function keyPaths(value: unknown, path = '$', paths = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) for (const item of value) keyPaths(item, `${path}[]`, paths);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const step = `${path}.${/^\d+$/.test(key) ? '*' : key}`;
      paths.set(step, key);
      keyPaths(child, step, paths);
    }
  }
  return paths;
}

describe('compressJson', () => {
  it('minifies without touching values: big ids, trailing zeros and escapes stay byte-exact', () => {
    const text = '{\n  "id": 505874924095815681,\n  "price": 1.50,\n  "name": "caf\\u00e9 \\/ ok",\n  "tags": [ "a", "b" ]\n}\n';
    const output = textOf(compressJson(text, context(1000)));
    assert.equal(output, '{"id":505874924095815681,"price":1.50,"name":"caf\\u00e9 \\/ ok","tags":["a","b"]}');
  });

  it('passes through JSON that is already minified and within the budget', () => {
    assert.equal(compressJson('{"a":[1,2,3],"b":"c"}', context(1000)), undefined);
  });

  it('writes an array of similar objects as a table that rebuilds every row', () => {
    const jobs = Array.from({ length: 60 }, (_, i) => ({
      name: `job-${i} "quoted" \\ é`,
      id: i % 7 === 0 ? 505874924095815681n : i,
      ...(i % 5 === 0 ? {} : { color: i % 11 === 0 ? 'red' : 'blue' }),
      nested: { depth: [i, null, true] },
    }));
    const text = JSON.stringify({ jobs }, (_, value) => (typeof value === 'bigint' ? `@${value}` : value), 2).replace(/"@(\d+)"/g, '$1');
    const output = textOf(compressJson(text, context(100_000)));
    assert.match(output, /^# 60 rows as a table, one per line, cells in the key order \["name","id","nested","color"\] \(an empty cell means the key is absent\)$/m);
    assert.deepEqual(tableRows(output), (JSON.parse(text) as { jobs: unknown[] }).jobs);
    assert.ok(output.includes(',505874924095815681,'), 'big ids are copied, not re-serialized');
    assert.ok(o200kCounter.count(output) < o200kCounter.count(JSON.stringify(JSON.parse(text))));
  });

  it('keeps rows with few keys but long values as they are', () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ text: `${'lorem ipsum dolor sit amet '.repeat(8)}${i}` }));
    const output = textOf(compressJson(JSON.stringify(rows, null, 10), context(100_000)));
    assert.doesNotMatch(output, /as a table/);
    assert.equal(output, `[\n${rows.map((row) => JSON.stringify(row)).join('\n')}\n]`);
  });

  it('is deterministic', () => {
    const text = sample('simdjson/twitter.json');
    assert.deepEqual(compressJson(text, context(20_000)), compressJson(text, context(20_000)));
  });
});

describe('compressJson on apache_builds.json (875 Jenkins jobs)', () => {
  const text = sample('simdjson/apache_builds.json');
  const jobs = (JSON.parse(text) as { jobs: Array<{ name: string; url: string; color: string }> }).jobs;

  it('keeps every job that is not blue in view, and folds blue ones with a count per color', async () => {
    const { result, visible, folds } = await view(text);
    assert.ok(result.tokensAfter < result.tokensBefore * 0.35, `${result.tokensAfter} of ${result.tokensBefore} tokens`);
    const shown = new Set(tableRows(visible).map((row) => row.name));
    for (const job of jobs.filter((job) => job.color !== 'blue')) assert.ok(shown.has(job.name), `${job.name} (${job.color}) is visible`);
    const marker = result.folds.find((fold) => fold.unit === 'rows');
    assert.ok(marker);
    const hiddenBlue = jobs.filter((job) => job.color === 'blue' && !shown.has(job.name)).length;
    assert.equal(marker.summary, `"color" "blue" ${hiddenBlue}`);
    assert.equal(folds.length, 1);
  });

  it('loses no job: shown rows plus unfolded rows are all 875, each byte-exact', async () => {
    const { visible, folds } = await view(text);
    const folded = folds.flatMap((fold) => fold.split('\n'));
    for (const line of folded) assert.ok(text.includes(JSON.parse(line).url), 'folded rows are source rows');
    const rebuilt = [...tableRows(visible), ...folded.map((line) => JSON.parse(line) as Record<string, unknown>)];
    assert.equal(rebuilt.length, jobs.length);
    const byName = new Map(rebuilt.map((row) => [row.name, row]));
    for (const job of jobs) assert.deepEqual(byName.get(job.name), job);
    // Folded rows are minified source: one per line, so grep and line ranges work row by row.
    assert.ok(folded.every((line) => line.startsWith('{"name":') && line.endsWith('}')));
  });

  it('keeps the rows that match the query in view', async () => {
    const { visible } = await view(text, { query: 'what happened to the zookeeper builds?' });
    const shown = new Set(tableRows(visible).map((row) => row.name));
    const wanted = jobs.filter((job) => /zookeeper/i.test(job.name));
    assert.ok(wanted.length > 5);
    for (const job of wanted) assert.ok(shown.has(job.name), job.name);
  });

  it('keeps the shape around the table: every top-level key, in order', async () => {
    const { visible } = await view(text);
    const keys = Object.keys(JSON.parse(text) as object).map((key) => JSON.stringify(key));
    const positions = keys.map((key) => visible.indexOf(`${key}:`));
    assert.ok(positions.every((position) => position >= 0));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions);
  });

  it('compresses a copy cut at 50 KB without throwing, and says where it ends', async () => {
    const cut = text.slice(0, 50_000);
    const { result, visible, folded } = await view(cut);
    assert.equal(result.passThrough, undefined);
    assert.match(visible, /truncated JSON/);
    for (const [, name] of cut.matchAll(/"name" : ("[^"]*"),\s*"url"[^}]*\}/g)) {
      assert.ok(visible.includes(name!) || folded.includes(name!), `${name} survives`);
    }
    assert.ok(visible.trimEnd().endsWith('(the input ends here: truncated JSON)'));
  });
});

describe('compressJson on twitter.json (100 tweets, ids above 2^53)', () => {
  const text = sample('simdjson/twitter.json');

  it('keeps every raw value visible or one unfold away, byte-exact', async () => {
    const { result, visible, folded } = await view(text);
    assert.ok(result.tokensAfter < result.tokensBefore * 0.3, `${result.tokensAfter} of ${result.tokensBefore} tokens`);
    const missing = rawTokens(text).filter((token) => !visible.includes(token) && !folded.includes(token));
    assert.deepEqual(missing.slice(0, 5), []);
    assert.ok(visible.includes('"id":505874924095815681'));
  });

  it('shows every key path at least once', async () => {
    const { visible } = await view(text);
    const missing = [...keyPaths(JSON.parse(text))].filter(([, key]) => !visible.includes(JSON.stringify(key)));
    assert.deepEqual(missing.map(([path]) => path).slice(0, 5), []);
  });

  it('never shows as … the rare value that made a tweet stand out, even at a smaller budget', () => {
    const statuses = (JSON.parse(text) as { statuses: Array<{ id_str: string; user: { profile_background_image_url: string } }> }).statuses;
    const uses = new Map<string, number>();
    for (const { user } of statuses) uses.set(user.profile_background_image_url, (uses.get(user.profile_background_image_url) ?? 0) + 1);
    const output = textOf(compressJson(text, context(30_000)));
    const rare = statuses.filter((status) => uses.get(status.user.profile_background_image_url) === 1 && output.includes(`"id_str":"${status.id_str}"`));
    assert.ok(rare.length >= 10, `${rare.length} tweets with a background of their own shown`);
    for (const { user } of rare) assert.ok(output.includes(`"profile_background_image_url":${JSON.stringify(user.profile_background_image_url)}`));
  });

  it('keeps tweets in a rare language in view', async () => {
    const { visible } = await view(text);
    const statuses = (JSON.parse(text) as { statuses: Array<{ id_str: string; metadata: { iso_language_code: string } }> }).statuses;
    const rare = statuses.filter((status) => status.metadata.iso_language_code !== 'ja');
    assert.ok(rare.length > 0 && rare.length < 10);
    for (const status of rare) assert.ok(visible.includes(`"id_str":"${status.id_str}"`), status.id_str);
  });
});

describe('compressJson on recorded GitHub API calls (octokit)', () => {
  it('keeps status codes, the error message and the 422 details of errors.json in view', async () => {
    const text = sample('octokit/errors.json');
    const { result, visible, folded } = await view(text);
    assert.ok(result.tokensAfter < result.tokensBefore * 0.4, `${result.tokensAfter} of ${result.tokensBefore} tokens`);
    for (const status of [201, 422, 204]) assert.ok(visible.includes(`"status":${status}`));
    assert.ok(visible.includes('"message":"Validation Failed"'));
    assert.ok(visible.includes('"errors":[{"resource":"Label","code":"invalid","field":"color"}]'));
    assert.ok(visible.includes('"id":515435736'));
    const missing = rawTokens(text).filter((token) => !visible.includes(token) && !folded.includes(token));
    assert.deepEqual(missing.slice(0, 5), []);
  });

  it('keeps every pagination Link header of paginate-issues.json in view', async () => {
    const text = sample('octokit/paginate-issues.json');
    const { visible } = await view(text);
    const calls = JSON.parse(text) as Array<{ rawHeaders: string[]; path: string }>;
    const links = calls.flatMap((call) => call.rawHeaders.filter((_, index) => call.rawHeaders[index - 1] === 'Link'));
    assert.equal(links.length, 5);
    for (const link of links) assert.ok(visible.includes(JSON.stringify(link)), link);
    for (const call of calls) assert.ok(visible.includes(JSON.stringify(call.path)), call.path);
  });

  it('shows long values of a big object as … and folds the whole object right after it', () => {
    const text = sample('octokit/get-root.json');
    const pieces = compressJson(text, context(300));
    const output = textOf(pieces);
    assert.match(output, /"current_user_url":…/);
    const fold = pieces!.find((piece) => typeof piece !== 'string' && piece.text.startsWith('{\n  "current_user_url":'));
    assert.ok(fold && typeof fold !== 'string');
    assert.deepEqual(JSON.parse(fold.text), (JSON.parse(text) as Array<{ response: unknown }>)[0]!.response);
    // One member per line, so that `grep` finds one URL and returns its line alone.
    assert.ok(fold.text.split('\n').some((line) => /^ {2}"emojis_url":"https:\/\/api\.github\.com\/emojis",$/.test(line)));
    assert.ok(output.includes('"status":200'));
  });
});

describe('compressJson on objects past their budget', () => {
  it('keeps ids, names and short values, and lets a very long message go first', () => {
    const record = {
      id: 7,
      name: 'nightly report',
      message: 'the job ran '.repeat(600),
      html_url: 'https://example.com/r/7',
      avatar_url: 'https://example.com/avatars/7?size=400&format=png',
      size: 12,
      private: false,
    };
    const pieces = compressJson(JSON.stringify(record, null, 2), context(120));
    const output = textOf(pieces);
    assert.equal(output, '{"id":7,"name":"nightly report","message":…,"html_url":"https://example.com/r/7","avatar_url":"https://example.com/avatars/7?size=400&format=png","size":12,"private":false}[[fold]]');
    const fold = pieces!.find((piece) => typeof piece !== 'string');
    assert.ok(fold && typeof fold !== 'string' && fold.count === 1);
    assert.equal(fold.text, JSON.stringify(record, null, 2).replaceAll('": ', '":'));
  });

  it('keeps a value that holds a query term', () => {
    const record = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`link_${i}`, `https://example.com/${i === 17 ? 'needle' : 'hay'}/${'x'.repeat(40)}`]));
    const output = textOf(compressJson(JSON.stringify(record, null, 2), context(120, 'where is the needle')));
    assert.match(output, /"link_0":…/);
    assert.ok(output.includes(`"link_17":"https://example.com/needle/`));
  });
});

describe('compressJson on NDJSON and maps', () => {
  it('treats each NDJSON line as a row: failures stay, the rest unfold line by line', async () => {
    const lines = Array.from({ length: 400 }, (_, i) =>
      JSON.stringify({ i, level: i % 97 === 13 ? 'error' : 'info', message: i % 97 === 13 ? `job ${i} failed: disk full` : `job ${i} done` }),
    );
    const text = `${lines.join('\n')}\n`;
    const { result, visible, folds } = await view(text);
    assert.equal(result.kind, 'ndjson');
    assert.ok(result.tokensAfter < result.tokensBefore * 0.4);
    for (const line of lines.filter((line) => line.includes('"error"'))) {
      const row = JSON.parse(line) as { i: number; level: string; message: string };
      assert.ok(visible.includes(`[${row.i},"error",${JSON.stringify(row.message)}]`), line);
    }
    const shown = tableRows(visible).map((row) => JSON.stringify(row));
    const folded = folds.flatMap((fold) => fold.split('\n'));
    assert.deepEqual([...shown, ...folded].sort(), [...lines].sort());
  });

  it('keeps the header line of amazon_cellphones.ndjson and folds rows as their own lines', async () => {
    const text = sample('simdjson/amazon_cellphones.ndjson');
    const { result, visible, folds } = await view(text);
    assert.ok(result.tokensAfter < result.tokensBefore * 0.35);
    assert.ok(visible.startsWith('["asin","brand","title","url","image","rating","reviewUrl","totalReviews","prices"]\n'));
    const inputLines = new Set(text.split('\n').map((line) => line.trim()));
    for (const line of folds.flatMap((fold) => fold.split('\n'))) assert.ok(inputLines.has(line));
  });

  it('treats an object of similar entries as a table keyed by entry, and names the folded entries', async () => {
    const events: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) events[String(138586341 + i)] = { name: `Concert ${i}`, venue: i === 150 ? 'Olympia' : 'Pleyel', seats: 1000 + i };
    const text = JSON.stringify({ events, venue: 'Paris' }, null, 1);
    const { visible, folds } = await view(text);
    assert.match(visible, /^# 300 entries as a table, one per line: the entry's key, then cells in the key order \["name","venue","seats"\]$/m);
    assert.ok(visible.includes('["138586491","Concert 150","Olympia",1150]'));
    for (const key of Object.keys(events)) assert.ok(visible.includes(`"${key}"`), `key ${key} is named`);
    for (const line of folds.flatMap((fold) => fold.split('\n'))) {
      const [key] = line.split(':');
      assert.deepEqual(JSON.parse(`{${line}}`), { [JSON.parse(key!) as string]: events[JSON.parse(key!) as string] });
    }
  });
});

describe('compressJson on broken and hostile input', () => {
  it('does not overflow on 100,000 levels of nesting', async () => {
    for (const text of ['['.repeat(100_000) + ']'.repeat(100_000), '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), '['.repeat(100_000)]) {
      assert.doesNotThrow(() => compressJson(text, context(256)));
      const result = await compress(text);
      assert.ok(result.tokensAfter <= result.tokensBefore);
    }
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789 \n\\atrue-.e'.split('')), maxLength: 300 }), (text) => {
        compressJson(text, context(10));
      }),
      { numRuns: 3000 },
    );
  });

  it('passes through text that is mostly not JSON', () => {
    assert.equal(compressJson('{ this is not json }\nnor this\n[1, 2', context(10)), undefined);
  });

  it('compresses a multi-megabyte single line', HANG_GUARD, () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `{"id":${i},"status":"${i === 77_777 ? 'failed' : 'ok'}","v":${i * 3}}`);
    const text = `[${rows.join(',')}]`;
    const output = textOf(compressJson(text, context(2000)));
    assert.ok(output.length < text.length / 20);
    assert.ok(output.includes('[77777,"failed",233331]'));
  });
});

describe('compressJson on small tool results (lossless) and ids', () => {
  // Shaped like an airline-booking tool's user record: ids in a short list, ids as map keys.
  const user = {
    user_id: 'mia_li_3668',
    name: { first_name: 'Mia', last_name: 'Li' },
    payment_methods: {
      credit_card_4421486: { source: 'credit_card', brand: 'visa', last_four: '7447', id: 'credit_card_4421486' },
      certificate_4856383: { source: 'certificate', amount: 100, id: 'certificate_4856383' },
    },
    saved_passengers: [{ first_name: 'Amelia', last_name: 'Ahmed', dob: '1957-03-21' }],
    membership: 'gold',
    reservations: ['NO6JO3', 'AIXC01', 'HKEG34', 'PKZ0SN', 'JG7FMM', '7TOKQ2', 'BOH180', 'Q4KHTH', '3OZ2ZI', 'NJCEO2'],
  };

  it('only minifies when lossless, whatever the budget', () => {
    const text = JSON.stringify(user, null, 2);
    const pieces = compressJson(text, { ...context(10), lossless: true });
    assert.deepEqual(pieces, [JSON.stringify(user)]);
  });

  it('writes uniform rows as a table when lossless and that is smaller, and folds nothing', () => {
    const flights = Array.from({ length: 12 }, (_, i) => ({ flight_number: `HAT${100 + i}`, origin: 'JFK', destination: i % 2 ? 'SEA' : 'LAX', status: 'available', price: 120 + i }));
    const text = JSON.stringify({ flights }, null, 2);
    const pieces = compressJson(text, { ...context(10), lossless: true });
    assert.ok(pieces?.every((piece) => typeof piece === 'string'));
    const output = textOf(pieces);
    assert.match(output, /^# 12 rows as a table/m);
    assert.deepEqual(tableRows(output), flights);
  });

  it('passes through a small result that is already minified', () => {
    assert.equal(compressJson(JSON.stringify(user), { ...context(10), lossless: true }), undefined);
  });

  it('keeps every scalar of the recorded GitHub responses under 1,500 tokens in view', () => {
    let checked = 0;
    for (const name of readdirSync(new URL('octokit/', corpora)).filter((file) => file.endsWith('.json'))) {
      for (const call of JSON.parse(sample(`octokit/${name}`)) as Array<{ response: unknown }>) {
        if (!call.response || typeof call.response !== 'object') continue;
        const text = JSON.stringify(call.response, null, 2);
        if (o200kCounter.count(text) >= 1500) continue;
        const pieces = compressJson(text, { ...context(64), lossless: true });
        const output = pieces ? textOf(pieces) : text;
        assert.ok(!output.includes('[[fold') && !output.includes('…'), name);
        assert.deepEqual(rawTokens(text).filter((token) => !output.includes(token)), [], name);
        checked++;
      }
    }
    assert.ok(checked > 50, `${checked} responses checked`);
  });

  it('never folds a short list of ids, nor hides an id, at a tight budget', () => {
    const booking = { ...user, booking_ref: '9f1c2d3e-4b5a-6789-abcd-ef0123456789', notes: 'The passenger asked about seats. '.repeat(40) };
    const output = textOf(compressJson(JSON.stringify(booking, null, 2), context(60)));
    assert.ok(output.includes(JSON.stringify(user.reservations)), 'the reservation ids stay a whole list');
    assert.ok(output.includes('"booking_ref":"9f1c2d3e-4b5a-6789-abcd-ef0123456789"'));
    assert.match(output, /"notes":…/);
  });

  it('folds a long list of ids, and says which ones the fold holds', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `R${String(i).padStart(5, '0')}`);
    const pieces = compressJson(JSON.stringify({ reservations: ids }), context(200));
    const fold = pieces?.find((piece) => typeof piece !== 'string');
    assert.ok(fold && typeof fold !== 'string');
    const hidden = fold.text.split('\n');
    assert.equal(fold.summary, `${hidden[0]} to ${hidden[hidden.length - 1]}`);
    for (const line of hidden) assert.match(line, /^"R\d{5}"$/);
  });

  it('does not fold what costs about as much as its marker', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, state: 'ok' }));
    const text = JSON.stringify(rows, null, 2);
    const full = o200kCounter.count(JSON.stringify(rows));
    const pieces = compressJson(text, context(full - 20));
    assert.ok(pieces?.every((piece) => typeof piece === 'string'), 'a fold of a few rows is not worth its marker');
  });
});

describe('compressJson on `npm view semver --json` (a real registry answer)', () => {
  const text = readFileSync(new URL('test-support/npm-view-semver.json', import.meta.url), 'utf8');
  const time = (JSON.parse(text) as { time: Record<string, string> }).time;

  it('treats release dates keyed by version as a map, one release per line in its fold', () => {
    const pieces = compressJson(text, context(1000))!;
    const folds = pieces.filter((piece) => typeof piece !== 'string');
    const dates = folds.find((fold) => fold.summary?.startsWith('keys '));
    assert.ok(dates, 'a fold of release dates');
    assert.match(dates.summary!, /^keys "[^"]+" to "[^"]+", dates \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/);
    const lines = dates.text.split('\n');
    assert.equal(lines.length, dates.count);
    for (const line of lines) {
      const [version, date] = Object.entries(JSON.parse(`{${line}}`) as Record<string, string>)[0]!;
      assert.equal(date, time[version], `"${version}" is on its own line with its date`);
    }
  });

  it('numbers the folded releases as the input does, one input line each', () => {
    const inputLines = text.split('\n');
    const pieces = compressJson(text, context(1000))!;
    const dates = pieces.find((piece) => typeof piece !== 'string' && piece.summary?.startsWith('keys '));
    assert.ok(dates && typeof dates !== 'string' && dates.lineNumbers);
    dates.text.split('\n').forEach((line, index) => {
      assert.equal(inputLines[dates.lineNumbers![index]! - 1]!.trim().replace('": ', '":').replace(/,$/, ''), line);
    });
  });

  it('keeps one release reachable by grep for its version', () => {
    const pieces = compressJson(text, context(1000))!;
    const dates = pieces.find((piece) => typeof piece !== 'string' && piece.summary?.startsWith('keys '));
    assert.ok(dates && typeof dates !== 'string');
    const version = JSON.parse(`{${dates.text.split('\n')[5]}}`) as Record<string, string>;
    const [key] = Object.keys(version);
    const hits = dates.text.split('\n').filter((line) => line.includes(`"${key}"`));
    assert.deepEqual(hits, [`"${key}":"${time[key!]}"`]);
  });
});

describe('compressJson fold line numbers', () => {
  // Drops whitespace outside strings: an input line as the fold holds it.
  const minified = (line: string) => line.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_, quoted?: string) => quoted ?? '');
  const rows = Array.from({ length: 200 }, (_, id) => ({ id, name: `worker-${id}`, state: id % 7 === 0 ? 'idle' : 'busy' }));

  /** Every fold of `text`, unfolded: its lines and, where it says so, their input lines. */
  async function foldsOf(text: string, budget: number) {
    const result = await compress(text, { exactCounts: true, budget });
    const folds: Array<{ id: string; lines: string[]; lineNumbers?: readonly number[] }> = [];
    for (const { id } of findMarkers(result.text)) {
      const unfolded = await unfold(id);
      assert.equal(unfolded.status, 'ok', `marker ${id} must resolve`);
      if (unfolded.status === 'ok') folds.push({ id, lines: unfolded.text.split('\n'), lineNumbers: unfolded.lineNumbers });
    }
    return folds;
  }

  // Each numbered fold line must be what its input line holds (trimmed, without a trailing comma).
  function assertNumberedAsInput(text: string, folds: Awaited<ReturnType<typeof foldsOf>>) {
    const inputLines = text.split('\n');
    for (const fold of folds) {
      if (!fold.lineNumbers) continue;
      assert.equal(fold.lineNumbers.length, fold.lines.length);
      fold.lines.forEach((line, index) => {
        const input = inputLines[fold.lineNumbers![index]! - 1]!.trim().replace(/,$/, '');
        assert.notEqual(input, '{', `fold line ${index + 1} is not numbered by a row's "{" line`);
        assert.equal(minified(input), line, `input line ${fold.lineNumbers![index]} holds fold line ${index + 1}`);
      });
    }
  }

  it('does not number rows spread over several input lines by their "{" line', async () => {
    const text = JSON.stringify(rows, null, 2);
    const folds = await foldsOf(text, 400);
    const rowFolds = folds.filter((fold) => fold.lines.every((line) => line.startsWith('{"id":')));
    assert.ok(rowFolds.length > 0, 'some rows fold');
    assertNumberedAsInput(text, folds);
    assert.ok(rowFolds.every((fold) => !fold.lineNumbers), 'rows of several input lines leave the fold unnumbered');

    // grep on a folded id still returns that row, whole.
    const fold = rowFolds[0]!;
    const row = JSON.parse(fold.lines[Math.floor(fold.lines.length / 2)]!) as (typeof rows)[number];
    const hit = await unfold(fold.id, { grep: `"id":${row.id},` });
    assert.equal(hit.status, 'ok');
    if (hit.status !== 'ok') return;
    const found = hit.text.split('\n');
    assert.equal(found.length, 1);
    assert.deepEqual(JSON.parse(found[0]!.replace(/^\d+: /, '')), rows[row.id]);
  });

  it('numbers rows that each sit alone on one input line, spaces and all', async () => {
    const line = (row: object) => `  ${JSON.stringify(row).replaceAll('":', '": ').replaceAll(',"', ', "')}`;
    const text = `[\n${rows.map(line).join(',\n')}\n]`;
    const folds = await foldsOf(text, 400);
    const rowFolds = folds.filter((fold) => fold.lines.every((entry) => entry.startsWith('{"id":')));
    assert.ok(rowFolds.length > 0 && rowFolds.every((fold) => fold.lineNumbers), 'one row a line keeps input line numbers');
    assertNumberedAsInput(text, folds);
    const fold = rowFolds[0]!;
    const at = fold.lineNumbers![3]!;
    const range = await unfold(fold.id, { lines: String(at) });
    assert.equal(range.status, 'ok');
    if (range.status === 'ok') assert.equal(range.text, `${at}: ${fold.lines[3]}`);
  });
});
