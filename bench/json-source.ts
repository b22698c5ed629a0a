/*
 * A JSON reader that remembers where every value came from.
 *
 * The JSON fidelity rules check that each primitive's *raw source text* survives (visible or
 * through unfold). `JSON.parse` cannot answer that: it rounds big integers (tweet ids above 2^53),
 * normalises `1.0` to `1` and forgets escapes. This reader builds a small tree whose nodes keep
 * their [start, end) offsets into the input, so the raw slice of any value is one `slice` away.
 * It is a plain recursive-descent scanner over char codes: linear, no regular expressions.
 */

export type SourceNode =
  | { type: 'object'; start: number; end: number; entries: Array<{ key: string; rawKey: string; value: SourceNode }> }
  | { type: 'array'; start: number; end: number; items: SourceNode[] }
  | { type: 'string'; start: number; end: number; value: string }
  | { type: 'number' | 'boolean' | 'null'; start: number; end: number };

export type PrimitiveNode = Extract<SourceNode, { type: 'string' | 'number' | 'boolean' | 'null' }>;

/** Parses one JSON document, or every non-empty line of NDJSON (as a synthetic array). Throws on bad JSON. */
export function parseSource(text: string, format: 'json' | 'ndjson' = 'json'): SourceNode {
  if (format === 'json') {
    const reader = new Reader(text, 0);
    const node = reader.value();
    reader.end(text.length);
    return node;
  }
  const items: SourceNode[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (text.slice(start, end).trim() !== '') {
      const reader = new Reader(text, start);
      items.push(reader.value());
      reader.end(end);
    }
    start = end + 1;
  }
  return { type: 'array', start: 0, end: text.length, items };
}

/** The raw text of a primitive as it appears in the source: a string without its quotes, escapes kept. */
export function rawText(text: string, node: PrimitiveNode): string {
  return node.type === 'string' ? text.slice(node.start + 1, node.end - 1) : text.slice(node.start, node.end);
}

/** Turns a parsed source tree into a plain JS value (numbers through `Number`, as JSON.parse would). */
export function toValue(text: string, node: SourceNode): unknown {
  switch (node.type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const entry of node.entries) value[entry.key] = toValue(text, entry.value);
      return value;
    }
    case 'array':
      return node.items.map((item) => toValue(text, item));
    case 'string':
      return node.value;
    case 'number':
      return Number(text.slice(node.start, node.end));
    case 'boolean':
      return text.charCodeAt(node.start) === 116; // t
    case 'null':
      return null;
  }
}

/** Visits every node depth-first with its path of keys (all-digit keys, ids used as keys, read as ''). */
export function walk(node: SourceNode, path: string[], visit: (node: SourceNode, path: string[]) => void): void {
  visit(node, path);
  if (node.type === 'object') for (const entry of node.entries) walk(entry.value, [...path, /^\d+$/.test(entry.key) ? '' : entry.key], visit);
  else if (node.type === 'array') for (const item of node.items) walk(item, path, visit);
}

/** The texts a primitive may be shown as: its raw source slice and, for an escaped string, its value. */
export function formsOf(text: string, node: PrimitiveNode): string[] {
  const raw = rawText(text, node);
  return node.type === 'string' && node.value !== raw ? [raw, node.value] : [raw];
}

const MAX_DEPTH = 512;

class Reader {
  readonly text: string;
  position: number;
  depth = 0;

  constructor(text: string, position: number) {
    this.text = text;
    this.position = position;
  }

  value(): SourceNode {
    this.skipSpace();
    const c = this.text.charCodeAt(this.position);
    if (c === 123) return this.object();
    if (c === 91) return this.array();
    if (c === 34) return this.string();
    const start = this.position;
    if (this.text.startsWith('true', start)) return this.literal('boolean', 4);
    if (this.text.startsWith('false', start)) return this.literal('boolean', 5);
    if (this.text.startsWith('null', start)) return this.literal('null', 4);
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    throw this.error('a value');
  }

  /** Requires only whitespace between the value and `limit`. */
  end(limit: number): void {
    this.skipSpace();
    if (this.position < limit) throw this.error('end of value');
  }

  private object(): SourceNode {
    const start = this.position++;
    this.enter();
    const entries: Array<{ key: string; rawKey: string; value: SourceNode }> = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.position) === 125) {
      this.position++;
      this.depth--;
      return { type: 'object', start, end: this.position, entries };
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.position) !== 34) throw this.error('a key');
      const key = this.string();
      this.skipSpace();
      if (this.text.charCodeAt(this.position++) !== 58) throw this.error('":"');
      const value = this.value();
      entries.push({ key: key.value, rawKey: this.text.slice(key.start + 1, key.end - 1), value });
      this.skipSpace();
      const c = this.text.charCodeAt(this.position++);
      if (c === 44) continue;
      if (c === 125) break;
      throw this.error('"," or "}"');
    }
    this.depth--;
    return { type: 'object', start, end: this.position, entries };
  }

  private array(): SourceNode {
    const start = this.position++;
    this.enter();
    const items: SourceNode[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.position) === 93) {
      this.position++;
      this.depth--;
      return { type: 'array', start, end: this.position, items };
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      const c = this.text.charCodeAt(this.position++);
      if (c === 44) continue;
      if (c === 93) break;
      throw this.error('"," or "]"');
    }
    this.depth--;
    return { type: 'array', start, end: this.position, items };
  }

  private string(): Extract<SourceNode, { type: 'string' }> {
    const start = this.position++;
    let escaped = false;
    for (;;) {
      const c = this.text.charCodeAt(this.position++);
      if (Number.isNaN(c)) throw this.error('closing quote');
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        this.position++;
      }
    }
    const raw = this.text.slice(start, this.position);
    return { type: 'string', start, end: this.position, value: escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1) };
  }

  private number(): SourceNode {
    const start = this.position;
    for (;;) {
      const c = this.text.charCodeAt(this.position);
      // digits, - + . e E
      if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69) this.position++;
      else break;
    }
    return { type: 'number', start, end: this.position };
  }

  private literal(type: 'boolean' | 'null', length: number): SourceNode {
    const start = this.position;
    this.position += length;
    return { type, start, end: this.position };
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.position);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.position++;
      else return;
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.error(`nesting under ${MAX_DEPTH} levels`);
  }

  private error(expected: string): SyntaxError {
    return new SyntaxError(`expected ${expected} at offset ${this.position}`);
  }
}
