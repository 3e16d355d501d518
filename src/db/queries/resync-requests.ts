// Every statement on healthengine.resync_request.
import type { Queryable } from './practice-links.ts';

export interface ResyncRequest {
  requestId: number;
  scope: 'config' | 'availability' | 'all';
  linkId: number | null;
  locationId: string | null;
  status: 'pending' | 'running' | 'done' | 'failed';
  result: string | null;
  requestedAt: Date;
  doneAt: Date | null;
}

function toRequest(r: Record<string, unknown>): ResyncRequest {
  return {
    requestId: Number(r.request_id),
    scope: r.scope as ResyncRequest['scope'],
    linkId: r.link_id === null ? null : Number(r.link_id),
    locationId: (r.location_id as string | null) ?? null,
    status: r.status as ResyncRequest['status'],
    result: (r.result as string | null) ?? null,
    requestedAt: r.requested_at as Date,
    doneAt: (r.done_at as Date | null) ?? null,
  };
}

const COLUMNS = 'request_id, scope, link_id, location_id, status, result, requested_at, done_at';

export async function getResyncRequest(db: Queryable, requestId: number): Promise<ResyncRequest | null> {
  const r = await db.query(`SELECT ${COLUMNS} FROM healthengine.resync_request WHERE request_id = $1`, [requestId]);
  return r.rows[0] ? toRequest(r.rows[0]) : null;
}

export async function insertResyncRequest(db: Queryable, req: { scope: ResyncRequest['scope']; linkId?: number | null; locationId?: string | null; requestedBy?: string }): Promise<number> {
  const r = await db.query(
    `INSERT INTO healthengine.resync_request (scope, link_id, location_id, requested_by) VALUES ($1, $2, $3, coalesce($4, current_user)) RETURNING request_id`,
    [req.scope, req.linkId ?? null, req.locationId ?? null, req.requestedBy ?? null],
  );
  return Number(r.rows[0].request_id);
}

export async function finishResyncRequest(db: Queryable, requestId: number, status: 'done' | 'failed', result: string): Promise<void> {
  await db.query(`UPDATE healthengine.resync_request SET status = $2, result = $3, done_at = now() WHERE request_id = $1`, [requestId, status, result]);
}

export async function recentResyncRequests(db: Queryable, limit: number): Promise<ResyncRequest[]> {
  const r = await db.query(`SELECT ${COLUMNS} FROM healthengine.resync_request ORDER BY request_id DESC LIMIT $1`, [limit]);
  return r.rows.map(toRequest);
}
