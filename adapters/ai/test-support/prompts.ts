import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** A real sample from the shared corpora (`../shared/corpora/` from the repo root). */
export function corpus(path: string): string {
  return readFileSync(new URL(`../../../../shared/corpora/${path}`, import.meta.url), 'utf8');
}

/** Every tool-result part of a prompt, in order. */
export function toolResults(prompt: any[]): any[] {
  return prompt.filter((message) => message.role === 'tool').flatMap((message) => message.content);
}

/** The last tool-result part of a prompt. */
export function lastToolResult(prompt: any[]): any {
  return toolResults(prompt).at(-1);
}

/**
 * Asserts what providers require of tool calls: each client tool call in an assistant message is
 * answered exactly once in the tool message right after it, and no result answers an unknown or
 * earlier call.
 */
export function assertPaired(prompt: any[]): void {
  const seen = new Set<string>();
  prompt.forEach((message, index) => {
    if (message.role !== 'assistant') return;
    const calls = message.content.filter((part: any) => part.type === 'tool-call' && !part.providerExecuted);
    if (calls.length === 0) return;
    const next = prompt[index + 1];
    assert.equal(next?.role, 'tool', `the tool calls of message ${index} are answered by the next message`);
    const answered = next.content.filter((part: any) => part.type === 'tool-result').map((part: any) => part.toolCallId);
    const asked = calls.map((call: any) => call.toolCallId);
    assert.deepEqual([...answered].sort(), [...asked].sort(), `message ${index + 1} answers exactly the calls of message ${index}`);
    for (const id of asked) {
      assert.ok(!seen.has(id), `tool call id ${id} is used once`);
      seen.add(id);
    }
  });
  const answeredAnywhere = toolResults(prompt).map((part) => part.toolCallId);
  assert.equal(new Set(answeredAnywhere).size, answeredAnywhere.length, 'no tool call is answered twice');
}
