// Healthengine asks for a User-Agent of the form
// "VENDOR_NAME (VENDOR_EMAIL) ENVIRONMENT", environment e.g. DEV, UAT, PROD.

export interface VendorIdentity {
  vendorName: string;
  vendorEmail: string;
  environment: string;
}

const USER_AGENT_RE = /^(?<name>[^()\s](?:[^()]*[^()\s])?) \((?<email>[^()\s@]+@[^()\s@]+)\) (?<env>[A-Za-z0-9_-]+)$/;

export function formatUserAgent(v: VendorIdentity): string {
  const ua = `${v.vendorName.trim()} (${v.vendorEmail.trim()}) ${v.environment.trim().toUpperCase()}`;
  if (!isVendorUserAgent(ua)) {
    throw new TypeError(`cannot build a Healthengine User-Agent from ${JSON.stringify(v)}: expected "VENDOR_NAME (VENDOR_EMAIL) ENVIRONMENT"`);
  }
  return ua;
}

export function isVendorUserAgent(value: string | undefined): boolean {
  return value !== undefined && USER_AGENT_RE.test(value);
}

export function parseUserAgent(value: string): VendorIdentity | undefined {
  const m = USER_AGENT_RE.exec(value);
  if (!m?.groups) return undefined;
  return { vendorName: m.groups.name ?? '', vendorEmail: m.groups.email ?? '', environment: m.groups.env ?? '' };
}
