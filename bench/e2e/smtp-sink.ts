/**
 * The SMTP sink of `bench/end-to-end.ts`, in a process of its own (forked with IPC) so that its CPU is never counted
 * as Parley's or the naive stack's. A real `smtp-server` on 127.0.0.1, port 0: no TLS, no AUTH, 250 at the end of
 * DATA as soon as the mail's bytes are in. Each mail is counted by its Message-ID header (read from the header block
 * only; the body is consumed and dropped).
 *
 * IPC, parent → sink: { cmd: 'expect', count } starts a new phase (forgets what came before) and asks for a
 * { type: 'reached' } message once `count` distinct Message-IDs have arrived; { cmd: 'report' } answers
 * { type: 'report', … } with every Message-ID of the phase, the duplicates and the sink's own CPU; { cmd: 'retarget',
 * count } changes the count of the current phase (when fewer mails are due than announced).
 * Sink → parent at start: { type: 'listening', port }.
 */
import { SMTPServer } from 'smtp-server';

interface Phase {
  expected: number;
  ids: Map<string, number>; // Message-ID → times received
  duplicates: string[];
  withoutId: number;
  bytes: number;
  firstNs: bigint | null;
  lastNs: bigint | null;
  reachedSent: boolean;
}

const newPhase = (expected: number): Phase => ({
  expected,
  ids: new Map(),
  duplicates: [],
  withoutId: 0,
  bytes: 0,
  firstNs: null,
  lastNs: null,
  reachedSent: false,
});
let phase = newPhase(Number.POSITIVE_INFINITY);

const MESSAGE_ID = /^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^>\r\n]*>)/im;
const HEADER_LIMIT = 64 * 1024;

function received(id: string | null, bytes: number): void {
  const now = process.hrtime.bigint();
  phase.bytes += bytes;
  phase.firstNs ??= now;
  phase.lastNs = now;
  if (id === null) {
    phase.withoutId++;
    return;
  }
  const seen = phase.ids.get(id) ?? 0;
  phase.ids.set(id, seen + 1);
  if (seen > 0) phase.duplicates.push(id);
  if (!phase.reachedSent && phase.ids.size >= phase.expected) {
    phase.reachedSent = true;
    process.send?.({ type: 'reached', atNs: now.toString() });
  }
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  hideSTARTTLS: true,
  banner: 'bench sink',
  logger: false,
  // Pipelined clients and many connections: no artificial limits.
  maxClients: 1000,
  onData(stream, _session, callback) {
    let header = '';
    let headerDone = false;
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (headerDone) return;
      header += chunk.toString('latin1');
      const end = header.indexOf('\r\n\r\n');
      if (end >= 0) {
        header = header.slice(0, end + 2);
        headerDone = true;
      } else if (header.length > HEADER_LIMIT) headerDone = true;
    });
    stream.on('end', () => {
      const m = MESSAGE_ID.exec(header);
      received(m ? m[1]! : null, bytes);
      callback(null, 'OK: queued');
    });
  },
});
server.on('error', () => {}); // a client's broken connection is not the sink's failure

process.on('message', (m: { cmd: string; count?: number }) => {
  if (m.cmd === 'expect') {
    phase = newPhase(m.count ?? Number.POSITIVE_INFINITY);
    process.send?.({ type: 'expecting' });
  } else if (m.cmd === 'retarget') {
    // Fewer mails than announced are due (some requests failed): same phase, new count.
    phase.expected = m.count ?? phase.expected;
    if (!phase.reachedSent && phase.ids.size >= phase.expected) {
      phase.reachedSent = true;
      process.send?.({ type: 'reached', atNs: (phase.lastNs ?? process.hrtime.bigint()).toString() });
    }
    process.send?.({ type: 'retargeted' });
  } else if (m.cmd === 'report') {
    const cpu = process.cpuUsage();
    process.send?.({
      type: 'report',
      ids: [...phase.ids.keys()],
      duplicates: phase.duplicates,
      withoutId: phase.withoutId,
      bytes: phase.bytes,
      firstNs: phase.firstNs?.toString() ?? null,
      lastNs: phase.lastNs?.toString() ?? null,
      cpuMicros: cpu.user + cpu.system,
    });
  } else if (m.cmd === 'stop') {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  }
});
process.once('disconnect', () => process.exit(0)); // the benchmark is gone

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
