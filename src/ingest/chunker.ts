import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { createHash } from 'node:crypto';
import { estimateTokens } from '../text/tokens.js';
import type { ChunkMetadata, StoredChunk } from '../store/chunk.js';
import { assertNotDegenerate } from './degenerate-text.js';
import type { ParsedDocument } from './types.js';

/**
 * Separators from coarse to fine. Chinese sentence ends (。！？；) come before English ones because
 * CJK text has no spaces to fall back on; the empty string is the last resort.
 */
const SEPARATORS = ['\n\n', '\n', '。', '！', '？', '；', '. ', '! ', '? ', '; ', '，', ', ', '、', ' ', ''];

/**
 * LangChain's splitter keeps a separator at the start of the next piece; for sentence ends that
 * puts "。" or ". " at the front of a chunk. Split after the separator instead, so every
 * sentence keeps its own punctuation.
 */
class SentenceEndSplitter extends RecursiveCharacterTextSplitter {
  override splitOnSeparator(text: string, separator: string): string[] {
    if (!separator) return [...text];
    const escaped = separator.replace(/[/\-\\^$*+?.()|[\]{}]/g, '\\$&');
    return text.split(new RegExp(`(?<=${escaped})`)).filter((s) => s !== '');
  }
}

export interface ChunkingOptions {
  chunkTokens: number;
  overlapTokens: number;
}

export interface DocumentFacts {
  scope: string;
  docId: string;
  source: string;
  url: string;
  contentHash: string;
  uploadedBy?: string;
  uploadedAt?: string;
}

/** Chunk ids depend only on what the chunk is: the same file ingested again yields the same ids. */
export function chunkId(scope: string, docId: string, contentHash: string, chunkIndex: number): string {
  const owner = createHash('sha256').update(`${scope}\n${docId}`).digest('hex').slice(0, 16);
  return `${owner}-${contentHash.slice(0, 16)}-${chunkIndex}`;
}

export class DocumentChunker {
  private readonly splitter: SentenceEndSplitter;

  constructor(options: ChunkingOptions) {
    this.splitter = new SentenceEndSplitter({
      chunkSize: options.chunkTokens,
      chunkOverlap: options.overlapTokens,
      separators: SEPARATORS,
      keepSeparator: true,
      lengthFunction: estimateTokens,
    });
  }

  /** One text in pieces of the chunk size (conversation messages use this too). */
  split(text: string): Promise<string[]> {
    return this.splitter.splitText(text);
  }

  /** Split every section; each chunk keeps its section's location and the document's facts. */
  async chunk(document: ParsedDocument, facts: DocumentFacts): Promise<StoredChunk[]> {
    const ingestedAt = new Date().toISOString();
    const chunks: StoredChunk[] = [];
    for (const section of document.sections) {
      assertNotDegenerate(section.text);
      for (const piece of await this.splitter.splitText(section.text)) {
        const text = piece.trim();
        if (!text) continue;
        const chunkIndex = chunks.length;
        const metadata: ChunkMetadata = {
          scope: facts.scope,
          docId: facts.docId,
          source: facts.source,
          url: facts.url,
          chunkIndex,
          contentHash: facts.contentHash,
          mimeType: document.mimeType,
          ingestedAt,
          ...section.location,
          ...(facts.uploadedBy !== undefined && { uploadedBy: facts.uploadedBy }),
          ...(facts.uploadedAt !== undefined && { uploadedAt: facts.uploadedAt }),
        };
        chunks.push({ id: chunkId(facts.scope, facts.docId, facts.contentHash, chunkIndex), text, metadata });
      }
    }
    return chunks;
  }
}
