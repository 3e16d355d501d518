// Checks a practice link row as a PMS admin typed it. Pure: the caller passes
// the other links and the PMS's locations. Each problem names the field and value.

export interface LinkToValidate {
  linkId: number;
  practiceId: string;
  practiceKey: string;
  locationIds: readonly string[];
  enabled: boolean;
}

/** Healthengine practice ids are numeric. */
const PRACTICE_ID = /^[0-9]{1,12}$/;

export function validateLink(link: LinkToValidate, others: readonly LinkToValidate[], knownLocations: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const id = link.practiceId;
  if (!PRACTICE_ID.test(id.trim()) || id.trim() !== id) {
    problems.push(`he_practice_id '${id}' is not a Healthengine practice id (expected digits only, as shown in Healthengine Practice Admin)`);
  }
  if (link.practiceKey.trim() === '') problems.push('he_practice_key is empty (paste the practice key from Healthengine Practice Admin)');
  if (link.locationIds.length === 0) problems.push('location_ids is empty (list the PMS locations this Healthengine practice covers)');
  for (const loc of link.locationIds) {
    if (!knownLocations.has(loc)) problems.push(`location_ids contains '${loc}', which is not a PMS location (known: ${[...knownLocations].sort().join(', ') || 'none'})`);
  }
  for (const other of others) {
    if (other.linkId === link.linkId || !other.enabled) continue;
    // the older link keeps the location; the newer one is the conflicting edit
    if (other.linkId > link.linkId) continue;
    const shared = link.locationIds.filter((l) => other.locationIds.includes(l));
    if (shared.length > 0) problems.push(`location '${shared[0]}' is already linked by link ${other.linkId} (Healthengine practice ${other.practiceId}); a location can belong to one enabled link only`);
  }
  return problems;
}
