import type { RenderContext } from '../../src/domain/templates/key-registry.ts';

export interface ContextOverrides {
  ticket?: Partial<RenderContext['ticket']>;
  message?: Partial<RenderContext['message']>;
  recipient?: RenderContext['recipient'];
}

/** A render context for template tests: ticket 4711, a short message, an en-US recipient in UTC. */
export function renderContext(overrides: ContextOverrides = {}): RenderContext {
  return {
    ticket: {
      number: 4711,
      title: 'Printer on floor 3',
      status: 'in_progress',
      requesterName: 'João Silva',
      contactName: null,
      responsibleName: 'Ana Muñoz',
      demandType: 'Incident',
      activity: 'Printing',
      relatedService: 'Office equipment',
      portfolio: 'IT services',
      category: 'Hardware',
      ...overrides.ticket,
    },
    message: {
      text: 'Hello',
      authorName: 'Ana Muñoz',
      createdAt: '2026-03-14T15:09:26Z',
      timeSpentMinutes: null,
      timeSpentDate: null,
      ...overrides.message,
    },
    recipient: overrides.recipient ?? { locale: 'en-US', timeZone: 'UTC' },
    ticketUrl: 'https://parley.example/portal/tickets/4711',
  };
}
