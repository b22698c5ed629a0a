/*
 * Small JSON tool results: does every scalar stay visible, and at what reduction?
 *
 *   node --conditions=tokenfold-source bench/json-small.ts
 *
 * The documents are the response bodies recorded in ../shared/corpora/json/octokit (what a
 * GitHub tool hands its agent), pretty-printed as tools print them, and kept when they are under
 * 1,500 o200k tokens: the outputs that issue 10 says get only lossless steps. For each it measures
 * `compress()` as a caller without a budget gets it, the JSON compressor in lossless mode (what
 * `compress` runs for these once it sets `lossless`), and plain minifying. A scalar is every raw
 * string and number of the source; it is visible when the output contains it byte for byte.
 * Prints a Markdown table; the machine is shared, so only token figures are reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compress } from '../core/compress.ts';
import { compressJson } from '../core/compressors/json.ts';
import { estimateTokens, o200kCounter } from '../core/tokens.ts';

const LOSSLESS_BELOW_TOKENS = 1500;
const corpora = resolve(import.meta.dirname, '..', '..', 'shared', 'corpora', 'json', 'octokit');

interface Method {
  name: string;
  run(text: string): Promise<string>;
}

const methods: Method[] = [
  { name: 'compress() (no budget)', run: async (text) => (await compress(text)).text },
  {
    name: 'JSON compressor, lossless',
    run: async (text) => {
      const pieces = compressJson(text, { query: '', budget: 0, lossless: true, countTokens: (part) => o200kCounter.count(part), estimateTokens });
      return pieces ? pieces.map((piece) => (typeof piece === 'string' ? piece : '[[fold]]')).join('') : text;
    },
  },
  { name: 'minified (JSON.stringify)', run: async (text) => JSON.stringify(JSON.parse(text)) },
];

function scalarsOf(text: string): string[] {
  return text.match(/"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g) ?? [];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const documents: string[] = [];
for (const name of readdirSync(corpora).filter((file) => file.endsWith('.json')).sort()) {
  for (const call of JSON.parse(readFileSync(join(corpora, name), 'utf8')) as Array<{ response?: unknown }>) {
    if (!call.response || typeof call.response !== 'object') continue;
    const text = JSON.stringify(call.response, null, 2);
    const tokens = o200kCounter.count(text);
    if (tokens >= 200 && tokens < LOSSLESS_BELOW_TOKENS) documents.push(text);
  }
}

const lines = [
  `${documents.length} octokit response bodies of 200 to ${LOSSLESS_BELOW_TOKENS} o200k tokens, pretty-printed.`,
  '',
  '| method | median reduction | scalars visible | outputs with every scalar visible | outputs with a marker |',
  '|---|---|---|---|---|',
];
for (const method of methods) {
  const reductions: number[] = [];
  let scalars = 0;
  let visible = 0;
  let complete = 0;
  let folded = 0;
  for (const text of documents) {
    const output = await method.run(text);
    reductions.push(1 - o200kCounter.count(output) / o200kCounter.count(text));
    const wanted = scalarsOf(text);
    const found = wanted.filter((scalar) => output.includes(scalar)).length;
    scalars += wanted.length;
    visible += found;
    if (found === wanted.length) complete++;
    if (output.includes('[[fold')) folded++;
  }
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  lines.push(`| ${method.name} | ${percent(median(reductions))} | ${visible}/${scalars} (${percent(visible / scalars)}) | ${complete}/${documents.length} | ${folded} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
