// zod schemas of the Healthengine PMS API 1.9.0, written from openapi.yaml.
// test/healthengine/spec-drift.test.ts compares each against the spec itself.
//
// Naming: `XSchema` is the shape the spec states; it is what the client sends
// and parses. `XInboundSchema` (few) additionally accepts what Healthengine's
// published examples show where they disagree with the spec (the sandbox
// accepts those). Fields the spec says "can be null" are parsed nullable.
export * from './schemas/common.ts';
export * from './schemas/config.ts';
export * from './schemas/availability.ts';
export * from './schemas/requests.ts';
export * from './schemas/bookings.ts';
export * from './schemas/subscriptions.ts';
export * from './schemas/features.ts';
export * from './schemas/documents.ts';
