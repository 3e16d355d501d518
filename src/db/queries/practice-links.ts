// Every statement that reads or writes healthengine.practice_link.
import type pg from 'pg';
import type { PlanLink } from '../../domain/planner.ts';
import { withTransaction } from '../transaction.ts';

export type Queryable = Pick<pg.Pool, 'query'> | pg.ClientBase;

export type LinkStatus = 'pending' | 'active' | 'consent_required' | 'unauthorized' | 'disabled' | 'superseded' | 'invalid' | 'error';

export interface PracticeLink {
  linkId: number;
  practiceId: string;
  practiceKey: string;
  locationIds: string[];
  enabled: boolean;
  status: LinkStatus;
  statusMessage: string | null;
  generation: number;
  label: string | null;
  lastConfigPushAt: Date | null;
  lastAvailabilityPushAt: Date | null;
  statusChangedAt: Date | null;
}

const COLUMNS = `link_id, he_practice_id, he_practice_key, location_ids, enabled, status, status_message, generation, label,
  last_config_push_at, last_availability_push_at, status_changed_at`;

function toLink(r: Record<string, unknown>): PracticeLink {
  return {
    linkId: Number(r.link_id),
    practiceId: String(r.he_practice_id),
    practiceKey: String(r.he_practice_key),
    locationIds: (r.location_ids as string[] | null) ?? [],
    enabled: Boolean(r.enabled),
    status: r.status as LinkStatus,
    statusMessage: (r.status_message as string | null) ?? null,
    generation: Number(r.generation),
    label: (r.label as string | null) ?? null,
    lastConfigPushAt: (r.last_config_push_at as Date | null) ?? null,
    lastAvailabilityPushAt: (r.last_availability_push_at as Date | null) ?? null,
    statusChangedAt: (r.status_changed_at as Date | null) ?? null,
  };
}

export async function getLink(db: Queryable, linkId: number): Promise<PracticeLink | null> {
  const r = await db.query(`SELECT ${COLUMNS} FROM healthengine.practice_link WHERE link_id = $1`, [linkId]);
  return r.rows[0] ? toLink(r.rows[0]) : null;
}

export async function listLinks(db: Queryable): Promise<PracticeLink[]> {
  const r = await db.query(`SELECT ${COLUMNS} FROM healthengine.practice_link ORDER BY link_id`);
  return r.rows.map(toLink);
}

export async function listPlanLinks(db: Queryable): Promise<PlanLink[]> {
  const r = await db.query(`SELECT link_id, generation, enabled AND status NOT IN ('invalid') AS enabled, location_ids FROM healthengine.practice_link`);
  return r.rows.map((x) => ({ linkId: Number(x.link_id), generation: Number(x.generation), enabled: Boolean(x.enabled), locationIds: x.location_ids ?? [] }));
}

export interface LinkInput {
  practiceId: string;
  practiceKey: string;
  locationIds: string[];
  enabled?: boolean;
  label?: string | null;
}

export async function insertLink(db: Queryable, l: LinkInput): Promise<number> {
  const r = await db.query(
    `INSERT INTO healthengine.practice_link (he_practice_id, he_practice_key, location_ids, enabled, label)
     VALUES ($1, $2, $3, $4, $5) RETURNING link_id`,
    [l.practiceId, l.practiceKey, l.locationIds, l.enabled ?? true, l.label ?? null],
  );
  return Number(r.rows[0].link_id);
}

export async function updateLink(db: Queryable, linkId: number, l: Partial<LinkInput>): Promise<boolean> {
  const r = await db.query(
    `UPDATE healthengine.practice_link SET
       he_practice_id = coalesce($2, he_practice_id),
       he_practice_key = coalesce($3, he_practice_key),
       location_ids = coalesce($4, location_ids),
       enabled = coalesce($5, enabled),
       label = coalesce($6, label)
     WHERE link_id = $1`,
    [linkId, l.practiceId ?? null, l.practiceKey ?? null, l.locationIds ?? null, l.enabled ?? null, l.label ?? null],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * Runs `fn` in a transaction marked with origin 'connector', so the row
 * trigger does not take the connector's own writes for a PMS user's save.
 */
async function asConnector<T>(db: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(db, async (c) => {
    await c.query(`SET LOCAL healthengine.origin = 'connector'`);
    return fn(c);
  });
}

const STAMP_COLUMN = { config: 'last_config_push_at', availability: 'last_availability_push_at', requests: 'last_requests_check_at' } as const;

/**
 * The connector's status write, guarded by generation so a stale job never
 * overwrites the status of a link that has since been re-keyed.
 */
export async function setLinkStatus(
  db: pg.Pool,
  linkId: number,
  generation: number,
  status: LinkStatus,
  message: string | null,
  stamp: keyof typeof STAMP_COLUMN | null = null,
): Promise<boolean> {
  const col = stamp ? STAMP_COLUMN[stamp] : null;
  const r = await asConnector(db, (c) => c.query(
    `UPDATE healthengine.practice_link SET status = $3, status_message = $4, status_changed_at = now()${col ? `, ${col} = now()` : ''}
     WHERE link_id = $1 AND generation = $2`,
    [linkId, generation, status, message],
  ));
  return (r.rowCount ?? 0) > 0;
}

/** Stamps a push time without touching status. */
export async function stampLink(db: pg.Pool, linkId: number, generation: number, stamp: 'availability' | 'requests'): Promise<void> {
  await asConnector(db, (c) => c.query(`UPDATE healthengine.practice_link SET ${STAMP_COLUMN[stamp]} = now() WHERE link_id = $1 AND generation = $2`, [linkId, generation]));
}

/** Links that lost consent and are due a quiet re-check. */
export async function linksDueConsentRecheck(db: Queryable, afterSeconds: number): Promise<number[]> {
  const r = await db.query(
    `SELECT link_id FROM healthengine.practice_link
     WHERE enabled AND status IN ('consent_required','unauthorized') AND status_changed_at < now() - make_interval(secs => $1)`,
    [afterSeconds],
  );
  return r.rows.map((x) => Number(x.link_id));
}
