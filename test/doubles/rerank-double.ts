/**
 * A test double for a /rerank server on loopback, speaking either API shape citebot supports:
 *
 *  - `tei` (Text Embeddings Inference): POST {query, texts, raw_scores?, truncate?} -> [{index, score}]
 *  - `cohere` (Cohere, Jina, vLLM, llama.cpp): POST {model, query, documents, top_n?} -> {id, results: [{index, relevance_score}], meta}
 *
 * Like the real servers it answers sorted by score, best first, and cuts to top_n. Scores are
 * deterministic: the fraction of the query's words (lowercased, 2+ letters or CJK characters) found in
 * the passage. With `logits: true` it sends them as logits (score * 8 - 4), as llama.cpp does.
 * Wrong shapes get the 422 the real servers send.
 *
 * In a test:
 *   const server = await RerankDouble.start({ api: 'tei' });
 *   new HttpReranker({ url: server.url, api: 'tei', ... });
 *   server.configure({ failWith: 500 });  server.configure({ hang: true });  server.requests;
 *   await server.close();  // also how a test makes the server "down": nothing listens on url any more
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RerankDoubleApi = 'tei' | 'cohere';

export interface RerankDoubleBehaviour {
  /** Answer every request with this HTTP status and an error body. */
  failWith?: number;
  /** Accept requests and never answer (until close()). */
  hang?: boolean;
  /** Send raw logits instead of 0..1 scores. */
  logits?: boolean;
}

export interface RerankDoubleOptions extends RerankDoubleBehaviour {
  api: RerankDoubleApi;
  /** Cohere shape: the model name the server serves; other names get 404, as vLLM does. Unset: any. */
  model?: string;
}

export interface RecordedRerankRequest {
  path: string;
  body: Record<string, unknown>;
}

/** Words of a text: runs of 2+ latin letters/digits, and single CJK characters. */
function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{Script=Han}]|[a-z0-9]{2,}/gu) ?? []);
}

/** The double's relevance: the fraction of the query's words that the passage contains. */
export function overlapScore(query: string, passage: string): number {
  const queryWords = words(query);
  if (queryWords.size === 0) return 0;
  const passageWords = words(passage);
  let shared = 0;
  for (const word of queryWords) if (passageWords.has(word)) shared++;
  return shared / queryWords.size;
}

export class RerankDouble {
  readonly requests: RecordedRerankRequest[] = [];
  private behaviour: RerankDoubleBehaviour;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly api: RerankDoubleApi,
    private readonly model: string | undefined,
    behaviour: RerankDoubleBehaviour,
    /** The full /rerank endpoint URL, as RERANK_URL takes it. */
    readonly url: string,
  ) {
    this.behaviour = behaviour;
  }

  static async start(options: RerankDoubleOptions): Promise<RerankDouble> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const { api, model, ...behaviour } = options;
    const double = new RerankDouble(server, api, model, behaviour, `http://127.0.0.1:${port}/rerank`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void double.handle(req, res));
    return double;
  }

  /** Change failure behaviour for the requests that follow. */
  configure(behaviour: RerankDoubleBehaviour): void {
    this.behaviour = { ...this.behaviour, ...behaviour };
  }

  /** Stop listening: later requests get ECONNREFUSED, like a server that is down. */
  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '/';
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.send(res, 400, { error: 'invalid JSON body' });
    }
    this.requests.push({ path, body });

    if (this.behaviour.hang) {
      this.hanging.add(res);
      return;
    }
    if (this.behaviour.failWith) return this.send(res, this.behaviour.failWith, { error: 'the double was told to fail' });
    if (req.method !== 'POST' || path !== '/rerank') return this.send(res, 404, { error: `no route ${req.method} ${path}` });

    const query = body.query;
    const passages = this.api === 'tei' ? body.texts : body.documents;
    if (typeof query !== 'string' || !Array.isArray(passages) || !passages.every((p) => typeof p === 'string')) {
      const expected = this.api === 'tei' ? '{query, texts}' : '{model, query, documents}';
      return this.send(res, 422, { error: `expected ${expected}`, error_type: 'Validation' });
    }
    if (this.api === 'cohere' && this.model && body.model !== this.model) {
      return this.send(res, 404, { error: `The model \`${String(body.model)}\` does not exist.` });
    }

    const ranked = (passages as string[])
      .map((passage, index) => {
        const probability = overlapScore(query, passage);
        return { index, score: this.behaviour.logits ? probability * 8 - 4 : probability };
      })
      .sort((a, b) => b.score - a.score || a.index - b.index);
    if (this.api === 'tei') return this.send(res, 200, ranked);
    const topN = typeof body.top_n === 'number' ? body.top_n : ranked.length;
    this.send(res, 200, {
      id: `rerank-${this.requests.length}`,
      results: ranked.slice(0, topN).map(({ index, score }) => ({ index, relevance_score: score })),
      meta: { billed_units: { search_units: 1 } },
    });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
