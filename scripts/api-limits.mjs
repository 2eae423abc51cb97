// The limits and lists of the API that the web app checks before it sends (limits.ts), read from the OpenAPI document
// of the routes, so they are never restated by hand. A limit that moves or disappears from the schemas fails here.

/** The JSON body schema of an operation. */
function body(document, path, method) {
  const schema = document.paths[`/api/v1${path}`]?.[method]?.requestBody?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`No JSON body for ${method.toUpperCase()} ${path} in the API document.`);
  return schema;
}

/** The schema of a query parameter. */
function query(document, path, method, name) {
  const parameter = document.paths[`/api/v1${path}`]?.[method]?.parameters?.find(
    (p) => p.in === 'query' && p.name === name,
  );
  if (!parameter) throw new Error(`No query parameter ${name} for ${method.toUpperCase()} ${path}.`);
  return parameter.schema;
}

function defined(value, what) {
  if (value === undefined || value === null) throw new Error(`The API document has no ${what}.`);
  return value;
}

const enumOf = (schema, what) => defined(schema.enum, `enum for ${what}`).filter((v) => v !== null);

/** `[name, value, comment]` of every constant, from the document. */
function constants(document) {
  const newUser = body(document, '/admin/users', 'post').properties;
  const newTicket = body(document, '/tickets', 'post').properties;
  const message = body(document, '/tickets/{number}/messages', 'post').properties;
  const uploads = newTicket.attachments;
  const copies = body(document, '/tickets/{number}/copies', 'put').properties.copies;
  const login = body(document, '/auth/login', 'post').properties;
  return [
    ['ROLES', enumOf(newUser.role, 'role'), 'Roles of a user (POST /admin/users).'],
    ['LOCALES', enumOf(body(document, '/me', 'patch').properties.locale, 'locale'), 'Languages of the app and mails.'],
    ['TICKET_STATUSES', enumOf(query(document, '/tickets', 'get', 'status'), 'ticket status'), 'Ticket statuses.'],
    ['OUTBOX_STATUSES', enumOf(query(document, '/admin/outbox', 'get', 'status'), 'outbox status'), 'Outbox states.'],
    [
      'INBOUND_STATUSES',
      enumOf(query(document, '/inbound-mail', 'get', 'status'), 'inbound status'),
      'States of an inbound mail.',
    ],
    [
      'AUDIT_ACTIONS',
      enumOf(query(document, '/admin/audit', 'get', 'action'), 'audit action'),
      'Actions of the audit log.',
    ],
    [
      'AUDIT_TARGETS',
      enumOf(query(document, '/admin/audit', 'get', 'targetType'), 'audit target type'),
      'What the audit log names as changed.',
    ],
    [
      'WEBHOOK_EVENTS',
      enumOf(body(document, '/admin/webhooks', 'post').properties.events.items, 'webhook event'),
      'Events a webhook endpoint may take.',
    ],
    [
      'WEBHOOK_DELIVERY_STATUSES',
      enumOf(query(document, '/admin/webhook-deliveries', 'get', 'status'), 'webhook delivery status'),
      'States of a webhook delivery.',
    ],
    [
      'COPIES_MODES',
      enumOf(body(document, '/admin/groups', 'post').properties.copiesMode, 'copies mode'),
      'How a group sends its tickets’ copies: one mail with Cc, or one mail each.',
    ],
    ['MAX_COPIES', defined(copies.maxItems, 'maxItems of copies'), 'People one ticket may copy (Cc).'],
    [
      'ATTACHMENT_LIMITS',
      {
        maxCount: defined(uploads.maxItems, 'maxItems of attachments'),
        maxBytes: defined(uploads['x-max-bytes'], 'x-max-bytes of attachments'),
        maxTotalBytes: defined(uploads['x-max-total-bytes'], 'x-max-total-bytes of attachments'),
      },
      'Files of one message or new ticket: how many, how large each, how large together.',
    ],
    [
      'MAX_LENGTH',
      Object.fromEntries(
        Object.entries({
          ticketTitle: newTicket.title,
          ticketDescription: newTicket.description,
          message: message.text,
          password: login.password,
          newPassword: body(document, '/me/password', 'post').properties.newPassword,
          tokenName: body(document, '/me/tokens', 'post').properties.name,
          copyEmail: copies.items.properties.email,
          copyName: copies.items.properties.name,
          userName: newUser.name,
          groupName: body(document, '/admin/groups', 'post').properties.name,
          templateName: body(document, '/admin/email-templates', 'post').properties.name,
          templateSubject: body(document, '/admin/email-templates', 'post').properties.subject,
          answerName: body(document, '/me/canned-answers', 'post').properties.name,
          answerLocale: body(document, '/me/canned-answers', 'post').properties.variants.items.properties.locale,
          answerText: body(document, '/me/canned-answers', 'post').properties.variants.items.properties.text,
          signature: body(document, '/me/signature', 'put').properties.signature,
          webhookUrl: body(document, '/admin/webhooks', 'post').properties.url,
          webhookDescription: body(document, '/admin/webhooks', 'post').properties.description,
        }).map(([field, schema]) => [field, defined(schema.maxLength, `maxLength of ${field}`)]),
      ),
      'The longest text of each field (characters), as the API refuses longer.',
    ],
  ];
}

/** The TypeScript module (before formatting). */
export function limitsOf(document) {
  return constants(document)
    .map(([name, value, comment]) => `/** ${comment} */\nexport const ${name} = ${JSON.stringify(value)} as const;\n`)
    .join('\n');
}
