import { CLI_ORIGIN } from '../../domain/audit/audit-entry.ts';
import { createCannedAnswer } from '../../domain/canned-answers/create-canned-answer.ts';
import type { Deps } from '../../domain/deps.ts';
import type { Actor } from '../../domain/users/user.ts';

/**
 * The demo's canned answers: two of the Service Desk in en-US, pt-BR and es-ES (each key in its language's CITSmart
 * spelling), and one of the demo technician's own.
 */
export async function seedDemoAnswers(deps: Deps, admin: Actor, tech: Actor, deskId: number): Promise<void> {
  await createCannedAnswer(deps, CLI_ORIGIN, admin, {
    name: 'Password reset',
    groupId: deskId,
    variants: [
      {
        locale: 'en-US',
        text: 'Hello ${REQUESTERNAME},\n\nYour password has been reset. You will be asked to choose a new one at your next sign-in.\n\nTicket ${IDSERVICEREQUEST}',
        isDefault: true,
      },
      {
        locale: 'pt-BR',
        text: 'Olá ${NOMECONTATO},\n\nSua senha foi redefinida. No próximo acesso você escolherá uma nova.\n\nTicket ${IDSOLICITACAOSERVICO}',
      },
      {
        locale: 'es-ES',
        text: 'Hola ${NOMECONTATO}:\n\nSu contraseña se ha restablecido. En su próximo acceso elegirá una nueva.\n\nTicket ${IDSOLICITUDSERVICIO}',
      },
    ],
  });
  await createCannedAnswer(deps, CLI_ORIGIN, admin, {
    name: 'Need more information',
    groupId: deskId,
    variants: [
      {
        locale: 'en-US',
        text: 'Hello ${REQUESTERNAME}, to go on with "${TICKETTITLE}" we need a little more information: when did it start, and what do you see on the screen?',
        isDefault: true,
      },
      {
        locale: 'pt-BR',
        text: 'Olá ${NOMECONTATO}, para seguir com "${TICKETTITLE}" precisamos de mais informações: quando começou e o que aparece na tela?',
      },
      {
        locale: 'es-ES',
        text: 'Hola ${NOMECONTATO}, para seguir con «${TICKETTITLE}» necesitamos más información: ¿cuándo empezó y qué aparece en la pantalla?',
      },
    ],
  });
  await createCannedAnswer(deps, CLI_ORIGIN, tech, {
    name: 'Sign-off',
    variants: [{ locale: 'en-US', text: 'Kind regards,\n${USERNAME}\nService Desk' }],
  });
}
