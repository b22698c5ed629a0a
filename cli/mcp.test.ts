import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { findMarkers, UNFOLD_TOOL_DESCRIPTION, UNFOLD_TOOL_INPUT_SCHEMA } from 'tokenfold';
import { syntheticLog } from './test-support/synthetic-log.ts';

/*
 * `tokenfold mcp` driven by the SDK's own client over stdio, as a coding agent would: list the
 * tools, compress a file, unfold one of its folds, run a command, and check that another project
 * cannot read this one's folds.
 */

const folder = mkdtempSync(join(tmpdir(), 'tokenfold-mcp-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const store = join(folder, 'folds.sqlite');
const cli = join(import.meta.dirname, 'index.ts');

async function connect(project: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--conditions=tokenfold-source', cli, 'mcp', '--project', project, '--store', store],
    stderr: 'pipe',
  });
  const client = new Client({ name: 'tokenfold-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  const [first] = result.content as Array<{ type: string; text: string }>;
  assert.equal(first?.type, 'text');
  return first.text;
}

describe('tokenfold mcp', () => {
  const project = join(folder, 'project');
  const other = join(folder, 'other');
  const log = syntheticLog(600);

  it('offers unfold with the adapters\' description and schema, compress_file and run', async () => {
    const client = await connect(folder);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((tool) => tool.name), ['unfold', 'compress_file', 'run']);
      assert.equal(tools[0]!.description, UNFOLD_TOOL_DESCRIPTION);
      assert.deepEqual(tools[0]!.inputSchema, JSON.parse(JSON.stringify(UNFOLD_TOOL_INPUT_SCHEMA)));
    } finally {
      await client.close();
    }
  });

  it('compresses a file, unfolds its folds to lines of the file, and keeps them from another project', async () => {
    rmSync(project, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
    for (const dir of [project, other]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(project, 'app.log'), log);
    const client = await connect(project);
    let id: string;
    try {
      const compressed = text(await client.callTool({ name: 'compress_file', arguments: { path: 'app.log', query: 'errors' } }));
      const markers = findMarkers(compressed);
      assert.ok(markers.length > 0, compressed.slice(0, 500));
      assert.ok(compressed.length < log.length / 2);
      id = markers[0]!.id;
      const unfolded = text(await client.callTool({ name: 'unfold', arguments: { id } }));
      for (const line of unfolded.trimEnd().split('\n')) assert.ok(log.includes(line.replace(/^\d+: /, '')), line);
      const outside = text(await client.callTool({ name: 'compress_file', arguments: { path: '../other/x' } }));
      assert.match(outside, /outside the project/);
    } finally {
      await client.close();
    }
    const stranger = await connect(other);
    try {
      assert.match(text(await stranger.callTool({ name: 'unfold', arguments: { id } })), /No fold/);
    } finally {
      await stranger.close();
    }
  });

  it('runs a command in the project folder, compresses its output and reports its exit code', async () => {
    const client = await connect(project);
    try {
      const small = text(await client.callTool({ name: 'run', arguments: { command: 'pwd; exit 3' } }));
      assert.equal(small, `${project}\n[exit code 3]`);
      const large = text(await client.callTool({ name: 'run', arguments: { command: 'cat app.log' } }));
      assert.match(large, /\[exit code 0\]$/);
      const id = findMarkers(large)[0]!.id;
      assert.doesNotMatch(text(await client.callTool({ name: 'unfold', arguments: { id } })), /No fold/);
    } finally {
      await client.close();
    }
  });
});
