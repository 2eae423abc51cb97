import { CLI_ORIGIN } from '../../domain/audit/audit-entry.ts';
import type { Deps } from '../../domain/deps.ts';
import { postMessage } from '../../domain/messages/post-message.ts';
import { PARAM } from '../../domain/parameters/parameter-catalogue.ts';
import { saveSmtpAccount } from '../../domain/parameters/save-smtp-account.ts';
import { setParameter } from '../../domain/parameters/set-parameter.ts';
import { multilingual, SHIPPED_MESSAGING_TEMPLATE } from '../../domain/templates/default-templates.ts';
import { DEFAULT_EVENT_TEMPLATES } from '../../domain/templates/default-event-templates.ts';
import { EVENT_TEMPLATE_PARAMETER, type TicketEvent } from '../../domain/notifications/event-mails.ts';
import { createTemplate } from '../../domain/templates/create-template.ts';
import { loadActor } from '../../domain/users/authentication.ts';
import { openTicket } from '../../domain/tickets/open-ticket.ts';
import { updateTicket } from '../../domain/tickets/update-ticket.ts';
import { createGroup } from '../../domain/users/create-group.ts';
import { seedDemoAnswers } from './demo-canned-answers.ts';
import { createUser } from '../../domain/users/create-user.ts';
import type { Locale } from '../../domain/locale.ts';
import type { Role } from '../../domain/users/user.ts';

export interface DemoResult {
  created: boolean;
  accounts: { role: Role; email: string; name: string; password: string; locale: Locale }[];
  templateIds: number[];
  smtpPort: number;
  /** The default team (parameter 9018), when created. */
  defaultTeam?: { id: number; name: string };
}

const PEOPLE: { role: Role; email: string; name: string; locale: Locale; timeZone: string }[] = [
  { role: 'admin', email: 'admin@parley.test', name: 'Alex Admin', locale: 'en-US', timeZone: 'UTC' },
  { role: 'technician', email: 'tech@parley.test', name: 'Taylor Tech', locale: 'en-US', timeZone: 'America/New_York' },
  {
    role: 'technician',
    email: 'tecnica@parley.test',
    name: 'Beatriz Técnica',
    locale: 'pt-BR',
    timeZone: 'America/Sao_Paulo',
  },
  {
    role: 'requester',
    email: 'maria@parley.test',
    name: 'Maria Requester',
    locale: 'en-US',
    timeZone: 'Europe/London',
  },
  { role: 'requester', email: 'joao@parley.test', name: 'João Muñoz', locale: 'pt-BR', timeZone: 'America/Sao_Paulo' },
  {
    role: 'requester',
    email: 'lucia@parley.test',
    name: 'Lucía Fernández',
    locale: 'es-ES',
    timeZone: 'Europe/Madrid',
  },
];

/**
 * Demo groups, users, tickets and messages, the messaging template in three languages, parameter 417 set, and an
 * SMTP account on loopback, canned answers, the Service Desk as the default team (9018). Passwords are generated now and shown once: there are no default secrets.
 * Does nothing when the demo admin already exists.
 */
export async function seedDemo(deps: Deps, options: { smtpPort: number }): Promise<DemoResult> {
  if (await deps.storage.people.findUserByEmail(PEOPLE[0]!.email))
    return { created: false, accounts: [], templateIds: [], smtpPort: options.smtpPort };
  const accounts: DemoResult['accounts'] = [];
  const ids: Record<string, number> = {};
  for (const person of PEOPLE) {
    const password = deps.tokens.random(12);
    const user = await createUser(deps, CLI_ORIGIN, { ...person, password });
    ids[person.email] = user.id;
    accounts.push({ role: person.role, email: person.email, name: person.name, password, locale: person.locale });
  }
  const group = async (name: string, memberIds: number[]) => {
    const existing = await deps.storage.people.findGroupByName(name);
    if (!existing) return createGroup(deps, CLI_ORIGIN, { name, memberIds });
    for (const id of memberIds) await deps.storage.people.addGroupMember(existing.id, id);
    return existing;
  };
  const desk = await group('Service Desk', [ids['tech@parley.test']!, ids['tecnica@parley.test']!]);
  await group('Infrastructure', [ids['tech@parley.test']!]);

  const admin = (await loadActor(deps.storage, ids['admin@parley.test']!))!;
  // The messaging template: one template in en-US, pt-BR and es-ES.
  const templateIds = [(await createTemplate(deps, CLI_ORIGIN, SHIPPED_MESSAGING_TEMPLATE)).id];
  await saveSmtpAccount(deps, CLI_ORIGIN, admin, {
    host: '127.0.0.1',
    port: options.smtpPort,
    security: 'none',
    auth: false,
    from: 'support@parley.test',
    fromName: 'Parley Service Desk',
  });
  await setParameter(deps, CLI_ORIGIN, admin, PARAM.MESSAGING_TEMPLATE, templateIds[0]);
  // Every ticket opened without a team (the portal's, the API's, mail's) goes to the Service Desk's queue.
  await setParameter(deps, CLI_ORIGIN, admin, PARAM.DEFAULT_TEAM, desk.id);
  // The event mails' templates, each one template in the three languages, named by its event's parameter.
  for (const [event, byLocale] of Object.entries(DEFAULT_EVENT_TEMPLATES)) {
    const name = byLocale['en-US'].name.replace(/ \(en-US\)$/, '');
    const id = (await createTemplate(deps, CLI_ORIGIN, multilingual(name, byLocale))).id;
    await setParameter(deps, CLI_ORIGIN, admin, EVENT_TEMPLATE_PARAMETER[event as TicketEvent], id);
  }

  const actor = async (email: string) => (await loadActor(deps.storage, ids[email]!))!;
  const maria = await actor('maria@parley.test');
  const joao = await actor('joao@parley.test');
  const tech = await actor('tech@parley.test');
  const vpn = await openTicket(deps, maria, {
    title: 'VPN disconnects every few minutes',
    description: 'Since Monday the VPN drops about every five minutes when I work from home.',
    groupId: desk.id,
    demandType: 'Incident',
    activity: 'Remote access',
    relatedService: 'Network',
    portfolio: 'IT services',
    category: 'Connectivity',
  });
  await updateTicket(deps, tech, vpn.number, { responsibleId: tech.id, status: 'in_progress' });
  await postMessage(deps, tech, {
    ticketNumber: vpn.number,
    text: 'Hi Maria, could you tell me which VPN client version you use?',
    source: 'desk',
  });
  await postMessage(deps, tech, {
    ticketNumber: vpn.number,
    text: 'Checked the gateway logs: many idle timeouts.',
    internal: true,
    timeSpentMinutes: 25,
    source: 'desk',
  });
  await postMessage(deps, maria, { ticketNumber: vpn.number, text: 'It is version 5.2.1.\nThanks!', source: 'portal' });
  await openTicket(deps, joao, {
    title: 'Acesso à pasta compartilhada do financeiro',
    description: 'Preciso de acesso de leitura à pasta \\\\fs01\\financeiro.',
    groupId: desk.id,
    demandType: 'Requisição',
    activity: 'Permissões de arquivo',
    relatedService: 'Armazenamento',
    portfolio: 'Serviços de TI',
    category: 'Acesso',
  });
  await seedDemoAnswers(deps, admin, tech, desk.id);
  return {
    created: true,
    accounts,
    templateIds,
    smtpPort: options.smtpPort,
    defaultTeam: { id: desk.id, name: desk.name },
  };
}
