/** IPv4 CIDR arithmetic for the network layout; addresses are unsigned 32-bit numbers. */

export interface Cidr {
  readonly network: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; returns a reason instead when the text is not a usable network block. */
export function parseCidr(text: string): Cidr | string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return `'${text}' is not an IPv4 CIDR (expected a.b.c.d/n)`;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255)) return `'${text}' has an octet above 255`;
  if (prefix > 32) return `'${text}' has a prefix above 32`;
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const network = address - (address % blockSize(prefix));
  if (network !== address) return `'${text}' has host bits set; the network is ${formatCidr({ network, prefix })}`;
  return { network, prefix };
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function formatCidr(cidr: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.network / 2 ** shift) % 256);
  return `${octets.join('.')}/${cidr.prefix}`;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network < b.network + blockSize(b.prefix) && b.network < a.network + blockSize(a.prefix);
}
