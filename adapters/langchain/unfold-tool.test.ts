import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ToolMessage } from '@langchain/core/messages';
import Keyv from 'keyv';
import { compress } from 'tokenfold';
import { createUnfoldTool } from 'tokenfold/langchain';

const log = Array.from({ length: 300 }, (_, index) => `2024-03-01 10:00:${String(index % 60).padStart(2, '0')} INFO worker ${index % 4} served request ${index} in ${index % 97}ms`).join('\n');

async function foldedLog(): Promise<{ store: Keyv; id: string }> {
  const store = new Keyv();
  const result = await compress(log, { store, budget: 200 });
  return { store, id: result.folds[0]!.id };
}

describe('the LangChain unfold tool', () => {
  it('takes an id sent as a JSON number, restoring its leading zeros, and ignores extra keys', async () => {
    const { store, id } = await foldedLog();
    const tool = createUnfoldTool({ store });
    const expected = await tool.invoke({ id, grep: 'request 7 ' });
    assert.match(String(expected), /^\d+: .*request 7 /);
    assert.equal(await tool.invoke({ id: Number(id), grep: 'request 7 ' } as never), expected);
    assert.equal(await tool.invoke({ id, grep: 'request 7 ', reason: 'checking' } as never), expected);
  });

  it('answers a tool call it cannot read with a ToolMessage that says what it takes, not a throw', async () => {
    const tool = createUnfoldTool({ store: new Keyv() });
    const answer = await tool.invoke({ type: 'tool_call', id: 'call-1', name: 'unfold', args: { fold: 'x' } } as never);
    assert.ok(answer instanceof ToolMessage);
    assert.equal(answer.tool_call_id, 'call-1');
    assert.match(String(answer.content), /unfold needs an `id`/);
    assert.match(String(await tool.invoke({ id: ['no'] } as never)), /needs an `id`/);
  });
});
