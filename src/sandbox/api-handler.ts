// One PMS API call, start to finish: route, auth (401/403), header, path,
// query and body validation (400), the handler, and the inspection record.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { isVendorUserAgent } from '../healthengine/user-agent.ts';
import { ApiError, badRequest } from './api-error.ts';
import { authenticate } from './auth.ts';
import type { FaultInjector } from './faults.ts';
import { bestEffortJson, decodeBody, readRaw, sendJson } from './http-io.ts';
import { maskHeaders } from './inspection.ts';
import { Router } from './router.ts';
import { API_ROUTES, type ApiRoute } from './routes/index.ts';
import type { PracticeState, SandboxState } from './state.ts';
import { checkQuery, intParam, parseOr400 } from './validation.ts';

export const API_BASE_PATH = '/pms-api/v1';
const INTEGER_PARAMS = new Set(['bookingId', 'requestId']);

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class ApiHandler {
  readonly #state: SandboxState;
  readonly #faults: FaultInjector;
  readonly #router = new Router<ApiRoute>(API_ROUTES);

  constructor(state: SandboxState, faults: FaultInjector) {
    this.#state = state;
    this.#faults = faults;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = performance.now();
    const at = new Date().toISOString();
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.slice(API_BASE_PATH.length) || '/';
    let text = '';
    let answer: Answer;
    let practice: PracticeState | undefined;
    const fault = this.#faults.take(method, path);
    try {
      const raw = await readRaw(req);
      text = raw.toString('utf8'); // what gets recorded if decoding fails
      text = decodeBody(raw, headerOf(req, 'content-encoding'));
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.reset) {
        req.socket.destroy();
        this.#record(req, at, method, path, url, text, undefined, { status: 0, body: 'connection reset (injected)' }, started);
        return;
      }
      if (fault?.status !== undefined) {
        const body = fault.body ?? JSON.stringify({ error: 'injected fault' });
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(body);
        this.#record(req, at, method, path, url, text, undefined, { status: fault.status, body }, started);
        return;
      }
      const found = this.#router.match(method, path);
      if (found.kind === 'none') throw new ApiError(404, `no operation ${method} ${path} in the PMS API`);
      if (found.kind === 'wrong-method') {
        answer = {
          status: 405,
          body: { error: `${method} is not an operation of ${path}; allowed: ${found.allow.join(', ')}` },
          headers: { allow: found.allow.join(', ') },
        };
      } else {
        practice = authenticate(this.#state, req.headers);
        answer = this.#run(found.route, found.params, practice, req, url, text);
      }
    } catch (err) {
      answer = errorAnswer(err, this.#state);
    }
    sendJson(res, answer.status, answer.body, answer.headers);
    this.#record(req, at, method, path, url, text, practice, answer, started);
  }

  #run(route: ApiRoute, params: Record<string, string>, practice: PracticeState, req: IncomingMessage, url: URL, text: string): Answer {
    if (this.#state.settings.requireVendorUserAgent && !isVendorUserAgent(headerOf(req, 'user-agent'))) {
      throw badRequest('User-Agent must read "VENDOR_NAME (VENDOR_EMAIL) ENVIRONMENT", e.g. "Acme PMS (dev@acme.example) UAT"');
    }
    for (const [name, value] of Object.entries(params)) {
      if (INTEGER_PARAMS.has(name)) intParam(name, value);
    }
    const query = checkQuery(route.query ?? {}, url.searchParams);
    let body: unknown;
    if (route.body) {
      if (text.trim() === '') throw badRequest('a JSON request body is required (send at least {})');
      const type = headerOf(req, 'content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) throw badRequest('Content-Type must be application/json');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw badRequest('body is not valid JSON');
      }
      body = parseOr400(route.body, json, 'body');
    } else if (text.trim() !== '') {
      throw badRequest(`${route.method} ${route.path} takes no request body`);
    }
    const out = route.handle({ state: this.#state, practice, params, query, body });
    return { status: out.status, body: out.body };
  }

  #record(
    req: IncomingMessage,
    at: string,
    method: string,
    path: string,
    url: URL,
    text: string,
    practice: PracticeState | undefined,
    answer: Answer,
    started: number,
  ): void {
    const claimed = headerOf(req, 'practice-id');
    this.#state.calls.record({
      at,
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: maskHeaders(req.headers),
      practiceId: practice?.practiceId ?? claimed,
      contentEncoding: headerOf(req, 'content-encoding'),
      body: bestEffortJson(text),
      status: answer.status,
      response: answer.body,
      durationMs: Math.round(performance.now() - started),
    });
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function errorAnswer(err: unknown, state: SandboxState): Answer {
  if (err instanceof ApiError) return { status: err.status, body: { error: err.message } };
  state.logger.error({ err }, 'sandbox handler failed');
  return { status: 500, body: { error: 'internal sandbox error' } };
}
