/*
 * Loads the shared corpora (../shared/corpora, see its README) into plain documents for the
 * benchmark, together with the ground truth each fidelity rule needs: the per-line CSV of the
 * loghub logs, the gold answers of SQuAD, the steps and task of each SWE-agent trajectory, the
 * failure reasons of the LogChunks CI logs and of the project's own failing-build fixtures.
 * Files are read in sorted order so that every run sees the same documents in the same order.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** The corpora the benchmark knows, in report order. */
export const CORPUS_IDS = ['logs', 'ci', 'fixtures', 'simdjson', 'octokit', 'squad', 'agent'] as const;
export type CorpusId = (typeof CORPUS_IDS)[number];

/** Names accepted by `--corpus` besides the ids themselves. */
export const CORPUS_ALIASES: Record<string, CorpusId[]> = {
  json: ['simdjson', 'octokit'],
  loghub: ['logs'],
  logchunks: ['ci'],
  failures: ['fixtures'],
  qa: ['squad'],
  swe: ['agent'],
  'swe-agent': ['agent'],
};

export const CORPUS_TITLES: Record<CorpusId, string> = {
  logs: 'loghub logs',
  ci: 'LogChunks CI logs',
  fixtures: 'failing-build fixtures',
  simdjson: 'simdjson JSON',
  octokit: 'octokit JSON',
  squad: 'SQuAD 2.0 QA',
  agent: 'SWE-agent trajectories',
};

/** `TOKENFOLD_CORPORA`, else `../shared/corpora` next to the repository root. */
export function resolveCorporaDir(repoRoot: string): string {
  return resolve(process.env.TOKENFOLD_CORPORA || join(repoRoot, '..', 'shared', 'corpora'));
}

/** True when the folder looks like the corpora (has at least one of the expected sub-folders). */
export function corporaExist(directory: string): boolean {
  return ['logs/loghub', 'ci/logchunks', 'json/simdjson', 'json/octokit', 'qa', 'agent/swe-agent'].some((part) =>
    existsSync(join(directory, part)),
  );
}

/** One line of a loghub `_structured.csv`. `level`/`label` are absent where the system has none. */
export interface LogRow {
  lineId: number;
  level?: string;
  label?: string;
  eventId: string;
}

/** A loghub log with its per-line ground truth. */
export interface LogDocument {
  id: string;
  text: string;
  /** The input's lines without line terminators (`\r` stripped). */
  lines: string[];
  /** Ground truth per line, index-aligned with `lines` (row i is LineId i + 1). */
  rows: LogRow[];
}

/** Every `<Sys>_2k.log` with its `_structured.csv`, index-aligned by LineId. */
export function loadLogs(corporaDir: string): LogDocument[] {
  const directory = join(corporaDir, 'logs', 'loghub');
  return listFiles(directory, (name) => name.endsWith('_2k.log')).map((name) => {
    const text = readFileSync(join(directory, name), 'utf8');
    const lines = splitLines(text);
    const csvPath = join(directory, `${name}_structured.csv`);
    const rows = existsSync(csvPath) ? parseStructuredCsv(readFileSync(csvPath, 'utf8')) : [];
    const aligned: LogRow[] = [];
    for (const row of rows) if (row.lineId >= 1 && row.lineId <= lines.length) aligned[row.lineId - 1] = row;
    if (aligned.length !== lines.length || aligned.includes(undefined as unknown as LogRow)) {
      process.stderr.write(`bench: ${name}: structured CSV does not cover every line; rules use what it covers\n`);
    }
    return { id: name, text, lines, rows: aligned };
  });
}

/** A failed build or test run with the lines that say why it failed (scored by fidelity-ci.ts). */
export interface FailureDocument {
  id: string;
  text: string;
  /** The labelled reason as it was labelled, line by line (fidelity-ci.ts picks the lines it checks). */
  reason: string[];
  /** What produced it: a LogChunks language (`Java`), or a fixture's tool (`mvn`). */
  source: string;
}

/**
 * The LogChunks logs of `ci/logchunks/` with their `failureReason` (see ../shared/corpora/README.md),
 * in label order; [] when the folder is missing.
 */
export function loadCiLogs(corporaDir: string): FailureDocument[] {
  const directory = join(corporaDir, 'ci', 'logchunks');
  const labelsPath = join(directory, 'labels.json');
  if (!existsSync(labelsPath)) return [];
  const labels = JSON.parse(readFileSync(labelsPath, 'utf8')) as Array<{ log: string; language?: string; failureReason: string }>;
  return labels.map((label) => ({
    id: basename(label.log),
    text: readFileSync(join(directory, label.log), 'utf8'),
    reason: label.failureReason.split('\n'),
    source: label.language ?? '',
  }));
}

/** The folder of the project's own failing-build fixtures. */
export function fixturesDir(repoRoot: string): string {
  return join(repoRoot, 'test', 'fixtures', 'failures');
}

/** One entry of `test/fixtures/failures/labels.json` (the folder's README says how they were made). */
export interface FixtureLabel {
  file: string;
  tool: string;
  command: string;
  exitCode: number;
  /** `plain`, `terminal` (run under a pty: colours, CRLF, `\r` progress), `github`, `jenkins`, `jenkins-timestamps`. */
  framing: string;
  notes?: string;
  /** Exact lines of the file (without their line terminator) that explain the failure. */
  failureLines: string[];
}

/** The project's failing-build fixtures with their labelled failure lines, in label order. */
export function loadFixtures(repoRoot: string): FailureDocument[] {
  const directory = fixturesDir(repoRoot);
  const labels = JSON.parse(readFileSync(join(directory, 'labels.json'), 'utf8')) as FixtureLabel[];
  return labels.map((label) => ({
    id: label.file,
    text: readFileSync(join(directory, label.file), 'utf8'),
    reason: label.failureLines,
    source: label.tool,
  }));
}

/** A JSON or NDJSON file as text (the rules parse it themselves, keeping raw slices). */
export interface JsonDocument {
  id: string;
  text: string;
  format: 'json' | 'ndjson';
}

/** Every `.json`/`.ndjson` file of `json/<collection>/`. */
export function loadJson(corporaDir: string, collection: 'simdjson' | 'octokit'): JsonDocument[] {
  const directory = join(corporaDir, 'json', collection);
  return listFiles(directory, (name) => name.endsWith('.json') || name.endsWith('.ndjson')).map((name) => ({
    id: name,
    text: readFileSync(join(directory, name), 'utf8'),
    format: name.endsWith('.ndjson') ? 'ndjson' : 'json',
  }));
}

/** An answerable SQuAD question. */
export interface SquadQuestion {
  id: string;
  question: string;
  /** Gold answer texts (variants of one answer); the rule accepts any of them. */
  answers: string[];
}

/** A SQuAD paragraph with its answerable questions. */
export interface SquadParagraph {
  title: string;
  context: string;
  /** Answerable questions only; the unanswerable ones have no gold answer to keep. */
  questions: SquadQuestion[];
  unanswerable: number;
}

/** The SQuAD 2.0 dev half, paragraph by paragraph; [] when the file is missing. */
export function loadSquad(corporaDir: string): SquadParagraph[] {
  const path = join(corporaDir, 'qa', 'squad-dev-v2.0.json');
  if (!existsSync(path)) return [];
  const data = JSON.parse(readFileSync(path, 'utf8')) as {
    data: Array<{ title: string; paragraphs: Array<{ context: string; qas: SquadRawQuestion[] }> }>;
  };
  const paragraphs: SquadParagraph[] = [];
  for (const article of data.data) {
    for (const paragraph of article.paragraphs) {
      const answerable = paragraph.qas.filter((qa) => !qa.is_impossible && qa.answers.length > 0);
      paragraphs.push({
        title: article.title,
        context: paragraph.context,
        questions: answerable.map((qa) => ({
          id: qa.id,
          question: qa.question,
          answers: [...new Set(qa.answers.map((answer) => answer.text))],
        })),
        unanswerable: paragraph.qas.length - answerable.length,
      });
    }
  }
  return paragraphs;
}

interface SquadRawQuestion {
  id: string;
  question: string;
  answers: Array<{ text: string }>;
  is_impossible?: boolean;
}

/** One agent step: what the agent ran and what came back. */
export interface AgentStep {
  action: string;
  observation: string;
  thought: string;
}

/** A SWE-agent trajectory: its task and its steps, in order. */
export interface AgentTrajectory {
  id: string;
  /** The issue or challenge text, used as the query; '' when none was found. */
  task: string;
  steps: AgentStep[];
}

/** Every `.traj` file of `agent/swe-agent/`. */
export function loadAgent(corporaDir: string): AgentTrajectory[] {
  const directory = join(corporaDir, 'agent', 'swe-agent');
  return listFiles(directory, (name) => name.endsWith('.traj')).map((name) => {
    const data = JSON.parse(readFileSync(join(directory, name), 'utf8')) as RawTrajectory;
    return { id: name, task: findTask(data.history ?? []), steps: readSteps(data) };
  });
}

interface RawMessage {
  role?: string;
  content?: unknown;
  action?: string;
  thought?: string;
  message_type?: string;
}

interface RawTrajectory {
  history?: RawMessage[];
  trajectory?: Array<{ action?: string; observation?: string; thought?: string; response?: string }>;
}

// Steps come from `trajectory` where present. Older files only have `history`: there each
// assistant message with an `action` is answered by the next user/tool message.
function readSteps(data: RawTrajectory): AgentStep[] {
  if (data.trajectory && data.trajectory.length > 0) {
    return data.trajectory.map((step) => ({
      action: step.action ?? '',
      observation: step.observation ?? '',
      thought: step.thought ?? step.response ?? '',
    }));
  }
  const history = data.history ?? [];
  const steps: AgentStep[] = [];
  for (let i = 0; i < history.length; i++) {
    const message = history[i]!;
    if (message.role !== 'assistant' || typeof message.action !== 'string') continue;
    const reply = history[i + 1];
    const observation = reply && reply.role !== 'assistant' ? contentText(reply.content) : '';
    steps.push({ action: message.action, observation, thought: message.thought ?? contentText(message.content) });
  }
  return steps;
}

// The task is in the last user message before the agent's first action (earlier ones may be a
// demonstration): the text after `ISSUE:` or `The description is:` and before `INSTRUCTIONS:`.
function findTask(history: RawMessage[]): string {
  const firstAction = history.findIndex((message) => message.role === 'assistant');
  const before = history.slice(0, firstAction === -1 ? history.length : firstAction);
  for (let i = before.length - 1; i >= 0; i--) {
    const message = before[i]!;
    if (message.role !== 'user') continue;
    const content = contentText(message.content);
    const start = content.search(/ISSUE:\n|The description is:\n/);
    if (start === -1) continue;
    const from = content.indexOf('\n', start) + 1;
    const end = content.indexOf('INSTRUCTIONS:', from);
    return content.slice(from, end === -1 ? undefined : end).trim();
  }
  return '';
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : '')).join('\n');
  }
  return '';
}

/** Lines without terminators; a final newline does not start another line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}

function listFiles(directory: string, accept: (name: string) => boolean): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => accept(name) && statSync(join(directory, name)).isFile())
    .sort();
}

/** The rows of a loghub `_structured.csv`, in file order (rows shorter than the header are skipped). */
export function parseStructuredCsv(text: string): LogRow[] {
  const records = parseCsv(text);
  const header = records.shift() ?? [];
  const column = (name: string) => header.indexOf(name);
  const lineId = column('LineId');
  const level = column('Level');
  const label = column('Label');
  const eventId = column('EventId');
  return records
    .filter((record) => record.length >= header.length)
    .map((record) => ({
      lineId: Number(record[lineId]),
      ...(level >= 0 ? { level: record[level]! } : {}),
      ...(label >= 0 ? { label: record[label]! } : {}),
      eventId: record[eventId] ?? '',
    }));
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
