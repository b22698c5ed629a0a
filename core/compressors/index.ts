import type { Compressor, ContentKind } from '../types.ts';
import { compressBuild } from './build.ts';
import { compressCode, prepareCode } from './code.ts';
import { compressDiff } from './diff.ts';
import { compressHtml } from './html.ts';
import { compressJson } from './json.ts';
import { compressLogs } from './logs.ts';
import { compressSearch } from './search.ts';
import { compressTable } from './table.ts';
import { compressText } from './text.ts';

/** The specialist for each kind; a kind without one would pass through unchanged. */
export const compressors: Partial<Record<ContentKind, Compressor>> = {
  json: compressJson,
  ndjson: compressJson,
  log: compressLogs,
  build: compressBuild,
  search: compressSearch,
  diff: compressDiff,
  table: compressTable,
  text: compressText,
  code: compressCode,
  html: compressHtml,
};

/**
 * Asynchronous set-up that a kind's compressor needs before its first call, awaited by `compress`
 * (tree-sitter grammars load once per process). Never rejects; compressors stay synchronous.
 */
export const prepareCompressors: Partial<
  Record<ContentKind, (text: string, context: { fileName?: string }) => Promise<void>>
> = {
  code: prepareCode,
};
