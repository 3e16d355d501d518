// Who is calling: the vendor's api-key, then the practice id/key pair.
//   api-key missing or wrong                 -> 401
//   practice-id / practice-key missing       -> 401
//   unknown practice id, or wrong key        -> 401
//   right pair, consent revoked or never given -> 403 (any call)
import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error.ts';
import type { PracticeState, SandboxState } from './state.ts';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function authenticate(state: SandboxState, headers: IncomingHttpHeaders): PracticeState {
  const apiKey = header(headers, 'api-key');
  if (apiKey === undefined || apiKey === '') throw new ApiError(401, 'api-key header is missing');
  if (!sameSecret(apiKey, state.settings.apiKey)) throw new ApiError(401, 'api-key is not valid');
  const practiceId = header(headers, 'practice-id');
  const practiceKey = header(headers, 'practice-key');
  if (!practiceId) throw new ApiError(401, 'practice-id header is missing');
  if (!practiceKey) throw new ApiError(401, 'practice-key header is missing');
  const practice = state.practices.get(practiceId);
  if (!practice || !sameSecret(practiceKey, practice.practiceKey)) {
    throw new ApiError(401, 'practice-id and practice-key do not match a practice');
  }
  if (practice.consent === 'revoked') {
    throw new ApiError(403, 'the practice has revoked consent for this vendor: it must grant consent again in Healthengine Practice Admin');
  }
  if (practice.consent === 'never') {
    throw new ApiError(403, 'the practice has not granted consent to this vendor: grant it in Healthengine Practice Admin');
  }
  return practice;
}
