/*
 * The subset of Hugging Face's `tokenizer.json` format that BERT and XLM-RoBERTa style models use,
 * in TypeScript, so that a user-supplied token-classification model (LLMLingua-2) runs with
 * nothing but Node: WordPiece (BERT, mBERT) and Unigram (XLM-R, SentencePiece) models, with
 * BERT's normalizer and pre-tokenizer, Metaspace, whitespace splitting, and the [CLS]/[SEP] or
 * <s>/</s> wrapping of the post-processor. Byte-level BPE (GPT-2 style) is not supported; such a
 * file is refused with a message saying so.
 *
 * Every token carries the character range of the word it came from in the original text (not of
 * the piece itself): normalization may change lengths (accents stripped, NFKC), and a word's range
 * is all that scoring needs, since words never straddle the units that the compressor keeps.
 * XLM-R's "Precompiled" normalizer (a SentencePiece char map) is approximated by NFKC, which it
 * mostly is.
 */

/** One token: its id and the range of its word in the original text. */
export interface Token {
  id: number;
  start: number;
  end: number;
}

/** A loaded tokenizer: text in, tokens with word offsets out (without special tokens). */
export interface Tokenizer {
  readonly kind: 'wordpiece' | 'unigram';
  encode(text: string): Token[];
  /** Ids to put around a sequence: [CLS] and [SEP], <s> and </s>, or none. */
  readonly prefix: number[];
  readonly suffix: number[];
  /** Id used to pad a batch. */
  readonly padId: number;
}

interface TokenizerJson {
  normalizer?: Normalizer | null;
  pre_tokenizer?: PreTokenizer | null;
  post_processor?: PostProcessor | null;
  model: {
    type?: string;
    vocab: Record<string, number> | Array<[string, number]>;
    unk_token?: string;
    unk_id?: number | null;
    continuing_subword_prefix?: string;
    max_input_chars_per_word?: number;
  };
  added_tokens?: Array<{ id: number; content: string }>;
  padding?: { pad_id?: number } | null;
}
interface Normalizer {
  type: string;
  lowercase?: boolean;
  strip_accents?: boolean | null;
  normalizers?: Normalizer[];
}
interface PreTokenizer {
  type: string;
  replacement?: string;
  add_prefix_space?: boolean;
  prepend_scheme?: string;
  pretokenizers?: PreTokenizer[];
}
interface PostProcessor {
  type: string;
  cls?: [string, number];
  sep?: [string, number];
  single?: Array<{ SpecialToken?: { id: string }; Sequence?: unknown }>;
  special_tokens?: Record<string, { ids: number[] }>;
  processors?: PostProcessor[];
}

interface Word {
  text: string;
  start: number;
  end: number;
}

/**
 * Reads a `tokenizer.json` (already parsed). Throws a plain message for what it does not support.
 *
 * @example
 * const tokenizer = parseTokenizer(JSON.parse(readFileSync('tokenizer.json', 'utf8')));
 * tokenizer.encode('Paris is in France.') // [{ id, start: 0, end: 5 }, ...]
 */
export function parseTokenizer(json: unknown): Tokenizer {
  const file = json as TokenizerJson;
  if (!file || typeof file !== 'object' || !file.model || !file.model.vocab) throw new Error('tokenizer.json has no model vocabulary');
  const type = file.model.type ?? (Array.isArray(file.model.vocab) ? 'Unigram' : 'WordPiece');
  const normalize = normalizerOf(file.normalizer ?? undefined);
  const preTokenize = preTokenizerOf(file.pre_tokenizer ?? undefined);
  const { prefix, suffix } = specialsOf(file.post_processor ?? undefined);
  let encodeWord: (word: string, out: number[]) => void;
  let kind: Tokenizer['kind'];
  let padId = file.padding?.pad_id ?? 0;
  if (type === 'WordPiece') {
    kind = 'wordpiece';
    encodeWord = wordPiece(file.model as { vocab: Record<string, number> } & TokenizerJson['model']);
    const vocab = file.model.vocab as Record<string, number>;
    padId = file.padding?.pad_id ?? vocab['[PAD]'] ?? 0;
  } else if (type === 'Unigram') {
    kind = 'unigram';
    encodeWord = unigram(file.model.vocab as Array<[string, number]>, file.model.unk_id ?? 0);
    const pad = (file.model.vocab as Array<[string, number]>).findIndex(([piece]) => piece === '<pad>');
    padId = file.padding?.pad_id ?? (pad === -1 ? 0 : pad);
  } else {
    throw new Error(`tokenizer model "${type}" is not supported (WordPiece and Unigram are)`);
  }
  return {
    kind,
    prefix,
    suffix,
    padId,
    encode(text) {
      const tokens: Token[] = [];
      const ids: number[] = [];
      for (const word of preTokenize(text)) {
        const normalized = normalize(word.text);
        if (normalized === '') continue;
        ids.length = 0;
        encodeWord(normalized, ids);
        for (const id of ids) tokens.push({ id, start: word.start, end: word.end });
      }
      return tokens;
    },
  };
}

function normalizerOf(normalizer: Normalizer | undefined): (word: string) => string {
  if (!normalizer) return (word) => word;
  switch (normalizer.type) {
    case 'BertNormalizer': {
      const lowercase = normalizer.lowercase ?? true;
      const strip = normalizer.strip_accents ?? lowercase;
      return (word) => {
        let out = lowercase ? word.toLowerCase() : word;
        if (strip) out = out.normalize('NFD').replace(/\p{Mn}/gu, '');
        return out;
      };
    }
    case 'Lowercase':
      return (word) => word.toLowerCase();
    case 'StripAccents':
      return (word) => word.normalize('NFD').replace(/\p{Mn}/gu, '');
    case 'NFD':
    case 'NFC':
    case 'NFKD':
    case 'NFKC':
      return (word) => word.normalize(normalizer.type as 'NFC');
    case 'Precompiled':
      return (word) => word.normalize('NFKC');
    case 'Sequence': {
      const steps = (normalizer.normalizers ?? []).map(normalizerOf);
      return (word) => steps.reduce((text, step) => step(text), word);
    }
    default:
      // Replace, Strip, Prepend and friends change little that matters for scoring.
      return (word) => word;
  }
}

// Splits the original text into words with their ranges.
function preTokenizerOf(preTokenizer: PreTokenizer | undefined): (text: string) => Word[] {
  const types = new Set<string>();
  let metaspace: PreTokenizer | undefined;
  const collect = (step: PreTokenizer | undefined): void => {
    if (!step) return;
    if (step.type === 'Sequence') for (const inner of step.pretokenizers ?? []) collect(inner);
    else {
      types.add(step.type);
      if (step.type === 'Metaspace') metaspace = step;
    }
  };
  collect(preTokenizer);
  const splitPunctuation = types.has('BertPreTokenizer') || types.has('Punctuation');
  const replacement = metaspace?.replacement ?? '▁';
  const prefixSpace = metaspace ? metaspace.prepend_scheme !== 'never' && metaspace.add_prefix_space !== false : false;
  return (text) => {
    const words: Word[] = [];
    const pattern = splitPunctuation ? /[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu : /\S+/gu;
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      let word = match[0];
      // Metaspace: each word starts with "▁" as SentencePiece sees it after a space.
      if (metaspace && (prefixSpace || start > 0)) word = replacement + word;
      words.push({ text: word, start, end: start + match[0].length });
    }
    return words;
  };
}

function specialsOf(processor: PostProcessor | undefined): { prefix: number[]; suffix: number[] } {
  if (!processor) return { prefix: [], suffix: [] };
  if (processor.type === 'BertProcessing' || processor.type === 'RobertaProcessing') {
    return { prefix: processor.cls ? [processor.cls[1]] : [], suffix: processor.sep ? [processor.sep[1]] : [] };
  }
  if (processor.type === 'TemplateProcessing' && processor.single) {
    const prefix: number[] = [];
    const suffix: number[] = [];
    let seenSequence = false;
    for (const part of processor.single) {
      if (part.Sequence) seenSequence = true;
      else if (part.SpecialToken) (seenSequence ? suffix : prefix).push(...(processor.special_tokens?.[part.SpecialToken.id]?.ids ?? []));
    }
    return { prefix, suffix };
  }
  if (processor.type === 'Sequence') {
    for (const inner of processor.processors ?? []) {
      const specials = specialsOf(inner);
      if (specials.prefix.length || specials.suffix.length) return specials;
    }
  }
  return { prefix: [], suffix: [] };
}

// Greedy longest match first, continuation pieces with "##"; an unsplittable word is [UNK].
function wordPiece(model: { vocab: Record<string, number>; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number }) {
  const vocab = new Map(Object.entries(model.vocab));
  const unk = vocab.get(model.unk_token ?? '[UNK]') ?? 0;
  const continuation = model.continuing_subword_prefix ?? '##';
  const maxChars = model.max_input_chars_per_word ?? 100;
  return (word: string, out: number[]): void => {
    if (word.length > maxChars) {
      out.push(unk);
      return;
    }
    const pieces: number[] = [];
    let start = 0;
    while (start < word.length) {
      let end = word.length;
      let found = -1;
      while (end > start) {
        const piece = (start > 0 ? continuation : '') + word.slice(start, end);
        const id = vocab.get(piece);
        if (id !== undefined) {
          found = id;
          break;
        }
        end--;
      }
      if (found === -1) {
        out.push(unk);
        return;
      }
      pieces.push(found);
      start = end;
    }
    out.push(...pieces);
  };
}

// SentencePiece Unigram: the segmentation with the highest total log-probability (Viterbi),
// unknown characters one [unk] each at a heavy penalty.
function unigram(vocab: Array<[string, number]>, unkId: number) {
  const pieces = new Map<string, { id: number; score: number }>();
  let maxLength = 1;
  let lowest = 0;
  vocab.forEach(([piece, score], id) => {
    pieces.set(piece, { id, score });
    maxLength = Math.max(maxLength, piece.length);
    lowest = Math.min(lowest, score);
  });
  const unknownScore = lowest - 10;
  return (word: string, out: number[]): void => {
    const n = word.length;
    const best = new Float64Array(n + 1).fill(-Infinity);
    const from = new Int32Array(n + 1).fill(-1);
    const idAt = new Int32Array(n + 1);
    best[0] = 0;
    for (let end = 1; end <= n; end++) {
      for (let start = Math.max(0, end - maxLength); start < end; start++) {
        if (best[start] === -Infinity) continue;
        const piece = pieces.get(word.slice(start, end));
        const score = piece ? piece.score : end - start === 1 ? unknownScore : -Infinity;
        if (best[start]! + score > best[end]!) {
          best[end] = best[start]! + score;
          from[end] = start;
          idAt[end] = piece ? piece.id : unkId;
        }
      }
    }
    const ids: number[] = [];
    for (let end = n; end > 0; end = from[end]!) ids.push(idAt[end]!);
    for (let i = ids.length - 1; i >= 0; i--) out.push(ids[i]!);
  };
}
