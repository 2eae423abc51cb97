import type { Deps } from '../deps.ts';
import { checkUploads, type UploadedFile } from '../messages/attachment.ts';
import { DomainError } from '../errors.ts';
import type { Repositories } from '../../ports/storage.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { CLASSIFICATION_FIELDS, type ClassificationField, type ClassificationInput, type Ticket } from './ticket.ts';

export interface OpenTicketInput extends ClassificationInput {
  title: string;
  description: string;
  requesterId?: number | null;
  contactName?: string | null;
  groupId?: number | null;
  responsibleId?: number | null;
}

export function cleanTitle(title: string): string {
  const t = title.trim();
  if (t.length === 0 || t.length > 200 || /[\u0000-\u001f\u007f]/.test(t)) {
    throw new DomainError('TICKET_INVALID', 'A title must be 1 to 200 characters on one line.', {
      details: { field: 'title' },
    });
  }
  return t;
}

export function cleanClassification(field: ClassificationField, value: string | null | undefined): string | null {
  if (value == null) return null;
  const v = value.trim();
  if (v.length > 120 || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new DomainError('TICKET_INVALID', `${field} must be at most 120 characters on one line.`, {
      details: { field },
    });
  }
  return v === '' ? null : v;
}

/** A responsible person must be staff; a group must exist. */
export async function checkAssignment(
  repos: Repositories,
  groupId: number | null | undefined,
  responsibleId: number | null | undefined,
) {
  if (groupId != null && !(await repos.findGroup(groupId))) {
    throw new DomainError('TICKET_INVALID', `There is no group ${groupId}.`, { details: { field: 'groupId' } });
  }
  if (responsibleId != null) {
    const user = await repos.findUserById(responsibleId);
    if (!user || !isStaff(user) || !user.active) {
      throw new DomainError('TICKET_INVALID', `User ${responsibleId} is not an active technician.`, {
        details: { field: 'responsibleId' },
      });
    }
  }
}

/** Requesters open tickets for themselves; technicians and admins for anyone. */
export async function openTicket(
  deps: Pick<Deps, 'storage' | 'clock' | 'tokens'>,
  actor: Actor,
  input: OpenTicketInput,
  attachments?: readonly UploadedFile[],
): Promise<Ticket> {
  const title = cleanTitle(input.title);
  const files = checkUploads(attachments);
  const description = input.description.trim();
  if (description.length === 0 || description.length > 20_000) {
    throw new DomainError('TICKET_INVALID', 'A description must be 1 to 20,000 characters.', {
      details: { field: 'description' },
    });
  }
  const staff = isStaff(actor);
  const requesterId = staff ? (input.requesterId ?? actor.id) : actor.id;
  if (!staff && input.requesterId != null && input.requesterId !== actor.id) {
    throw new DomainError('FORBIDDEN', 'A requester can open tickets only for themselves.');
  }
  const classification = Object.fromEntries(
    CLASSIFICATION_FIELDS.map((f) => [f, cleanClassification(f, input[f])]),
  ) as Record<ClassificationField, string | null>;
  return deps.storage.transaction(async (tx) => {
    const requester = await tx.findUserById(requesterId);
    if (!requester || !requester.active) {
      throw new DomainError('TICKET_INVALID', `There is no active user ${requesterId} to be the requester.`, {
        details: { field: 'requesterId' },
      });
    }
    const groupId = input.groupId ?? null;
    const responsibleId = staff ? (input.responsibleId ?? null) : null;
    await checkAssignment(tx, groupId, responsibleId);
    const contactName = input.contactName?.trim()
      ? input.contactName
          .trim()
          .slice(0, 120)
          .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      : null;
    const at = deps.clock.now().toISOString();
    const ticket = await tx.createTicket(
      {
        title,
        description,
        requesterId,
        contactName,
        registeredById: actor.id,
        groupId,
        responsibleId,
        ...classification,
      },
      at,
    );
    // Files given with the description belong to the ticket itself (no thread message), as those of a mail that
    // opened a ticket do.
    if (files.length > 0) {
      await tx.insertAttachments(
        files.map((f) => ({
          ...f,
          id: deps.tokens.random(16),
          ticketId: ticket.id,
          messageId: null,
          inboundMailId: null,
          inline: false,
        })),
        at,
      );
    }
    return ticket;
  });
}
