import fs from 'node:fs';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
const f = process.argv[2];
const t = fs.readFileSync(f,'utf8'); const v = JSON.parse(t);
console.log('orig', countTokens(t), 'min', countTokens(JSON.stringify(v)));
if (v.jobs) {
 const rows = v.jobs.filter(j=>j.color!=='blue').map(j=>JSON.stringify([j.name,j.url,j.color])).join('\n');
 console.log('nonblue table', countTokens(rows), 'min rows', countTokens(v.jobs.filter(j=>j.color!=='blue').map(j=>JSON.stringify(j)).join('\n')));
}
