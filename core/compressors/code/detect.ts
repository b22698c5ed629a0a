import type { CodeLanguage } from './languages.ts';

/*
 * Which language a source file is in.
 *
 * The language comes from the file name when the tool gave one, else from the content: a shebang,
 * `<?php`, then a score of lines that only one language writes (`package main`, `fn x(`, `end`
 * alone on a line, `#include`, `using System;` ...). Detection returns candidates in order, so
 * that an ambiguous file (C or C++, TypeScript with or without JSX) can be parsed with the next
 * grammar when the first one chokes.
 */

const EXTENSIONS: Record<string, CodeLanguage> = {
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'tsx',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript',
  py: 'python', pyi: 'python', pyw: 'python',
  go: 'go', rs: 'rust', java: 'java',
  c: 'c', h: 'c',
  cc: 'cpp', cpp: 'cpp', cxx: 'cpp', 'c++': 'cpp', hpp: 'cpp', hh: 'cpp', hxx: 'cpp', 'h++': 'cpp', ipp: 'cpp', tcc: 'cpp', inl: 'cpp', ino: 'cpp',
  cs: 'csharp',
  rb: 'ruby', rake: 'ruby', gemspec: 'ruby', ru: 'ruby',
  php: 'php', phtml: 'php', php3: 'php', php4: 'php', php5: 'php', php7: 'php', phps: 'php',
  kt: 'kotlin', kts: 'kotlin', swift: 'swift', scala: 'scala', sc: 'scala', sbt: 'scala',
  sh: 'bash', bash: 'bash', zsh: 'bash', ksh: 'bash', lua: 'lua',
  yaml: 'yaml', yml: 'yaml', toml: 'toml',
};
const RUBY_FILE_NAMES = new Set(['rakefile', 'gemfile', 'guardfile', 'vagrantfile', 'podfile', 'fastfile', 'brewfile']);

// Grammars that parse what another one fails on: the second try for an ambiguous file.
const SECOND_CHOICE: Partial<Record<CodeLanguage, CodeLanguage>> = {
  typescript: 'tsx', tsx: 'typescript', javascript: 'typescript', c: 'cpp', cpp: 'c',
};

/**
 * The grammars to try for a file, best first (at most two), or none when no language fits. The
 * file name decides when it has a known extension; otherwise the content does.
 *
 * @example
 * codeLanguages('int main(void) { return 0; }', 'main.c'); // ['c', 'cpp']
 */
export function codeLanguages(text: string, fileName?: string): CodeLanguage[] {
  const byName = fileName ? languageOfFileName(fileName) : undefined;
  if (byName === 'c' && /\.h$/i.test(fileName!) && languageScores(text, ['cpp']).cpp >= 3) return ['cpp', 'c'];
  if (byName) return withSecondChoice(byName);
  const byContent = detectLanguage(text);
  return byContent ? withSecondChoice(byContent) : [];
}

function withSecondChoice(language: CodeLanguage): CodeLanguage[] {
  const second = SECOND_CHOICE[language];
  return second ? [language, second] : [language];
}

/** The language a file name says, if its extension (or name, for `Rakefile` and kin) is known. */
export function languageOfFileName(fileName: string): CodeLanguage | undefined {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1).toLowerCase();
  if (RUBY_FILE_NAMES.has(base)) return 'ruby';
  const dot = base.lastIndexOf('.');
  return dot === -1 ? undefined : EXTENSIONS[base.slice(dot + 1)];
}

const SHEBANGS: Array<[RegExp, CodeLanguage]> = [
  [/\bpython[\d.]*\b/, 'python'],
  [/\b(ts-node|tsx|deno|bun)\b/, 'typescript'],
  [/\bnode(js)?\b/, 'javascript'],
  [/\bruby\b/, 'ruby'],
  [/\bphp\b/, 'php'],
  [/\blua[\d.]*\b/, 'lua'],
  [/\b(ba|z|k|da)?sh\b/, 'bash'],
];

// Lines that one language writes and the others rarely do, with how much each says.
type Signals = Array<[RegExp, number]>;
const SIGNALS: Record<'python' | 'ruby' | 'go' | 'rust' | 'java' | 'csharp' | 'c' | 'cpp' | 'javascript' | 'typescript' | 'php', Signals> = {
  python: [
    [/^(from [\w.]+ import |import [\w.]+(, [\w.]+)*\s*$)/, 3],
    [/^\s*(async\s+)?def \w+\s*\(.*:\s*$/, 4],
    [/^\s*class \w+(\(.*\))?:\s*$/, 4],
    [/^\s*(elif\b.*|else|try|finally|except\b.*|with\b.*):\s*$/, 2],
    [/\bself\.\w+|\bNone\b|\bTrue\b|\bFalse\b/, 1],
  ],
  ruby: [
    [/^\s*def (self\.)?\w+[?!=]?(\(.*\))?\s*$/, 3],
    [/^\s*end\s*$/, 2],
    [/^\s*(module|class) [A-Z]\w*(::\w+)*( < [\w:]+)?\s*$/, 3],
    [/^\s*require(_relative)? ['"]/, 3],
    [/\bdo( \|[^|]*\|)?\s*$/, 2],
    [/^\s*(attr_(reader|writer|accessor)|include|extend|puts) /, 2],
  ],
  go: [
    [/^package \w+\s*$/, 5],
    [/^func /, 4],
    [/^import \(\s*$/, 3],
    [/^\s*type \w+ (struct|interface) \{/, 4],
    [/\berr != nil\b/, 3],
    [/ := /, 1],
  ],
  rust: [
    [/^\s*(pub(\([\w:]+\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn \w+/, 4],
    [/^\s*(pub(\([\w:]+\))?\s+)(struct|enum|trait|mod|type) \w+/, 3],
    [/^\s*impl\b/, 4],
    [/^\s*use \w+(::[\w{}*, ]+)+;/, 4],
    [/\blet mut \w+|&self\b|&mut \w+|\bSome\(|\bOk\(\(\)\)/, 3],
    [/^\s*#!?\[\w+/, 2],
  ],
  java: [
    [/^package [\w.]+;\s*$/, 5],
    [/^import (static )?[\w.]+(\.\*)?;\s*$/, 3],
    [/@Override\b|System\.out\.|\bString\[\]|\bthrows \w+/, 3],
    [/^\s*(public|private|protected)\s+(static\s+)?(final\s+)?(abstract\s+)?(class|interface|enum|record)\s/, 2],
  ],
  csharp: [
    [/^using (static )?[\w.]+;\s*$/, 4],
    [/^\s*namespace [\w.]+\s*[{;]?\s*$/, 2],
    [/\{\s*get;|\bget\s*\{|\bset\s*\{|\bget\s*=>/, 4],
    [/^\s*\[\w+(\(.*\))?\]\s*$/, 2],
    [/\binternal\b|\basync Task\b|\bnameof\(|\bstring\[\] args\b|\bvar \w+ = new\b/, 3],
  ],
  c: [
    [/^#include\s*[<"]/, 2],
    [/^#\s*(define|ifndef|ifdef|endif|if|pragma|undef)\b/, 1],
    [/^(static\s+)?(inline\s+)?(const\s+)?(unsigned\s+|signed\s+)?(void|int|char|long|short|float|double|size_t|bool|struct \w+|\w+_t)\s*\**\s*\w+\s*\(/, 3],
    [/\btypedef\b|\bNULL\b|\bmalloc\(|\bsizeof\b|\bprintf\(/, 1],
  ],
  cpp: [
    [/^#include\s*<(iostream|vector|string|memory|map|set|algorithm|cstdint|cstdio|cstdlib|cstring|utility|functional|unordered_map|array|optional|thread|mutex)>/, 4],
    [/\bstd::/, 3],
    [/^\s*template\s*</, 4],
    [/^\s*(public|private|protected):\s*$/, 3],
    [/\bnullptr\b|\bconstexpr\b|^\s*namespace \w+\s*\{|\bvirtual\b|\w::~?\w+\(/, 2],
  ],
  javascript: [
    [/^\s*(const|let|var) \w+ = require\(/, 3],
    [/\bmodule\.exports\b|^\s*exports\.\w+ = /, 3],
    [/^\s*(export\s+)?(default\s+)?(async\s+)?function\*?\s*\w*\s*\(/, 2],
    [/^import .* from ['"]|^export (default|const|function|class|\{)/, 3],
    [/^\s*(const|var) \w+ = /, 1], // not `let`: Rust writes it as often
    [/\bconsole\.\w+\(|\bdocument\.|\bwindow\.|===|=> \{/, 1],
  ],
  typescript: [
    [/:\s*(string|number|boolean|void|any|unknown|never)\b/, 3],
    [/^\s*(export\s+)?(declare\s+)?type\s+\w+(<[^>]*>)?\s*=/, 4],
    [/^\s*(export\s+)?(declare\s+)?interface\s+\w+/, 3],
    [/\b(private|public|protected|readonly)\s+\w+\s*[?:]/, 2],
    [/\bas (const|unknown|any|string)\b|^import type |^\s*(export )?(const|let) \w+: /, 3],
  ],
  php: [
    [/<\?php/, 10],
    [/^\s*(public|private|protected)?\s*(static\s+)?function \w+\s*\(.*\$/, 4],
    [/^\s*\$\w+\s*=/, 2],
    [/^namespace [\w\\]+;|^use [\w\\]+;/, 3],
  ],
};

type Scores = Record<keyof typeof SIGNALS, number>;

const SAMPLE_LINES = 300;
const SAMPLE_LINE_CHARS = 300;

/** How strongly the first lines of `text` look like each language (of `languages`, default all). */
function languageScores(text: string, languages = Object.keys(SIGNALS) as Array<keyof Scores>): Scores {
  const scores = Object.fromEntries(Object.keys(SIGNALS).map((name) => [name, 0])) as Scores;
  let start = 0;
  for (let count = 0; count < SAMPLE_LINES && start < text.length; count++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    // Long lines are cut: the signals all sit near the start of a line.
    const line = text.slice(start, Math.min(end, start + SAMPLE_LINE_CHARS));
    start = end + 1;
    if (line.trim() === '') continue;
    for (const name of languages) {
      for (const [pattern, weight] of SIGNALS[name]) if (pattern.test(line)) scores[name] += weight;
    }
  }
  return scores;
}

// A file must show this much evidence before a grammar is chosen for it from content alone.
const MIN_SCORE = 6;

/** The language of a source text from its content, or `undefined` when nothing is convincing. */
export function detectLanguage(text: string): CodeLanguage | undefined {
  const head = text.slice(0, 256);
  if (head.startsWith('#!')) {
    const shebang = head.slice(0, head.indexOf('\n') === -1 ? head.length : head.indexOf('\n'));
    for (const [pattern, language] of SHEBANGS) if (pattern.test(shebang)) return language;
  }
  if (/^\s*<\?php/.test(head)) return 'php';

  const scores = languageScores(text);
  // TypeScript is JavaScript plus types: its own signals only decide between the two.
  const family = { ...scores, typescript: 0, javascript: scores.javascript + scores.typescript };
  let best: keyof Scores = 'javascript';
  for (const name of Object.keys(family) as Array<keyof Scores>) if (family[name] > family[best]) best = name;
  if (family[best] < MIN_SCORE) return undefined;
  if (best === 'javascript') {
    if (scores.typescript < 4) return 'javascript';
    return /<\/[A-Za-z][\w.]*>|\/>\s*$/m.test(text.slice(0, 64 * 1024)) ? 'tsx' : 'typescript';
  }
  if (best === 'c' && scores.cpp >= 3) return 'cpp';
  return best;
}
