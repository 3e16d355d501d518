// Extra-feature routes: documents, client snapshots, attach documents.
// Document and client-snapshot pushes need their feature enabled (else 403,
// the spec's ForbiddenError); attach-document requests answer 410 once handled.
import { z } from 'zod';
import {
  ClientSnapshotSchema,
  ConfirmAttachDocumentSchema,
  DocumentInboundSchema,
  DocumentMetadataInboundSchema,
  RejectAttachDocumentSchema,
  RejectDocumentUploadSchema,
  type ClientSnapshot,
} from '../../healthengine/schemas.ts';
import { badRequest, forbidden, gone, notFound } from '../api-error.ts';
import { resolve } from '../queue.ts';
import type { PracticeState } from '../state.ts';
import { requireUnique } from '../validation.ts';
import { OK, type ApiRoute, type RouteContext } from './types.ts';

function requireFeature(practice: PracticeState, id: string): void {
  if (practice.features.get(id)?.enabled !== true) throw forbidden(`feature '${id}' is not enabled for this practice`);
}

interface DocRef {
  bookingId?: number | undefined;
  pmsDocumentId?: string | undefined;
}

function requireDocRef(doc: DocRef, root: string): { bookingId: number; pmsDocumentId: string } {
  if (doc.bookingId === undefined) throw badRequest(`${root}.bookingId: is required`);
  if (doc.pmsDocumentId === undefined || doc.pmsDocumentId === '') throw badRequest(`${root}.pmsDocumentId: is required`);
  return { bookingId: doc.bookingId, pmsDocumentId: doc.pmsDocumentId };
}

function attachRequest(ctx: RouteContext) {
  const requestId = Number(ctx.params.requestId);
  const entry = ctx.practice.attachDocuments.get(requestId);
  if (!entry) throw notFound(`attach-document request ${requestId} not found`);
  if (entry.handled) throw gone(`attach-document request ${requestId} was already handled`);
  return { requestId, entry };
}

function answerAttach(outcome: 'confirmInsert' | 'rejectInsert') {
  return (ctx: RouteContext) => {
    const { requestId, entry } = attachRequest(ctx);
    entry.handled = true;
    resolve(ctx.state, ctx.practice, (r) => r.type === 'attachDocuments' && r.requestId === requestId, outcome);
    return OK;
  };
}

export const documentRoutes: ApiRoute[] = [
  {
    operationId: 'availableDocuments',
    method: 'POST',
    path: '/documents/available',
    body: z.array(DocumentMetadataInboundSchema),
    handle: (ctx) => {
      requireFeature(ctx.practice, 'documents');
      const docs = ctx.body as DocRef[];
      const refs = docs.map((d, i) => requireDocRef(d, `body[${i}]`));
      requireUnique(refs, (r) => r.pmsDocumentId, 'pmsDocumentId');
      refs.forEach((r, i) => {
        if (!ctx.practice.bookings.has(r.bookingId)) throw badRequest(`body[${i}].bookingId: booking ${r.bookingId} not found`);
      });
      ctx.practice.availableDocuments.push(...(ctx.body as never[]));
      const bookings = new Set(refs.map((r) => r.bookingId));
      resolve(ctx.state, ctx.practice, (r) => r.type === 'availableDocuments' && bookings.has(r.bookingId ?? -1), 'documents/available');
      return OK;
    },
  },
  {
    operationId: 'uploadDocument',
    method: 'POST',
    path: '/documents/upload',
    body: DocumentInboundSchema,
    handle: (ctx) => {
      requireFeature(ctx.practice, 'documents');
      const doc = ctx.body as DocRef & { documentContent?: string };
      const ref = requireDocRef(doc, 'body');
      if (!doc.documentContent || !/^[A-Za-z0-9+/]*={0,2}$/.test(doc.documentContent)) {
        throw badRequest('body.documentContent: must be base64-encoded content');
      }
      if (!ctx.practice.bookings.has(ref.bookingId)) throw notFound(`booking ${ref.bookingId} not found`);
      ctx.practice.uploadedDocuments.push(ctx.body as never);
      resolve(ctx.state, ctx.practice, (r) => r.type === 'uploadDocuments' && r.payload.pmsDocumentId === ref.pmsDocumentId, 'documents/upload');
      return OK;
    },
  },
  {
    operationId: 'rejectUploadDocument',
    method: 'POST',
    path: '/documents/rejectUpload',
    body: RejectDocumentUploadSchema,
    handle: (ctx) => {
      const ref = requireDocRef(ctx.body as DocRef, 'body');
      ctx.practice.rejectedUploads.push(ctx.body);
      resolve(ctx.state, ctx.practice, (r) => r.type === 'uploadDocuments' && r.payload.pmsDocumentId === ref.pmsDocumentId, 'documents/rejectUpload');
      return OK;
    },
  },
  {
    operationId: 'sendClientSnapshot',
    method: 'POST',
    path: '/clientSnapshot',
    body: ClientSnapshotSchema,
    handle: (ctx) => {
      requireFeature(ctx.practice, 'clientSnapshots');
      const snap = ctx.body as ClientSnapshot;
      ctx.practice.clientSnapshots.push(snap);
      resolve(
        ctx.state,
        ctx.practice,
        (r) => r.type === 'clientSnapshots' && r.payload.date === snap.date && r.payload.dateType === snap.dateType,
        'clientSnapshot',
      );
      return OK;
    },
  },
  {
    operationId: 'getAttachDocument',
    method: 'GET',
    path: '/attachDocuments/{requestId}',
    handle: (ctx) => ({ status: 200, body: { ...attachRequest(ctx).entry.document } }),
  },
  {
    operationId: 'confirmAttachDocument',
    method: 'POST',
    path: '/attachDocuments/{requestId}/confirmInsert',
    body: ConfirmAttachDocumentSchema,
    handle: answerAttach('confirmInsert'),
  },
  {
    operationId: 'rejectAttachDocument',
    method: 'POST',
    path: '/attachDocuments/{requestId}/rejectInsert',
    body: RejectAttachDocumentSchema,
    handle: answerAttach('rejectInsert'),
  },
];
