import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, errorStatus, type ErrorCode } from '../../domain/errors.ts';

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** "body/text must be string" becomes "The field "text" must be a string." */
function explainValidation(context: string, issue: ValidationIssue): { message: string; field: string } {
  const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field = issue.keyword === 'required' ? String(issue.params.missingProperty) : path;
  const where = field ? `The field "${field}"` : context === 'body' ? 'The request body' : `The ${context}`;
  switch (issue.keyword) {
    case 'required':
      return { field, message: `The field "${field}" is required.` };
    case 'type': {
      const article = (t: string) => (t === 'null' ? 'null' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
      return { field, message: `${where} must be ${String(issue.params.type).split(',').map(article).join(' or ')}.` };
    }
    case 'maxLength':
      return { field, message: `${where} must be at most ${issue.params.limit} characters.` };
    case 'minLength':
      return { field, message: `${where} cannot be empty.` };
    case 'enum':
      return { field, message: `${where} must be one of: ${(issue.params.allowedValues as unknown[]).join(', ')}.` };
    case 'minimum':
    case 'maximum':
      return {
        field,
        message: `${where} must be ${issue.keyword === 'minimum' ? 'at least' : 'at most'} ${issue.params.limit}.`,
      };
    case 'maxItems':
      return { field, message: `${where} can have at most ${issue.params.limit} items.` };
    case 'minProperties':
      return { field, message: 'The request body must change at least one field.' };
    default:
      return { field, message: `${where} ${issue.message ?? 'is not valid'}.` };
  }
}

function send(reply: FastifyReply, code: ErrorCode, message: string, details?: Record<string, unknown>) {
  return reply.code(errorStatus(code)).send(details ? { code, message, details } : { code, message });
}

/**
 * Every failure leaves as `{code, message}` with a fitting status. Expected failures keep their message;
 * anything else is a 500 with a generic sentence, and the log keeps the cause and the request id.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof DomainError) return send(reply, error.code, error.message, error.details);
  if (error.validation) {
    const first = explainValidation(error.validationContext ?? 'body', error.validation[0] as ValidationIssue);
    return send(reply, 'VALIDATION_FAILED', first.message, { field: first.field, in: error.validationContext });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return send(reply, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return send(reply, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return send(reply, 'REQUEST_EMPTY_BODY', 'The request body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return send(reply, 'REQUEST_INVALID_JSON', 'The request body is not valid JSON.');
  }
  if (error instanceof SyntaxError || error.name === 'SyntaxError') {
    return send(reply, 'REQUEST_INVALID_JSON', 'The request body is not valid JSON.');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    request.log.info({ err: error }, 'request refused');
    if (status === 413) return send(reply, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
    if (status === 415) return send(reply, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
    return reply.code(status).send({ code: 'REQUEST_INVALID', message: 'The request is not valid.' });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({
    code: 'INTERNAL_ERROR',
    message: `Something went wrong on our side; it is logged as request ${request.id}.`,
  });
}
