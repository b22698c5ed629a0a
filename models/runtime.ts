/*
 * The ONNX runtime behind every model: `onnxruntime-node` on the CPU, loaded the first time a model
 * is asked for (a process that never scores text never loads the native library), one session per
 * model file per process, and runs cut into batches of a fixed number of rows.
 *
 * Fixed batch boundaries keep scores deterministic: the same rows always meet the same kernels in
 * the same groups, so the same input gives the same bits. Nothing here touches the network; model
 * files are read from local paths only.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';

/** A loaded model: what it takes and gives, and a run over named inputs. */
export interface OnnxSession {
  readonly path: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Declared shape of each input (`-1` or a name for a free dimension), by name. */
  readonly inputShapes: ReadonlyMap<string, ReadonlyArray<number | string>>;
  /** Element type of each input (`float32`, `int64`...), by name. */
  readonly inputTypes: ReadonlyMap<string, string>;
  /** Runs the model once on whole tensors. */
  run(feeds: Record<string, TensorInput>): Promise<Record<string, Tensor>>;
}

/** A tensor to feed: its data and dimensions. `int64` data must be a BigInt64Array. */
export interface TensorInput {
  data: Float32Array | Int32Array | BigInt64Array;
  dims: readonly number[];
}

export interface SessionOptions {
  /** Threads for one run. Default: what onnxruntime picks (the machine's cores). */
  threads?: number;
}

type OnnxRuntime = typeof import('onnxruntime-node');

let runtime: Promise<OnnxRuntime> | undefined;
const sessions = new Map<string, Promise<OnnxSession>>();

/**
 * The session of the model file at `path`, created on first use and shared by every later call
 * with the same path and options. Rejects when onnxruntime-node or the file cannot be loaded; a
 * failed load is forgotten, so that a fixed file can be tried again.
 *
 * @example
 * const session = await loadSession('/models/relevance.onnx');
 * const { scores } = await session.run({ features: { data: rows, dims: [count, width] } });
 */
export function loadSession(path: string, options: SessionOptions = {}): Promise<OnnxSession> {
  const key = `${path}\u0000${options.threads ?? ''}`;
  let session = sessions.get(key);
  if (!session) {
    session = createSession(path, options);
    sessions.set(key, session);
    session.catch(() => sessions.delete(key));
  }
  return session;
}

async function createSession(path: string, options: SessionOptions): Promise<OnnxSession> {
  runtime ??= import('onnxruntime-node');
  const ort = await runtime.catch((error: unknown) => {
    runtime = undefined;
    // The runtime is an optional peer dependency (288 MB), so a plain install does not have it.
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new Error('tokenfold/models needs onnxruntime-node, which is not installed: run `npm install onnxruntime-node`');
    }
    throw new Error(`onnxruntime-node could not be loaded: ${String(error)}`);
  });
  const sessionOptions: InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };
  if (options.threads) {
    sessionOptions.intraOpNumThreads = options.threads;
    sessionOptions.interOpNumThreads = 1;
  }
  const session = await ort.InferenceSession.create(path, sessionOptions);
  const inputShapes = new Map<string, ReadonlyArray<number | string>>();
  const inputTypes = new Map<string, string>();
  for (const metadata of session.inputMetadata) {
    if (!metadata.isTensor) continue;
    inputShapes.set(metadata.name, metadata.shape);
    inputTypes.set(metadata.name, metadata.type);
  }
  return {
    path,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputShapes,
    inputTypes,
    async run(feeds) {
      const tensors: Record<string, Tensor> = {};
      for (const [name, input] of Object.entries(feeds)) {
        const type = input.data instanceof Float32Array ? 'float32' : input.data instanceof Int32Array ? 'int32' : 'int64';
        tensors[name] = new ort.Tensor(type, input.data, input.dims);
      }
      return session.run(tensors);
    },
  };
}

/**
 * Runs `session` over `rows` rows in batches of at most `batchRows`, and returns the output named
 * `output` of all batches back to back as one Float32Array (one value per row, or several when
 * the output has more dimensions). `feedsFor(start, end)` gives the inputs of rows [start, end).
 *
 * @example
 * const scores = await runInBatches(session, count, 4096, 'scores', (start, end) => ({
 *   features: { data: values.subarray(start * width, end * width), dims: [end - start, width] },
 * }));
 */
export async function runInBatches(
  session: OnnxSession,
  rows: number,
  batchRows: number,
  output: string,
  feedsFor: (start: number, end: number) => Record<string, TensorInput>,
): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  let total = 0;
  for (let start = 0; start < rows; start += batchRows) {
    const end = Math.min(rows, start + batchRows);
    const result = await session.run(feedsFor(start, end));
    const tensor = result[output];
    if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error(`${session.path}: no float32 output "${output}"`);
    parts.push(tensor.data);
    total += tensor.data.length;
  }
  const joined = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
