/*
 * Step 1 of the recipe: the training set of the relevance model, from the training side of the
 * SQuAD split (see squad.ts). For every (paragraph, answerable question) pair, each unit of the
 * paragraph (split as the text compressor splits it) becomes one row: its features and hashed
 * terms from models/features.ts, the very code that feeds the model at run time, and a label,
 * 1 when the unit overlaps a gold answer. Rows of one pair form a group: the model is trained to
 * rank a group's answer units first.
 *
 *   node_modules/.bin/node --conditions=tokenfold-source models/recipe/prepare.ts [out-dir] [split]
 *
 * Writes to out-dir (default /tmp/tokenfold-relevance): meta.json (feature names, hashing
 * settings, groups with their article and the unit ranges of each answer), features.f32,
 * unit_ids.i32, query_ids.i32, labels.u8 and costs.f32 (characters of each unit with the
 * whitespace after it), little-endian, row-major. `split` is `train` (default) or `evaluation`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { splitClauses, splitSentences } from '../../core/compressors/sentences.ts';
import { DEFAULT_FEATURE_SETTINGS, FEATURE_NAMES, unitFeatures } from '../features.ts';
import { loadSquadSplit, type Split } from './squad.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const outDir = resolve(process.argv[2] ?? '/tmp/tokenfold-relevance');
const split = (process.argv[3] ?? 'train') as Split;
const squadPath = join(process.env.TOKENFOLD_CORPORA ?? join(repoRoot, '..', 'shared', 'corpora'), 'qa', 'squad-dev-v2.0.json');

const settings = DEFAULT_FEATURE_SETTINGS;
const features: Float32Array[] = [];
const unitIds: Int32Array[] = [];
const queryIds: Int32Array[] = [];
const labels: number[] = [];
const costs: number[] = [];
const groups: Array<{ article: string; plausible: boolean; start: number; count: number; answers: Array<[number, number]> }> = [];
let rows = 0;

for (const paragraph of loadSquadSplit(squadPath, split, { plausible: split === 'train' })) {
  const text = paragraph.context;
  const units = splitClauses(text, splitSentences(text));
  for (const item of paragraph.questions) {
    const inputs = unitFeatures(text, units, item.question, settings);
    features.push(inputs.values);
    unitIds.push(inputs.unitIds);
    queryIds.push(inputs.queryIds);
    const answers: Array<[number, number]> = [];
    const positive = new Uint8Array(units.length);
    for (const [start, end] of item.spans) {
      let first = -1;
      let last = -1;
      units.forEach((unit, u) => {
        if (unit.start < end && unit.end > start) {
          positive[u] = 1;
          if (first === -1) first = u;
          last = u;
        }
      });
      if (first !== -1) answers.push([first, last]);
    }
    units.forEach((unit, u) => {
      labels.push(positive[u]!);
      costs.push((u + 1 < units.length ? units[u + 1]!.start : text.length) - unit.start);
    });
    groups.push({ article: paragraph.title, plausible: item.plausible ?? false, start: rows, count: units.length, answers });
    rows += units.length;
  }
}

mkdirSync(outDir, { recursive: true });
const write = (name: string, data: ArrayBufferView): void => writeFileSync(join(outDir, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
write('features.f32', concat(features, Float32Array));
write('unit_ids.i32', concat(unitIds, Int32Array));
write('query_ids.i32', concat(queryIds, Int32Array));
write('labels.u8', Uint8Array.from(labels));
write('costs.f32', Float32Array.from(costs));
writeFileSync(
  join(outDir, 'meta.json'),
  JSON.stringify({ split, rows, featureNames: FEATURE_NAMES, settings, groups }, null, 0),
);
console.log(`prepare: ${split}: ${groups.length} questions, ${rows} unit rows, ${FEATURE_NAMES.length} features -> ${outDir}`);

function concat<T extends Float32Array | Int32Array>(parts: T[], type: { new (length: number): T }): T {
  const all = new type(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}
