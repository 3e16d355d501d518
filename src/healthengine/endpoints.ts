// Every PMS API operation the client calls: method and path template exactly
// as openapi.yaml spells them (test/healthengine/spec-contract.test.ts checks).

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface Endpoint {
  method: HttpMethod;
  path: string;
}

export const ENDPOINTS = {
  // configuration
  getLivenessContract: { method: 'GET', path: '/config/livenessContract' },
  postLivenessContract: { method: 'POST', path: '/config/livenessContract' },
  getResources: { method: 'GET', path: '/config/pmsResources' },
  findResourceById: { method: 'GET', path: '/config/pmsResources/findById' },
  postResourcesSnapshot: { method: 'POST', path: '/config/pmsResources/snapshot' },
  getAppointmentTypes: { method: 'GET', path: '/config/pmsAppointmentTypes' },
  findAppointmentTypeById: { method: 'GET', path: '/config/pmsAppointmentTypes/findById' },
  postAppointmentTypesSnapshot: { method: 'POST', path: '/config/pmsAppointmentTypes/snapshot' },
  // availability
  postAvailabilitySnapshot: { method: 'POST', path: '/availability/snapshot' },
  postAvailabilitySnapshots: { method: 'POST', path: '/availability/snapshots' },
  // requests
  getRequests: { method: 'GET', path: '/requests' },
  getBookingRequests: { method: 'GET', path: '/requests/bookings' },
  getBookingUpdateRequests: { method: 'GET', path: '/requests/bookingUpdates' },
  getAvailabilityRequests: { method: 'GET', path: '/requests/availability' },
  getPmsAppointmentChangeRequests: { method: 'GET', path: '/requests/pmsAppointmentChanges' },
  getAvailableDocumentsRequests: { method: 'GET', path: '/requests/availableDocuments' },
  getUploadDocumentsRequests: { method: 'GET', path: '/requests/uploadDocuments' },
  getClientSnapshotRequests: { method: 'GET', path: '/requests/clientSnapshots' },
  getAttachDocumentRequests: { method: 'GET', path: '/requests/attachDocuments' },
  // bookings
  confirmInsert: { method: 'POST', path: '/bookings/{bookingId}/confirmInsert' },
  rejectInsert: { method: 'POST', path: '/bookings/{bookingId}/rejectInsert' },
  confirmUpdate: { method: 'POST', path: '/bookings/{bookingId}/confirmUpdate/{requestId}' },
  rejectUpdate: { method: 'POST', path: '/bookings/{bookingId}/rejectUpdate/{requestId}' },
  cancelBooking: { method: 'POST', path: '/bookings/{bookingId}/cancel' },
  didNotAttend: { method: 'POST', path: '/bookings/{bookingId}/didNotAttend' },
  noPmsAppointmentChange: { method: 'POST', path: '/bookings/{bookingId}/noPmsAppointmentChange' },
  // subscriptions
  createSubscription: { method: 'POST', path: '/subscription' },
  listSubscriptions: { method: 'GET', path: '/subscription' },
  getSubscription: { method: 'GET', path: '/subscription/{id}' },
  deleteSubscription: { method: 'DELETE', path: '/subscription/{id}' },
  getSubscriptionErrorLog: { method: 'GET', path: '/subscriptionErrorLog' },
  // features
  listFeatures: { method: 'GET', path: '/features' },
  getFeature: { method: 'GET', path: '/features/{id}' },
  enableFeature: { method: 'POST', path: '/features/{id}/enable' },
  disableFeature: { method: 'POST', path: '/features/{id}/disable' },
  // extra features: documents, client snapshots, attach documents
  postAvailableDocuments: { method: 'POST', path: '/documents/available' },
  uploadDocument: { method: 'POST', path: '/documents/upload' },
  rejectDocumentUpload: { method: 'POST', path: '/documents/rejectUpload' },
  sendClientSnapshot: { method: 'POST', path: '/clientSnapshot' },
  getAttachDocument: { method: 'GET', path: '/attachDocuments/{requestId}' },
  confirmAttachDocument: { method: 'POST', path: '/attachDocuments/{requestId}/confirmInsert' },
  rejectAttachDocument: { method: 'POST', path: '/attachDocuments/{requestId}/rejectInsert' },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof ENDPOINTS;

/** "POST /bookings/{bookingId}/confirmInsert": names an endpoint in errors and logs. */
export function endpointLabel(name: EndpointName): string {
  const e = ENDPOINTS[name];
  return `${e.method} ${e.path}`;
}

/** Fills `{param}` placeholders, URL-encoding each value. */
export function fillPath(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new TypeError(`missing path parameter ${key} for ${template}`);
    return encodeURIComponent(String(value));
  });
}
