import fs from 'node:fs';
const obs = JSON.parse(fs.readFileSync('/tmp/obs.json', 'utf8'));
for (const o of obs) {
  const a = String(o.action);
  if (/pip install|python reproduce|pytest|test/.test(a.split('\n')[0])) {
    console.log('=====', o.f.slice(0,40), o.i, '| ACTION:', a.slice(0,150));
    console.log(o.obs.slice(0, 7000));
  }
}
