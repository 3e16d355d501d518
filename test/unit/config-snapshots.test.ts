import { describe, expect, it } from 'vitest';
import { buildAppointmentTypeSnapshot, buildLivenessContract, buildResourceSnapshot, mergeRanges } from '../../src/domain/config-snapshots.ts';
import type { ResourceRow } from '../../src/db/queries/adapter-reads.ts';

const res = (p: Partial<ResourceRow>): ResourceRow => ({ resourceId: 'r', locationId: 'l1', calendarId: 'c', resourceName: 'n', kind: 'practitioner', title: 'Dr', firstName: 'A', lastName: 'B', specialty: null, slotMinutes: 15, ...p });

describe('configuration snapshots', () => {
  it('one resource per practitioner x specialty; a practitioner at two locations of one practice once', () => {
    const b = buildResourceSnapshot([
      res({ resourceId: 'p1:s1', resourceName: 'Dr Ann Lee (GP)' }),
      res({ resourceId: 'p1:s2', resourceName: 'Dr Ann Lee (Skin)' }),
      res({ resourceId: 'p1:s1', locationId: 'l2', resourceName: 'Dr Ann Lee (GP)' }),
      res({ resourceId: 'room-1', kind: 'room', resourceName: 'Treatment room', title: null }),
    ]);
    expect(b.problems).toEqual([]);
    expect(b.payload).toEqual([
      { pmsResourceId: 'p1:s1', pmsResourceName: 'Dr Ann Lee (GP)', pmsPractitionerTitle: 'Dr', pmsPractitionerFirstname: 'A', pmsPractitionerLastname: 'B' },
      { pmsResourceId: 'p1:s2', pmsResourceName: 'Dr Ann Lee (Skin)', pmsPractitionerTitle: 'Dr', pmsPractitionerFirstname: 'A', pmsPractitionerLastname: 'B' },
      { pmsResourceId: 'room-1', pmsResourceName: 'Treatment room' },
    ]);
  });

  it('two resources with one name: the second is left out and reported by id and name', () => {
    const b = buildResourceSnapshot([res({ resourceId: 'a', resourceName: 'Dr X' }), res({ resourceId: 'b', resourceName: 'dr x' })]);
    expect(b.payload.map((r) => r.pmsResourceId)).toEqual(['a']);
    expect(b.problems[0]).toContain("'b'");
    expect(b.problems[0]).toContain('dr x');
  });

  it('appointment types: unique ids and names, unknown resources dropped, missing length reported but sent', () => {
    const b = buildAppointmentTypeSnapshot([
      { appointmentTypeId: 't1', locationId: 'l1', resourceId: null, name: 'Standard', lengthMinutes: 15 },
      { appointmentTypeId: 't2:p1:s1', locationId: 'l1', resourceId: 'p1:s1', name: 'Skin check', lengthMinutes: 30 },
      { appointmentTypeId: 't3', locationId: 'l1', resourceId: 'gone', name: 'Other', lengthMinutes: 10 },
      { appointmentTypeId: 't4', locationId: 'l1', resourceId: null, name: 'Standard', lengthMinutes: 15 },
      { appointmentTypeId: 't5', locationId: 'l1', resourceId: null, name: 'Chat', lengthMinutes: null },
    ], new Set(['p1:s1']));
    expect(b.payload).toEqual([
      { pmsAppointmentTypeId: 't1', pmsAppointmentTypeName: 'Standard', pmsAppointmentLength: 15 },
      { pmsAppointmentTypeId: 't2:p1:s1', pmsAppointmentTypeName: 'Skin check', pmsAppointmentLength: 30, pmsResourceId: 'p1:s1' },
      { pmsAppointmentTypeId: 't5', pmsAppointmentTypeName: 'Chat' },
    ]);
    expect(b.problems).toHaveLength(3);
    expect(b.problems.join(' ')).toMatch(/t3.*gone/);
    expect(b.problems.join(' ')).toMatch(/t5.*length/);
  });

  it('liveness: link hours win; otherwise the union of its locations\' opening hours', () => {
    const loc = [
      { locationId: 'l1', weekday: 1, opens: '08:00', closes: '12:00' },
      { locationId: 'l2', weekday: 1, opens: '11:00', closes: '17:00' },
      { locationId: 'l1', weekday: 6, opens: '09:00', closes: '12:00' },
    ];
    const c = buildLivenessContract([], loc);
    expect(c.liveHours.monday).toEqual([{ start: '08:00', end: '17:00' }]);
    expect(c.liveHours.saturday).toEqual([{ start: '09:00', end: '12:00' }]);
    expect(c.liveHours.sunday).toEqual([]);
    expect(c.liveHours.publicHolidays).toEqual([]);
    const own = buildLivenessContract([{ day: 'monday', start: '07:00', end: '19:00' }, { day: 'publicHolidays', start: '09:00', end: '12:00' }], loc);
    expect(own.liveHours.monday).toEqual([{ start: '07:00', end: '19:00' }]);
    expect(own.liveHours.publicHolidays).toEqual([{ start: '09:00', end: '12:00' }]);
  });

  it('mergeRanges joins touching ranges', () => {
    expect(mergeRanges([{ start: '10:00', end: '12:00' }, { start: '08:00', end: '10:00' }])).toEqual([{ start: '08:00', end: '12:00' }]);
  });
});
