/*
 * What a tool call is about, read from its name, its input and the first line of its output:
 * the file it read or changed, and the command it ran. The history policy uses it to tell when a
 * later output supersedes an earlier one (the same file read again or edited, the same command
 * run again), and the near-duplicate rule uses it to diff a re-read file against its earlier copy.
 *
 * Generic on purpose: file arguments (`path`, `file`, `filePath`, ...), shell commands that read or
 * write files (`cat`, `sed -n`, `head`, `open`, `sed -i`, `create`, `edit` ...) and the file-view
 * header that editor tools print (`[File: /repo/app.py (94 lines total)]`). A call none of these
 * describe has a command and no file: it can still be superseded by running it again.
 */

/** What one tool call is about. */
export interface CallSubject {
  /** The file it read or changed, as the call or the output named it (no leading `./`). */
  file?: string;
  /** Whether it changed `file` (an edit, a write, a create, a patch). */
  edits: boolean;
  /** The tool and its input, canonical: two calls with the same command ran the same thing. */
  command: string;
}

const PATH_KEYS = ['path', 'file', 'filePath', 'file_path', 'filename', 'fileName', 'target_file', 'target'];
const COMMAND_KEYS = ['command', 'cmd', 'script', 'action'];
const EDIT_TOOL = /(?:^|[_-])(?:edit|write|create|replace|patch|insert|apply|str_replace|append|delete|remove|rm)(?:$|[_-])/i;
const READ_COMMAND = /^(?:cat|head|tail|less|more|nl|open|view|bat|sed\s+-n(?:\s+\S+)?|awk\s+\S+)$/;
const EDIT_COMMAND = /^(?:edit|create|insert|append|write|sed\s+-i(?:\s+\S+)?|patch|rm|tee|touch)$/;
const FILE_HEADER = /^\[File: (\S+?)(?: \(\d+ lines total(?: after edit)?\))?\]/m;
const PATH_LIKE = /^[\w.~/-]*[\w-]\.[A-Za-z]\w{0,9}$|^(?:\.{0,2}\/)?[\w.-]+\/[\w./-]+$/;

/**
 * Reads what a tool call is about.
 *
 * @example
 * describeCall('bash', { command: 'cat src/app.py' }, '...');
 * // { file: 'src/app.py', edits: false, command: 'bash {"command":"cat src/app.py"}' }
 * describeCall('edit', { command: 'edit 10:12\n...' }, '[File: /repo/app.py (94 lines total)]\n...');
 * // { file: '/repo/app.py', edits: true, ... }
 */
export function describeCall(tool: string, input: unknown, output: string): CallSubject {
  const command = `${tool} ${canonicalJson(input)}`;
  const fields = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const line = firstString(fields, COMMAND_KEYS) ?? (typeof input === 'string' ? input : undefined);
  const shell = line === undefined ? undefined : readShell(line);
  const argumentFile = firstString(fields, PATH_KEYS);
  const header = output.slice(0, 400).match(FILE_HEADER)?.[1];
  const file = normalizePath(argumentFile ?? shell?.file ?? header);
  const edits =
    EDIT_TOOL.test(tool) ||
    shell?.edits === true ||
    (typeof fields.command === 'string' && /^(?:create|str_replace|insert|write|undo_edit)$/.test(fields.command));
  return { ...(file ? { file } : {}), edits: file !== undefined && edits, command };
}

/**
 * True when `path` and `other` name the same file: equal, or one is the other with a leading
 * folder (`src/app.py` and `/repo/src/app.py`), as a relative argument and an absolute header are.
 */
export function sameFile(path: string, other: string): boolean {
  if (path === other) return true;
  const [shorter, longer] = path.length < other.length ? [path, other] : [other, path];
  return longer.endsWith(`/${shorter}`);
}

// The first word (or `sed -n 'x'`) decides whether a shell line reads or edits; its file is the
// last argument that looks like a path.
function readShell(line: string): { file?: string; edits: boolean } | undefined {
  const first = line.split('\n', 1)[0]!.trim();
  const words = first.split(/\s+/);
  const verb = words[0] ?? '';
  const withOption = words.slice(0, 2).join(' ');
  const withArgument = words.slice(0, 3).join(' ');
  const reads = READ_COMMAND.test(verb) || READ_COMMAND.test(withOption) || READ_COMMAND.test(withArgument);
  const edits = EDIT_COMMAND.test(verb) || EDIT_COMMAND.test(withOption) || EDIT_COMMAND.test(withArgument);
  if (!reads && !edits) return undefined;
  const file = words
    .slice(1)
    .map((word) => word.replace(/^["']|["']$/g, ''))
    .filter((word) => !word.startsWith('-') && PATH_LIKE.test(word))
    .at(-1);
  return { ...(file ? { file } : {}), edits };
}

function firstString(fields: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

function normalizePath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const trimmed = path.trim().replace(/^\.\//, '');
  return trimmed === '' ? undefined : trimmed;
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are one command. */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, inner: unknown) =>
      inner && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner,
    ) ?? String(value);
  } catch {
    return String(value);
  }
}
