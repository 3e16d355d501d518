// Reading request bodies (gzip included) and writing JSON answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { ApiError } from './api-error.ts';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function readRaw(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ApiError(413, `body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The body as text, gunzipped when Content-Encoding says gzip. */
export function decodeBody(raw: Buffer, contentEncoding: string | undefined): string {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw.toString('utf8');
  if (encoding !== 'gzip') throw new ApiError(400, `Content-Encoding '${encoding}' is not supported (use gzip or none)`);
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES }).toString('utf8');
  } catch {
    throw new ApiError(400, 'body is not valid gzip although Content-Encoding says gzip');
  }
}

/** JSON of a body, the text itself when it is not JSON, undefined when empty. */
export function bestEffortJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined || status === 204) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
