import { describe, expect, it } from 'vitest';
import { decodeChangeMessage, decodeLinkChange, type ChangeEvent } from '../../src/domain/change-event.ts';
import { QUEUES } from '../../src/domain/jobs.ts';
import { PlannedSpans, datesForEvent, planChange, type PlanContext } from '../../src/domain/planner.ts';

const ctx: PlanContext = {
  links: [
    { linkId: 1, generation: 1, enabled: true, locationIds: ['perth'] },
    { linkId: 2, generation: 3, enabled: true, locationIds: ['sydney', 'parramatta'] },
    { linkId: 3, generation: 1, enabled: false, locationIds: ['hobart'] },
  ],
  timeZones: new Map([['perth', 'Australia/Perth'], ['sydney', 'Australia/Sydney'], ['parramatta', 'Australia/Sydney'], ['hobart', 'Australia/Hobart'], ['darwin', 'Australia/Darwin']]),
  // Monday 2026-11-23 09:00 in Sydney
  now: new Date('2026-11-22T22:00:00Z'),
  horizonDays: 14,
};

function ev(p: Partial<ChangeEvent>): ChangeEvent {
  return { eventId: 1, origin: 'pms', kind: 'availability', configKind: null, locationId: null, calendarId: null, atFrom: null, atTo: null, localFrom: null, localTo: null, weekday: null, appointmentId: null, appointmentState: null, ...p };
}

const keys = (c: Parameters<typeof planChange>[0]) => planChange(c, ctx).map((j) => `${j.queue} ${j.key}`).sort();

describe('change planner', () => {
  it('an appointment at a linked location dirties its practice-local date', () => {
    // 2026-11-24 07:30 Perth = 2026-11-23 23:30Z
    expect(keys({ table: 'change_event', event: ev({ locationId: 'perth', calendarId: 'prac-1', atFrom: new Date('2026-11-23T23:30:00Z'), atTo: new Date('2026-11-24T00:00:00Z') }) }))
      .toEqual([`${QUEUES.availabilityPush} link:1:g1:perth:prac-1:2026-11-24`]);
  });

  it('the same instant is a different local date in Sydney and Perth', () => {
    const at = { atFrom: new Date('2026-11-24T14:30:00Z'), atTo: new Date('2026-11-24T15:00:00Z') };
    expect(keys({ table: 'change_event', event: ev({ locationId: 'perth', calendarId: 'c', ...at }) })[0]).toContain('2026-11-24');
    expect(keys({ table: 'change_event', event: ev({ locationId: 'sydney', calendarId: 'c', ...at }) })[0]).toContain('2026-11-25');
  });

  it('an appointment spanning midnight dirties both days; one ending at midnight only one', () => {
    const spanning = keys({ table: 'change_event', event: ev({ locationId: 'perth', calendarId: 'c', atFrom: new Date('2026-11-24T15:30:00Z'), atTo: new Date('2026-11-24T16:30:00Z') }) });
    expect(spanning.map((k) => k.slice(-10))).toEqual(['2026-11-24', '2026-11-25']);
    const atMidnight = keys({ table: 'change_event', event: ev({ locationId: 'perth', calendarId: 'c', atFrom: new Date('2026-11-24T15:30:00Z'), atTo: new Date('2026-11-24T16:00:00Z') }) });
    expect(atMidnight.map((k) => k.slice(-10))).toEqual(['2026-11-24']);
  });

  it('a range that ended before today dirties nothing; one that ends today dirties today (the adapter reports moves in the past too)', () => {
    // Sydney: today is Mon 2026-11-23 (local); Sunday's appointment moved within Sunday
    const sunday = { atFrom: new Date('2026-11-21T23:00:00Z'), atTo: new Date('2026-11-21T23:15:00Z') };
    expect(keys({ table: 'change_event', event: ev({ locationId: 'sydney', calendarId: 'c', ...sunday }) })).toEqual([]);
    const lastWeek = { atFrom: new Date('2026-11-15T23:00:00Z'), atTo: new Date('2026-11-16T01:00:00Z') };
    expect(keys({ table: 'change_event', event: ev({ locationId: 'sydney', calendarId: 'c', ...lastWeek }) })).toEqual([]);
    // from Sunday 23:30 to Monday 00:30 local: only Monday is inside [today, horizon)
    const overMidnight = { atFrom: new Date('2026-11-22T12:30:00Z'), atTo: new Date('2026-11-22T13:30:00Z') };
    expect(keys({ table: 'change_event', event: ev({ locationId: 'sydney', calendarId: 'c', ...overMidnight }) }).map((k) => k.slice(-10))).toEqual(['2026-11-23']);
  });

  it('a weekly-hours change dirties every matching weekday in the horizon', () => {
    // weekday 2 = Tuesday; horizon from Mon 23 Nov (Sydney) for 14 days
    const k = keys({ table: 'change_event', event: ev({ locationId: 'sydney', calendarId: 'prac-2', weekday: 2 }) });
    expect(k.map((x) => x.slice(-10))).toEqual(['2026-11-24', '2026-12-01']);
  });

  it('leave dirties its dates, clipped to the horizon', () => {
    const k = keys({ table: 'change_event', event: ev({ locationId: 'sydney', calendarId: 'prac-2', localFrom: '2026-11-20', localTo: '2026-11-25' }) });
    expect(k.map((x) => x.slice(-10))).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    expect(keys({ table: 'change_event', event: ev({ locationId: 'sydney', calendarId: 'p', localFrom: '2027-03-01', localTo: '2027-03-02' }) })).toEqual([]);
  });

  it('a change at a location no enabled link covers produces nothing', () => {
    expect(keys({ table: 'change_event', event: ev({ locationId: 'darwin', calendarId: 'c', localFrom: '2026-11-24', localTo: '2026-11-24' }) })).toEqual([]);
    expect(keys({ table: 'change_event', event: ev({ locationId: 'hobart', calendarId: 'c', localFrom: '2026-11-24', localTo: '2026-11-24' }) })).toEqual([]);
    expect(keys({ table: 'change_event', event: ev({ kind: 'config', configKind: 'resources', locationId: 'darwin' }) })).toEqual([]);
  });

  it('config changes go to every link covering the location, or all links when no location', () => {
    expect(keys({ table: 'change_event', event: ev({ kind: 'config', configKind: 'appointment_types', locationId: 'parramatta' }) }))
      .toEqual([`${QUEUES.configPush} link:2:g3:appointment_types`]);
    expect(keys({ table: 'change_event', event: ev({ kind: 'config', configKind: 'liveness' }) }))
      .toEqual([`${QUEUES.configPush} link:1:g1:liveness`, `${QUEUES.configPush} link:2:g3:liveness`]);
  });

  it('a resource change also refreshes that calendar\'s availability', () => {
    expect(keys({ table: 'change_event', event: ev({ kind: 'config', configKind: 'resources', locationId: 'perth', calendarId: 'prac-9' }) }))
      .toEqual([`${QUEUES.availabilityFull} link:1:g1:perth:prac-9`, `${QUEUES.configPush} link:1:g1:resources`]);
  });

  it('a PMS-side cancellation becomes an outbound job; the connector\'s own does not echo', () => {
    const e = ev({ kind: 'appointment_state', appointmentId: 'a-1', appointmentState: 'cancelled' });
    expect(keys({ table: 'change_event', event: e })).toEqual([`${QUEUES.appointmentOutbound} appt:a-1:cancelled`]);
    expect(keys({ table: 'change_event', event: { ...e, origin: 'connector' } })).toEqual([]);
  });

  it('the connector\'s own booking still dirties availability', () => {
    expect(keys({ table: 'change_event', event: ev({ origin: 'connector', locationId: 'perth', calendarId: 'c', localFrom: '2026-11-25', localTo: '2026-11-25' }) })).toHaveLength(1);
  });

  // practice_link rows as pgoutput delivers them (REPLICA IDENTITY FULL: the old row is complete)
  const t1 = new Date('2026-11-23T01:00:00Z');
  const link = (p: Record<string, unknown>) => ({ link_id: '7', he_practice_id: '1', location_ids: ['perth'], enabled: true, status: 'pending', generation: 1, updated_at: t1, ...p });

  it('control tables: a link added, saved by a user, or a resync requested; status writes are ignored', () => {
    expect(keys(decodeLinkChange('insert', null, link({})))).toEqual([`${QUEUES.linkSync} link:7`]);
    expect(keys(decodeLinkChange('update', link({}), link({ updated_at: new Date('2026-11-23T02:00:00Z'), enabled: false })))).toEqual([`${QUEUES.linkSync} link:7`]);
    expect(keys(decodeLinkChange('update', link({}), link({ status: 'active', updated_at: new Date(t1.getTime()) })))).toEqual([]);
    expect(keys(decodeLinkChange('delete', link({}), null))).toEqual([]);
    expect(keys({ table: 'resync_request', op: 'insert', requestId: 5 })).toEqual([`${QUEUES.resync} resync:5`]);
    expect(keys({ table: 'resync_request', op: 'update', requestId: 5 })).toEqual([]);
    expect(keys({ table: 'liveness_hours', op: 'update', linkIds: [1, 3] })).toEqual([`${QUEUES.configPush} link:1:g1:liveness`]);
  });

  it('is deterministic: replaying a change yields the same keys', () => {
    const c = { table: 'change_event' as const, event: ev({ locationId: 'sydney', calendarId: 'x', weekday: 4 }) };
    expect(keys(c)).toEqual(keys(c));
  });
});

describe('a move within a diary (one message: the range left and the range taken)', () => {
  // 30 days from Fri 2026-10-02 (Sydney): over Sydney's and Hobart's spring-forward day (Sun 4 Oct, 23 hours)
  const dst: PlanContext = { ...ctx, now: new Date('2026-10-01T14:00:00Z'), horizonDays: 30 };
  const keysOf = (events: readonly ChangeEvent[]) => new Set(events.flatMap((e) => planChange({ table: 'change_event', event: e }, dst).map((j) => j.key)));
  const micros = (ms: number) => { const x = Buffer.alloc(8); x.writeBigInt64BE(BigInt(ms - Date.UTC(2000, 0, 1)) * 1000n); return x; };
  /** what capture_availability_moved writes */
  const moveMessage = (location: string, leftFrom: number, leftTo: number, takenFrom: number, takenTo: number) =>
    Buffer.concat([Buffer.from([0x6d]), micros(leftFrom), micros(leftTo), micros(takenFrom), micros(takenTo), Buffer.from(`${location}\0c`)]);
  const decoded = (m: Buffer): ChangeEvent[] => { const d = decodeChangeMessage(m); return Array.isArray(d) ? [...d as readonly ChangeEvent[]] : [d as ChangeEvent]; };
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

  it('plans exactly the keys of the two ranges, as one event when they span less than half a day (random moves, across a daylight-saving change)', () => {
    let folded = 0;
    for (let i = 0; i < 4000; i++) {
      const location = i % 2 ? 'sydney' : 'perth';
      const leftFrom = Date.parse('2026-10-02T00:00:00Z') + Math.floor(rand() * 4 * 86_400) * 1000;
      const leftTo = leftFrom + (1 + Math.floor(rand() * 240)) * 60_000;
      const shift = (rand() < 0.5 ? rand() * 14 * 3600 : rand() * 40 * 3600) * 1000 * (rand() < 0.5 ? -1 : 1);
      const takenFrom = leftFrom + Math.round(shift / 60_000) * 60_000;
      const takenTo = takenFrom + (1 + Math.floor(rand() * 240)) * 60_000;
      const got = decoded(moveMessage(location, leftFrom, leftTo, takenFrom, takenTo));
      const ranges = [ev({ locationId: location, calendarId: 'c', atFrom: new Date(leftFrom), atTo: new Date(leftTo) }), ev({ locationId: location, calendarId: 'c', atFrom: new Date(takenFrom), atTo: new Date(takenTo) })];
      if (got.length === 1) folded++;
      else expect(got.map((e) => [e.atFrom, e.atTo])).toEqual(ranges.map((e) => [e.atFrom, e.atTo]));
      expect(keysOf(got)).toEqual(keysOf(ranges));
    }
    expect(folded).toBeGreaterThan(2000);
  });

  it('one range over a move within the morning; two for a move to another day', () => {
    const at = (iso: string) => Date.parse(iso);
    const morning = decoded(moveMessage('sydney', at('2026-11-25T01:00:00Z'), at('2026-11-25T01:30:00Z'), at('2026-11-24T23:00:00Z'), at('2026-11-24T23:15:00Z')));
    expect(morning).toEqual([expect.objectContaining({ locationId: 'sydney', calendarId: 'c', atFrom: new Date('2026-11-24T23:00:00Z'), atTo: new Date('2026-11-25T01:30:00Z') })]);
    const nextWeek = decoded(moveMessage('sydney', at('2026-11-24T23:00:00Z'), at('2026-11-24T23:15:00Z'), at('2026-12-01T23:00:00Z'), at('2026-12-01T23:15:00Z')));
    expect(nextWeek.map((e) => e.atFrom)).toEqual([new Date('2026-11-24T23:00:00Z'), new Date('2026-12-01T23:00:00Z')]);
  });
});

describe('planned spans (a bulk statement repeats diary-days)', () => {
  const at = (from: string, to: string, p: Partial<ChangeEvent> = {}) =>
    ({ table: 'change_event' as const, event: ev({ locationId: 'sydney', calendarId: 'prac-1', atFrom: new Date(from), atTo: new Date(to), ...p }) });
  const planAll = (changes: ReturnType<typeof at>[], memo?: PlannedSpans) => {
    const c: PlanContext = { ...ctx, planned: memo };
    return [...new Set(changes.flatMap((x) => planChange(x, c)).map((j) => j.key))].sort();
  };

  it('plans a repeated diary-day once, and a fold plans the same keys with or without the memo', () => {
    // the Sydney practice-local day 2026-11-25: 09:00 and 15:00 local, and one on the 26th
    const rows = [
      at('2026-11-24T22:00:00Z', '2026-11-24T22:15:00Z'),
      at('2026-11-25T04:00:00Z', '2026-11-25T04:15:00Z'),
      at('2026-11-25T22:00:00Z', '2026-11-25T22:15:00Z'),
      at('2026-11-24T22:00:00Z', '2026-11-24T22:15:00Z', { calendarId: 'prac-2' }),
      at('2026-11-24T22:00:00Z', '2026-11-24T22:15:00Z', { locationId: 'parramatta' }),
    ];
    const memo = new PlannedSpans();
    const c: PlanContext = { ...ctx, planned: memo };
    expect(planChange(rows[0]!, c)).toHaveLength(1);
    expect(planChange(rows[1]!, c)).toEqual([]); // same location, calendar and day: nothing new
    expect(planChange(rows[2]!, c)).toHaveLength(1); // another day
    expect(planChange(rows[3]!, c)).toHaveLength(1); // another calendar
    expect(planChange(rows[4]!, c)).toHaveLength(1); // another location of the same link
    expect(planAll(rows, new PlannedSpans())).toEqual(planAll(rows));
    expect(planAll(rows)).toHaveLength(4);
  });

  it('a span over two days is not the span of one of them; a weekday is its own span', () => {
    const memo = new PlannedSpans();
    const c: PlanContext = { ...ctx, planned: memo };
    expect(planChange(at('2026-11-24T22:00:00Z', '2026-11-24T22:15:00Z'), c)).toHaveLength(1);
    expect(planChange(at('2026-11-25T12:00:00Z', '2026-11-25T14:00:00Z'), c).map((j) => j.key.slice(-10))).toEqual(['2026-11-25', '2026-11-26']);
    const weekly = { table: 'change_event' as const, event: ev({ locationId: 'sydney', calendarId: 'prac-1', weekday: 3 }) };
    expect(planChange(weekly, c).length).toBeGreaterThan(0);
    expect(planChange(weekly, c)).toEqual([]);
  });

  it('starts over when full, so it only ever saves work', () => {
    const memo = new PlannedSpans(2);
    expect(memo.seen('l', 'a', 1, 1, null)).toBe(false);
    expect(memo.seen('l', 'b', 1, 1, null)).toBe(false);
    expect(memo.seen('l', 'a', 1, 1, null)).toBe(true);
    expect(memo.seen('l', 'c', 1, 1, null)).toBe(false); // full: forgets the others
    expect(memo.seen('l', 'a', 1, 1, null)).toBe(false);
    expect(memo.seen('l', 'a', 1, 1, 2)).toBe(false);
  });
});

describe('datesForEvent', () => {
  it('whole horizon when the event names no dates', () => {
    expect(datesForEvent(ev({}), 'Australia/Perth', ctx.now, 5)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']);
  });
});
