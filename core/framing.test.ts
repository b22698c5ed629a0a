import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripFraming } from './framing.ts';

describe('stripFraming', () => {
  const cases: Array<[string, string, string]> = [
    ['a plain line', 'npm ERR! code E404', 'npm ERR! code E404'],
    ['colours', '\u001b[31;1mThe command "make" exited with 2.\u001b[0m', 'The command "make" exited with 2.'],
    ['a progress bar redrawn with carriage returns', 'Downloading 10%\rDownloading 55%\rDownloading 100%', 'Downloading 100%'],
    ['a CRLF line end', 'Compiling app v0.1.0\r', 'Compiling app v0.1.0'],
    ['a GitHub Actions timestamp', '2026-12-02T10:14:03.1234567Z Run npm test', 'Run npm test'],
    ['a GitHub Actions error command', '2026-12-02T10:14:03.1234567Z ##[error]Process completed with exit code 1.', 'error: Process completed with exit code 1.'],
    ['a group command', '##[group]Run actions/checkout@v4', 'Run actions/checkout@v4'],
    ['a Travis fold marker', 'travis_fold:start:install\r\u001b[0K$ npm ci', '$ npm ci'],
    ['a Jenkins timestamp', '[2026-12-02T10:14:03.123Z] [ERROR] BUILD FAILURE', '[ERROR] BUILD FAILURE'],
    ['valgrind’s process id', '==28108== Invalid read of size 8', 'Invalid read of size 8'],
  ];
  for (const [what, line, view] of cases) {
    it(`strips ${what}`, () => assert.equal(stripFraming(line), view));
  }
});
