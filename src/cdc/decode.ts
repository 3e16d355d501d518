// pgoutput row messages of the streamed tables -> canonical RowChange.
import { decodeChangeEvent, decodeLinkChange, type RowChange } from '../domain/change-event.ts';

export interface PgoutputRowMessage {
  tag: 'insert' | 'update' | 'delete';
  relation: { schema: string; name: string };
  old?: Record<string, unknown> | null;
  new?: Record<string, unknown> | null;
  key?: Record<string, unknown> | null;
}

/** Returns null for tables the connector does not stream (never expected: the publications list them). */
export function decodeRowMessage(m: PgoutputRowMessage): RowChange | null {
  if (m.relation.schema !== 'healthengine') return null;
  const oldRow = m.old ?? m.key ?? null;
  const newRow = m.new ?? null;
  switch (m.relation.name) {
    case 'change_event':
      // control events are for outbox polling; the stream reads the control tables themselves
      return m.tag === 'insert' && newRow && newRow.kind !== 'control' ? { table: 'change_event', event: decodeChangeEvent(newRow) } : null;
    case 'practice_link':
      return decodeLinkChange(m.tag, oldRow, newRow);
    case 'resync_request':
      return { table: 'resync_request', op: m.tag, requestId: Number((newRow ?? oldRow)?.request_id) };
    case 'liveness_hours': {
      const ids = new Set<number>();
      for (const r of [oldRow, newRow]) if (r && r.link_id !== undefined && r.link_id !== null) ids.add(Number(r.link_id));
      return { table: 'liveness_hours', op: m.tag, linkIds: [...ids] };
    }
    default:
      return null;
  }
}

/** An outbox row read by the outbox poller: PMS events, and control-table events written by the connector's own triggers. */
export function decodeOutboxRow(r: Record<string, unknown>): RowChange | null {
  if (r.kind !== 'control') return { table: 'change_event', event: decodeChangeEvent(r) };
  const op = r.control_op as 'insert' | 'update' | 'delete';
  const linkId = Number(r.link_id);
  switch (r.control_table) {
    case 'practice_link':
      return { table: 'practice_link', op, linkId, userSave: Boolean(r.user_save) };
    case 'resync_request':
      return { table: 'resync_request', op, requestId: Number(r.request_id) };
    case 'liveness_hours':
      return { table: 'liveness_hours', op, linkIds: [linkId] };
    default:
      return null;
  }
}
