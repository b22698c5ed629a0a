import fc from 'fast-check';

/*
 * fast-check generators of tool outputs, each shaped like the real thing closely enough that the
 * router sends it to its specialist: logs, JSON arrays of records, build and test output, grep
 * results, unified diffs, prose and source code, plus plain random text. Shared by the property tests and the
 * reliability bench. Every generator avoids `[[fold ` look-alikes unless asked, so that "never
 * longer than the input" can be checked without the cost of escaping.
 */

/** A generated input and what the router is expected to call it (`undefined`: anything). */
export interface GeneratedInput {
  family: 'log' | 'json' | 'build' | 'search' | 'diff' | 'text' | 'code' | 'random';
  text: string;
}

const word = fc.constantFrom(
  'request', 'user', 'cache', 'worker', 'session', 'timeout', 'payment', 'order', 'retry', 'disk',
  'alpha', 'beta', 'node', 'queue', 'token', 'the', 'of', 'and', 'in', 'a', 'Zürich', 'naïve', '数据', '🙂',
);
const words = (min: number, max: number) => fc.array(word, { minLength: min, maxLength: max }).map((list) => list.join(' '));
// Printable text that may hold anything a tool prints, marker look-alikes aside.
const noise = fc.string({ unit: 'grapheme', maxLength: 60 }).map((text) => text.replaceAll('[[', '[ [').replaceAll('\n', ' '));
const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
const path = fc
  .tuple(fc.constantFrom('src', 'lib', 'test', 'packages/core/src', 'app'), identifier, fc.constantFrom('ts', 'py', 'go', 'rs', 'js'))
  .map(([folder, name, extension]) => `${folder}/${name}.${extension}`);

/** Application log lines: a few templates, levels, timestamps, the odd stack trace and junk line. */
export const logInput: fc.Arbitrary<GeneratedInput> = fc
  .array(
    fc.oneof(
      { weight: 40, arbitrary: fc.tuple(
        fc.integer({ min: 0, max: 86_399 }),
        fc.constantFrom('INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'),
        fc.constantFrom('api', 'api', 'api', 'db', 'auth'),
        fc.constantFrom('handled request', 'handled request', 'handled request', 'connection opened to', 'cache miss on', 'failed to reach'),
        fc.integer({ min: 0, max: 99_999 }),
        fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: words(1, 4) }),
      ).map(([seconds, level, component, message, number, extra]) => {
        const time = new Date(Date.UTC(2024, 2, 1, 0, 0, seconds)).toISOString().replace('T', ' ').slice(0, 19);
        return `${time} ${level} [${component}] ${message} ${number}${extra ? ` ${extra}` : ''}`;
      }) },
      { weight: 1, arbitrary: fc.tuple(identifier, fc.integer({ min: 1, max: 999 })).map(([name, line]) => `\tat com.example.${name}(${name}.java:${line})`) },
      { weight: 1, arbitrary: noise },
    ),
    { minLength: 1, maxLength: 300, size: 'medium' },
  )
  .map((lines) => ({ family: 'log', text: lines.join('\n') }));

const jsonValue = fc.oneof(
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  noise,
  fc.constantFrom('ok', 'ok', 'ok', 'failed', 'pending', 'https://example.com/api/v1/items?page=2'),
);

/** A JSON array of records with a unique `id` each, compact or indented, sometimes wrapped. */
export const jsonInput: fc.Arbitrary<GeneratedInput> = fc
  .tuple(
    fc.array(
      fc.record(
        {
          status: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'error', 'timeout'),
          name: noise,
          value: jsonValue,
          tags: fc.array(word, { maxLength: 3 }),
          meta: fc.option(fc.dictionary(identifier, jsonValue, { maxKeys: 3 }), { nil: undefined }),
        },
        { requiredKeys: ['status', 'name'] },
      ),
      { minLength: 1, maxLength: 120, size: 'medium' },
    ),
    fc.constantFrom(0, 2),
    fc.boolean(),
  )
  .map(([rows, indent, wrapped]) => {
    const records = rows.map((row, index) => ({ id: 100_000 + index, ...row }));
    const document = wrapped ? { total: records.length, items: records } : records;
    return { family: 'json', text: JSON.stringify(document, null, indent) };
  });

/** Test-runner and compiler output: passing tests, failures with stacks, tsc errors, totals. */
export const buildInput: fc.Arbitrary<GeneratedInput> = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.tuple(words(1, 4), fc.integer({ min: 0, max: 900 })).map(([name, ms]) => `  ✓ ${name} (${ms} ms)`) },
      { weight: 2, arbitrary: path.map((file) => `PASS ${file}`) },
      { weight: 1, arbitrary: fc.tuple(path, words(1, 3)).map(([file, name]) => `FAIL ${file}\n  ● ${name}\n\n    expect(received).toBe(expected)\n\n      at Object.<anonymous> (${file}:12:5)`) },
      { weight: 1, arbitrary: fc.tuple(path, fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 2000, max: 2999 }), words(2, 6)).map(([file, line, column, code, text]) => `${file}(${line},${column}): error TS${code}: ${text}`) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map((count) => `ok ${count} - test ${count}`) },
      { weight: 1, arbitrary: noise },
    ),
    { minLength: 1, maxLength: 250, size: 'medium' },
  )
  .chain((lines) =>
    fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 300 })).map(([failed, passed]) => ({
      family: 'build' as const,
      text: `${lines.join('\n')}\nTests:       ${failed} failed, ${passed} passed, ${failed + passed} total\nTest Suites: 1 total`,
    })),
  );

/** grep -n / ripgrep lines: `path:line:content`, context lines `path-line-content`, `--`. */
export const searchInput: fc.Arbitrary<GeneratedInput> = fc
  .array(
    fc.tuple(path, fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.boolean(), words(1, 8)), { minLength: 1, maxLength: 30 })),
    { minLength: 1, maxLength: 20 },
  )
  .map((files) => ({
    family: 'search',
    text: files
      .map(([file, hits]) => hits.map(([line, context, content]) => `${file}${context ? '-' : ':'}${line}${context ? '-' : ':'}${content}`).join('\n'))
      .join('\n--\n'),
  }));

/** Unified diffs with consistent hunk headers, sometimes with a commit message or a lockfile. */
export const diffInput: fc.Arbitrary<GeneratedInput> = fc
  .tuple(
    fc.option(words(3, 12), { nil: undefined }),
    fc.array(
      fc.tuple(
        fc.oneof(path, fc.constant('package-lock.json')),
        fc.array(fc.array(fc.tuple(fc.constantFrom(' ', ' ', ' ', '+', '-'), words(0, 8)), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
      ),
      { minLength: 1, maxLength: 5 },
    ),
  )
  .map(([message, files]) => {
    const out: string[] = message ? [`commit 0123456789abcdef`, '', `    ${message}`, ''] : [];
    for (const [file, hunks] of files) {
      out.push(`diff --git a/${file} b/${file}`, 'index 1111111..2222222 100644', `--- a/${file}`, `+++ b/${file}`);
      let start = 1;
      for (const hunk of hunks) {
        const before = hunk.filter(([sign]) => sign !== '+').length;
        const after = hunk.filter(([sign]) => sign !== '-').length;
        out.push(`@@ -${start},${before} +${start},${after} @@`);
        for (const [sign, text] of hunk) out.push(`${sign}${text}`);
        start += before + 10;
      }
    }
    return { family: 'diff', text: out.join('\n') };
  });

/** Prose: headings, paragraphs of sentences, list items. */
export const textInput: fc.Arbitrary<GeneratedInput> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.array(words(3, 18).map((sentence) => `${sentence[0]?.toUpperCase() ?? ''}${sentence.slice(1)}.`), { minLength: 1, maxLength: 8 }).map((sentences) => sentences.join(' ')) },
      { weight: 1, arbitrary: words(1, 5).map((heading) => `## ${heading}`) },
      { weight: 1, arbitrary: fc.array(words(2, 8).map((item) => `- ${item}`), { minLength: 1, maxLength: 6 }).map((items) => items.join('\n')) },
    ),
    { minLength: 1, maxLength: 30 },
  )
  .map((blocks) => ({ family: 'text', text: blocks.join('\n\n') }));

/** TypeScript-like source: imports, an interface, functions and a class with bodies to fold. */
export const codeInput: fc.Arbitrary<GeneratedInput> = fc
  .tuple(
    fc.array(identifier, { minLength: 1, maxLength: 4 }),
    fc.array(
      fc.tuple(identifier, fc.array(identifier, { maxLength: 3 }), fc.array(fc.tuple(identifier, words(0, 5)), { minLength: 1, maxLength: 14 })),
      { minLength: 1, maxLength: 12 },
    ),
  )
  .map(([imports, functions]) => {
    const out = imports.map((name) => `import { ${name} } from './${name}.ts';`);
    out.push('', 'export interface Options {', '  name: string;', '  retries?: number;', '}', '');
    for (const [name, parameters, body] of functions) {
      out.push(`/** Does ${name}. */`, `export function ${name}(${parameters.map((parameter) => `${parameter}: string`).join(', ')}): number {`);
      for (const [variable, comment] of body) out.push(`  const ${variable} = ${JSON.stringify(comment)}.length; // ${comment}`);
      out.push('  return 0;', '}', '');
    }
    return { family: 'code', text: out.join('\n') };
  });

/** Anything at all: random graphemes and control characters, on one line or many. */
export const randomInput: fc.Arbitrary<GeneratedInput> = fc
  .oneof(fc.string({ unit: 'grapheme', maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 500 }), fc.array(noise, { maxLength: 200 }).map((lines) => lines.join('\n')))
  .map((text) => ({ family: 'random', text: text.replaceAll('[[', '[ [') }));

/** Every family, mixed: what the router sees. */
export const anyInput: fc.Arbitrary<GeneratedInput> = fc.oneof(logInput, jsonInput, buildInput, searchInput, diffInput, textInput, codeInput, randomInput);

/** The generator for each family, by name. */
export const inputsByFamily: Record<GeneratedInput['family'], fc.Arbitrary<GeneratedInput>> = {
  log: logInput,
  json: jsonInput,
  build: buildInput,
  search: searchInput,
  diff: diffInput,
  text: textInput,
  code: codeInput,
  random: randomInput,
};
