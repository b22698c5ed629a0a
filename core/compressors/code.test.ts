import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compress, detect, findMarkers, unfold } from 'tokenfold';
import { estimateTokens } from '../tokens.ts';
import type { CompressorContext, FoldRequest, Piece } from '../types.ts';
import { compressCode, prepareCode } from './code.ts';
import { codeLanguages, detectLanguage } from './code/languages.ts';
import { loadCodeParsers, loadedParser } from './code/parsers.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

// ---- helpers ------------------------------------------------------------------------------

/** `count` lines of plain statements, one per language style, at `indent`. */
function body(style: 'c' | 'js' | 'py' | 'go' | 'rs' | 'rb' | 'php', indent: string, count = 14): string {
  const line = {
    c: (i: number) => `int value${i} = compute(${i}, "item-${i}");`,
    js: (i: number) => `const value${i} = compute(${i}, "item-${i}");`,
    py: (i: number) => `value_${i} = compute(${i}, "item-${i}")`,
    go: (i: number) => `value${i} := compute(${i}, "item-${i}")`,
    rs: (i: number) => `let value${i} = compute(${i}, "item-${i}");`,
    rb: (i: number) => `value_${i} = compute(${i}, "item-${i}")`,
    php: (i: number) => `$value${i} = compute(${i}, "item-${i}");`,
  }[style];
  return Array.from({ length: count }, (_, i) => indent + line(i)).join('\n');
}

function context(text: string, overrides: Partial<CompressorContext> = {}): CompressorContext {
  return {
    query: '',
    // Just under the input: the outline is wanted, at its most detailed level.
    budget: estimateTokens(text) - 1,
    countTokens: estimateTokens,
    estimateTokens,
    ...overrides,
  };
}

interface Outline {
  /** Visible lines by their 1-based number. */
  visible: Map<number, string>;
  folds: FoldRequest[];
}

/**
 * Reads a compressor's pieces back, checking on the way that every gutter number is the line's
 * number in `source`, every visible line is that line verbatim, every fold holds the exact lines
 * from its `firstLine`, and that visible lines and folds cover the source once, in order.
 */
function readOutline(source: string, pieces: Piece[]): Outline {
  const original = source.split('\n');
  if (original[original.length - 1] === '') original.pop();
  const folds = pieces.filter((piece): piece is FoldRequest => typeof piece !== 'string');
  const rendered = pieces.map((piece) => (typeof piece === 'string' ? piece : `\u0000${folds.indexOf(piece)}\u0000`)).join('');
  const visible = new Map<number, string>();
  let next = 1;
  for (const line of rendered.split('\n')) {
    if (line === '') continue;
    const match = /^(\d+)\t(.*)$/s.exec(line);
    assert.ok(match, `an output line without a line number: ${JSON.stringify(line)}`);
    const number = Number(match[1]);
    assert.equal(number, next, `line ${number} shown where line ${next} was due`);
    const fold = /\u0000(\d+)\u0000/.exec(match[2]!);
    if (fold) {
      const request = folds[Number(fold[1])]!;
      assert.equal(request.firstLine, number);
      const lines = request.unit === 'lines' ? request.count : 1;
      assert.equal(request.text, original.slice(number - 1, number - 1 + lines).join('\n'));
      next += lines;
    } else {
      assert.equal(match[2], original[number - 1], `line ${number} differs`);
      visible.set(number, match[2]!);
      next++;
    }
  }
  assert.equal(next - 1, original.length, 'visible lines and folds cover the whole input');
  return { visible, folds };
}

/** The 1-based number of the first source line containing `needle`. */
function lineOf(source: string, needle: string): number {
  const index = source.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `sample has no line with ${JSON.stringify(needle)}`);
  return index + 1;
}

function isFolded(outline: Outline, line: number): boolean {
  return outline.folds.some((fold) => fold.firstLine! <= line && line < fold.firstLine! + fold.count);
}

async function outlineOf(source: string, fileName: string, overrides: Partial<CompressorContext> = {}): Promise<Outline> {
  await prepareCode(source, { fileName });
  const pieces = compressCode(source, context(source, { fileName, ...overrides }));
  assert.ok(pieces, 'the sample is outlined');
  return readOutline(source, pieces);
}

// ---- one sample per language --------------------------------------------------------------

interface Sample {
  language: string;
  fileName: string;
  source: string;
  /** Lines (by a substring) that must stay visible: signatures, decorators, doc first lines. */
  visible: string[];
  /** Lines that must be folded away: function bodies, the rest of doc comments. */
  folded: string[];
}

const samples: Sample[] = [
  {
    language: 'TypeScript',
    fileName: 'src/config.ts',
    source: `import { readFile } from 'node:fs/promises';

/**
 * Reads configuration files.
 * Second line of the doc.
 * Third line of the doc, with more words in it to be worth a fold.
 * Fourth line of the doc, with more words in it to be worth a fold.
 */
@injectable()
export class ConfigReader {
  private cache = new Map<string, string>();

  async read(
    path: string,
    encoding: BufferEncoding = 'utf8',
  ): Promise<string> {
${body('js', '    ')}
  }
}

export interface Options {
  strict: boolean;
  path?: string;
  encoding?: BufferEncoding;
  retries?: number;
  onChange?: (path: string, text: string) => void;
}

export function parseConfig(text: string): Record<string, string> {
${body('js', '  ')}
}
`,
    visible: ['@injectable()', 'export class ConfigReader {', ' * Reads configuration files.', 'private cache', 'async read(', 'path: string,', '): Promise<string> {', 'strict: boolean;', 'export function parseConfig'],
    folded: ['Second line of the doc', 'const value0', 'const value13'],
  },
  {
    language: 'TSX',
    fileName: 'src/App.tsx',
    source: `import React, { useMemo } from 'react';

export function App({ title }: { title: string }) {
${body('js', '  ')}
  return (
    <div className="app">
      <h1>{title}</h1>
    </div>
  );
}

export const Header = ({ text }: { text: string }) => {
${body('js', '  ')}
  return <header>{text}</header>;
};
`,
    visible: ['export function App(', 'export const Header = '],
    folded: ['<h1>{title}</h1>', 'return <header>'],
  },
  {
    language: 'JavaScript',
    fileName: 'lib/config.js',
    source: `'use strict';
const fs = require('fs');

/**
 * Reads configuration.
 */
class Reader {
  read(path) {
${body('js', '    ')}
  }
}

module.exports = {
  parse(text) {
${body('js', '    ')}
  },
  DEFAULTS: 1,
};
`,
    visible: ["const fs = require('fs');", ' * Reads configuration.', 'class Reader {', 'read(path) {', 'module.exports = {', 'parse(text) {'],
    folded: ['const value3 ='],
  },
  {
    language: 'Python',
    fileName: 'config.py',
    source: `import os
from typing import Optional


@dataclass(frozen=True)
class Settings:
    """Holds settings.

    More text here, enough of it to be worth folding away from view.
    And more text here, enough of it to be worth folding away from view.
    """

    name: str = "x"

    def load(self,
             path: str,
             strict: bool = False) -> "Settings":
        """Loads settings from a file.

        Details that fold with the body.
        """
${body('py', '        ')}

    @property
    def size(self) -> int:
${body('py', '        ')}


def parse_settings(text: str) -> dict:
${body('py', '    ')}
`,
    visible: ['@dataclass(frozen=True)', 'class Settings:', '"""Holds settings.', 'name: str = "x"', 'def load(self,', 'path: str,', 'strict: bool = False) -> "Settings":', '"""Loads settings from a file.', '@property', 'def size(self)', 'def parse_settings'],
    folded: ['More text here', 'Details that fold', 'value_0 = compute', 'value_13 = compute'],
  },
  {
    language: 'Go',
    fileName: 'config/reader.go',
    source: `package config

import (
	"fmt"
	"os"
)

// Reader reads configuration.
// It caches what it read, which is worth a line or two of explanation here.
// And a third line, to be worth a fold of its own in the outline.
type Reader struct {
	cache map[string]string
	path  string
}

// Read reads a file.
func (r *Reader) Read(path string,
	strict bool) (string, error) {
${body('go', '\t')}
	return "", nil
}

func Parse(text string) map[string]string {
${body('go', '\t')}
	return nil
}
`,
    visible: ['package config', '"fmt"', '// Reader reads configuration.', 'type Reader struct {', 'cache map[string]string', '// Read reads a file.', 'func (r *Reader) Read(path string,', 'strict bool) (string, error) {', 'func Parse('],
    folded: ['value0 :=', 'value13 :='],
  },
  {
    language: 'Rust',
    fileName: 'src/reader.rs',
    source: `use std::collections::HashMap;

/// Reads configuration.
#[derive(Debug, Clone)]
pub struct Reader {
    cache: HashMap<String, String>,
}

impl Reader {
    /// Creates a reader.
    pub fn new() -> Self {
${body('rs', '        ')}
        Reader { cache: HashMap::new() }
    }

    pub fn read(
        &mut self,
        path: &str,
    ) -> Result<String, std::io::Error> {
${body('rs', '        ')}
        Ok(String::new())
    }
}

pub fn parse(text: &str) -> HashMap<String, String> {
${body('rs', '    ')}
    HashMap::new()
}
`,
    visible: ['/// Reads configuration.', '#[derive(Debug, Clone)]', 'pub struct Reader {', 'cache: HashMap', 'impl Reader {', '/// Creates a reader.', 'pub fn new() -> Self {', 'pub fn read(', '&mut self,', ') -> Result<String, std::io::Error> {', 'pub fn parse('],
    folded: ['let value0 =', 'Reader { cache: HashMap::new() }'],
  },
  {
    language: 'Java',
    fileName: 'src/main/java/com/example/Reader.java',
    source: `package com.example.config;

import java.util.Map;

/**
 * Reads configuration.
 * More documentation that is long enough to be worth folding away, really.
 * And more documentation that is long enough to be worth folding away.
 */
@Service
public class Reader {
    private final Map<String, String> cache = new HashMap<>();

    @Override
    public String read(String path,
                       boolean strict) throws IOException {
${body('c', '        ')}
        return "";
    }

    static class Inner {
        int size() {
${body('c', '            ')}
            return 0;
        }
    }
}
`,
    visible: ['package com.example.config;', ' * Reads configuration.', '@Service', 'public class Reader {', 'private final Map', '@Override', 'public String read(String path,', 'boolean strict) throws IOException {', 'static class Inner {', 'int size() {'],
    folded: ['More documentation', 'int value0 =', 'return "";'],
  },
  {
    language: 'C',
    fileName: 'src/reader.c',
    source: `#include <stdio.h>
#include <stdlib.h>

#define MAX_SIZE 64

/* Reads configuration.
 * More documentation that is long enough to be worth folding away, really.
 * Folds of one or two short lines cost about what they hide, so a third line.
 * And more documentation that is long enough to be worth folding away. */
struct reader {
    int size;
    char *path;
};

static int
read_config(struct reader *reader,
            const char *path)
{
${body('c', '    ')}
    return 0;
}

int main(int argc, char **argv) {
${body('c', '    ')}
    return 0;
}
`,
    visible: ['#include <stdio.h>', '#define MAX_SIZE 64', '/* Reads configuration.', 'struct reader {', 'int size;', 'static int', 'read_config(struct reader *reader,', 'const char *path)', 'int main(int argc'],
    folded: ['More documentation', 'int value0 ='],
  },
  {
    language: 'C++',
    fileName: 'src/reader.cpp',
    source: `#include <string>

namespace config {

/// Reads configuration.
template <typename T>
class Reader : public Base {
public:
    Reader();
    std::string read(const std::string& path,
                     bool strict) const {
${body('c', '        ')}
        return "";
    }
private:
    int size_;
};

int Reader<int>::other() {
${body('c', '    ')}
    return 1;
}

}  // namespace config
`,
    visible: ['namespace config {', '/// Reads configuration.', 'template <typename T>', 'class Reader : public Base {', 'public:', 'Reader();', 'std::string read(const std::string& path,', 'bool strict) const {', 'int size_;', 'int Reader<int>::other() {'],
    folded: ['int value0 =', 'return 1;'],
  },
  {
    language: 'C#',
    fileName: 'Config/Reader.cs',
    source: `using System;
using System.IO;

namespace Config
{
    /// <summary>Reads configuration.</summary>
    [Serializable]
    public class Reader
    {
        public string Path { get; set; }

        public async Task<string> ReadAsync(string path,
                                            bool strict)
        {
${body('c', '            ')}
            return "";
        }

        public int Size()
        {
${body('c', '            ')}
            return 0;
        }
    }
}
`,
    visible: ['using System;', 'namespace Config', '/// <summary>Reads configuration.</summary>', '[Serializable]', 'public class Reader', 'public string Path { get; set; }', 'public async Task<string> ReadAsync(string path,', 'bool strict)', 'public int Size()'],
    folded: ['int value0 =', 'return "";'],
  },
  {
    language: 'Ruby',
    fileName: 'lib/config/reader.rb',
    source: `require 'json'

# Reads configuration.
# More documentation that is long enough to be worth folding away, really.
# Folds of one or two short lines cost about what they hide, so a third line.
# And more documentation that is long enough to be worth folding away here.
module Config
  class Reader < Base
    attr_reader :path

    def initialize(path)
      @path = path
    end

    def read(path,
             strict: false)
${body('rb', '      ')}
    end
  end
end

def parse(text)
${body('rb', '  ')}
end
`,
    visible: ["require 'json'", '# Reads configuration.', 'module Config', 'class Reader < Base', 'attr_reader :path', 'def initialize(path)', 'def read(path,', 'strict: false)', 'def parse(text)'],
    folded: ['More documentation', 'value_0 = compute'],
  },
  {
    language: 'PHP',
    fileName: 'src/Config/Reader.php',
    source: `<?php
namespace App\\Config;

use Foo\\Bar;

/**
 * Reads configuration.
 * More documentation that is long enough to be worth folding away, really.
 * And more documentation that is long enough to be worth folding away.
 */
#[Attribute]
class Reader extends Base
{
    private array $cache = [];

    public function read(string $path,
                         bool $strict = false): string
    {
${body('php', '        ')}
        return '';
    }
}

function parse_config(string $text): array {
${body('php', '    ')}
    return [];
}
`,
    visible: ['namespace App\\Config;', 'use Foo\\Bar;', ' * Reads configuration.', '#[Attribute]', 'class Reader extends Base', 'private array $cache', 'public function read(string $path,', 'bool $strict = false): string', 'function parse_config('],
    folded: ['More documentation', '$value0 =', "return '';"],
  },
];

describe('compressCode', () => {
  it('outlines by indentation while the grammar is not loaded yet', () => {
    const source = samples.find((sample) => sample.language === 'Go')!.source;
    assert.equal(loadedParser('go'), undefined, 'this test runs before anything loads Go');
    const pieces = compressCode(source, context(source, { fileName: 'reader.go' }));
    assert.ok(pieces);
    const outline = readOutline(source, pieces);
    assert.ok(outline.visible.has(lineOf(source, 'func Parse(')));
    assert.ok(isFolded(outline, lineOf(source, 'value5 :=')));
  });

  for (const sample of samples) {
    it(`outlines ${sample.language}: signatures, decorators and doc first lines stay, bodies fold`, async () => {
      const outline = await outlineOf(sample.source, sample.fileName);
      for (const needle of sample.visible) {
        assert.ok(outline.visible.has(lineOf(sample.source, needle)), `${JSON.stringify(needle)} is visible`);
      }
      for (const needle of sample.folded) {
        assert.ok(isFolded(outline, lineOf(sample.source, needle)), `${JSON.stringify(needle)} is folded`);
      }
    });
  }

  it('folds each body on its own, starting at the body and with original indentation', async () => {
    const sample = samples.find((candidate) => candidate.language === 'Python')!;
    await prepareCode(sample.source, { fileName: sample.fileName });
    const pieces = compressCode(sample.source, context(sample.source, { fileName: sample.fileName }))!;
    const outline = readOutline(sample.source, pieces);
    // `load` keeps its docstring's first line; its fold starts right after it.
    const docstring = lineOf(sample.source, '"""Loads settings from a file.');
    assert.ok(outline.folds.some((fold) => fold.firstLine === docstring + 1));
    const sizeBody = lineOf(sample.source, 'def size(self)') + 1;
    assert.ok(outline.folds.some((fold) => fold.firstLine === sizeBody && fold.text.startsWith('        value_0')));
    // The marker sits at the body's indentation, after its line number.
    const index = pieces.findIndex((piece) => typeof piece !== 'string' && piece.firstLine === sizeBody);
    assert.ok((pieces[index - 1] as string).endsWith(`\n${sizeBody}\t        `));
  });

  it('keeps the body of what the query names open, and folds the others', async () => {
    const sample = samples.find((candidate) => candidate.language === 'TypeScript')!;
    const outline = await outlineOf(sample.source, sample.fileName, { query: 'why does parseConfig return an empty object?' });
    const start = lineOf(sample.source, 'export function parseConfig');
    for (let line = start; line <= start + 15; line++) assert.ok(outline.visible.has(line), `line ${line} is visible`);
    assert.ok(isFolded(outline, lineOf(sample.source, 'const value0 =')), "read's body still folds");
  });

  it('opens the way to a function the query names inside another body', async () => {
    const source = `function outer(options) {
${body('js', '  ')}
  function helper(value) {
${body('js', '    ')}
  }
${body('js', '  ')}
}

function other() {
${body('js', '  ')}
}
`;
    const outline = await outlineOf(source, 'lib/outer.js', { query: 'what does helper do' });
    const helper = lineOf(source, 'function helper(value)');
    for (let line = helper; line <= helper + 15; line++) assert.ok(outline.visible.has(line), `line ${line} is visible`);
    assert.ok(isFolded(outline, lineOf(source, 'function other()') + 1));
  });

  it('unfolds a body byte-exact, whole or by the file’s own line numbers', async () => {
    const sample = samples.find((candidate) => candidate.language === 'Rust')!;
    const result = await compress(sample.source, { kind: 'code', fileName: sample.fileName, minTokens: 0, budget: 256 });
    assert.equal(result.passThrough, undefined);
    const bodyStart = lineOf(sample.source, 'let value0 = compute(0');
    const markerLine = result.text.split('\n').find((line) => line.startsWith(`${bodyStart}\t`))!;
    const [marker] = findMarkers(markerLine);
    assert.ok(marker, `a marker on line ${bodyStart}: ${markerLine}`);
    const original = sample.source.split('\n');

    const whole = await unfold(marker.id);
    assert.equal(whole.status, 'ok');
    if (whole.status !== 'ok') return;
    assert.equal(whole.firstLine, bodyStart);
    assert.equal(whole.text, original.slice(bodyStart - 1, bodyStart - 1 + whole.totalLines).join('\n'));

    const range = await unfold(marker.id, { lines: `${bodyStart + 2}-${bodyStart + 4}` });
    assert.equal(range.status, 'ok');
    const numbered = original.slice(bodyStart + 1, bodyStart + 4).map((line, index) => `${bodyStart + 2 + index}: ${line}`);
    if (range.status === 'ok') assert.equal(range.text, numbered.join('\n'));
  });

  it('gives identical bodies folds of their own, so each unfolds with its own line numbers', async () => {
    const twin = body('js', '  ');
    const source = `function first(a) {\n${twin}\n}\n\nfunction second(b) {\n${twin}\n}\n\nfunction third(c) {\n${body('js', '    ')}\n}\n`;
    const result = await compress(source, { kind: 'code', fileName: 'twins.js', minTokens: 0, budget: 256 });
    assert.ok(result.folds.length >= 2);
    for (const name of ['first', 'second']) {
      const line = lineOf(source, `function ${name}(`) + 1;
      const marker = findMarkers(result.text.split('\n').find((row) => row.startsWith(`${line}\t`)) ?? '')[0];
      assert.ok(marker, `${name}'s body is folded`);
      const back = await unfold(marker.id);
      assert.ok(back.status === 'ok' && back.firstLine === line, `${name}'s fold starts at line ${line}`);
    }
  });

  it('reads the language from the file name, and from the content without one', () => {
    assert.deepEqual(codeLanguages('x', 'a/b/c.py'), ['python']);
    assert.deepEqual(codeLanguages('x', 'main.c'), ['c', 'cpp']);
    assert.deepEqual(codeLanguages('namespace a { template <typename T> class B {}; }\nstd::string s;\n', 'x.h')[0], 'cpp');
    assert.deepEqual(codeLanguages('x', 'Rakefile'), ['ruby']);
    for (const sample of samples) {
      const expected = { TypeScript: 'typescript', TSX: 'tsx', JavaScript: 'javascript', Python: 'python', Go: 'go', Rust: 'rust', Java: 'java', C: 'c', 'C++': 'cpp', 'C#': 'csharp', Ruby: 'ruby', PHP: 'php' }[sample.language];
      assert.equal(detectLanguage(sample.source), expected, sample.language);
    }
    assert.equal(detectLanguage('#!/usr/bin/env python3\nprint(1)\n'), 'python');
    assert.equal(detectLanguage('The quick brown fox.\nIt was not amused.\n'), undefined);
  });

  it('outlines TypeScript whose head reads as JavaScript with the grammar that parses it', async () => {
    // openai's generated resource files: plain functions first, then hundreds of interfaces. The
    // head says JavaScript; JavaScript's grammar turns each `export interface` into errors.
    // More than the 300 lines language detection samples.
    const functions = Array.from({ length: 45 }, (_, i) => `function helper${i}(options, query) {\n${body('js', '  ', 6)}}\n`).join('\n');
    const interfaces = Array.from({ length: 40 }, (_, i) => `export interface UsageBucket${i} {\n  start_time: number;\n  end_time: number;\n  results: Array<UsageResult${i}>;\n}\n`).join('\n');
    const source = `import { APIResource } from './resource';\n\n${functions}\n${interfaces}`;
    assert.equal(codeLanguages(source)[0], 'javascript');
    await prepareCode(source);
    const pieces = compressCode(source, context(source, { budget: Math.round(estimateTokens(source) / 3) }))!;
    const shown = pieces.filter((piece): piece is string => typeof piece === 'string').join('');
    for (let i = 0; i < 40; i++) assert.ok(shown.includes(`export interface UsageBucket${i} {`), `UsageBucket${i}`);
  });

  it('falls back to the indentation outline for a file that does not parse', async () => {
    // Python by name, but mostly not Python: the parse is mostly errors.
    const lines = ['def broken(:'];
    for (let i = 0; i < 60; i++) lines.push(i % 10 === 0 ? `block ${i} {{{ ((( :` : `    nested line ${i} ] ) } with some words in it`);
    const source = `${lines.join('\n')}\n`;
    const outline = await outlineOf(source, 'broken.py');
    assert.ok(outline.visible.has(1));
    assert.ok(outline.folds.length > 0, 'deeper runs fold');
  });

  it('falls back to the indentation outline for a language without a grammar', async () => {
    const source = `package demo

class Greeter(val name: String) {
    fun greet(): String {
${body('rs', '        ')}
        return "hi"
    }

    fun leave(): String {
${body('rs', '        ')}
        return "bye"
    }
}

fun main() {
${body('rs', '    ')}
}
`;
    const outline = await outlineOf(source, 'Greeter.kt');
    for (const needle of ['class Greeter', 'fun greet()', 'fun leave()', 'fun main()']) {
      assert.ok(outline.visible.has(lineOf(source, needle)), needle);
    }
    assert.ok(isFolded(outline, lineOf(source, 'return "hi"')));
  });

  it('outlines a file over the parse cap by indentation', HANG_GUARD, async () => {
    const chunk = `def handler_NAME(request):\n${body('py', '    ', 20)}\n\n`;
    const parts: string[] = [];
    for (let i = 0; parts.join('').length < 2.2 * 1024 * 1024; i++) parts.push(chunk.replace('NAME', String(i)));
    const source = parts.join('');
    await loadCodeParsers(['python']);
    const pieces = compressCode(source, context(source, { fileName: 'huge.py', budget: 1000 }));
    assert.ok(pieces);
    const outline = readOutline(source, pieces);
    assert.ok(outline.visible.has(lineOf(source, 'def handler_500(')));
    assert.ok(isFolded(outline, lineOf(source, 'def handler_500(') + 1));
  });

  it('passes small files and files within the budget through', async () => {
    const sample = samples.find((candidate) => candidate.language === 'Python')!;
    await prepareCode(sample.source, { fileName: 'a.py' });
    const short = sample.source.split('\n').slice(0, 30).join('\n');
    assert.equal(compressCode(short, context(short, { fileName: 'a.py' })), undefined);
    assert.equal(compressCode(sample.source, context(sample.source, { fileName: 'a.py', budget: estimateTokens(sample.source) })), undefined);
  });

  it('degrades under a tight budget level by level, never folding a class whole, and says which level', async () => {
    const sample = samples.find((candidate) => candidate.language === 'TypeScript')!;
    const roomy = await outlineOf(sample.source, sample.fileName);
    const tight = await outlineOf(sample.source, sample.fileName, { budget: 40 });
    assert.ok(tight.visible.size < roomy.visible.size);
    assert.ok(isFolded(tight, lineOf(sample.source, 'Reads configuration files.')), 'doc lines fold first');
    assert.ok(isFolded(tight, lineOf(sample.source, 'path: string,')), 'a multi-row signature keeps only its name row');
    for (const name of ['export class ConfigReader', 'async read(', 'export interface Options', 'strict: boolean;', 'retries?: number;', 'export function parseConfig']) {
      assert.ok(tight.visible.has(lineOf(sample.source, name)), `${name} stays visible`);
    }
    assert.match(tight.folds[0]!.summary ?? '', /^outline level 3 of 3: doc lines folded, signatures as names with arity, private members grouped/);
    assert.equal(roomy.folds.some((fold) => /outline level/.test(fold.summary ?? '')), false, 'the full outline says nothing');
  });

  it('keeps every member of a Java class visible, grouping private ones under a tight budget', async () => {
    const methods = Array.from({ length: 12 }, (_, index) => `
    /** Returns entry ${index}. */
    ${index % 3 === 0 ? 'private' : 'public'} int method${index}(int first, int second) {
${body('c', '        ')}
    }`).join('\n');
    const source = `package demo;\n\npublic class Registry {\n    private final int size = 3;\n${methods}\n\n    static class Entry {\n        public String key() {\n${body('c', '            ')}\n        }\n    }\n}\n`;
    const tight = await outlineOf(source, 'Registry.java', { budget: 60 });
    for (let index = 0; index < 12; index++) {
      const line = lineOf(source, `int method${index}(`);
      if (index % 3 === 0) assert.ok(tight.folds.some((fold) => (fold.summary ?? '').includes(`method${index}`)), `private method${index} is named in a group`);
      else assert.ok(tight.visible.has(line), `public method${index} stays on its row`);
    }
    assert.ok(tight.visible.has(lineOf(source, 'static class Entry')), 'the nested class shows');
    assert.ok(tight.visible.has(lineOf(source, 'public String key()')), 'and its method');
  });

  it('opens a function that holds a local class, and the body a file:line of the query points into', async () => {
    const source = `def outer(items):
${body('py', '    ')}
    class Local:
        def run(self):
${body('py', '            ')}
    return Local()


def target(value):
${body('py', '    ')}
`;
    const outline = await outlineOf(source, 'src/app.py', { query: `Traceback: File "src/app.py", line ${lineOf(source, 'def target') + 3}` });
    assert.ok(outline.visible.has(lineOf(source, 'class Local:')), 'the local class shows');
    assert.ok(outline.visible.has(lineOf(source, 'def run(self):')), 'and its method');
    const target = lineOf(source, 'def target');
    for (let line = target; line <= target + 14; line++) assert.ok(outline.visible.has(line), `line ${line} of target is open`);
    const other = await outlineOf(source, 'src/app.py', { query: `see other.py:${target + 3}` });
    assert.ok(isFolded(other, target + 3), 'a line of another file does not open it');
  });

  it('opens every overload of a TypeScript function the query names', async () => {
    const source = `export function pick(value: string): string;
export function pick(value: number): number;
export function pick(value: string | number): string | number {
${body('js', '  ')}
}

export function other(): void {
${body('js', '  ')}
}

export function third(): void {
${body('js', '  ')}
}
`;
    const outline = await outlineOf(source, 'pick.ts', { query: 'how does pick choose?' });
    for (let line = 1; line <= lineOf(source, 'export function other') - 2; line++) assert.ok(outline.visible.has(line), `line ${line} is open`);
    assert.ok(isFolded(outline, lineOf(source, 'export function other') + 1));
  });

  it('is deterministic', async () => {
    for (const sample of samples) {
      await prepareCode(sample.source, { fileName: sample.fileName });
      const first = compressCode(sample.source, context(sample.source, { fileName: sample.fileName }));
      const second = compressCode(sample.source, context(sample.source, { fileName: sample.fileName }));
      assert.deepEqual(first, second, sample.language);
    }
  });

  it('keeps line endings: CRLF lines fold and show with their carriage returns', async () => {
    const sample = samples.find((candidate) => candidate.language === 'Go')!;
    const source = sample.source.replaceAll('\n', '\r\n');
    const outline = await outlineOf(source, sample.fileName);
    assert.ok(isFolded(outline, lineOf(source, 'value0 :=')));
    assert.ok(outline.folds.every((fold) => fold.text.includes('\r')));
  });

  it('folds a very long kept line on its own behind a preview', async () => {
    const sample = samples.find((candidate) => candidate.language === 'JavaScript')!;
    const source = sample.source.replace("const fs = require('fs');", `const TABLE = "${'x'.repeat(5000)}";`);
    const outline = await outlineOf(source, sample.fileName);
    const fold = outline.folds.find((candidate) => candidate.unit === 'chars');
    assert.ok(fold && fold.firstLine === lineOf(source, 'const TABLE') && fold.summary!.startsWith('const TABLE = "xxx'));
  });

  it('survives adversarial input without throwing or hanging', HANG_GUARD, async () => {
    await loadCodeParsers(['javascript', 'typescript', 'python']);
    const inputs = [
      `${'('.repeat(20_000)}function f() {}${')'.repeat(20_000)}\n`.repeat(1) + 'x\n'.repeat(50),
      `${'[[fold 123456789012: 3 lines]]\n'.repeat(60)}`,
      `const a = 1;${' '.repeat(3_000_000)}\n${'function g() {\n  return 1;\n}\n'.repeat(30)}`,
      `${'\t'.repeat(500)}x\n`.repeat(100),
      // A minified row holding many functions, in an otherwise ordinary file.
      `${'let x = 1;\n'.repeat(40)}var table = [${'function () { return 1; }, '.repeat(40_000)}0];\n${'let y = 2;\n'.repeat(40)}`,
    ];
    for (const input of inputs) {
      for (const fileName of ['a.js', 'a.py', undefined]) {
        const pieces = compressCode(input, context(input, { fileName, budget: 100 }));
        if (pieces) readOutline(input, pieces);
      }
    }
  });

  it('reaches compress through the router and the file name', async () => {
    const sample = samples.find((candidate) => candidate.language === 'Ruby')!;
    // Small files are read whole unless a budget is given.
    const result = await compress(sample.source, { fileName: sample.fileName, minTokens: 0, budget: 256 });
    assert.equal(result.kind, 'code');
    assert.ok(result.folds.length > 0);
    assert.ok(result.tokensAfter < result.tokensBefore);
  });
});

describe('detect', () => {
  it('sends typical source files to the code compressor', () => {
    for (const sample of samples) assert.equal(detect(sample.source).kind, 'code', sample.language);
    const docstringHeavy = `"""A module with a long docstring.

This module does many things. It reads files, writes files, and tells the
user about what it did, in prose, at some length, as Python modules do.
Here is more of the same prose, to push the share of code-like lines down
below what a share alone would accept as a source file. And more of it.
Still more prose, because the standard library really writes this much.
"""

import os
import sys
from typing import Any

def first(a):
    return a

def second(b):
    return b

class Third:
    pass

def fourth(c):
    return c
`;
    assert.equal(detect(docstringHeavy).kind, 'code');
  });

  it('leaves Markdown with fenced code examples to the text compressor', () => {
    const markdown = `# Usage

Install the package and import it:

\`\`\`python
import tokenfold
from tokenfold import compress
def main():
    return compress(text)
\`\`\`

Then call it from your agent loop.

\`\`\`js
import { compress } from 'tokenfold';

const result = await compress(text);
export default result;
\`\`\`
`;
    assert.notEqual(detect(markdown).kind, 'code');
  });
});

describe('compressCode in the languages added with prebuilt grammars', () => {
  it('outlines Kotlin classes and their members without name or body fields in the grammar', async () => {
    const methods = Array.from({ length: 6 }, (_, index) => `    fun method${index}(first: Int, second: String): Int {\n${body('js', '        ').replaceAll('const ', 'val ')}\n        return first\n    }`).join('\n\n');
    const source = `package demo\n\nimport kotlin.math.max\n\nclass Registry(val size: Int) {\n    val label: String = "registry"\n\n${methods}\n\n    companion object {\n        const val LIMIT = 3\n    }\n}\n`;
    const outline = await outlineOf(source, 'Registry.kt');
    assert.ok(loadedParser('kotlin'), 'the kotlin grammar is loaded, so the outline comes from its tree');
    for (const name of ['class Registry', 'val label', 'fun method0(', 'fun method5(', 'companion object', 'const val LIMIT']) {
      assert.ok(outline.visible.has(lineOf(source, name)), `${name} is visible`);
    }
    assert.ok(isFolded(outline, lineOf(source, 'fun method3(') + 2), 'a method body folds');
  });

  it('keeps the keys of a YAML file and folds long values', async () => {
    const steps = Array.from({ length: 30 }, (_, index) => `      - name: Step ${index}\n        run: npm run task-${index} -- --flag value-${index}`).join('\n');
    const source = `name: ci\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n${steps}\n  lint:\n    runs-on: ubuntu-latest\n    script: |\n${Array.from({ length: 20 }, (_, index) => `      echo "line ${index} of a long script block"`).join('\n')}\n`;
    const outline = await outlineOf(source, '.github/workflows/ci.yml', { budget: 150 });
    assert.ok(loadedParser('yaml'), 'the yaml grammar is loaded, so the outline comes from its tree');
    for (const key of ['name: ci', 'jobs:', '  test:', '  lint:']) assert.ok(outline.visible.has(lineOf(source, key)), `${key} is visible`);
    assert.ok(isFolded(outline, lineOf(source, 'line 5 of a long script')), 'a long value folds');
  });

  it('keeps every TOML table and key, folding a long array value', async () => {
    const members = Array.from({ length: 40 }, (_, index) => `  "crates/member-number-${index}",`).join('\n');
    const source = `[package]\nname = "demo"\nversion = "0.1.0"\n\n[workspace]\nmembers = [\n${members}\n]\n\n[profile.release]\nlto = true\n`;
    const outline = await outlineOf(source, 'Cargo.toml');
    assert.ok(loadedParser('toml'), 'the toml grammar is loaded, so the outline comes from its tree');
    for (const key of ['[package]', 'name = "demo"', '[workspace]', 'members = [', '[profile.release]', 'lto = true']) assert.ok(outline.visible.has(lineOf(source, key)), `${key} is visible`);
    assert.ok(isFolded(outline, lineOf(source, 'member-number-20')));
  });
});
