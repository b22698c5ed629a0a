import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { claudeCodeHook, claudeCodeSettings, rewriteCommand, runWrapper } from './hook.ts';
import { classifyCommand } from './known-commands.ts';

const cli = join(import.meta.dirname, 'index.ts');
const call = (command: string, tool = 'Bash') => JSON.stringify({ tool_name: tool, tool_input: { command, description: 'Run the tests', timeout: 60000 } });

describe('the Claude Code hook', () => {
  it('wraps known-verbose simple commands in tokenfold-run, or tokenfold run where that is missing', () => {
    for (const command of ['npm test', 'pnpm run build', 'cargo test --release', 'pytest -x tests/', 'python -m pytest', 'go test ./...', 'git diff HEAD~1', 'git log --oneline', 'npm ls', 'find . -name "*.ts"', 'grep -rn TODO src', 'rg TODO', 'npx vitest run', 'make']) {
      assert.equal(rewriteCommand(command, 'tokenfold-run'), `tokenfold-run -- ${command}`, command);
      assert.equal(rewriteCommand(command, 'tokenfold run'), `tokenfold run -- ${command}`, command);
    }
  });

  it('leaves everything else untouched', () => {
    for (const command of ['ls -la', 'cat README.md', 'git status', 'git commit -m "x"', 'npm test | tail -20', 'cd app && npm test', 'npm test > out.txt', 'FOO=1 npm test', 'echo $(npm test)', 'tokenfold run -- npm test', 'tokenfold-run -- npm test', 'grep TODO file.ts', 'sudo make install', '']) {
      assert.equal(rewriteCommand(command, 'tokenfold-run'), undefined, command);
    }
  });

  it('uses tokenfold-run when an executable of that name is on PATH', (t) => {
    const folder = mkdtempSync(join(tmpdir(), 'tokenfold-hook-'));
    t.after(() => rmSync(folder, { recursive: true, force: true }));
    const [bin, empty, notExecutable] = [join(folder, 'bin'), join(folder, 'empty'), join(folder, 'other')] as const;
    for (const dir of [bin, empty, notExecutable]) mkdirSync(dir);
    writeFileSync(join(bin, 'tokenfold-run'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(notExecutable, 'tokenfold-run'), '', { mode: 0o644 });
    assert.equal(runWrapper(`${empty}:${bin}`, 'linux'), 'tokenfold-run');
    assert.equal(runWrapper(`${empty}:${notExecutable}`, 'linux'), 'tokenfold run');
    assert.equal(runWrapper(bin, 'win32'), 'tokenfold run');
  });

  it('answers Claude Code with the whole input, command rewritten, and the chosen decision', () => {
    const answer = JSON.parse(claudeCodeHook(call('cargo test'), 'ask', 'tokenfold-run'));
    assert.equal(answer.hookSpecificOutput.hookEventName, 'PreToolUse');
    assert.equal(answer.hookSpecificOutput.permissionDecision, 'ask');
    assert.deepEqual(answer.hookSpecificOutput.updatedInput, { command: 'tokenfold-run -- cargo test', description: 'Run the tests', timeout: 60000 });
    assert.equal(claudeCodeHook(call('ls'), 'ask'), '');
    assert.equal(claudeCodeHook(call('cargo test', 'Read'), 'ask'), '');
    assert.equal(claudeCodeHook('not json', 'ask'), '');
  });

  it('runs as a command: JSON in, decision out, exit 0; prints the settings to add', () => {
    // This checkout's bin/ on PATH, as `npm install -g tokenfold` would put the package's bins.
    const env = { ...process.env, PATH: `${join(dirname(cli), '..', 'bin')}:${process.env.PATH}` };
    const hook = spawnSync(process.execPath, ['--conditions=tokenfold-source', cli, 'hook', 'claude-code', '--pre-tool-use', '--decision', 'allow'], { input: call('npm test'), encoding: 'utf8', env });
    assert.equal(hook.status, 0, hook.stderr);
    assert.equal(JSON.parse(hook.stdout).hookSpecificOutput.permissionDecision, 'allow');
    assert.equal(JSON.parse(hook.stdout).hookSpecificOutput.updatedInput.command, 'tokenfold-run -- npm test');
    const settings = JSON.parse(claudeCodeSettings('ask'));
    assert.deepEqual(settings.hooks.PreToolUse[0].matcher, 'Bash');
    assert.equal(settings.hooks.PreToolUse[0].hooks[0].command, 'tokenfold hook claude-code --pre-tool-use');
  });
});

describe('known commands', () => {
  it('says which kind of output a command gives', () => {
    assert.deepEqual(classifyCommand(['git', 'diff']), { verbose: true, kind: 'diff' });
    assert.deepEqual(classifyCommand(['git', 'log', '-p']), { verbose: true, kind: 'diff' });
    assert.deepEqual(classifyCommand(['cargo', 'test']), { verbose: true, kind: 'build' });
    assert.deepEqual(classifyCommand(['npm', 'ls']), { verbose: true });
    assert.deepEqual(classifyCommand(['grep', '-rn', 'x', '.']), { verbose: true, kind: 'search' });
    assert.deepEqual(classifyCommand(['kubectl', 'logs', 'pod']), { verbose: true, kind: 'log' });
    assert.deepEqual(classifyCommand(['/usr/bin/pytest']), { verbose: true, kind: 'build' });
    assert.deepEqual(classifyCommand(['echo', 'test']), { verbose: false });
  });
});
