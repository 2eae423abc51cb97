import type { Uses } from '../../ports/storage.ts';
import { compileField } from '../templates/compile-template.ts';
import { compiledFor, type CompiledTemplate, type EmailTemplate } from '../templates/email-template.ts';
import { findTemplateKey, type SignatureRenderer } from '../templates/key-registry.ts';
import { allVariants } from '../templates/template-variant.ts';
import type { Ticket } from '../tickets/ticket.ts';
import { isStaff, type User } from '../users/user.ts';
import { signatureRenderer } from './signature.ts';

const SIGNATURE_KEY = findTemplateKey('SIGNATURE')!;

const usedIn = new WeakMap<CompiledTemplate, boolean>();

function compiledUses(compiled: CompiledTemplate): boolean {
  let uses = usedIn.get(compiled);
  if (uses === undefined) {
    uses = [compiled.subject, compiled.html, compiled.text].some((field) => field.includes(SIGNATURE_KEY));
    usedIn.set(compiled, uses);
  }
  return uses;
}

/** Whether any variant of a template says `${SIGNATURE}` (or an alias): only then is a signature read. */
export function usesSignature(template: EmailTemplate): boolean {
  return allVariants(template).some((v) =>
    compiledUses(compiledFor({ ...v, id: template.id, locale: v.locale.toLowerCase() })),
  );
}

const renderers = new Map<string, SignatureRenderer>();

/** A stored signature, parsed (it was checked when saved) into its renderer; memoised by its text, bounded. */
function rendererOf(text: string): SignatureRenderer {
  let renderer = renderers.get(text);
  if (renderer === undefined) {
    renderer = signatureRenderer(compileField('text', text));
    if (renderers.size >= 500) renderers.delete(renderers.keys().next().value!);
    renderers.set(text, renderer);
  }
  return renderer;
}

/** Who wrote, with their own signature when it was read with them (`User.signature`). */
type Author = Pick<User, 'id' | 'role' | 'signature'>;
/** The ticket's team, with its signature when it was read with the ticket (`Ticket.groupSignature`). */
type Team = Pick<Ticket, 'groupId' | 'groupSignature'>;

/**
 * The signature one message's (or event's) mails carry, for all its recipients: the author's own when the author is
 * staff and has one, else the signature of the ticket's team, else none. A requester's message has none; an event
 * (no author) has its team's. Nothing is read when the template does not use the key, nor when the author and the
 * ticket were read with their signatures (the actor of a request, a ticket found by number); else one read.
 */
export async function mailSignature(
  repos: Uses<{ people: 'signaturesFor' }>,
  template: EmailTemplate | undefined | null,
  author: Author | null,
  team: Team,
): Promise<SignatureRenderer | null> {
  if (!template || !usesSignature(template)) return null;
  return readSignature(repos, author, team);
}

/** The signature for `author` on a ticket of `team` (see `mailSignature`), whatever the template says. */
export async function readSignature(
  repos: Uses<{ people: 'signaturesFor' }>,
  author: Author | null,
  team: Team,
): Promise<SignatureRenderer | null> {
  if (author && !isStaff(author)) return null;
  const own = author ? author.signature : null;
  const known = own ? own : own === null && team.groupSignature !== undefined ? team.groupSignature : undefined;
  if (known !== undefined) return known ? rendererOf(known) : null;
  if (!author && team.groupId === null) return null;
  const found = await repos.people.signaturesFor(author?.id ?? null, team.groupId);
  const text = found.user ?? found.group;
  return text ? rendererOf(text) : null;
}
