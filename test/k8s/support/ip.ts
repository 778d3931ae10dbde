/** IPv4 arithmetic for tests. */
export function ipToNumber(ip: string): number {
  return ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

export function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [network, prefix] = cidr.split('/');
  const size = 2 ** (32 - Number(prefix));
  const start = ipToNumber(network);
  const address = ipToNumber(ip);
  return address >= start && address < start + size;
}

/** The n-th address of a CIDR block. */
export function addressIn(cidr: string, offset: number): string {
  return numberToIp(ipToNumber(cidr.split('/')[0]) + offset);
}
