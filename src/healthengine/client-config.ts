// Client endpoints: configuration, availability, features, subscriptions.
import { z } from 'zod';
import { EndpointGroup, toPage } from './client-core.ts';
import type { PracticeCredentials } from './http.ts';
import {
  AvailabilityBatchResponseSchema,
  AvailabilitySnapshotBatchSchema,
  AvailabilitySnapshotSchema,
  DateTimeString,
  FeatureSchema,
  LivenessContractSchema,
  MAX_SNAPSHOTS_PER_BATCH,
  pageOf,
  PmsAppointmentTypeSchema,
  PmsResourceSchema,
  StoredSubscriptionSchema,
  SubscriptionErrorLogSchema,
  SubscriptionSchema,
  type AvailabilityBatchResult,
  type AvailabilitySnapshot,
  type Feature,
  type LivenessContract,
  type Page,
  type PmsAppointmentType,
  type PmsResource,
  type Subscription,
  type SubscriptionErrorLog,
  type SubscriptionErrorLogQuery,
  type SubscriptionInput,
} from './schemas.ts';

export class ConfigEndpoints extends EndpointGroup {
  // --- liveness contract ---------------------------------------------------
  getLivenessContract(p: PracticeCredentials): Promise<LivenessContract> {
    return this.core.fetch('getLivenessContract', p, LivenessContractSchema);
  }

  postLivenessContract(p: PracticeCredentials, contract: LivenessContract): Promise<void> {
    return this.core.send('postLivenessContract', p, { body: contract, bodySchema: LivenessContractSchema });
  }

  // --- resources: anything missing from a snapshot counts as deleted --------
  getResources(p: PracticeCredentials): Promise<PmsResource[]> {
    return this.core.fetch('getResources', p, z.array(PmsResourceSchema));
  }

  async findResourceById(p: PracticeCredentials, id: string): Promise<PmsResource | undefined> {
    const found = await this.core.fetch('findResourceById', p, z.array(PmsResourceSchema), { query: { id } });
    return found[0];
  }

  postResourcesSnapshot(p: PracticeCredentials, resources: PmsResource[]): Promise<void> {
    return this.core.send('postResourcesSnapshot', p, { body: resources, bodySchema: z.array(PmsResourceSchema) });
  }

  // --- appointment types ----------------------------------------------------
  getAppointmentTypes(p: PracticeCredentials): Promise<PmsAppointmentType[]> {
    return this.core.fetch('getAppointmentTypes', p, z.array(PmsAppointmentTypeSchema));
  }

  async findAppointmentTypeById(p: PracticeCredentials, id: string): Promise<PmsAppointmentType | undefined> {
    const found = await this.core.fetch('findAppointmentTypeById', p, z.array(PmsAppointmentTypeSchema), { query: { id } });
    return found[0];
  }

  postAppointmentTypesSnapshot(p: PracticeCredentials, types: PmsAppointmentType[]): Promise<void> {
    return this.core.send('postAppointmentTypesSnapshot', p, {
      body: types,
      bodySchema: z.array(PmsAppointmentTypeSchema),
    });
  }

  // --- availability -----------------------------------------------------------
  postAvailabilitySnapshot(p: PracticeCredentials, snapshot: AvailabilitySnapshot): Promise<void> {
    return this.core.send('postAvailabilitySnapshot', p, { body: snapshot, bodySchema: AvailabilitySnapshotSchema });
  }

  /** Up to 100 snapshots in one call; throws `bad_request` (no call made) for more. */
  async postAvailabilitySnapshots(p: PracticeCredentials, snapshots: AvailabilitySnapshot[]): Promise<AvailabilityBatchResult> {
    if (snapshots.length > MAX_SNAPSHOTS_PER_BATCH) {
      this.core.refuse(
        'postAvailabilitySnapshots',
        `at most ${MAX_SNAPSHOTS_PER_BATCH} snapshots per call, got ${snapshots.length}: split the batch`,
      );
    }
    if (snapshots.length === 0) return { created: [], existing: [], failed: [], errors: [] };
    const res = await this.core.fetch('postAvailabilitySnapshots', p, AvailabilityBatchResponseSchema, {
      body: snapshots,
      bodySchema: AvailabilitySnapshotBatchSchema,
    });
    return {
      created: res.created ?? [],
      existing: res.existing ?? [],
      failed: res.failed ?? [],
      errors: (res.errors ?? []).map((e) => ({ snapshot: e.snapshot ?? '', error: e.error ?? '' })),
    };
  }

  // --- features ---------------------------------------------------------------
  listFeatures(p: PracticeCredentials): Promise<Feature[]> {
    return this.core.fetch('listFeatures', p, z.array(FeatureSchema));
  }

  getFeature(p: PracticeCredentials, id: string): Promise<Feature> {
    return this.core.fetch('getFeature', p, FeatureSchema, { params: { id } });
  }

  enableFeature(p: PracticeCredentials, id: string): Promise<void> {
    return this.core.send('enableFeature', p, { params: { id } });
  }

  disableFeature(p: PracticeCredentials, id: string): Promise<void> {
    return this.core.send('disableFeature', p, { params: { id } });
  }

  // --- subscriptions (webhooks) -------------------------------------------------
  /** Creates a subscription, or updates the one whose `id` is set. */
  createSubscription(p: PracticeCredentials, sub: SubscriptionInput): Promise<Subscription> {
    return this.core.fetch('createSubscription', p, StoredSubscriptionSchema, { body: sub, bodySchema: SubscriptionSchema });
  }

  listSubscriptions(p: PracticeCredentials): Promise<Subscription[]> {
    return this.core.fetch('listSubscriptions', p, z.array(StoredSubscriptionSchema));
  }

  getSubscription(p: PracticeCredentials, id: string): Promise<Subscription> {
    return this.core.fetch('getSubscription', p, StoredSubscriptionSchema, { params: { id } });
  }

  deleteSubscription(p: PracticeCredentials, id: string): Promise<void> {
    return this.core.send('deleteSubscription', p, { params: { id } });
  }

  async getSubscriptionErrorLog(p: PracticeCredentials, query: SubscriptionErrorLogQuery = {}): Promise<Page<SubscriptionErrorLog>> {
    this.core.checkPage('getSubscriptionErrorLog', query.page);
    for (const key of ['from', 'to'] as const) {
      const value = query[key];
      if (value !== undefined && !DateTimeString.safeParse(value).success) {
        this.core.refuse('getSubscriptionErrorLog', `${key} must be a UTC datetime YYYY-MM-DD HH:MM:SS`);
      }
    }
    const raw = await this.core.fetch('getSubscriptionErrorLog', p, pageOf(SubscriptionErrorLogSchema), {
      query: { subscriptionId: query.subscriptionId, from: query.from, to: query.to, page: query.page },
    });
    return toPage(raw, query.page);
  }
}
