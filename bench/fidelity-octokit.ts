/*
 * Scoring rules for the octokit fixtures (`[{ method, path, status, response, rawHeaders }]`), in
 * the vocabulary of fidelity.ts, beside the generic JSON rules of fidelity-json.ts. Needles, each
 * distinct one counted once:
 * - status codes: every entry's `status`, found as `status` followed by the code, or as the code
 *   on a line that also shows the entry's request path (a table row);
 * - error messages: every string inside the response of an entry with status >= 400;
 * - ids: every number under a key `id`, `number` or `*_id`;
 * - URLs: every string value that starts with http:// or https://;
 * - pagination links: every URL in a `Link` header (`rawHeaders` pairs or a `headers` object).
 */
import type { FoldView, Where } from './fidelity.ts';
import type { SourceNode } from './json-source.ts';
import { formsOf, rawText, walk } from './json-source.ts';

export type OctokitCategory = 'status' | 'errors' | 'ids' | 'urls' | 'pagination';

export interface OctokitNeedle {
  forms: string[];
  /** For status codes: the entry's request path, to accept the code on the same line. */
  path?: string;
}

/** Where an entry's status code is shown (see the header). */
export function statusWhere(view: FoldView, needle: OctokitNeedle): Where {
  const code = needle.forms[0]!;
  const keyed = new RegExp(`status\\W{0,6}${code}\\b`);
  const shown = (text: string) =>
    keyed.test(text) ||
    (needle.path !== undefined &&
      text.split('\n').some((line) => line.includes(needle.path!) && new RegExp(`(^|\\D)${code}(\\D|$)`).test(line)));
  if (shown(view.visible)) return 'visible';
  return [...view.folds.values()].some(shown) ? 'folded' : 'missing';
}

/** Every octokit needle of a parsed fixture, by category. */
export function octokitNeedles(text: string, root: SourceNode): Record<OctokitCategory, OctokitNeedle[]> {
  const sets = { status: new Map(), errors: new Map(), ids: new Map(), urls: new Map(), pagination: new Map() } as Record<
    OctokitCategory,
    Map<string, OctokitNeedle>
  >;
  const add = (category: keyof typeof sets, needle: OctokitNeedle, key = needle.forms[0]! + (needle.path ?? '')) =>
    sets[category].set(key, needle);
  const entries = root.type === 'array' ? root.items : [root];
  for (const entry of entries) {
    if (entry.type !== 'object') continue;
    const field = (name: string) => entry.entries.find((candidate) => candidate.key === name)?.value;
    const status = field('status');
    const path = field('path');
    if (status?.type === 'number') {
      add('status', { forms: [rawText(text, status)], ...(path?.type === 'string' ? { path: rawText(text, path) } : {}) });
    }
    const response = field('response');
    if (response && status?.type === 'number' && Number(rawText(text, status)) >= 400) {
      walk(response, [], (node) => {
        if (node.type === 'string' && node.value !== '') add('errors', { forms: formsOf(text, node) });
      });
    }
    const headerValues: SourceNode[] = [];
    const rawHeaders = field('rawHeaders');
    if (rawHeaders?.type === 'array') {
      rawHeaders.items.forEach((item, index) => {
        const next = rawHeaders.items[index + 1];
        if (item.type === 'string' && item.value.toLowerCase() === 'link' && next) headerValues.push(next);
      });
    }
    const headers = field('headers');
    if (headers?.type === 'object') {
      for (const header of headers.entries) if (header.key.toLowerCase() === 'link') headerValues.push(header.value);
    }
    for (const value of headerValues) {
      if (value.type !== 'string') continue;
      for (const match of value.value.matchAll(/<([^>]+)>/g)) add('pagination', { forms: [match[1]!] });
    }
  }
  walk(root, [], (node) => {
    if (node.type !== 'object') return;
    for (const { key, value } of node.entries) {
      if (value.type === 'number' && /^(id|number)$|_id$/.test(key)) add('ids', { forms: [rawText(text, value)] });
      if (value.type === 'string' && /^https?:\/\//.test(value.value)) add('urls', { forms: formsOf(text, value) });
    }
  });
  return {
    status: [...sets.status.values()],
    errors: [...sets.errors.values()],
    ids: [...sets.ids.values()],
    urls: [...sets.urls.values()],
    pagination: [...sets.pagination.values()],
  };
}
