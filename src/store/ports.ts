/**
 * citebot's state, as ports: one async interface per kind of state. Everything outside `src/store`
 * talks to these, never to a database. SQLite (`sqlite-state.ts`) is the first adapter; another
 * backend implements the same interfaces and passes the same contract suite
 * (`test/store-contract.test.ts`). Vectors are not here: Chroma is reached through `VectorIndex`.
 */
import type { Language } from '../messages/index.js';
import type { ConversationMessage } from './conversation-message.js';
import type { KeywordHit } from './chunk-store.js';
import type { StoredChunk } from './chunk.js';
import type { DocumentEntry } from './ledger.js';

export type { DocumentEntry, DocumentStatus } from './ledger.js';
export type { KeywordHit } from './chunk-store.js';

/** A vector id noted before it is written to Chroma, and the collection it goes to. */
export interface VectorNote {
  id: string;
  collection: string;
}

/**
 * Documents and their chunks: the table of record for what is indexed. Chroma's vectors follow it.
 * Every write names its owner (a process lease, see `LeaseStore`); a write whose lease has expired is
 * refused (`LeaseLostError`), so a process that froze past its lease cannot overwrite the work of
 * the process that took over.
 */
export interface DocumentRecords {
  document(scope: string, docId: string): Promise<DocumentEntry | undefined>;
  /** Documents in these scopes (or every scope), by scope then name. `indexing` ones whose writer's lease is gone read as interrupted. */
  documents(scopes?: string[]): Promise<DocumentEntry[]>;
  /** Documents whose id or file name is `target`, optionally within one scope. */
  findDocuments(target: string, scope?: string): Promise<DocumentEntry[]>;
  /** Stored chunks by id, in the order asked (unknown ids are left out). */
  chunks(ids: string[]): Promise<StoredChunk[]>;
  /** A document's chunk ids, in order. */
  chunkIdsOf(scope: string, docId: string): Promise<string[]>;
  /** Chunks stored in these scopes, or in all. May be a few seconds stale (it plans searches). */
  chunkCount(scopes?: string[]): Promise<number>;
  /** Every stored chunk (of one scope, or all), in pages of about `pageSize`, in a stable order. */
  chunkPages(pageSize: number, scope?: string): AsyncGenerator<StoredChunk[]>;
  /** Small facts about the index (the embedding model that built it). */
  meta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  /** Upsert a ledger row as it is (failed/skipped attempts, cleared errors). */
  putDocument(entry: DocumentEntry): Promise<void>;
  /**
   * Start replacing a document: the row becomes `indexing` under `owner` (the previous version, if
   * indexed, stays its fallback) and `notes` are recorded as unconfirmed vectors, both at once.
   */
  beginWrite(entry: DocumentEntry, owner: string, notes: VectorNote[]): Promise<void>;
  /**
   * Commit a document's new chunks at once: old chunks out, new in (rows and keywords), the ledger
   * row `entry`, meta, and the previous version's vector ids noted for removal. Refused if `owner`'s lease expired.
   */
  commitWrite(
    write: { entry: DocumentEntry; chunks: StoredChunk[]; replaces: string[]; meta?: Record<string, string> },
    owner: string,
    notes: VectorNote[],
  ): Promise<void>;
  /** Put back the ledger row as it was before a failed write (`previous`), or remove it. */
  abortWrite(scope: string, docId: string, previous: DocumentEntry | undefined): Promise<void>;
  /** Remove a document's chunks and ledger row, noting its vectors for removal; returns the chunk ids removed. */
  forgetDocument(scope: string, docId: string, owner: string, collections: string[]): Promise<string[]>;
  /** Unconfirmed vectors of `owner` (only `ids`, if given) that no committed chunk holds: safe to delete from Chroma. */
  orphanVectors(owner: string, ids?: string[]): Promise<VectorNote[]>;
  /** Forget unconfirmed-vector notes of `owner` (only `ids`, if given). */
  settleNotes(owner: string, ids?: string[]): Promise<void>;
  /**
   * Owners that left work behind (`indexing` documents, unconfirmed vectors) and hold no live lease.
   * Their interrupted documents are put back to their last committed version by `recoverDocuments`.
   */
  deadWriters(self: string): Promise<string[]>;
  /** Interrupted documents of a dead owner: back to the indexed previous version, or removed. Returns how many. */
  recoverDocuments(owner: string): Promise<number>;
}

/** BM25 keyword search over the stored chunks, scoped. */
export interface KeywordIndex {
  search(query: string, scopes: string[], k: number): Promise<KeywordHit[]>;
  /** `KeywordHit.coverage` of these chunks for the query, by id (unknown ids are left out): for candidates search did not list. */
  coverage(query: string, chunkIds: string[]): Promise<Map<string, number>>;
}

/** A source as stored with an answer: enough to see later what the answer was based on. */
export interface StoredSource {
  n: number;
  source: string;
  url: string;
  location: string;
  chunkId: string;
}

export interface StoredAnswer {
  id: string;
  scope: string;
  askedBy?: string;
  question: string;
  answer: string;
  sources: StoredSource[];
  /** The chat model that wrote the answer (for feedback: which model a 👎 was about). */
  model?: string;
  createdAt: string;
}

export type Rating = 'up' | 'down';

/** What went wrong, chosen in the 👎 dialog; `other` carries the person's own words. */
export const FEEDBACK_REASONS = ['wrong-source', 'not-in-files', 'wrong-language', 'other'] as const;
export type FeedbackReasonKind = (typeof FEEDBACK_REASONS)[number];
export interface FeedbackReason {
  kind: FeedbackReasonKind;
  text?: string;
}

/** One person's rating of one answer, with the answer it rates. */
export interface FeedbackEntry {
  answer: StoredAnswer;
  userId: string;
  rating: Rating;
  reason?: FeedbackReason;
  at: string;
}

export interface FeedbackFilter {
  /** Only answers asked in these scopes (all when absent). */
  scopes?: readonly string[];
  /** Only ratings given at or after this ISO time. */
  since?: string;
  rating?: Rating;
  /** Newest first, at most this many (default 100). */
  limit?: number;
}

/** Answers posted in chat (so a 👍/👎 click, which carries only the id, finds them) and their feedback. */
export interface AnswerStore {
  save(answer: Omit<StoredAnswer, 'id' | 'createdAt'>): Promise<StoredAnswer>;
  get(id: string): Promise<StoredAnswer | undefined>;
  /**
   * One rating per person per answer; clicking again changes it (and a new 👍 clears an old reason).
   * False if the answer is unknown.
   */
  rate(answerId: string, userId: string, rating: Rating, reason?: FeedbackReason): Promise<boolean>;
  /** The ratings of one answer, oldest first. */
  feedback(answerId: string): Promise<{ userId: string; rating: Rating; reason?: FeedbackReason }[]>;
  /** Ratings across answers, newest first. */
  listFeedback(filter?: FeedbackFilter): Promise<FeedbackEntry[]>;
}

export interface ChannelSettings {
  scope: string;
  autoIngest: boolean;
  /** Discord's file scan: the newest message whose attachments were read, so `/ingest files` reads only what is newer. */
  lastScan?: string;
  /** The language of the last question asked here (English until one is): for replies that answer no question. */
  language: Language;
}

/** Per-channel switches: auto-ingest of shared files, and the language of the channel's last question. */
export interface ChannelSettingsStore {
  get(scope: string): Promise<ChannelSettings>;
  update(scope: string, change: Partial<Omit<ChannelSettings, 'scope'>>): Promise<ChannelSettings>;
}

/**
 * Threads citebot answered in: a reply there is a follow-up. Keyed by the platform's own thread key
 * (`slack:T1:C1:1700000000.000100`), so a restart or another replica knows them too.
 */
export interface AnsweredThreadStore {
  add(thread: string): Promise<void>;
  has(thread: string): Promise<boolean>;
}

/** A channel whose messages are indexed: its name for citations and where its history was last read up to. */
export interface FollowedChannel {
  scope: string;
  name: string;
  /** The channel's one cursor: the newest message read (a Slack ts, a Discord snowflake). */
  cursor?: string;
}

/**
 * The messages of every channel whose conversation is indexed, and each channel's cursor. The index
 * holds their chunks; this holds the messages, so a thread or day is rebuilt when one message of it
 * changes without asking the platform for the rest.
 */
export interface ChannelMessageStore {
  channel(scope: string): Promise<FollowedChannel | undefined>;
  /** Start (or keep) following a channel; `cursor` given moves it, undefined keeps it. */
  follow(scope: string, name: string, cursor?: string): Promise<void>;
  /** Scopes followed whose name starts with `prefix` ("slack:T1:"). */
  followedScopes(prefix: string): Promise<string[]>;
  setCursor(scope: string, cursor: string): Promise<void>;
  /** Stop following a channel and drop its messages (`/forget messages`). */
  unfollow(scope: string): Promise<void>;
  get(scope: string, id: string): Promise<ConversationMessage | undefined>;
  /** Whether some stored message replies in the thread `id`: then the message `id` starts a thread. */
  hasReplies(scope: string, id: string): Promise<boolean>;
  /** Messages of one thread or day (see `groupKey`). */
  inGroup(scope: string, key: string): Promise<ConversationMessage[]>;
  count(scope: string): Promise<number>;
  /** Stores messages (replacing those with the same id) and removes deleted ids, at once. */
  save(scope: string, upserts: ConversationMessage[], deletions: string[]): Promise<void>;
}

/**
 * Process leases: each process (replica, CLI run) has a random owner id and a lease it renews. Work
 * left behind by an owner whose lease expired (a crash, kill -9, a frozen process) is recovered by
 * another; nothing ever asks whether a process id is alive, which means nothing across hosts or in
 * a container where pids recur.
 */
export interface LeaseStore {
  /** Take a new lease for `owner` until now + ttl. */
  acquire(owner: string, ttlMs: number, holder: string): Promise<void>;
  /** Extend a held lease. False if it had expired or was taken over: the owner must stop writing. */
  renew(owner: string, ttlMs: number): Promise<boolean>;
  /** Whether `owner` holds a lease that has not expired. */
  isLive(owner: string): Promise<boolean>;
  /** End a lease (clean shutdown, or after its work was recovered by another owner), and the roles it held. */
  release(owner: string): Promise<void>;
  /**
   * A role one process at a time may hold (the Discord gateway): `owner` takes it when it is free or
   * its holder's lease has expired, and keeps it while its own lease lives. Returns the holder after
   * the call (`owner` when it holds the role; undefined when nobody does, as when `owner`'s own lease has expired).
   */
  claimRole(role: string, owner: string): Promise<string | undefined>;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** A unit of ingest work: a row, so it survives the process that queued it. */
export interface Job {
  id: string;
  /** Jobs of one lane (a scope) run one at a time, in the order queued. */
  lane: string;
  /** Which handler runs it (`files`, `chat-ingest`, …). */
  kind: string;
  payload: unknown;
  /** Whether any process with a handler for its kind may run it; else only its submitter, and it fails if the submitter dies. */
  resumable: boolean;
  status: JobStatus;
  owner?: string;
  attempts: number;
  createdAt: string;
  result?: unknown;
  error?: string;
}

/**
 * Durable ingest jobs. A lane runs one job at a time, oldest first; a job runs under its owner's
 * lease, and one whose owner's lease expired goes back to the queue for whoever claims it next.
 */
export interface JobStore {
  /** Queue a job, submitted by `owner`. Finished jobs older than a week are swept. */
  enqueue(job: { lane: string; kind: string; payload: unknown; resumable: boolean }, owner: string): Promise<Job>;
  /**
   * Claim the oldest queued job of a lane with no job running under a live lease, if its kind is
   * among `kinds` or its id among `ids`; it becomes `running` under `owner`. First, jobs of owners
   * whose lease expired are settled: resumable ones go back to their place in the queue, the rest fail.
   */
  claim(owner: string, kinds: string[], ids: string[]): Promise<Job | undefined>;
  /** Save a running job's progress state (e.g. the files done so far). False if `owner` no longer holds it. */
  checkpoint(id: string, owner: string, payload: unknown): Promise<boolean>;
  /** End a running job. False if `owner` no longer holds it (fenced: another owner took it over). */
  finish(id: string, owner: string, outcome: { result: unknown } | { error: string }): Promise<boolean>;
  get(id: string): Promise<Job | undefined>;
  /** Jobs waiting or running ahead of `id` in its lane. */
  ahead(id: string): Promise<number>;
  /** Jobs not yet done (queued or running), oldest first. */
  pending(lane?: string): Promise<Job[]>;
}

/**
 * Events already handled (a Slack event id, a slash command's trigger id, a Discord interaction id),
 * so a redelivery, a reconnect or another replica never answers twice.
 */
export interface HandledEventStore {
  /** Record `key` as handled; true for the first claim only. Keys are kept at least a day. */
  claim(key: string, owner: string): Promise<boolean>;
}

/** An access token as stored: never its secret, only a hash of it. */
export interface AccessToken {
  id: string;
  name: string;
  /** Scope patterns it grants (src/scope-patterns.ts). */
  scopes: string[];
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

/** Why a presented token was not accepted; each is told to the caller as it is. */
export type TokenRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired';

export type TokenCheck = { ok: true; token: AccessToken } | { ok: false; refusal: TokenRefusal; token?: AccessToken };

/** Access tokens for agents (MCP): scopes they grant, and only a hash of each secret. */
export interface AccessTokenStore {
  /** A new token; its secret is returned here once and never again. Throws when an active token has this name. */
  create(input: { name: string; scopes: string[]; expiresAt?: Date }): Promise<{ secret: string; token: AccessToken }>;
  get(id: string): Promise<AccessToken | undefined>;
  /** The active (not revoked) token of this name. */
  active(name: string): Promise<AccessToken | undefined>;
  list(): Promise<AccessToken[]>;
  revoke(nameOrId: string, at?: Date): Promise<AccessToken | undefined>;
  /** Whether a presented token is accepted now, and why not. */
  check(presented: string, now?: Date): Promise<TokenCheck>;
  touch(id: string, at?: Date): Promise<void>;
}

/** All of citebot's state, from one backend. */
export interface StateStore {
  /** Which backend holds it (`sqlite`, `postgres`): for doctor and logs. */
  readonly backend: string;
  readonly documents: DocumentRecords;
  readonly keywords: KeywordIndex;
  readonly answers: AnswerStore;
  readonly channels: ChannelSettingsStore;
  readonly threads: AnsweredThreadStore;
  readonly messages: ChannelMessageStore;
  readonly leases: LeaseStore;
  readonly jobs: JobStore;
  readonly events: HandledEventStore;
  readonly tokens: AccessTokenStore;
  close(): Promise<void>;
}
