// A sandbox, an installed demo PMS and a running connector, with the waits and
// looks the go-live scenarios need.
import { getLink, insertLink, type LinkStatus, type PracticeLink } from '../../src/db/queries/practice-links.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import type { Config } from '../../src/config/config.ts';
import { createHarness, TEST_API_KEY, waitFor, type Harness } from './connector-harness.ts';

export interface World {
  sandbox: Sandbox;
  h: Harness;
  q<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  addPractice(practiceId: string, consent?: 'granted' | 'revoked' | 'never', practiceKey?: string): void;
  link(practiceId: string, locationIds: string[], practiceKey?: string): Promise<number>;
  waitStatus(linkId: number, status: LinkStatus): Promise<PracticeLink>;
  posts(practiceId: string, path?: string | RegExp): { seq: number; path: string; body: unknown }[];
  lastSeq(): number;
  waitPosts(practiceId: string, path: string | RegExp, count: number, afterSeq?: number): Promise<{ seq: number; path: string; body: unknown }[]>;
  stop(): Promise<void>;
}

export async function createWorld(prefix: string, overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<World> {
  const sandbox = await createSandbox({ apiKey: TEST_API_KEY });
  const h = await createHarness(prefix, sandbox.url, overrides);
  await h.startConnector();
  const keys = new Map<string, string>();
  const w: World = {
    sandbox,
    h,
    async q(sql, params = []) {
      return (await h.db.pool.query(sql, params)).rows;
    },
    addPractice(practiceId, consent = 'granted', practiceKey = `key-${practiceId}`) {
      keys.set(practiceId, practiceKey);
      sandbox.admin.addPractice({ practiceId, practiceKey, consent });
    },
    async link(practiceId, locationIds, practiceKey) {
      return insertLink(h.db.pool, { practiceId, practiceKey: practiceKey ?? keys.get(practiceId) ?? `key-${practiceId}`, locationIds });
    },
    async waitStatus(linkId, status) {
      return waitFor(`link ${linkId} ${status}`, async () => {
        const l = await getLink(h.db.pool, linkId);
        return l?.status === status ? l : null;
      });
    },
    posts(practiceId, path) {
      return sandbox.admin.calls({ practiceId, method: 'POST', ...(path ? { path } : {}) })
        .filter((c) => c.status < 300)
        .map((c) => ({ seq: c.seq, path: c.path, body: c.body }));
    },
    lastSeq() {
      const all = sandbox.admin.calls();
      return all.length ? all[all.length - 1]!.seq : 0;
    },
    async waitPosts(practiceId, path, count, afterSeq = 0) {
      return waitFor(`${count} POST ${String(path)} for practice ${practiceId}`, () => {
        const list = w.posts(practiceId, path).filter((c) => c.seq > afterSeq);
        return list.length >= count ? list : null;
      });
    },
    async stop() {
      await h.stop();
      await sandbox.close();
    },
  };
  return w;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export { waitFor };
