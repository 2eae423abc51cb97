import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isForbiddenHost } from '../../domain/parameters/forbidden-hosts.ts';

/** Why no connection was made: the host is refused (`forbidden`), or its name did not resolve (`dns`). */
export class AddressRefused extends Error {
  override name = 'AddressRefused';
  constructor(
    readonly reason: 'forbidden' | 'dns',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The address to connect to for an administrator's host setting (SMTP, IMAP): a literal is checked as it is; a name
 * is resolved once, every address it resolves to is checked, and the connection goes to the address checked (so a
 * second lookup cannot answer differently). `what` names the setting in the sentences ("SMTP host").
 */
export async function resolveAllowedAddress(host: string, what: string): Promise<string> {
  const literal = host.replace(/^\[|\]$/g, '');
  if (isForbiddenHost(host))
    throw new AddressRefused(
      'forbidden',
      `The ${what} is a link-local or cloud metadata address; Parley will not connect to it.`,
    );
  if (isIP(literal)) return literal;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (cause) {
    throw new AddressRefused('dns', `The ${what} name could not be resolved.`, { cause });
  }
  if (addresses.length === 0) throw new AddressRefused('dns', `The ${what} name could not be resolved.`);
  if (addresses.some((a) => isForbiddenHost(a.address))) {
    throw new AddressRefused(
      'forbidden',
      `The ${what} resolves to a link-local or cloud metadata address; Parley will not connect to it.`,
    );
  }
  return addresses[0]!.address;
}
