// Matches "METHOD /path" against path templates such as /bookings/{bookingId}/cancel.

export interface Routable {
  method: string;
  path: string;
}

interface Compiled<R extends Routable> {
  route: R;
  regex: RegExp;
  names: string[];
}

export type Match<R> =
  | { kind: 'found'; route: R; params: Record<string, string> }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'none' };

export class Router<R extends Routable> {
  readonly #compiled: Compiled<R>[];

  constructor(routes: readonly R[]) {
    this.#compiled = routes.map((route) => {
      const names: string[] = [];
      const pattern = route.path
        .split('/')
        .map((seg) => {
          const m = /^\{(\w+)\}$/.exec(seg);
          if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(m[1] ?? '');
          return '([^/]+)';
        })
        .join('/');
      return { route, regex: new RegExp(`^${pattern}$`), names };
    });
  }

  match(method: string, path: string): Match<R> {
    const allow: string[] = [];
    for (const c of this.#compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      if (c.route.method !== method) {
        allow.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { kind: 'found', route: c.route, params };
    }
    return allow.length > 0 ? { kind: 'wrong-method', allow } : { kind: 'none' };
  }
}
