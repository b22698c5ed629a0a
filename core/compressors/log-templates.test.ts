import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineTimestamp, mergeVariants, templateKey, timeSpan } from './log-templates.ts';

// Hostile inputs must end; how fast such inputs go is measured in bench/reliability.ts (hostile
// inputs, 100 MB inputs), never asserted here.
const HANG_GUARD = { timeout: 60_000 };

describe('templateKey', () => {
  it('masks numbers, ids, addresses and times but keeps the words', () => {
    assert.equal(
      templateKey('081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating'),
      '* * * INFO dfs.DataNode$PacketResponder: PacketResponder * for block blk_* terminating',
    );
    assert.equal(
      templateKey('Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186'),
      '* * * LabSZ sshd[*]: Invalid user webmaster from *.*.*.*',
    );
  });

  it('gives negative and positive ids the same key', () => {
    assert.equal(templateKey('deleting blk_-6952295868487656571 now'), templateKey('deleting blk_38865049064139660 now'));
    assert.equal(templateKey('keyId: -127633188)'), templateKey('keyId: 5)'));
  });

  it('masks a UUID whole, even when a group has no digit', () => {
    assert.equal(templateKey('instance 0c4fbddd-95c5-4b0e-bddd-4b5c3bd2d1cc gone'), 'instance * gone');
    assert.equal(templateKey('[req-9bc36dd9-91c5-4d63-98a6-a8ba3e8e8bdd admin]'), '[req-* admin]');
  });

  it('masks hex groups of a MAC address that happen to have no digit', () => {
    assert.equal(templateKey('BSSID changed to 5c:50:15:36:bc:03'), templateKey('BSSID changed to 5c:50:15:36:12:03'));
  });

  it('keeps short device names that end in one digit', () => {
    assert.equal(templateKey('Link Up on en0'), 'Link Up on en0');
    assert.notEqual(templateKey('via interface alt0'), templateKey('via interface ee0'));
  });

  it('masks month and weekday names in the header only', () => {
    assert.equal(templateKey('[Sun Dec 04 04:47:44 2005] [notice] ok'), templateKey('[Mon Jan 05 14:00:01 2006] [notice] ok'));
    assert.equal(templateKey('a b c d e f due in May'), 'a b c d e f due in May');
  });

  it('masks a quoted value after "=" and keeps other quotes', () => {
    assert.equal(templateKey('acquire lock tag="View Lock" ok'), 'acquire lock tag=* ok');
    assert.equal(templateKey('say "GET /a HTTP/1.1"'), 'say "GET /a HTTP/*.*"');
  });

  it('treats a header token of several values as one value', () => {
    assert.equal(
      templateKey('- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 x RAS KERNEL INFO ok'),
      templateKey('- 1117838573 2005.06.04 R23-M0-NE-C:J05-U01 x RAS KERNEL INFO ok'),
    );
  });

  it('ignores runs of blanks and the trailing carriage return', () => {
    assert.equal(templateKey('03-17 16:13:38.811  1702  2395 D Tag: hi\r'), templateKey('03-17 16:13:38.812 1702 2395 D Tag: hi'));
  });

  it('keeps events apart that differ in a word', () => {
    assert.notEqual(templateKey('session opened for user root'), templateKey('session closed for user root'));
  });

  it('reads a 5 MB line, or one of 100k digits', HANG_GUARD, () => {
    for (const line of ['x'.repeat(5e6), '7'.repeat(1e5), 'a="'.repeat(1e6), 'Jan 1 1:'.repeat(5e5), '-1'.repeat(2e6)]) {
      templateKey(line);
    }
  });
});

describe('mergeVariants', () => {
  it('merges a word between two constant words once it takes four values', () => {
    const keys = ['Invalid user a from *', 'Invalid user b from *', 'Invalid user c from *', 'Invalid user d from *'];
    assert.deepEqual([...mergeVariants(keys)], [0, 0, 0, 0]);
    assert.deepEqual([...mergeVariants(keys.slice(0, 3))], [0, 1, 2]);
  });

  it('does not merge the last word, which is often the whole message', () => {
    const keys = ['* I Bar: cancelAutohide', '* I Bar: schedulePeek', '* I Bar: onTouch', '* I Bar: collapse'];
    assert.deepEqual([...mergeVariants(keys)], [0, 1, 2, 3]);
  });

  it('merges header fields before the same message with two values already', () => {
    const keys = ['* hostA kernel[*]: link up', '* hostB kernel[*]: link up', '* hostA kernel[*]: link down'];
    assert.deepEqual([...mergeVariants(keys)], [0, 0, 2]);
  });
});

describe('lineTimestamp', () => {
  const cases: Array<[string, string]> = [
    ['2015-10-18 18:01:47,978 INFO [main] x', '2015-10-18 18:01:47'],
    ['2015-07-29 17:41:44,747 - INFO  [x] - y', '2015-07-29 17:41:44'],
    ['2024-01-02T03:04:05.678Z level=info', '2024-01-02T03:04:05'],
    ['03-17 16:13:38.811  1702  2395 D Tag: x', '03-17 16:13:38'],
    ['[Sun Dec 04 04:47:44 2005] [notice] x', 'Sun Dec 04 04:47:44 2005'],
    ['Jun 14 15:16:01 combo sshd[1]: x', 'Jun 14 15:16:01'],
    ['Jul  1 09:00:55 host kernel[0]: x', 'Jul  1 09:00:55'],
    ['081109 203615 148 INFO x', '081109 203615'],
    ['17/06/09 20:10:40 INFO x', '17/06/09 20:10:40'],
    ['20171223-22:15:29:606|Step|1|x', '20171223-22:15:29'],
    ['[10.30 16:49:06] chrome.exe - x', '10.30 16:49:06'],
    ['- 1117838570 2005.06.03 R02 2005-06-03-15.42.50.675872 R02 RAS', '2005-06-03-15.42.50'],
    ['nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO', '2017-05-16 00:00:00'],
    ['134681 node-246 unix.hw state_change.unavailable 1077804742 1 x', '1077804742'],
  ];
  for (const [line, expected] of cases) {
    it(`finds ${expected} in ${JSON.stringify(line.slice(0, 28))}…`, () => {
      assert.equal(lineTimestamp(line), expected);
    });
  }

  it('finds none in a line without one', () => {
    assert.equal(lineTimestamp('no time here'), undefined);
  });
});

describe('timeSpan', () => {
  it('leaves out the date that the end shares with the start', () => {
    assert.equal(timeSpan('2015-10-18 18:01:48', '2015-10-18 18:04:12'), '2015-10-18 18:01:48 to 18:04:12');
    assert.equal(timeSpan('Jun 14 15:16:01', 'Jun 15 02:04:59'), 'Jun 14 15:16:01 to Jun 15 02:04:59');
  });

  it('leaves out the date that the start shares with the line shown above, within one day', () => {
    assert.equal(timeSpan('2015-10-18 18:01:48', '2015-10-18 19:00:00', '2015-10-18 18:01:47'), '18:01:48 to 19:00:00');
  });

  it('shows the start in full when the span crosses into another day', () => {
    assert.equal(timeSpan('2015-10-18 18:01:48', '2015-10-19 01:00:00', '2015-10-18 18:01:47'), '2015-10-18 18:01:48 to 2015-10-19 01:00:00');
    assert.equal(timeSpan('081109 203807', '081111 101954', '081109 203615'), '081109 203807 to 081111 101954');
  });

  it('says "at" for a single moment and nothing without times', () => {
    assert.equal(timeSpan('Dec 10 07:07:38', 'Dec 10 07:07:38'), 'at Dec 10 07:07:38');
    assert.equal(timeSpan(undefined, 'Dec 10 07:07:38'), undefined);
  });
});
