import { readFileSync } from 'node:fs';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { encode } from '@toon-format/toon';
const C = '../shared/corpora/';
for (const f of ['logs/loghub/OpenStack_2k.log', 'json/simdjson/citm_catalog.json', 'json/simdjson/twitter.json']) {
  const text = readFileSync(C + f, 'utf8');
  let t = performance.now();
  const n = countTokens(text, { disallowedSpecial: new Set() });
  const dt = performance.now() - t;
  t = performance.now();
  const n2 = countTokens(text, { disallowedSpecial: new Set() });
  const dt2 = performance.now() - t;
  console.log(f, text.length, n, dt.toFixed(1), dt2.toFixed(1), (text.length / 1e6 / (dt2 / 1000)).toFixed(2), 'MB/s');
  if (f.endsWith('.json')) { t = performance.now(); const s = encode(JSON.parse(text)); console.log('toon', s.length, (performance.now() - t).toFixed(1)); }
}
