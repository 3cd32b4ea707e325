/**
 * A cross-encoder reranker run in-process by transformers.js (ONNX Runtime on the CPU): a sequence
 * classifier (bge-reranker, ms-marco MiniLM, …) reads the query and one passage together and outputs a
 * relevance logit, which is turned into a 0..1 probability.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Tensor } from '@huggingface/transformers';
import { CitebotError, connectionReason, isConnectionError, oneLine } from '../../errors.js';
import type { Reranker } from './reranker.js';
import { sigmoid } from './sigmoid.js';

export interface CrossEncoderOptions {
  /** Hugging Face model id (RERANK_MODEL), downloaded once into `cacheDir`. Used when `modelPath` is unset. */
  model: string;
  /** A local folder with config.json, tokenizer.json and onnx/model.onnx (RERANK_MODEL_PATH): nothing is downloaded. */
  modelPath?: string;
  /** Where hub downloads are kept (DATA_DIR/models). */
  cacheDir: string;
  /** Pairs per forward pass (RERANK_BATCH_SIZE). */
  batchSize: number;
}

/** After a failed load, calls within this window get the same error instead of each retrying a slow download. */
const RETRY_FAILED_LOAD_AFTER_MS = 60_000;

type PairTokenizer = (queries: string[], options: { text_pair: string[]; padding: boolean; truncation: boolean }) => Record<string, Tensor>;
type SequenceClassifier = (inputs: Record<string, Tensor>) => Promise<{ logits: Tensor }>;

interface LoadedModel {
  tokenizer: PairTokenizer;
  classifier: SequenceClassifier;
}

/** Where the weights come from and which ONNX file is read. */
interface ModelSource {
  /** What transformers.js is given: a hub id, or an absolute folder path (never taken for a hub id). */
  id: string;
  local: boolean;
  /** transformers.js 3 reads onnx/model_quantized.onnx for q8 and onnx/model.onnx for fp32. */
  dtype: 'q8' | 'fp32';
}

export class CrossEncoderReranker implements Reranker {
  readonly name: string;
  private readonly source: ModelSource;
  private loading?: Promise<LoadedModel>;
  private loadFailedAt?: number;

  constructor(private readonly options: CrossEncoderOptions) {
    this.source = modelSource(options);
    this.name = `cross-encoder ${options.modelPath ? this.source.id : options.model}`;
  }

  async load(): Promise<void> {
    await this.loadedModel();
  }

  async score(query: string, passages: string[]): Promise<number[]> {
    if (passages.length === 0) return [];
    const model = await this.loadedModel();
    try {
      const scores: number[] = [];
      for (let start = 0; start < passages.length; start += this.options.batchSize) {
        scores.push(...(await scorePairs(model, query, passages.slice(start, start + this.options.batchSize))));
      }
      return scores;
    } catch (err) {
      throw new CitebotError(
        'reranker_unavailable',
        `the reranker ${this.name} failed to score ${passages.length} passages: ${oneLine(err)}`,
        { fix: `lower RERANK_BATCH_SIZE, or set RERANKER=none`, cause: err },
      );
    }
  }

  /** One load per instance: concurrent callers share the promise; a failure is retried only after a pause. */
  private loadedModel(): Promise<LoadedModel> {
    const failureExpired = this.loadFailedAt !== undefined && Date.now() - this.loadFailedAt >= RETRY_FAILED_LOAD_AFTER_MS;
    if (!this.loading || failureExpired) {
      this.loadFailedAt = undefined;
      this.loading = this.loadAndWarmUp().catch((err: unknown) => {
        this.loadFailedAt = Date.now();
        throw err;
      });
    }
    return this.loading;
  }

  private async loadAndWarmUp(): Promise<LoadedModel> {
    try {
      const missing = this.source.local ? missingModelFiles(this.source.id) : undefined;
      if (missing) throw new Error(missing);
      const model = await loadModel(this.source, this.options.cacheDir);
      // The first forward pass allocates ONNX Runtime's buffers: pay for it here, not on the first question.
      await scorePairs(model, 'warm-up query', ['warm-up passage']);
      return model;
    } catch (err) {
      throw new CitebotError('reranker_unavailable', this.loadFailureReason(err), { fix: this.loadFailureFix(), cause: err });
    }
  }

  private loadFailureReason(err: unknown): string {
    if (this.source.local) return `cannot load the reranker from RERANK_MODEL_PATH ${this.source.id}: ${oneLine(err)}`;
    const reason = isConnectionError(err) ? `cannot download it from the Hugging Face hub (${connectionReason(err)})` : oneLine(err);
    return `cannot load the reranker ${this.options.model}: ${reason}`;
  }

  private loadFailureFix(): string {
    return this.source.local
      ? 'point RERANK_MODEL_PATH at a downloaded copy of a cross-encoder (config.json, tokenizer.json, onnx/model.onnx), or set RERANKER=none'
      : 'set RERANK_MODEL_PATH to a downloaded copy, or RERANKER=none';
  }
}

function modelSource(options: CrossEncoderOptions): ModelSource {
  if (!options.modelPath) return { id: options.model, local: false, dtype: 'q8' };
  // Absolute, so transformers.js reads the folder as it is instead of treating it as a hub id.
  const folder = resolve(options.modelPath);
  // Quantized weights when present (smaller, faster on a CPU, what the hub path uses too); else fp32.
  const dtype = existsSync(join(folder, 'onnx', 'model_quantized.onnx')) ? 'q8' : 'fp32';
  return { id: folder, local: true, dtype };
}

/** A readable reason when a local model folder is incomplete; transformers.js's own messages are long. */
function missingModelFiles(folder: string): string | undefined {
  if (!existsSync(folder)) return 'the folder does not exist';
  const missing = ['config.json', 'tokenizer.json', 'tokenizer_config.json'].filter((file) => !existsSync(join(folder, file)));
  if (!['model.onnx', 'model_quantized.onnx'].some((file) => existsSync(join(folder, 'onnx', file)))) {
    missing.push('onnx/model.onnx');
  }
  return missing.length ? `${missing.join(', ')} missing` : undefined;
}

/**
 * transformers.js keeps its settings in one global `env`, read while files are fetched: loads set it and
 * fetch one after another, so two rerankers with different sources in one process cannot mix them up.
 */
let transformersEnvInUse: Promise<unknown> = Promise.resolve();

async function loadModel(source: ModelSource, cacheDir: string): Promise<LoadedModel> {
  // Imported here, not at the top: starting citebot with RERANKER=http or none never loads ONNX Runtime.
  const hf = await import('@huggingface/transformers');
  const load = async (): Promise<LoadedModel> => {
    hf.env.allowLocalModels = true;
    hf.env.allowRemoteModels = !source.local;
    hf.env.cacheDir = cacheDir;
    // Hub ids are looked for under localModelPath first: a copy placed at DATA_DIR/models/<id>/ needs no download.
    hf.env.localModelPath = cacheDir;
    const options = { local_files_only: source.local, cache_dir: cacheDir };
    const tokenizer = await hf.AutoTokenizer.from_pretrained(source.id, options);
    const classifier = await hf.AutoModelForSequenceClassification.from_pretrained(source.id, { ...options, dtype: source.dtype });
    return { tokenizer: tokenizer as PairTokenizer, classifier: classifier as SequenceClassifier };
  };
  const loaded = transformersEnvInUse.then(load, load);
  transformersEnvInUse = loaded.catch(() => undefined);
  return loaded;
}

async function scorePairs(model: LoadedModel, query: string, passages: string[]): Promise<number[]> {
  // Query first, as cross-encoders are trained; truncation cuts the passage's tail, never the query.
  const inputs = model.tokenizer(
    passages.map(() => query),
    { text_pair: passages, padding: true, truncation: true },
  );
  const { logits } = await model.classifier(inputs);
  return relevanceFromLogits(logits);
}

/**
 * One logit (bge-reranker, ms-marco MiniLM): sigmoid. Two logits (not relevant, relevant): the softmax
 * probability of the second, written as a sigmoid of the difference so large logits cannot overflow.
 */
function relevanceFromLogits(logits: Tensor): number[] {
  const [rows = 0, labels = 0] = logits.dims;
  const values = logits.data as Float32Array;
  if (labels !== 1 && labels !== 2) {
    throw new Error(`the model has ${labels} output labels, not 1 or 2: it is not a reranker`);
  }
  const scores: number[] = [];
  for (let row = 0; row < rows; row++) {
    const logit = labels === 1 ? values[row]! : values[row * 2 + 1]! - values[row * 2]!;
    scores.push(sigmoid(logit));
  }
  return scores;
}
