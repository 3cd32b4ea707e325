import type { CitebotCore } from '../core.js';
import type { DocumentEntry } from '../store/ledger.js';

/** Who asks to forget, on a chat platform: the uploader may, and so may a moderator. */
export interface ForgetRequester {
  userId: string;
  /** Asked only when the requester did not share the document. */
  mayModerate: () => Promise<boolean>;
}

export type ForgetOutcome =
  | { kind: 'not_found' }
  /** The name matches several documents: the person picks one by its id. */
  | { kind: 'ambiguous'; candidates: DocumentEntry[] }
  | { kind: 'refused'; source: string }
  | { kind: 'removed'; docId: string; source: string; scope: string; chunks: number };

/**
 * The documents `target` names in a scope: a document id, the path or link it was indexed from,
 * or its file name. An id or a path names one document; a name may name several.
 */
export async function findDocuments(core: CitebotCore, scope: string, target: string, paths: string[] = []): Promise<DocumentEntry[]> {
  const documents = await core.index.documents([scope]);
  const exact = documents.filter((d) => d.docId === target || d.url === target || paths.includes(d.url));
  return exact.length ? exact : documents.filter((d) => d.source === target);
}

/** `forget` for every surface: removes one document from every index, if the requester may. */
export async function forgetDocument(
  core: CitebotCore,
  request: { scope: string; target: string; paths?: string[]; requester?: ForgetRequester },
): Promise<ForgetOutcome> {
  const matches = await findDocuments(core, request.scope, request.target, request.paths);
  if (matches.length === 0) return { kind: 'not_found' };
  if (matches.length > 1) return { kind: 'ambiguous', candidates: matches };
  const doc = matches[0]!;
  const { requester } = request;
  if (requester && doc.uploadedBy !== requester.userId && !(await requester.mayModerate())) return { kind: 'refused', source: doc.source };
  const chunks = await core.index.forget(doc.scope, doc.docId);
  return { kind: 'removed', docId: doc.docId, source: doc.source, scope: doc.scope, chunks };
}
