import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeLookAlikes, findMarkers, foldId, renderMarker, unescapeLookAlikes } from './folds.ts';

describe('foldId', () => {
  it('is 15 digits derived from the content, the same every time', () => {
    const id = foldId('some folded lines\n');
    assert.match(id, /^\d{15}$/);
    assert.equal(foldId('some folded lines\n'), id);
    assert.notEqual(foldId('some folded lines'), id);
  });
});

describe('markers', () => {
  it('render with the count, unit and summary, and parse back to their id', () => {
    const marker = renderMarker('000000000000042', { unit: 'rows', count: 184, summary: 'color blue 180, red 4' });
    assert.equal(marker, '[[fold 000000000000042: 184 rows; color blue 180, red 4]]');
    assert.deepEqual(findMarkers(`a ${marker} b`), [{ id: '000000000000042', index: 2, length: marker.length }]);
  });

  it('use the singular for one item and keep summaries on one line without square brackets', () => {
    const marker = renderMarker('000000000000001', { unit: 'lines', count: 1, summary: 'a\nb [x]] c' });
    assert.equal(marker, '[[fold 000000000000001: 1 line; a b (x)) c]]');
    assert.equal(findMarkers(marker).length, 1);
  });
});

describe('escaping look-alikes', () => {
  it('makes input text shaped like a marker unparseable, reversibly', () => {
    const spoof = 'see [[fold 123456789012345: 3 lines]] and [[\\fold 000000000000000]]';
    const escaped = escapeLookAlikes(spoof);
    assert.deepEqual(findMarkers(escaped), []);
    assert.equal(unescapeLookAlikes(escaped), spoof);
  });

  it('leaves text without look-alikes as the same string', () => {
    const text = 'array[[0]] and [[folder]]';
    assert.equal(escapeLookAlikes(text), text);
  });
});
