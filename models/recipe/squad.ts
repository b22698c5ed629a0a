import { readFileSync } from 'node:fs';

/*
 * The SQuAD 2.0 dev half (../shared/corpora/qa, CC BY-SA 4.0) as the relevance model's training
 * and evaluation data, split by article so that no article is on both sides: an article is held
 * out for evaluation when the FNV-1a hash of its title is divisible by 3 (5 of the 16 articles,
 * 1,035 of the 2,910 answerable questions). Training never reads the held-out articles.
 */

/** An answerable question with every distinct gold answer and where each occurs in the paragraph. */
export interface SquadItem {
  question: string;
  answers: string[];
  /** [start, end) character ranges of the gold answers in the paragraph. */
  spans: Array<[number, number]>;
  /** An unanswerable question: `answers` are its plausible answers (training only, never scored). */
  plausible?: boolean;
}

export interface SquadArticleParagraph {
  title: string;
  context: string;
  questions: SquadItem[];
}

interface Answer {
  text: string;
  answer_start: number;
}

export type Split = 'train' | 'evaluation';

/** Which side of the split an article is on: by the FNV-1a hash of its title, 1 in 3 held out. */
export function splitOf(title: string): Split {
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < title.length; i++) hash = Math.imul(hash ^ title.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % 3 === 0 ? 'evaluation' : 'train';
}

/**
 * The paragraphs of one side of the split, in file order, with their answerable questions. With
 * `plausible`, also SQuAD 2.0's unanswerable questions that have plausible answers: written to
 * look answerable from the paragraph, their plausible answer is the part a reader would look at,
 * which is what a relevance model should keep (the recipe trains on them; evaluation never does).
 */
export function loadSquadSplit(path: string, split: Split, options: { plausible?: boolean } = {}): SquadArticleParagraph[] {
  const data = JSON.parse(readFileSync(path, 'utf8')) as {
    data: Array<{
      title: string;
      paragraphs: Array<{ context: string; qas: Array<{ question: string; is_impossible?: boolean; answers: Answer[]; plausible_answers?: Answer[] }> }>;
    }>;
  };
  const paragraphs: SquadArticleParagraph[] = [];
  for (const article of data.data) {
    if (splitOf(article.title) !== split) continue;
    for (const paragraph of article.paragraphs) {
      const questions: SquadItem[] = [];
      for (const qa of paragraph.qas) {
        const plausible = Boolean(qa.is_impossible);
        const answers = plausible ? (options.plausible ? (qa.plausible_answers ?? []) : []) : qa.answers;
        if (answers.length === 0) continue;
        const spans = new Map<string, [number, number]>();
        for (const answer of answers) spans.set(`${answer.answer_start}:${answer.text.length}`, [answer.answer_start, answer.answer_start + answer.text.length]);
        const item: SquadItem = { question: qa.question, answers: [...new Set(answers.map((answer) => answer.text))], spans: [...spans.values()] };
        if (plausible) item.plausible = true;
        questions.push(item);
      }
      paragraphs.push({ title: article.title, context: paragraph.context, questions });
    }
  }
  return paragraphs;
}
