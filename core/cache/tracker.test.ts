import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCacheTracker, type CacheView } from './index.ts';

// A system prompt long enough to be cacheable (over 1,024 tokens) with the time near its start.
const POLICY = Array.from({ length: 120 }, (_, index) => `Rule ${index + 1}: answer support questions about Acme orders politely and cite the order page.`).join('\n');
const system = (time: string) => `You are Acme support.\nCurrent time: ${time}\n${POLICY}`;
const tools = [
  { name: 'search_orders', description: 'Find orders by customer email.', schema: '{"type":"object"}' },
  { name: 'refund', description: 'Refund an order.', schema: '{"type":"object"}' },
];

function view(time: string, messages: CacheView['messages'], toolList = tools): CacheView {
  return { system: [system(time)], tools: toolList, messages };
}

const user = (text: string) => ({ role: 'user' as const, text });
const assistant = (text: string) => ({ role: 'assistant' as const, text });
const tool = (text: string, folded = false) => ({ role: 'tool' as const, text, folded });

describe('reports', () => {
  test('a time in the system prompt is named, located and shown, and breaks the prefix there', async () => {
    const tracker = createCacheTracker();
    await tracker.plan(view('2026-12-02T10:14:03Z', [user('Where is order 42?')])).report();
    const report = await tracker.plan(view('2026-12-02T10:14:41Z', [user('Where is order 42?'), assistant('call search'), tool('order 42: shipped')])).report();

    assert.equal(report.call, 2);
    assert.equal(report.volatile.length, 1);
    const [change] = report.volatile;
    assert.equal(change!.kind, 'timestamp');
    assert.equal(change!.where, 'system[0]');
    assert.equal(system('2026-12-02T10:14:41Z').slice(change!.start, change!.end), '2026-12-02T10:14:41Z');
    assert.equal(change!.example, `system[0] chars ${change!.start}–${change!.end - 1}: "2026-12-02T10:14:03Z" → "2026-12-02T10:14:41Z"`);
    assert.equal(report.firstChange?.kind, 'timestamp');
    assert.ok(report.stablePrefixTokens > 0 && report.stablePrefixTokens < report.tokens / 5, 'only the tools and the first line are stable');
    assert.equal(report.moved, 0);
  });

  test('a plain continuation has no first change and a prefix as long as the previous request', async () => {
    const tracker = createCacheTracker();
    const first = await tracker.plan(view('2026-12-02', [user('hi')])).report();
    const second = await tracker.plan(view('2026-12-02', [user('hi'), assistant('hello'), user('order 42?')])).report();
    assert.equal(first.call, 1);
    assert.equal(first.stablePrefixTokens, 0);
    assert.equal(second.firstChange, undefined);
    assert.equal(second.stablePrefixTokens, first.tokens);
    assert.deepEqual(second.volatile, []);
  });

  test('reordered tools, changed descriptions and an edited earlier message are named', async () => {
    const tracker = createCacheTracker();
    await tracker.plan(view('x', [user('hi'), assistant('a')])).report();
    const reordered = await tracker.plan(view('x', [user('hi'), assistant('a')], [tools[1]!, tools[0]!])).report();
    assert.equal(reordered.firstChange?.kind, 'tools-reordered');
    assert.equal(reordered.firstChange?.example, 'tools: "search_orders, refund" → "refund, search_orders"');
    assert.equal(reordered.stablePrefixTokens, 0);

    const described = [tools[1]!, { ...tools[0]!, description: 'Find orders by customer name.' }];
    const changed = await tracker.plan(view('x', [user('hi'), assistant('a')], described)).report();
    assert.equal(changed.firstChange?.kind, 'description-changed');
    assert.equal(changed.firstChange?.where, 'tools[search_orders].description');

    const edited = await tracker.plan(view('x', [user('hi'), assistant('b')], described)).report();
    assert.equal(edited.firstChange?.kind, 'history-changed');
    assert.equal(edited.firstChange?.where, 'messages[1]');
  });

  test('UUIDs, request ids and counters get their own kinds', async () => {
    const tracker = createCacheTracker();
    const prompt = (id: string, request: string, step: number) => `Session ${id}. Request req_${request}. Step ${step} of 50.`;
    tracker.plan({ system: [prompt('6f1c2a3e-0b4d-4c8e-9a71-2f3e4d5c6b7a', 'A8f2kQ91x', 3)], tools: [], messages: [] });
    const report = await tracker
      .plan({ system: [prompt('0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a', 'Zq71mP02b', 4)], tools: [], messages: [] })
      .report();
    assert.deepEqual(
      report.volatile.map((change) => change.kind),
      ['uuid', 'request-id', 'counter'],
    );
  });

  test('conversations are told apart by their first user message, within a bounded memory', async () => {
    const tracker = createCacheTracker({ maxConversations: 2 });
    await tracker.plan(view('x', [user('first conversation')])).report();
    await tracker.plan(view('x', [user('second conversation')])).report();
    const again = await tracker.plan(view('x', [user('first conversation'), assistant('a')])).report();
    assert.equal(again.call, 2);
    await tracker.plan(view('x', [user('third conversation')])).report();
    // Three conversations in a memory of two: the least recently used (the second) was dropped.
    assert.equal((await tracker.plan(view('x', [user('second conversation'), assistant('b')])).report()).call, 1);
  });
});

describe('alignment', () => {
  test('moves the time into a note at the end from the first call, so every later call continues the one before', async () => {
    const tracker = createCacheTracker({ align: true });
    const times = ['2026-12-02T10:14:03Z', '2026-12-02T10:14:41Z', '2026-12-02T10:15:02Z'];
    const messages: CacheView['messages'] = [user('Where is order 42?')];
    const plans = [];
    const reports = [];
    for (const time of times) {
      const plan = tracker.plan(view(time, [...messages]));
      plans.push(plan);
      reports.push(await plan.report());
      messages.push(assistant(`call ${messages.length}`), tool(`result ${messages.length}`));
    }
    // A date with a time of day is taken as the current time on sight.
    assert.match(plans[0]!.system![0]!, /Current time: \[timestamp-1\]\n/);
    assert.equal(plans[0]!.note, 'Context for this turn (current values of the bracketed placeholders above):\n[timestamp-1] 2026-12-02T10:14:03Z');
    assert.equal(plans[2]!.note!.split('\n')[1], '[timestamp-1] 2026-12-02T10:15:02Z');
    assert.equal(plans[1]!.system![0], plans[0]!.system![0]);
    for (const report of reports.slice(1)) {
      assert.equal(report.firstChange, undefined);
      assert.equal(report.moved, 1);
      assert.ok(report.stablePrefixTokens / report.tokens > 0.9, `${report.stablePrefixTokens} of ${report.tokens}`);
    }
    assert.equal(reports[1]!.volatile[0]!.kind, 'timestamp');
    assert.equal(reports[1]!.volatile[0]!.moved, true);
  });

  test('a counter is moved once it was seen changing, and that call names it as the break', async () => {
    const tracker = createCacheTracker({ align: true });
    const counted = (step: number, messages: CacheView['messages']): CacheView => ({ system: [`Step ${step} of 50.\n${POLICY}`], tools, messages });
    const first = tracker.plan(counted(3, [user('go')]));
    assert.equal(first.note, undefined, 'a number is not volatile on sight');
    const second = tracker.plan(counted(4, [user('go'), assistant('a'), tool('b')]));
    assert.equal(second.note?.split('\n')[1], '[counter-1] 4');
    const report = await second.report();
    assert.equal(report.firstChange?.kind, 'counter');
    assert.equal(report.firstChange?.moved, true);
    assert.match(report.firstChange!.example, /^system\[0\] chars 5–\d+: "3" → "\[counter-1\]"$/);
    const third = await tracker.plan(counted(5, [user('go'), assistant('a'), tool('b'), assistant('c'), tool('d')])).report();
    assert.equal(third.firstChange, undefined);
  });

  test('a new conversation with a known template is aligned from its first call', () => {
    const tracker = createCacheTracker({ align: true });
    const counted = (step: number, first: string): CacheView => ({ system: [`Step ${step}.\n${POLICY}`], tools, messages: [user(first)] });
    tracker.plan(counted(1, 'one'));
    tracker.plan(counted(2, 'one'));
    const fresh = tracker.plan(counted(7, 'another customer'));
    assert.equal(fresh.note?.split('\n')[1], '[counter-1] 7');
  });

  test('sorts tools by name and never changes messages', () => {
    const tracker = createCacheTracker({ align: true });
    const plan = tracker.plan(view('x', [user('hi')], [tools[0]!, tools[1]!]));
    assert.deepEqual(plan.toolOrder, [1, 0]);
    assert.equal(tracker.plan(view('x', [user('hi')], [tools[1]!, tools[0]!])).toolOrder, undefined);
  });

  test('after an assistant prefill nothing is moved, since a note cannot follow it', () => {
    const tracker = createCacheTracker({ align: true });
    const plan = tracker.plan(view('2026-12-02T10:14:41Z', [user('hi'), assistant('Sure, ')]));
    assert.equal(plan.note, undefined);
    assert.equal(plan.system, undefined);
  });

  test('same input, same plan: two trackers fed the same calls send the same bytes', () => {
    const plans = [createCacheTracker({ align: true }), createCacheTracker({ align: true })].map((tracker) => {
      tracker.plan(view('2026-12-02T10:14:03Z', [user('hi')]));
      const plan = tracker.plan(view('2026-12-02T10:14:41Z', [user('hi')], [tools[1]!, tools[0]!]));
      return JSON.stringify({ ...plan, report: undefined });
    });
    assert.equal(plans[0], plans[1]);
  });
});

describe('breakpoints', () => {
  test('on the end of the system prompt, the last stable message and large folded outputs, at most four', () => {
    const tracker = createCacheTracker({ breakpoints: true });
    const big = (label: string) => `${label} [[fold 482913075561204: 184 lines]] ${'log line with some words in it\n'.repeat(400)}`;
    const messages: CacheView['messages'] = [user('why did it fail?')];
    for (let step = 0; step < 4; step++) messages.push(assistant(`read ${step}`), tool(big(`output ${step}`), true));
    const plan = tracker.plan(view('x', messages));
    assert.equal(plan.breakpoints.system, true);
    // The last stable message (the last tool output) and the two latest large folded outputs before it.
    assert.deepEqual(plan.breakpoints.messages, [4, 6, 8]);
    assert.equal(plan.ttl, '5m');

    const limited = createCacheTracker({ breakpoints: true }).plan(view('x', messages), { existingBreakpoints: 2 });
    assert.equal(Number(limited.breakpoints.system) + limited.breakpoints.messages.length, 2);
  });

  test('on a call that rewrote history, one on the last message it shares with the call before', () => {
    const tracker = createCacheTracker({ breakpoints: true });
    const output = (step: number) => tool(`output ${step}\n${'a line of the tool output\n'.repeat(60)}`);
    const messages: CacheView['messages'] = [user('why did it fail?')];
    for (let step = 0; step < 6; step++) messages.push(assistant(`read ${step}`), output(step));
    tracker.plan(view('x', messages));
    // The next call folds the output of step 3 (message 8) and adds a step.
    const rewritten = messages.map((message, index) => (index === 8 ? tool('[[fold 482913075561204: 61 lines; read 3: superseded by a later run]]', true) : message));
    const plan = tracker.plan(view('x', [...rewritten, assistant('read 6'), output(6)]));
    assert.deepEqual(plan.breakpoints.messages, [7, 14], 'the last unchanged message, and the last stable one');
    assert.equal(plan.breakpoints.system, true);
    // A call that only continues the previous one gets no such breakpoint.
    const next = tracker.plan(view('x', [...rewritten, assistant('read 6'), output(6), assistant('read 7'), output(7)]));
    assert.deepEqual(next.breakpoints.messages, [16]);
  });

  test('a prefix under the provider minimum gets none', () => {
    const plan = createCacheTracker({ breakpoints: true }).plan({ system: ['short'], tools: [], messages: [user('hi')] });
    assert.deepEqual(plan.breakpoints, { system: false, messages: [] });
  });

  test('long pauses between calls over a large prefix choose the one-hour TTL', () => {
    let clock = 0;
    const tracker = createCacheTracker({ breakpoints: true, now: () => clock });
    const messages: CacheView['messages'] = [user('hi')];
    let plan;
    for (let call = 0; call < 4; call++) {
      plan = tracker.plan(view('x', [...messages]));
      messages.push(assistant('a'), user('more'));
      clock += 20 * 60_000; // a user who answers every twenty minutes
    }
    assert.equal(plan!.ttl, '1h');
    const quick = createCacheTracker({ breakpoints: true, now: () => clock });
    for (let call = 0; call < 4; call++) {
      plan = quick.plan(view('x', messages.slice(0, 1 + 2 * call)));
      clock += 10_000;
    }
    assert.equal(plan!.ttl, '5m');
  });
});
