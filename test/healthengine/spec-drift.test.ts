// The zod schemas against openapi.yaml itself: every component schema and
// every request/response body of the spec has a zod twin with the same
// properties, types, enums, required fields and nullability. A deliberate
// difference must be listed in DEVIATIONS (and in docs/healthengine-client.md);
// anything else that differs is drift and fails here.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as S from '../../src/healthengine/schemas.ts';
import { ENDPOINTS, type EndpointName } from '../../src/healthengine/endpoints.ts';
import {
  findOperation,
  requestBodySchema,
  resolveRef,
  responseSchema,
  SAYS_NULLABLE,
  spec,
  type OpenApiSchema,
  type OpenApiSpec,
} from '../support/openapi.ts';

interface Shape {
  /** The spec component a $ref pointed to: deviations are named after it. */
  origin?: string;
  type: string | undefined;
  nullable: boolean;
  /** Spec side: date, time, datetime... Zod side: whether a pattern constrains the string. */
  format?: string;
  pattern?: boolean;
  properties?: Record<string, Shape>;
  required?: string[];
  items?: Shape;
  enum?: string[];
}

function fromSpec(s: OpenApiSpec, schema: OpenApiSchema): Shape {
  if (schema.$ref) {
    return { ...fromSpec(s, resolveRef<OpenApiSchema>(s, schema.$ref)), origin: schema.$ref.split('/').pop() ?? '' };
  }
  if (schema.allOf) {
    const parts = schema.allOf.map((p) => fromSpec(s, p));
    return {
      type: 'object',
      nullable: false,
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: parts.flatMap((p) => p.required ?? []),
    };
  }
  const nullable = schema.nullable === true || SAYS_NULLABLE.test(schema.description ?? '');
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  const shape: Shape = { type, nullable };
  if (schema.format) shape.format = schema.format;
  if (schema.enum) shape.enum = schema.enum.map(String);
  if (type === 'object') {
    shape.properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, fromSpec(s, v)]));
    shape.required = schema.required ?? [];
  }
  if (type === 'array' && schema.items) shape.items = fromSpec(s, schema.items);
  return shape;
}

type Json = { type?: string | string[]; pattern?: string; anyOf?: Json[]; properties?: Record<string, Json>; required?: string[]; items?: Json; enum?: unknown[] };

function fromJsonSchema(j: Json): Shape {
  let nullable = false;
  let node = j;
  if (j.anyOf) {
    const rest = j.anyOf.filter((x) => x.type !== 'null');
    nullable = rest.length < j.anyOf.length;
    if (rest.length !== 1) return { type: `union(${rest.map((r) => r.type).join('|')})`, nullable };
    node = rest[0]!;
  }
  let type = node.type;
  if (Array.isArray(type)) {
    nullable ||= type.includes('null');
    type = type.find((t) => t !== 'null');
  }
  const shape: Shape = { type, nullable, pattern: node.pattern !== undefined };
  if (node.enum) shape.enum = node.enum.map(String);
  if (type === 'object') {
    shape.properties = Object.fromEntries(Object.entries(node.properties ?? {}).map(([k, v]) => [k, fromJsonSchema(v)]));
    shape.required = node.required ?? [];
  }
  if (type === 'array' && node.items) shape.items = fromJsonSchema(node.items);
  return shape;
}

const fromZod = (schema: z.ZodType): Shape => fromJsonSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json);

/** Differences that are decided, keyed "Name:path". Anything else is drift. */
const DEVIATIONS = {
  // required where the spec marks nothing: an item without these cannot be answered
  tightenedRequired: new Set([
    'AvailabilityRequest:day', 'PmsAppointmentChangesRequest:bookingId', 'AvailableDocumentsRequest:bookingId',
    'UploadDocumentsRequest:bookingId', 'ClientSnapshotRequest:date', 'ClientSnapshotRequest:dateType',
    'AttachDocumentRequest:requestId', 'Booking:bookingId', 'BookingUpdate:requestId', 'BookingUpdate:bookingId',
    'Range:start', 'Range:end', 'StoredSubscription:id',
  ]),
  // nullable although the spec does not say so: answers that come back null in practice
  addedNullable: new Set([
    'StoredSubscription:clientId', 'StoredSubscription:startAt', 'SubscriptionErrorLog:clientId',
    'SubscriptionErrorLogPayload:clientId', 'SubscriptionPayloadData:target',
  ]),
};

/** `alias` is the property a nested component sits in ("Booking:patient"), which may also carry a deviation. */
function compare(name: string, want: Shape, got: Shape, path = '', alias?: string): string[] {
  if (want.origin && path !== '') {
    return compare(want.origin, { ...want, origin: undefined }, got, '', `${name}:${path}`); // nested component
  }
  const at = `${name}:${path || '(root)'}`;
  const out: string[] = [];
  if (want.type !== undefined && want.type !== got.type) out.push(`${at} type ${want.type} in spec, ${got.type} in zod`);
  const nullableAllowed = DEVIATIONS.addedNullable.has(`${name}:${path}`) || (path === '' && alias !== undefined && DEVIATIONS.addedNullable.has(alias));
  if (want.nullable !== got.nullable && !(got.nullable && nullableAllowed)) {
    out.push(`${at} nullable ${want.nullable} in spec, ${got.nullable} in zod`);
  }
  if (want.format && ['date', 'time', 'datetime'].includes(want.format) && !got.pattern) {
    out.push(`${at} is a ${want.format} in spec, an unconstrained string in zod`);
  }
  if (want.enum && JSON.stringify([...want.enum].sort()) !== JSON.stringify([...(got.enum ?? [])].sort())) {
    out.push(`${at} enum [${want.enum}] in spec, [${got.enum ?? ''}] in zod`);
  }
  if (want.type === 'object' && got.type === 'object') {
    const wp = Object.keys(want.properties ?? {}).sort();
    const gp = Object.keys(got.properties ?? {}).sort();
    for (const k of wp.filter((k) => !gp.includes(k))) out.push(`${at} property ${k} missing in zod`);
    for (const k of gp.filter((k) => !wp.includes(k))) out.push(`${at} property ${k} not in spec`);
    const join = (k: string) => (path ? `${path}.${k}` : k);
    for (const k of wp.filter((k) => gp.includes(k))) out.push(...compare(name, want.properties![k]!, got.properties![k]!, join(k)));
    const wr = new Set(want.required ?? []);
    const gr = new Set(got.required ?? []);
    for (const k of wr) if (!gr.has(k)) out.push(`${at} ${k} required in spec, optional in zod`);
    for (const k of gr) if (!wr.has(k) && !DEVIATIONS.tightenedRequired.has(`${name}:${join(k)}`)) out.push(`${at} ${k} required in zod, optional in spec`);
  }
  if (want.items && got.items) out.push(...compare(name, want.items, got.items, `${path}[]`));
  return out;
}

/** Each spec component and its zod twin (the name used in DEVIATIONS). */
const COMPONENTS: Record<string, [string, z.ZodType][]> = {
  Paginated: [['Paginated', S.PaginatedSchema]],
  Request: [['Request', S.RequestTypeSchema]],
  AvailabilityRequest: [['AvailabilityRequest', S.AvailabilityRequestSchema]],
  PmsAppointmentChangesRequest: [['PmsAppointmentChangesRequest', S.PmsAppointmentChangesRequestSchema]],
  AvailableDocumentsRequest: [['AvailableDocumentsRequest', S.AvailableDocumentsRequestSchema]],
  UploadDocumentsRequest: [['UploadDocumentsRequest', S.UploadDocumentsRequestSchema]],
  ClientSnapshotRequest: [['ClientSnapshotRequest', S.ClientSnapshotRequestSchema]],
  AttachDocumentRequest: [['AttachDocumentRequest', S.AttachDocumentRequestSchema]],
  ConfirmBookingInsert: [['ConfirmBookingInsert', S.ConfirmBookingInsertSchema]],
  RejectBookingInsert: [['RejectBookingInsert', S.RejectBookingInsertSchema]],
  RejectBookingUpdate: [['RejectBookingUpdate', S.RejectBookingUpdateSchema]],
  CancelBooking: [['CancelBooking', S.CancelBookingSchema]],
  DidNotAttendBooking: [['DidNotAttendBooking', S.DidNotAttendBookingSchema]],
  Booking: [['Booking', S.BookingSchema]],
  BookingStatus: [['BookingStatus', S.BookingStatusSchema]],
  Patient: [['Patient', S.PatientSchema]],
  BookingUpdate: [['BookingUpdate', S.BookingUpdateSchema]],
  AvailabilitySnapshot: [['AvailabilitySnapshot', S.AvailabilitySnapshotSchema]],
  SnapshotIdOrArrayIndex: [['SnapshotIdOrArrayIndex', S.SnapshotIdOrArrayIndexSchema]],
  PmsResource: [['PmsResource', S.PmsResourceSchema]],
  PmsAppointmentType: [['PmsAppointmentType', S.PmsAppointmentTypeSchema]],
  LivenessContract: [['LivenessContract', S.LivenessContractSchema]],
  Schedule: [['Schedule', S.ScheduleSchema]],
  RangeSet: [['RangeSet', S.RangeSetSchema]],
  Range: [['Range', S.RangeSchema]],
  Feature: [['Feature', S.FeatureSchema]],
  Subscription: [
    ['Subscription', S.SubscriptionSchema],
    ['StoredSubscription', S.StoredSubscriptionSchema],
  ],
  SubscriptionErrorLog: [['SubscriptionErrorLog', S.SubscriptionErrorLogSchema]],
  SubscriptionTopic: [['SubscriptionTopic', S.SubscriptionTopicSchema]],
  SubscriptionErrorLogPayload: [['SubscriptionErrorLogPayload', S.SubscriptionErrorLogPayloadSchema]],
  SubscriptionPayloadData: [['SubscriptionPayloadData', S.SubscriptionPayloadDataSchema]],
  ClientId: [['ClientId', S.ClientIdSchema]],
  DocumentMetadata: [['DocumentMetadata', S.DocumentMetadataSchema]],
  Document: [['Document', S.DocumentSchema]],
  RejectDocumentUpload: [['RejectDocumentUpload', S.RejectDocumentUploadSchema]],
  ClientSnapshot: [['ClientSnapshot', S.ClientSnapshotSchema]],
  AttachDocumentMetadata: [['AttachDocumentMetadata', S.AttachDocumentMetadataSchema]],
  AttachDocument: [['AttachDocument', S.AttachDocumentSchema]],
  ConfirmAttachDocument: [['ConfirmAttachDocument', S.ConfirmAttachDocumentSchema]],
  RejectAttachDocument: [['RejectAttachDocument', S.RejectAttachDocumentSchema]],
};

/** What the client sends and parses per operation (the schemas client-*.ts pass). */
const arr = <T extends z.ZodType>(s: T) => z.array(s);
const BODIES: Partial<Record<EndpointName, [string, z.ZodType]>> = {
  postLivenessContract: ['LivenessContract', S.LivenessContractSchema],
  postResourcesSnapshot: ['PmsResource', arr(S.PmsResourceSchema)],
  postAppointmentTypesSnapshot: ['PmsAppointmentType', arr(S.PmsAppointmentTypeSchema)],
  postAvailabilitySnapshot: ['AvailabilitySnapshot', S.AvailabilitySnapshotSchema],
  postAvailabilitySnapshots: ['AvailabilitySnapshot', S.AvailabilitySnapshotBatchSchema],
  confirmInsert: ['ConfirmBookingInsert', S.ConfirmBookingInsertSchema],
  rejectInsert: ['RejectBookingInsert', S.RejectBookingInsertSchema],
  rejectUpdate: ['RejectBookingUpdate', S.RejectBookingUpdateSchema],
  cancelBooking: ['CancelBooking', S.CancelBookingSchema],
  didNotAttend: ['DidNotAttendBooking', S.DidNotAttendBookingSchema],
  createSubscription: ['Subscription', S.SubscriptionSchema],
  postAvailableDocuments: ['DocumentMetadata', arr(S.DocumentMetadataSchema)],
  uploadDocument: ['Document', S.DocumentSchema],
  rejectDocumentUpload: ['RejectDocumentUpload', S.RejectDocumentUploadSchema],
  sendClientSnapshot: ['ClientSnapshot', S.ClientSnapshotSchema],
  confirmAttachDocument: ['ConfirmAttachDocument', S.ConfirmAttachDocumentSchema],
  rejectAttachDocument: ['RejectAttachDocument', S.RejectAttachDocumentSchema],
};
const RESPONSES: Partial<Record<EndpointName, [string, z.ZodType]>> = {
  getLivenessContract: ['LivenessContract', S.LivenessContractSchema],
  getResources: ['PmsResource', arr(S.PmsResourceSchema)],
  findResourceById: ['PmsResource', arr(S.PmsResourceSchema)],
  getAppointmentTypes: ['PmsAppointmentType', arr(S.PmsAppointmentTypeSchema)],
  findAppointmentTypeById: ['PmsAppointmentType', arr(S.PmsAppointmentTypeSchema)],
  postAvailabilitySnapshots: ['AvailabilityBatch', S.AvailabilityBatchResponseSchema],
  getRequests: ['Request', arr(S.RequestTypeSchema)],
  getBookingRequests: ['Booking', S.pageOf(S.BookingSchema)],
  getBookingUpdateRequests: ['BookingUpdate', S.pageOf(S.BookingUpdateSchema)],
  getAvailabilityRequests: ['AvailabilityRequest', S.pageOf(S.AvailabilityRequestSchema)],
  getPmsAppointmentChangeRequests: ['PmsAppointmentChangesRequest', S.pageOf(S.PmsAppointmentChangesRequestSchema)],
  getAvailableDocumentsRequests: ['AvailableDocumentsRequest', S.pageOf(S.AvailableDocumentsRequestSchema)],
  getUploadDocumentsRequests: ['UploadDocumentsRequest', S.pageOf(S.UploadDocumentsRequestSchema)],
  getClientSnapshotRequests: ['ClientSnapshotRequest', S.pageOf(S.ClientSnapshotRequestSchema)],
  getAttachDocumentRequests: ['AttachDocumentRequest', S.pageOf(S.AttachDocumentRequestSchema)],
  listFeatures: ['Feature', arr(S.FeatureSchema)],
  getFeature: ['Feature', S.FeatureSchema],
  createSubscription: ['StoredSubscription', S.StoredSubscriptionSchema],
  listSubscriptions: ['StoredSubscription', arr(S.StoredSubscriptionSchema)],
  getSubscription: ['StoredSubscription', S.StoredSubscriptionSchema],
  getSubscriptionErrorLog: ['SubscriptionErrorLog', S.pageOf(S.SubscriptionErrorLogSchema)],
  getAttachDocument: ['AttachDocument', S.AttachDocumentSchema],
};

/** The paths of a page wrapper carry the item's name in DEVIATIONS: strip "data[]." from them. */
function compareBody(name: string, want: Shape, got: Shape): string[] {
  if (want.type === 'object' && want.properties?.data?.type === 'array' && want.properties.page) {
    return [
      ...compare(name, want.properties.data.items!, got.properties?.data?.items ?? { type: undefined, nullable: false }),
      ...compare('Paginated', want.properties.page, got.properties?.page ?? { type: undefined, nullable: false }),
    ];
  }
  if (want.type === 'array' && got.type === 'array') return compare(name, want.items!, got.items!);
  return compare(name, want, got);
}

describe.skipIf(!spec)('zod schemas match openapi.yaml', () => {
  const s = spec!;

  it('has a zod twin for every component schema of the spec', () => {
    expect(Object.keys(s.components.schemas).filter((n) => !(n in COMPONENTS))).toEqual([]);
    expect(Object.keys(COMPONENTS).filter((n) => !(n in s.components.schemas))).toEqual([]);
  });

  it.each(Object.keys(COMPONENTS))('component %s', (component) => {
    const want = fromSpec(s, s.components.schemas[component]!);
    const problems = COMPONENTS[component]!.flatMap(([name, zod]) => compare(name, want, fromZod(zod)));
    expect(problems).toEqual([]);
  });

  it('request bodies: the client sends what each operation declares', () => {
    const problems: string[] = [];
    for (const [endpoint, { method, path }] of Object.entries(ENDPOINTS)) {
      const op = findOperation(s, method, path.replace(/\{\w+\}/g, '1'))!;
      const declared = requestBodySchema(op);
      const ours = BODIES[endpoint as EndpointName];
      if (!declared || !ours) {
        if (Boolean(declared) !== Boolean(ours)) problems.push(`${endpoint}: body in spec ${Boolean(declared)}, in client ${Boolean(ours)}`);
        continue;
      }
      problems.push(...compareBody(ours[0], fromSpec(s, declared), fromZod(ours[1])).map((p) => `${endpoint}: ${p}`));
    }
    expect(problems).toEqual([]);
  });

  it('responses: the client parses what each operation answers', () => {
    const problems: string[] = [];
    for (const [endpoint, { method, path }] of Object.entries(ENDPOINTS)) {
      const op = findOperation(s, method, path.replace(/\{\w+\}/g, '1'))!;
      const success = Object.keys(op.op.responses).find((c) => c.startsWith('2'))!;
      const declared = responseSchema(s, op, Number(success));
      const ours = RESPONSES[endpoint as EndpointName];
      if (!declared || !ours) {
        if (Boolean(declared) !== Boolean(ours)) problems.push(`${endpoint}: response body in spec ${Boolean(declared)}, parsed ${Boolean(ours)}`);
        continue;
      }
      problems.push(...compareBody(ours[0], fromSpec(s, declared), fromZod(ours[1])).map((p) => `${endpoint}: ${p}`));
    }
    expect(problems).toEqual([]);
  });

  it('would notice drift: a renamed property or a lost enum value is reported', () => {
    const want = fromSpec(s, s.components.schemas.PmsResource!);
    const drifted = z.object({ pmsResourceId: z.string(), pmsResourceTitle: z.string() });
    expect(compare('PmsResource', want, fromZod(drifted))).toEqual(
      expect.arrayContaining([expect.stringContaining('property pmsResourceName missing'), expect.stringContaining('pmsResourceTitle not in spec')]),
    );
    const topics = fromSpec(s, s.components.schemas.SubscriptionTopic!);
    expect(compare('SubscriptionTopic', topics, fromZod(z.enum(['requests.*'])))).toHaveLength(1);
  });
});
