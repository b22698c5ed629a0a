import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { segment } from './segment.ts';

const repeat = (count: number, line: (index: number) => string) => Array.from({ length: count }, (_, index) => line(index));

describe('segment', () => {
  it('finds an application log inside build output, and the build output after it', () => {
    const lines = [
      ...repeat(60, (index) => `   Compiling crate-${index} v0.${index}.3`),
      ...repeat(80, (index) => `2026-12-02 10:14:${String(index % 60).padStart(2, '0')} INFO server: handled request ${index}`),
      ...repeat(40, (index) => `test tests::case_${index} ... ok`),
    ];
    const regions = segment(lines, 'build');
    assert.deepEqual(regions.map((region) => region.kind), ['build', 'log', 'build']);
    assert.equal(regions[0]!.start, 0);
    assert.equal(regions.at(-1)!.end, lines.length);
    for (let index = 1; index < regions.length; index++) assert.equal(regions[index]!.start, regions[index - 1]!.end);
    assert.ok(Math.abs(regions[1]!.start - 60) <= 12 && Math.abs(regions[1]!.end - 140) <= 12, JSON.stringify(regions));
  });

  it('keeps a short blip inside its region: a stack trace in a log is part of the log', () => {
    const lines = [
      ...repeat(40, (index) => `2026-12-02 10:14:${String(index % 60).padStart(2, '0')} INFO worker: job ${index} done`),
      'java.lang.IllegalStateException: queue closed',
      ...repeat(6, (index) => `\tat com.acme.Worker.run(Worker.java:${index + 10})`),
      ...repeat(40, (index) => `2026-12-02 10:15:${String(index % 60).padStart(2, '0')} INFO worker: job ${index} done`),
    ];
    assert.deepEqual(segment(lines, 'log').map((region) => region.kind), ['log']);
  });

  it('reads lines of words in process output as console output, and as prose in a document', () => {
    const sentence = (index: number) => `This paragraph explains step ${index} of the installation in plain words for the reader.`;
    const build = [...repeat(40, (index) => `$ make target-${index}`), ...repeat(40, sentence), ...repeat(40, (index) => `make: Nothing to be done for 'target-${index}'.`)];
    assert.deepEqual(segment(build, 'build').map((region) => region.kind), ['build']);
    const document = [...repeat(50, sentence), ...repeat(50, (index) => `2026-12-02 10:14:${String(index % 60).padStart(2, '0')} WARN disk ${index} is slow`)];
    assert.deepEqual(segment(document, 'text').map((region) => region.kind), ['text', 'log']);
  });

  it('leaves a short text whole', () => {
    assert.deepEqual(segment(repeat(30, (index) => `line ${index}`), 'build'), [{ kind: 'build', start: 0, end: 30 }]);
  });
});
