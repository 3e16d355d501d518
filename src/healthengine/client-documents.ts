// Client endpoints of the extra features (off until enabled with
// enableFeature): documents, client snapshots, attach documents.
import { z } from 'zod';
import { RequestAndBookingEndpoints } from './client-bookings.ts';
import type { PracticeCredentials } from './http.ts';
import {
  AttachDocumentRequestSchema,
  AttachDocumentSchema,
  AvailableDocumentsRequestSchema,
  ClientSnapshotRequestSchema,
  ClientSnapshotSchema,
  ConfirmAttachDocumentSchema,
  DocumentMetadataSchema,
  DocumentSchema,
  RejectAttachDocumentSchema,
  RejectDocumentUploadSchema,
  UploadDocumentsRequestSchema,
  type AttachDocument,
  type AttachDocumentRequest,
  type AvailableDocumentsRequest,
  type ClientSnapshot,
  type ClientSnapshotRequest,
  type ConfirmAttachDocument,
  type Document,
  type DocumentMetadata,
  type Page,
  type RejectAttachDocument,
  type RejectDocumentUpload,
  type UploadDocumentsRequest,
} from './schemas.ts';

export class DocumentEndpoints extends RequestAndBookingEndpoints {
  getAvailableDocumentsRequests(p: PracticeCredentials, page?: number): Promise<Page<AvailableDocumentsRequest>> {
    return this.requestPage('getAvailableDocumentsRequests', p, AvailableDocumentsRequestSchema, page);
  }

  getUploadDocumentsRequests(p: PracticeCredentials, page?: number): Promise<Page<UploadDocumentsRequest>> {
    return this.requestPage('getUploadDocumentsRequests', p, UploadDocumentsRequestSchema, page);
  }

  getClientSnapshotRequests(p: PracticeCredentials, page?: number): Promise<Page<ClientSnapshotRequest>> {
    return this.requestPage('getClientSnapshotRequests', p, ClientSnapshotRequestSchema, page);
  }

  getAttachDocumentRequests(p: PracticeCredentials, page?: number): Promise<Page<AttachDocumentRequest>> {
    return this.requestPage('getAttachDocumentRequests', p, AttachDocumentRequestSchema, page);
  }

  postAvailableDocuments(p: PracticeCredentials, documents: DocumentMetadata[]): Promise<void> {
    return this.core.send('postAvailableDocuments', p, { body: documents, bodySchema: z.array(DocumentMetadataSchema) });
  }

  uploadDocument(p: PracticeCredentials, document: Document): Promise<void> {
    return this.core.send('uploadDocument', p, { body: document, bodySchema: DocumentSchema });
  }

  rejectDocumentUpload(p: PracticeCredentials, body: RejectDocumentUpload): Promise<void> {
    return this.core.send('rejectDocumentUpload', p, { body, bodySchema: RejectDocumentUploadSchema });
  }

  sendClientSnapshot(p: PracticeCredentials, snapshot: ClientSnapshot): Promise<void> {
    return this.core.send('sendClientSnapshot', p, { body: snapshot, bodySchema: ClientSnapshotSchema });
  }

  getAttachDocument(p: PracticeCredentials, requestId: number): Promise<AttachDocument> {
    return this.core.fetch('getAttachDocument', p, AttachDocumentSchema, { params: { requestId } });
  }

  confirmAttachDocument(p: PracticeCredentials, requestId: number, body: ConfirmAttachDocument = {}): Promise<void> {
    return this.core.send('confirmAttachDocument', p, {
      params: { requestId },
      body,
      bodySchema: ConfirmAttachDocumentSchema,
    });
  }

  rejectAttachDocument(p: PracticeCredentials, requestId: number, body: RejectAttachDocument = {}): Promise<void> {
    return this.core.send('rejectAttachDocument', p, {
      params: { requestId },
      body,
      bodySchema: RejectAttachDocumentSchema,
    });
  }
}
