import type { Compressor, ContentKind } from '../types.ts';
import { compressBuild } from './build.ts';
import { compressDiff } from './diff.ts';
import { compressJson } from './json.ts';
import { compressLogs } from './logs.ts';
import { compressSearch } from './search.ts';
import { compressText } from './text.ts';

/**
 * The specialist for each kind. A kind without one passes through unchanged; source code and
 * HTML get theirs in a later issue.
 */
export const compressors: Partial<Record<ContentKind, Compressor>> = {
  json: compressJson,
  ndjson: compressJson,
  log: compressLogs,
  build: compressBuild,
  search: compressSearch,
  diff: compressDiff,
  text: compressText,
};
