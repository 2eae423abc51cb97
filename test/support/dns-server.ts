/**
 * A small real DNS server on 127.0.0.1 (UDP, an ephemeral port) answering MX, A and AAAA questions from a fixed
 * zone: a name in the zone without the asked type gets an empty answer (NODATA), a name outside it NXDOMAIN. Enough
 * for node:dns's `Resolver` pointed at it with `setServers`.
 */
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';

export interface Zone {
  [name: string]: { mx?: { priority: number; exchange: string }[]; a?: string[]; aaaa?: string[] };
}

const TYPE = { A: 1, MX: 15, AAAA: 28 } as const;

function encodeName(name: string): Buffer {
  const labels = name.split('.').filter((l) => l !== '');
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
}

function readQuestion(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (query[at]! !== 0) {
    const length = query[at]!;
    labels.push(query.subarray(at + 1, at + 1 + length).toString());
    at += length + 1;
  }
  return { name: labels.join('.').toLowerCase(), type: query.readUInt16BE(at + 1), end: at + 5 };
}

function ipv6(address: string): Buffer {
  const [head, tail = ''] = address.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const groups = [...part(head!), ...Array(8 - part(head!).length - part(tail).length).fill('0'), ...part(tail)];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function answer(query: Buffer, zone: Zone): Buffer {
  const q = readQuestion(query);
  const entry = zone[q.name];
  const rdatas: Buffer[] = [];
  if (entry && q.type === TYPE.MX)
    for (const mx of entry.mx ?? [])
      rdatas.push(Buffer.concat([Buffer.from([mx.priority >> 8, mx.priority & 0xff]), encodeName(mx.exchange)]));
  if (entry && q.type === TYPE.A) for (const a of entry.a ?? []) rdatas.push(Buffer.from(a.split('.').map(Number)));
  if (entry && q.type === TYPE.AAAA) for (const a of entry.aaaa ?? []) rdatas.push(ipv6(a));
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // the id
  header.writeUInt16BE(0x8180 | (entry ? 0 : 3), 2); // a response, recursion available; NXDOMAIN outside the zone
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rdatas.length, 6);
  const records = rdatas.map((rdata) => {
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    fixed.writeUInt16BE(q.type, 2);
    fixed.writeUInt16BE(1, 4); // IN
    fixed.writeUInt32BE(60, 6);
    fixed.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([fixed, rdata]);
  });
  return Buffer.concat([header, query.subarray(12, q.end), ...records]);
}

/** Starts the server; `resolver()` gives a node:dns Resolver that asks only it. */
export async function startDnsServer(zone: Zone): Promise<{ resolver(): Resolver; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    try {
      socket.send(answer(query, zone), peer.port, peer.address);
    } catch {
      // a malformed question goes unanswered
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    resolver() {
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([`127.0.0.1:${port}`]);
      return resolver;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
