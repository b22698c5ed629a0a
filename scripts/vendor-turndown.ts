/*
 * Bundles turndown and turndown-plugin-gfm (the HTML compressor's DOM-to-Markdown step) into
 * dist/vendor/turndown/, as part of `npm run build`. turndown depends on @mixmark-io/domino
 * (8.7 MB installed) to parse HTML strings in Node; tokenfold hands it linkedom's DOM nodes and
 * never a string, so its browser build, which has no such dependency, is the one bundled, and
 * `npm i tokenfold` does not install domino (issue 13's size target). The package.json
 * `imports` field maps `#turndown` and `#turndown-plugin-gfm` to these files in the built
 * package, and to the packages themselves (dev dependencies) with `--conditions=tokenfold-source`.
 *
 *   node scripts/vendor-turndown.ts
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const target = join(root, 'dist', 'vendor', 'turndown');
const require = createRequire(import.meta.url);
mkdirSync(target, { recursive: true });
const bundles = [
  { name: 'turndown', entry: 'turndown/lib/turndown.browser.es.js' },
  { name: 'turndown-plugin-gfm', entry: 'turndown-plugin-gfm/lib/turndown-plugin-gfm.browser.es.js' },
];
for (const { name, entry } of bundles) {
  await build({
    entryPoints: [require.resolve(entry)],
    outfile: join(target, `${name}.js`),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    legalComments: 'inline',
    logLevel: 'warning',
  });
  // The licence travels with the code it covers.
  copyFileSync(join(dirname(require.resolve(`${name}/package.json`)), 'LICENSE'), join(target, `${name}.LICENSE`));
}
