import { Resolver } from 'node:dns/promises';
import type { Config } from '../../config/config.ts';
import type { Clock } from '../../ports/clock.ts';
import { PARAM } from '../../domain/parameters/parameter-catalogue.ts';
import { failed, type CheckResult } from './doctor/check.ts';
import { checkClock, maxSkewFor } from './doctor/clock.ts';
import { checkDefaultTeam } from './doctor/default-team.ts';
import { checkConnections } from './doctor/connections.ts';
import { checkDatabase, openReadOnly } from './doctor/database.ts';
import { checkMailDomain, type MailDomainResolver } from './doctor/mail-domain.ts';
import { checkSecretKey } from './doctor/secret-key.ts';
import { checkSmtpAccount } from './doctor/smtp-account.ts';

export interface DoctorOptions {
  /** A line for each check that passed. */
  out: (line: string) => void;
  /** A line for each problem. */
  err: (line: string) => void;
  /** This machine's clock (tests move it). */
  clock?: Clock;
  /** DNS (tests point it at their own server). */
  resolver?: MailDomainResolver;
  /** How far this machine's clock may be from the database server's. */
  maxSkewSeconds?: number;
}

/**
 * `parley doctor`: checks the configuration as the running roles will use it, changing nothing (no migration, no
 * key created, an SQLite database never created, its writes refused): the database, the secret key against every
 * stored secret and the newest signed reply address, the SMTP account, the mail domain's DNS, the clocks, the default
 * team, PostgreSQL's connection limit. One line per check; resolves with the exit code (1 when anything is wrong).
 */
export async function doctor(config: Readonly<Config>, options: DoctorOptions): Promise<number> {
  const clock = options.clock ?? { now: () => new Date() };
  const opened = openReadOnly(config, clock);
  const parley = 'parley' in opened ? opened.parley : undefined;
  const results: CheckResult[] = [];
  try {
    const database = 'parley' in opened ? await checkDatabase(opened.parley) : opened.problem;
    results.push(database);
    if (parley && database.ok) {
      const key = await checkSecretKey(parley);
      results.push(key);
      // The SMTP account is checked unless its own password (parameter 13) is what the key cannot open.
      results.push(
        key.unreadable.some((s) => s.parameterId === PARAM.SMTP_PASSWORD)
          ? failed('SMTP account', 'not checked: its password needs the right secret key.')
          : await checkSmtpAccount(parley),
      );
      results.push(await checkClock(parley, clock, options.maxSkewSeconds ?? maxSkewFor(config.leaseSeconds)));
      results.push(await checkDefaultTeam(parley));
      const connections = await checkConnections(parley);
      if (connections) results.push(connections);
    } else {
      for (const name of ['secret key', 'SMTP account', 'clock', 'default team'])
        results.push(failed(name, 'not checked: it needs a reachable, migrated database.'));
    }
    results.push(await checkMailDomain(config.mailDomain, options.resolver ?? new Resolver()));
  } finally {
    await parley?.close();
  }
  for (const r of results) (r.ok ? options.out : options.err)(`${r.ok ? 'ok     ' : 'PROBLEM'} ${r.name}: ${r.detail}`);
  const problems = results.filter((r) => !r.ok).length;
  (problems === 0 ? options.out : options.err)(
    problems === 0 ? 'Everything checked is right.' : `${problems} problem(s) found.`,
  );
  return problems === 0 ? 0 : 1;
}
