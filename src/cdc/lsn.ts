// LSNs arrive as 'X/Y' hex strings with varying zero padding: compare as numbers.
export function lsnToBigInt(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi || '0'}`) << 32n) + BigInt(`0x${lo || '0'}`);
}

export function maxLsn(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return lsnToBigInt(a) >= lsnToBigInt(b) ? a : b;
}

export function lsnGreater(a: string, b: string): boolean {
  return lsnToBigInt(a) > lsnToBigInt(b);
}

/** The LSN one byte before `lsn` (null for 0/0). */
export function lsnBefore(lsn: string): string | null {
  const v = lsnToBigInt(lsn) - 1n;
  if (v < 0n) return null;
  return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
}
