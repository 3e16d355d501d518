import { describe, expect, it } from 'vitest';
import { validateLink, type LinkToValidate } from '../../src/domain/link-validation.ts';

const known = new Set(['perth', 'sydney']);
const l = (p: Partial<LinkToValidate>): LinkToValidate => ({ linkId: 2, practiceId: '1001', practiceKey: 'k', locationIds: ['perth'], enabled: true, ...p });

describe('practice link validation', () => {
  it('a well-formed link has no problems', () => expect(validateLink(l({}), [], known)).toEqual([]));
  it('malformed practice id, empty key, empty or unknown locations are named with their value', () => {
    expect(validateLink(l({ practiceId: 'abc-1' }), [], known)[0]).toContain("he_practice_id 'abc-1'");
    expect(validateLink(l({ practiceKey: '  ' }), [], known)[0]).toContain('he_practice_key is empty');
    expect(validateLink(l({ locationIds: [] }), [], known)[0]).toContain('location_ids is empty');
    expect(validateLink(l({ locationIds: ['darwin'] }), [], known)[0]).toContain("'darwin'");
  });
  it('two links claiming one location: the newer one is refused, the older keeps it', () => {
    const older = l({ linkId: 1, practiceId: '9' });
    expect(validateLink(l({}), [older], known)[0]).toContain('already linked by link 1');
    expect(validateLink(older, [l({})], known)).toEqual([]);
    expect(validateLink(l({}), [{ ...older, enabled: false }], known)).toEqual([]);
  });
});
