// Builds and sends a link's configuration snapshots, always in the order
// Healthengine needs them: liveness contract, resources, appointment types.
import { CONFIG_ORDER, type ConfigKind } from '../../domain/jobs.ts';
import { buildAppointmentTypeSnapshot, buildLivenessContract, buildResourceSnapshot } from '../../domain/config-snapshots.ts';
import { readAppointmentTypes, readLivenessHours, readLocationHours, readResources } from '../../db/queries/adapter-reads.ts';
import type { PracticeLink } from '../../db/queries/practice-links.ts';
import { credentials } from '../link-guard.ts';
import type { WorkerContext } from '../worker-context.ts';

/** Sends the given kinds (in contract order); returns the problems found in PMS records. */
export async function sendConfig(ctx: WorkerContext, link: PracticeLink, kinds: readonly ConfigKind[]): Promise<string[]> {
  const creds = credentials(link);
  const problems: string[] = [];
  const wanted = CONFIG_ORDER.filter((k) => kinds.includes(k));
  let resourceIds: Set<string> | null = null;
  const resources = async () => {
    const built = buildResourceSnapshot(await readResources(ctx.pool, link.locationIds));
    resourceIds = new Set(built.payload.map((r) => r.pmsResourceId));
    return built;
  };
  for (const kind of wanted) {
    if (kind === 'liveness') {
      const contract = buildLivenessContract(await readLivenessHours(ctx.pool, link.linkId), await readLocationHours(ctx.pool, link.locationIds));
      await ctx.client.postLivenessContract(creds, contract);
    } else if (kind === 'resources') {
      const built = await resources();
      problems.push(...built.problems);
      await ctx.client.postResourcesSnapshot(creds, built.payload);
    } else {
      const ids: Set<string> = resourceIds ?? (await resources()).payload.reduce((s, r) => s.add(r.pmsResourceId), new Set<string>());
      const built = buildAppointmentTypeSnapshot(await readAppointmentTypes(ctx.pool, link.locationIds), ids);
      problems.push(...built.problems);
      await ctx.client.postAppointmentTypesSnapshot(creds, built.payload);
    }
    ctx.logger.info({ linkId: link.linkId, practiceId: link.practiceId, kind }, 'configuration sent');
  }
  return problems;
}

export function problemsMessage(problems: readonly string[]): string | null {
  if (problems.length === 0) return null;
  const shown = problems.slice(0, 5).join('; ');
  return `Configuration sent, but some PMS records were left out or incomplete: ${shown}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`;
}
