/*
 * Bundles the two encodings tokenfold counts with (o200k_base, cl100k_base) out of gpt-tokenizer
 * into dist/vendor/gpt-tokenizer/, as part of `npm run build`. gpt-tokenizer ships every encoding
 * three times over (CommonJS, ESM, sources: 29 MB installed); these two bundles are 3.6 MB, which
 * keeps `npm i tokenfold` under its size target (issue 13). The package.json `imports` field maps
 * `#gpt-tokenizer/*` to these files in the built package, and to gpt-tokenizer itself (a dev
 * dependency) when the sources run with `--conditions=tokenfold-source`.
 *
 *   node scripts/vendor-tokenizer.ts
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const target = join(root, 'dist', 'vendor', 'gpt-tokenizer');
const require = createRequire(import.meta.url);
mkdirSync(target, { recursive: true });
for (const encoding of ['o200k_base', 'cl100k_base']) {
  await build({
    // The ESM build (require.resolve would pick the CommonJS one).
    entryPoints: [fileURLToPath(import.meta.resolve(`gpt-tokenizer/encoding/${encoding}`))],
    outfile: join(target, `${encoding}.js`),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    legalComments: 'inline',
    // As UTF-8, not \u escapes: the rank tables are mostly non-ASCII text, and escapes add 40%.
    charset: 'utf8',
    minifyWhitespace: true,
    logLevel: 'warning',
  });
}
// The licence travels with the code it covers.
copyFileSync(join(dirname(require.resolve('gpt-tokenizer/package.json')), 'LICENSE'), join(target, 'LICENSE'));
