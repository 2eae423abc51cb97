import type { Origin } from '../audit/audit-entry.ts';
import { changeOf, recordAudit, secretChange } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Actor } from '../users/user.ts';
import { PARAM, parameterDefinition } from './parameter-catalogue.ts';
import { checkCredentials, encodeChecked, sameDestination, SECRET_DESTINATIONS } from './parameter-writes.ts';
import { decode, readParameters, smtpAccountOf, view, type ParameterView } from './parameters.ts';

export async function setParameter(
  deps: Pick<Deps, 'clock' | 'secrets'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  actor: Actor,
  id: number,
  value: unknown,
): Promise<ParameterView> {
  return deps.storage.transaction(async (tx) => {
    const before = await readParameters(tx);
    const stored = await encodeChecked(tx, deps.secrets, id, value);
    // A parameter may say where two passwords go (9002: both accounts' certificate check): each is checked.
    const account = SECRET_DESTINATIONS.find(
      (d) =>
        d.where.includes(id) &&
        before.get(d.secret) != null &&
        !sameDestination(id, before.get(id) ?? null, decode(stored ?? undefined)),
    );
    if (account) {
      throw new DomainError('PARAMETER_INVALID', account.refusal, {
        details: { parameter: id, field: 'password', reason: 'password-required', secret: account.secret },
      });
    }
    const at = deps.clock.now().toISOString();
    await tx.settings.setParameter(id, stored, at, actor.id);
    // Naming a default team puts the tickets that have none (opened before one was named) in its queue.
    if (id === PARAM.DEFAULT_TEAM && stored !== null)
      await tx.tickets.moveTeamlessTickets(Number(JSON.parse(stored)), actor.id, at);
    const values = await readParameters(tx);
    checkCredentials(smtpAccountOf(values));
    // A secret is named as changed (its sealed value differs at every save); any other value, before → after.
    const secret = parameterDefinition(id)!.type === 'secret';
    const changes =
      secret && (stored !== null || before.get(id) != null)
        ? [secretChange('value')]
        : secret
          ? []
          : changeOf('value', before.get(id) ?? null, values.get(id) ?? null);
    if (changes.length > 0)
      await recordAudit(tx, deps.clock, origin, {
        action: 'parameter.set',
        target: { type: 'parameter', id },
        changes,
      });
    return view(id, values, actor.locale);
  });
}
