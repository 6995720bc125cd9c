// Reading a request to POST /slack/events before Bolt does. Bolt's HTTPReceiver parses the body
// as a form (its `payload` field as JSON) or as JSON, then reads fields of the result; a body that
// parses to null, a number, a string or an array makes it throw inside a promise nobody handles,
// which ends the process. So the body is read here (bounded), checked to be what Slack sends (a
// JSON object, or a form whose payload is one), and handed to Bolt already read: Bolt takes a
// request's `rawBody` when it is present.
import type { IncomingMessage } from 'node:http';
import { parse } from 'node:querystring';
import { readBoundedBody } from '../http/read-bounded-body.ts';

export type SlackBodyRead =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 400 | 413; readonly reason: string }
  | { readonly ok: false; readonly status: 'aborted' };

/** Reads the body into `request.rawBody` (at most `limit` bytes) and checks its shape. */
export async function readSlackBody(request: IncomingMessage, limit: number): Promise<SlackBodyRead> {
  const body = await readBoundedBody(request, limit);
  if (body === 'too-large') return { ok: false, status: 413, reason: 'request too large' };
  if (body === 'aborted') return { ok: false, status: 'aborted' };
  if (!hasSlackShape(body.toString(), request.headers['content-type'])) return { ok: false, status: 400, reason: 'expected a Slack request' };
  (request as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
  return { ok: true };
}

/** Interactive payloads and the fields Bolt reads of them before any listener or middleware runs. */
type FieldCheck = (record: Record<string, unknown>) => boolean;
const INTERACTIVE_FIELDS: ReadonlyMap<string, FieldCheck> = new Map<string, FieldCheck>([
  ['block_actions', (record) => Array.isArray(record['actions']) && record['actions'].length > 0 && record['actions'].every(isObject)],
  ['block_suggestion', () => true],
  ['view_submission', (record) => isObject(record['view'])],
  ['view_closed', (record) => isObject(record['view'])],
  ['shortcut', () => true],
  ['message_action', () => true],
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What Bolt's parseHTTPRequestBody makes of the body is an object, and an interactive payload
 * has the fields Bolt reads unchecked (it throws on one that does not: a 500). Text Bolt cannot
 * parse it refuses itself.
 */
function hasSlackShape(text: string, contentType: string | undefined): boolean {
  let parsed: unknown;
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const { payload } = parse(text);
      if (typeof payload !== 'string') return true;
      parsed = JSON.parse(payload);
    } else {
      parsed = JSON.parse(text);
    }
  } catch {
    return true;
  }
  if (!isObject(parsed)) return false;
  const fields = typeof parsed['type'] === 'string' ? INTERACTIVE_FIELDS.get(parsed['type']) : undefined;
  if (fields === undefined) return true;
  const user = parsed['user'];
  return isObject(user) && typeof user['id'] === 'string' && fields(parsed);
}

