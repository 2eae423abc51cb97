import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../config/config.ts';
import { CLI_ORIGIN } from '../../domain/audit/audit-entry.ts';
import { DomainError } from '../../domain/errors.ts';
import { createApiToken } from '../../domain/users/create-api-token.ts';
import { createGroup } from '../../domain/users/create-group.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { resetPasswordByEmail } from '../../domain/users/reset-password.ts';
import { createParley, type Parley } from '../../main.ts';
import { extractReply } from '../../domain/inbound/reply-text.ts';
import { seedDemo } from './seed-demo.ts';
import { dispatch, ingest, serve } from './serve.ts';
import { doctor } from './doctor.ts';
import { sendTestMail } from '../../domain/notifications/send-test-mail.ts';

const USAGE = `Usage: parley <command> [options]

Commands:
  serve [--first-run]        migrate, then run the HTTP API (--first-run: add demo data to an empty database)
  migrate                    apply database migrations and exit
  user add --role <requester|technician|admin> --email E --name N
           [--password-stdin] [--locale en-US|pt-BR|es-ES] [--time-zone TZ] [--group NAME]
                             create a user; prints its id
  user password --email E [--password-stdin] [--keep-tokens]
                             set a user's password: read from standard input, or generated and printed; ends
                             the user's sessions and revokes their API tokens (unless --keep-tokens)
  token create --email E [--name LABEL] [--expires-in-days N] [--scope read|full]
                             print a new API token for that user (read: GET and HEAD only; default full, no expiry)
  dispatch                   run the outbox dispatcher alone (several may share a PostgreSQL database)
  ingest [--listen HOST:PORT]
                             receive reply mail over SMTP alone (default address: PARLEY_INBOUND_SMTP)
  send-test --to ADDRESS     send a test mail through the configured SMTP account
  reply-text [--json] [FILE.eml ...]
                             print the text a reply mail would post (quotes and signatures removed), from
                             each file or standard input; --json: one line per mail with the trimmed part
  doctor                     check the database, secret key, SMTP account, mail domain, clock, default team and
                             (PostgreSQL) connection limits; one line each, exit 1 when something is wrong (changes
                             nothing)
  seed --demo                demo groups, users, tickets, templates, parameter 417 and an SMTP account
  help                       this text

Configuration comes from the environment (and .env): see .env.example.`;

/** The built-in mail catcher's port (delivery issue); the demo SMTP account points at it. */
export const DEMO_SMTP_PORT = 2525;

class UsageError extends Error {}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw new UsageError('--password-stdin: nothing could be read from standard input.');
  }
}

async function withParley<T>(work: (parley: Parley) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const parley = createParley(loadConfig());
  try {
    if (options.migrate !== false) await parley.storage.migrate();
    return await work(parley);
  } finally {
    await parley.close();
  }
}

function printDemo(result: Awaited<ReturnType<typeof seedDemo>>, out: (line: string) => void) {
  if (!result.created) {
    out('Demo data is already present (admin@parley.test exists); nothing was changed.');
    return;
  }
  out('Demo data created. Sign in with one of these accounts (passwords are shown only now):');
  for (const a of result.accounts)
    out(`  ${a.role.padEnd(10)} ${a.email.padEnd(22)} ${a.password}   (${a.name}, ${a.locale})`);
  out(`Parameter 417 = ${result.templateIds[0]} (one template in en-US, pt-BR and es-ES).`);
  if (result.defaultTeam)
    out(
      `Parameter 9018 = ${result.defaultTeam.id} (the default team, ${result.defaultTeam.name}: tickets opened without a team).`,
    );
  out(`SMTP account: 127.0.0.1:${result.smtpPort} (the built-in mail catcher's address; see PARLEY_MAIL_CATCHER).`);
}

export async function runCli(
  argv: string[],
  out = (line: string) => console.log(line),
  err = (line: string) => console.error(line),
): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({
          args: argv.slice(1),
          options: { 'first-run': { type: 'boolean' } },
          strict: true,
        });
        await serve(loadConfig(), {
          firstRun: values['first-run'] ?? false,
          demoSmtpPort: DEMO_SMTP_PORT,
          out,
          warn: err,
          printDemo,
        });
        return 0;
      }
      case 'dispatch': {
        const { values } = parseArgs({
          args: argv.slice(1),
          options: { supervised: { type: 'boolean' } },
          strict: true,
        });
        await dispatch(loadConfig(), { out, supervised: values.supervised ?? false });
        return 0;
      }
      case 'ingest': {
        const { values } = parseArgs({ args: argv.slice(1), options: { listen: { type: 'string' } }, strict: true });
        let listen: { host: string; port: number } | null = null;
        if (values.listen !== undefined) {
          const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(values.listen);
          if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen must be host:port (got "${values.listen}").`);
          listen = { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
        }
        await ingest(loadConfig(), { out, listen });
        return 0;
      }
      case 'send-test': {
        const { values } = parseArgs({ args: argv.slice(1), strict: true, options: { to: { type: 'string' } } });
        if (!values.to) throw new UsageError('send-test needs --to ADDRESS.');
        const result = await withParley((p) =>
          sendTestMail({ ...p.deps, transports: p.transports }, values.to!, 'en-US'),
        );
        if (!result.ok) throw new Error(result.message);
        out(result.message);
        return 0;
      }
      case 'reply-text': {
        const { values, positionals } = parseArgs({
          args: argv.slice(1),
          strict: true,
          allowPositionals: true,
          options: { json: { type: 'boolean' } },
        });
        const { createMailParser } = await import('../../main-inbound.ts');
        const parser = createMailParser();
        const sources = positionals.length > 0 ? positionals : ['-'];
        let failed = 0;
        for (const source of sources) {
          let raw: Buffer;
          try {
            raw = readFileSync(source === '-' ? 0 : source);
          } catch (error) {
            throw new UsageError(
              `${source === '-' ? 'standard input' : source} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
            );
          }
          let parsed;
          try {
            parsed = await parser.parse(raw);
          } catch (error) {
            // One unreadable mail does not stop a corpus run: it is named, and the exit code says so at the end.
            failed++;
            err(`parley: ${source} cannot be read as a mail (${describe(error)}).`);
            if (values.json) out(JSON.stringify({ file: source, error: describe(error) }));
            continue;
          }
          const reply = extractReply({ text: parsed.text, html: parsed.html });
          if (values.json) out(JSON.stringify({ file: source, text: reply.text.trim(), trimmed: reply.trimmed }));
          else out(reply.text.trim());
        }
        return failed > 0 ? 1 : 0;
      }
      case 'doctor': {
        if (argv.length > 1) throw new UsageError(`doctor takes no arguments (got "${argv[1]}").`);
        return await doctor(loadConfig(process.env, { createKey: false }), { out, err });
      }
      case 'migrate': {
        if (argv.length > 1) throw new UsageError(`migrate takes no arguments (got "${argv[1]}").`);
        const applied = await withParley((p) => p.storage.migrate(), { migrate: false });
        out(applied.length ? `Applied migrations: ${applied.join(', ')}.` : 'The database is up to date.');
        return 0;
      }
      case 'user': {
        if (sub === 'password') {
          const { values } = parseArgs({
            args: rest,
            strict: true,
            options: {
              email: { type: 'string' },
              'password-stdin': { type: 'boolean' },
              'keep-tokens': { type: 'boolean' },
            },
          });
          if (!values.email) throw new UsageError('user password needs --email.');
          const given = values['password-stdin'] ? readStdin() : null;
          const user = await withParley(async (p) => {
            const password = given ?? p.deps.tokens.random(12);
            return {
              ...(await resetPasswordByEmail(p.deps, CLI_ORIGIN, values.email!, password, {
                keepTokens: values['keep-tokens'] === true,
              })),
              password,
            };
          });
          out(
            given === null
              ? `New password for ${user.email}: ${user.password}   (shown only now)`
              : `Password changed for ${user.email}.`,
          );
          return 0;
        }
        if (sub !== 'add') throw new UsageError('Did you mean "parley user add" or "parley user password"?');
        const { values } = parseArgs({
          args: rest,
          strict: true,
          options: {
            role: { type: 'string' },
            email: { type: 'string' },
            name: { type: 'string' },
            'password-stdin': { type: 'boolean' },
            locale: { type: 'string' },
            'time-zone': { type: 'string' },
            group: { type: 'string', multiple: true },
          },
        });
        for (const required of ['role', 'email', 'name'] as const) {
          if (!values[required]) throw new UsageError(`user add needs --${required}.`);
        }
        const password = values['password-stdin'] ? readStdin() : null;
        const user = await withParley(async (p) => {
          const groupIds: number[] = [];
          for (const name of values.group ?? []) {
            const group =
              (await p.storage.people.findGroupByName(name)) ?? (await createGroup(p.deps, CLI_ORIGIN, { name }));
            groupIds.push(group.id);
          }
          return createUser(p.deps, CLI_ORIGIN, {
            role: values.role!,
            email: values.email!,
            name: values.name!,
            password,
            locale: values.locale ?? null,
            timeZone: values['time-zone'] ?? null,
            groupIds,
          });
        });
        out(String(user.id));
        return 0;
      }
      case 'token': {
        if (sub !== 'create') throw new UsageError('Did you mean "parley token create"?');
        const { values } = parseArgs({
          args: rest,
          strict: true,
          options: {
            email: { type: 'string' },
            name: { type: 'string' },
            'expires-in-days': { type: 'string' },
            scope: { type: 'string' },
          },
        });
        if (!values.email) throw new UsageError('token create needs --email.');
        const days = values['expires-in-days'];
        if (days !== undefined && !/^\d{1,5}$/.test(days))
          throw new UsageError('--expires-in-days takes a whole number of days.');
        const input = {
          name: values.name ?? 'cli',
          scope: values.scope ?? 'full',
          expiresInDays: days === undefined ? null : Number(days),
        };
        const { token } = await withParley((p) => createApiToken(p.deps, CLI_ORIGIN, values.email!, input));
        out(token);
        return 0;
      }
      case 'seed': {
        const { values } = parseArgs({ args: argv.slice(1), strict: true, options: { demo: { type: 'boolean' } } });
        if (!values.demo) throw new UsageError('seed needs --demo (the only seed there is).');
        printDemo(await withParley((p) => seedDemo(p.deps, { smtpPort: DEMO_SMTP_PORT })), out);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`Unknown command "${command}". Run "parley help" for the list.`);
    }
  } catch (error) {
    err(`parley: ${describe(error)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** One line a person can act on; never a stack trace. */
function describe(error: unknown): string {
  if (error instanceof DomainError || error instanceof ConfigError || error instanceof UsageError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ||
      code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
    ) {
      return `${error.message.split('\n')[0]} Run "parley help" for the options.`;
    }
    if (code === 'ECONNREFUSED')
      return `the database refused the connection (${error.message}). Is it running, and is PARLEY_DATABASE_URL right?`;
    if (code === 'EADDRINUSE')
      return `the address is already in use (${error.message}); set PARLEY_PORT to a free port.`;
    return error.message.split('\n')[0]!;
  }
  return String(error);
}
