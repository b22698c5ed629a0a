import assert from 'node:assert/strict';
import { findMarkers, unfold } from 'tokenfold';

/*
 * Test helper for the compressor tests: turns compressed output back into its input through the
 * public `unfold`, so a test can assert that every fold restores the input byte for byte.
 */

/** Puts every fold's original back in place of its marker; asserts that each marker unfolds. */
export async function restore(output: string): Promise<string> {
  let restored = '';
  let last = 0;
  for (const marker of findMarkers(output)) {
    const original = await unfold(marker.id);
    assert.equal(original.status, 'ok');
    if (original.status !== 'ok') continue;
    restored += output.slice(last, marker.index) + original.text;
    last = marker.index + marker.length;
  }
  return restored + output.slice(last);
}
