import { ToolMessage } from '@langchain/core/messages';

/*
 * The one way this adapter copies a ToolMessage with new content. A ToolMessage is immutable in
 * spirit (the agent state, the checkpointer and tracers hold it), so every rewrite (compression,
 * a session reference or history fold, a cache breakpoint) builds a new one; building it field by
 * field in each place is how a field gets lost (an earlier history fold dropped `artifact`,
 * `additional_kwargs`, `response_metadata` and `metadata`). Every field the constructor takes is
 * carried over here, once.
 */

/**
 * A copy of `message` with `content` replaced, every other field kept: `tool_call_id`, `name`,
 * `id`, `artifact`, `status`, `additional_kwargs`, `response_metadata`, `metadata`. With
 * `tokenfold`, `metadata.tokenfold` is set to it (the rest of `metadata` is kept).
 *
 * @example
 * const sent = copyToolMessage(message, { content: compressed.text, tokenfold: { kind: 'log', folds: ['482913075561204'] } });
 * sent.tool_call_id === message.tool_call_id; // true
 */
export function copyToolMessage(message: ToolMessage, changes: { content: ToolMessage['content']; tokenfold?: object }): ToolMessage {
  const metadata = changes.tokenfold ? { ...message.metadata, tokenfold: changes.tokenfold } : message.metadata;
  return new ToolMessage({
    content: changes.content,
    tool_call_id: message.tool_call_id,
    name: message.name,
    id: message.id,
    artifact: message.artifact,
    status: message.status,
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
    ...(metadata ? { metadata } : {}),
  });
}
