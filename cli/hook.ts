import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { classifyCommand } from './known-commands.ts';

/*
 * The Claude Code hook. Claude Code runs `tokenfold hook claude-code --pre-tool-use` before each
 * Bash tool call, with the call as JSON on standard input; the hook answers with JSON that
 * replaces the command by `tokenfold-run -- <command>` when the command is a known-verbose one
 * (test runners, builds, `git log`/`diff`, package managers, `find`, `grep -r`), and prints
 * nothing otherwise, which leaves the call untouched. `tokenfold-run` is the package's sh front
 * of `tokenfold run`, which starts Node only for outputs worth compressing; where it is not on
 * PATH (Windows, an older install), the hook writes `tokenfold run -- <command>` instead.
 *
 * Only simple commands are rewritten: a line with pipes, redirections, `&&`, `;`, substitutions
 * or variables assigned in front is left alone, since `tokenfold run --` would wrap only its first
 * part (and a pipeline into `tail` already trims). The shell still expands the words (quotes,
 * globs, `$VAR`) after the rewrite, exactly as before it.
 *
 * Claude Code only applies a rewritten input together with a permission decision: `ask` (the
 * default) shows the rewritten command for approval, `allow` runs it without asking, which skips
 * the approval the original command might have needed. Claude Code's own deny and ask rules
 * still apply either way.
 */

export type HookDecision = 'ask' | 'allow';

/** What a rewritten command starts with. */
export type RunWrapper = 'tokenfold-run' | 'tokenfold run';

// Anything a shell would treat as more than one simple command, or as a redirection.
const SHELL_SYNTAX = /[|&;<>(){}`\n]|\$\(|^\s*\w+=/;

/**
 * The answer to one PreToolUse call: JSON to print, or '' to leave the call as it is. Never
 * throws: malformed input is left alone.
 *
 * @example
 * claudeCodeHook('{"tool_name":"Bash","tool_input":{"command":"cargo test"}}', 'ask');
 * // '{"hookSpecificOutput":{…,"updatedInput":{"command":"tokenfold-run -- cargo test"}}}\n'
 */
export function claudeCodeHook(input: string, decision: HookDecision, wrapper: RunWrapper = runWrapper()): string {
  let call: { tool_name?: unknown; tool_input?: Record<string, unknown> };
  try {
    call = JSON.parse(input);
  } catch {
    return '';
  }
  const command = call?.tool_input?.command;
  if (call?.tool_name !== 'Bash' || typeof command !== 'string') return '';
  const rewritten = rewriteCommand(command, wrapper);
  if (rewritten === undefined) return '';
  return `${JSON.stringify({
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: decision,
      permissionDecisionReason: 'tokenfold compresses this output; `tokenfold unfold ID` brings back any fold',
      // updatedInput replaces the whole input: keep the other fields (description, timeout).
      updatedInput: { ...call.tool_input, command: rewritten },
    },
  })}\n`;
}

/**
 * `tokenfold-run -- <command>` (or `tokenfold run -- …`) for a simple, known-verbose command;
 * undefined for anything else.
 *
 * @example
 * rewriteCommand('pytest -x', 'tokenfold-run');          // 'tokenfold-run -- pytest -x'
 * rewriteCommand('npm test | tail -20', 'tokenfold-run'); // undefined
 */
export function rewriteCommand(command: string, wrapper: RunWrapper = runWrapper()): string | undefined {
  const trimmed = command.trim();
  if (trimmed === '' || SHELL_SYNTAX.test(trimmed)) return undefined;
  // Words as the shell would split them, near enough to recognise the command (quotes dropped).
  const words = trimmed.split(/\s+/).map((word) => word.replace(/^['"]|['"]$/g, ''));
  if (words[0] === 'tokenfold' || words[0] === 'tokenfold-run' || words[0] === 'sudo') return undefined;
  return classifyCommand(words).verbose ? `${wrapper} -- ${trimmed}` : undefined;
}

/**
 * `tokenfold-run` when an executable of that name is on `path` (the agent's shell finds it the
 * same way), else `tokenfold run`. On Windows, always `tokenfold run`: the front is a sh script.
 *
 * @example
 * runWrapper('/usr/local/bin:/usr/bin'); // 'tokenfold-run' after `npm install -g tokenfold`
 */
export function runWrapper(path = process.env.PATH ?? '', platform = process.platform): RunWrapper {
  if (platform === 'win32') return 'tokenfold run';
  for (const dir of path.split(delimiter)) {
    const file = join(dir || '.', 'tokenfold-run');
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return 'tokenfold-run';
    } catch {
      // not in this folder
    }
  }
  return 'tokenfold run';
}

/**
 * The `hooks` block to add to `.claude/settings.json` (project) or `~/.claude/settings.json`.
 *
 * @example
 * process.stdout.write(claudeCodeSettings('ask'));
 */
export function claudeCodeSettings(decision: HookDecision): string {
  const hook = `tokenfold hook claude-code --pre-tool-use${decision === 'ask' ? '' : ` --decision ${decision}`}`;
  const settings = { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: hook, timeout: 10 }] }] } };
  return `${JSON.stringify(settings, null, 2)}\n`;
}
