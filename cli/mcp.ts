import { isAbsolute, relative, resolve } from 'node:path';
import {
  createSqliteStore,
  runUnfoldTool,
  settleLedger,
  UNFOLD_TOOL_DESCRIPTION,
  UNFOLD_TOOL_INPUT_SCHEMA,
  UNFOLD_TOOL_NAME,
} from '../core/index.ts';
import type Keyv from 'keyv';
import { compressBytes } from './compress-bytes.ts';
import { UsageError, errorMessage } from './errors.ts';
import { DEFAULT_MAX_BYTES } from './options.ts';
import { readInput } from './read-input.ts';
import { runCommand } from './run.ts';

/*
 * `tokenfold mcp`: a stdio MCP server (the official @modelcontextprotocol/sdk) for coding agents
 * that take MCP servers but no middleware (Claude Code, Codex CLI, Cursor, opencode). Three tools:
 * `unfold` (the adapters' tool: same name, description and schema), `compress_file` (a file of the
 * project, compressed; source files come back as an outline) and `run` (a shell command run in the
 * project, its output compressed as `tokenfold run` does). Folds live in the CLI's SQLite store in
 * a namespace of the project folder, so one project's ids are "not found" from another.
 */

/** What `serveMcp` needs. */
export interface McpOptions {
  /** Absolute path of the project folder. */
  project: string;
  /** SQLite file for folds; default `defaultSqlitePath()`. */
  storePath?: string;
}

const COMPRESS_FILE_SCHEMA = {
  type: 'object',
  properties: {
    path: { type: 'string', description: 'The file, relative to the project folder.' },
    query: { type: 'string', description: 'What you are looking for in it; matching parts are kept.' },
  },
  required: ['path'],
  additionalProperties: false,
} as const;

const RUN_SCHEMA = {
  type: 'object',
  properties: {
    command: { type: 'string', description: 'A shell command, run by /bin/sh in the project folder, e.g. "npm test".' },
    query: { type: 'string', description: 'What you are looking for in its output (default: the command).' },
  },
  required: ['command'],
  additionalProperties: false,
} as const;

const FOLD_HINT = 'call unfold with an id, and lines or grep for a part';
// An answer over this (an output too large to compress, streamed through) is cut: a model could
// not read more in one message anyway.
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * The tools the server offers, as MCP lists them.
 *
 * @example
 * mcpTools().map((tool) => tool.name); // ['unfold', 'compress_file', 'run']
 */
export function mcpTools() {
  return [
    { name: UNFOLD_TOOL_NAME, description: UNFOLD_TOOL_DESCRIPTION, inputSchema: UNFOLD_TOOL_INPUT_SCHEMA },
    {
      name: 'compress_file',
      description: 'Reads a file of the project and returns it compressed: source code as an outline with line numbers, logs, JSON and other text with repeats folded into [[fold ID: …]] markers that unfold brings back byte-exact.',
      inputSchema: COMPRESS_FILE_SCHEMA,
    },
    {
      name: 'run',
      description: 'Runs a shell command in the project folder and returns its combined output, compressed (failures, errors and file:line diagnostics stay visible; the rest folds into [[fold ID: …]] markers that unfold brings back), and its exit code.',
      inputSchema: RUN_SCHEMA,
    },
  ];
}

/**
 * Serves the tools on standard input and output until the client closes the connection.
 *
 * @example
 * await serveMcp({ project: process.cwd(), storePath: defaultSqlitePath() });
 */
export async function serveMcp(options: McpOptions): Promise<void> {
  const sdk = await loadSdk();
  const store = await createSqliteStore(options.storePath);
  const namespace = `project:${options.project}`;
  const server = new sdk.Server({ name: 'tokenfold', version: '0.1.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(sdk.ListToolsRequestSchema, async () => ({ tools: mcpTools() }));
  server.setRequestHandler(sdk.CallToolRequestSchema, async (request) => {
    const text = await callTool(request.params.name, request.params.arguments ?? {}, { ...options, store, namespace });
    return { content: [{ type: 'text', text }] };
  });
  const closed = new Promise<void>((resolveClosed) => {
    server.onclose = () => resolveClosed();
  });
  await server.connect(new sdk.StdioServerTransport());
  await closed;
  await settleLedger(); // the unfold tool records without waiting
  await store.disconnect();
}

type ToolContext = McpOptions & { store: Keyv; namespace: string };

/** One tool call, answered with text. Never throws: a failure is a message the model can read. */
async function callTool(name: string, input: Record<string, unknown>, context: ToolContext): Promise<string> {
  try {
    if (name === UNFOLD_TOOL_NAME) return await runUnfoldTool(input, { store: context.store, namespace: context.namespace, source: 'mcp' });
    if (name === 'compress_file') return await compressFile(input, context);
    if (name === 'run') return await runShell(input, context);
    return `No tool named ${JSON.stringify(name)}: the tools are unfold, compress_file and run.`;
  } catch (error) {
    return `${name} failed: ${errorMessage(error)}`;
  }
}

async function compressFile(input: Record<string, unknown>, context: ToolContext): Promise<string> {
  if (typeof input.path !== 'string' || input.path === '') return 'compress_file needs a `path`, relative to the project folder.';
  const path = resolve(context.project, input.path);
  const inside = relative(context.project, path);
  // Paths outside the project folder are refused, as a guard against mistakes; it is no security
  // boundary (a symbolic link can point out, and the `run` tool runs any command).
  if (inside.startsWith('..') || isAbsolute(inside)) return `${input.path} is outside the project folder ${context.project}.`;
  const { bytes, rest } = await readInput(path, DEFAULT_MAX_BYTES).catch((error) => {
    throw error instanceof UsageError ? new Error(error.message) : error;
  });
  rest?.destroy();
  if (rest) return `${input.path} is over ${DEFAULT_MAX_BYTES} bytes; read a part of it with a shell command instead.`;
  const outcome = await compressBytes(bytes, {
    query: typeof input.query === 'string' ? input.query : undefined,
    fileName: inside,
    store: context.store,
    namespace: context.namespace,
    source: 'mcp',
    tool: 'compress_file',
  });
  if (outcome.type === 'binary') return `${input.path} is ${outcome.what}, not text.`;
  if (outcome.type === 'not-utf8') return `${input.path} is not UTF-8 text.`;
  const { result } = outcome;
  return result.folds.length > 0 ? `${result.text}\n[tokenfold: ${result.folds.length} folds above; ${FOLD_HINT}]` : result.text;
}

async function runShell(input: Record<string, unknown>, context: ToolContext): Promise<string> {
  if (typeof input.command !== 'string' || input.command.trim() === '') return 'run needs a `command`.';
  // The answer is one message: what the command prints is held, up to MAX_ANSWER_BYTES, and
  // decoded once (a character split between two chunks stays whole).
  const chunks: Buffer[] = [];
  let held = 0;
  const keep = (chunk: Uint8Array | string) => {
    if (held >= MAX_ANSWER_BYTES) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const part = bytes.subarray(0, MAX_ANSWER_BYTES - held);
    chunks.push(part);
    held += part.length;
  };
  const code = await runCommand(
    ['/bin/sh', '-c', input.command],
    { query: typeof input.query === 'string' ? input.query : input.command, minBytes: 2048, maxBytes: DEFAULT_MAX_BYTES, namespace: context.namespace, store: context.storePath },
    { write: keep, stdin: 'ignore', cwd: context.project, interactive: false, unfoldHint: FOLD_HINT },
  );
  const output = Buffer.concat(chunks).toString('utf8');
  const cut = held >= MAX_ANSWER_BYTES ? `\n[tokenfold: output cut at ${MAX_ANSWER_BYTES.toLocaleString('en-US')} bytes]` : '';
  return `${output}${cut}${output === '' || output.endsWith('\n') ? '' : '\n'}[exit code ${code}]`;
}

type Sdk = typeof import('@modelcontextprotocol/sdk/server/index.js') &
  typeof import('@modelcontextprotocol/sdk/server/stdio.js') &
  typeof import('@modelcontextprotocol/sdk/types.js');

// The SDK is an optional peer dependency: most users of tokenfold never serve MCP.
async function loadSdk(): Promise<Sdk> {
  try {
    const [server, stdio, types] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/index.js'),
      import('@modelcontextprotocol/sdk/server/stdio.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    return { ...server, ...stdio, ...types };
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new UsageError('tokenfold mcp needs @modelcontextprotocol/sdk: run `npm install -g @modelcontextprotocol/sdk` beside a global tokenfold, or use `npx -y -p tokenfold -p @modelcontextprotocol/sdk tokenfold mcp`');
  }
}
