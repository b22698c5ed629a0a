import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AIMessage, HumanMessage, ToolMessage } from 'langchain';
import { sessionOutputs } from './session.ts';

describe('sessionOutputs (LangChain)', () => {
  it('answers the last human question, not that of the last tool output, for an output arriving now', () => {
    const messages = [
      new HumanMessage('Why does the build fail?'),
      new AIMessage({ content: '', tool_calls: [{ id: 'c1', name: 'bash', args: { command: 'make' } }] }),
      new ToolMessage({ tool_call_id: 'c1', name: 'bash', content: 'error: missing header' }),
      new AIMessage('A header is missing.'),
      new HumanMessage('Which tests are slow?'),
      new AIMessage({ content: '', tool_calls: [{ id: 'c2', name: 'bash', args: { command: 'pytest --durations=5' } }] }),
    ];
    const { outputs, step, query } = sessionOutputs(messages);
    assert.deepEqual(
      outputs.map((output) => [output.id, output.query, output.step]),
      [['c1', 'Why does the build fail?', 1]],
    );
    assert.equal(step, 3);
    assert.equal(query, 'Which tests are slow?');
  });

  it('has the last human question with no tool output yet, and an empty one with no human message', () => {
    assert.equal(sessionOutputs([new HumanMessage('List the files.')]).query, 'List the files.');
    assert.equal(sessionOutputs([]).query, '');
  });
});
