// What a fuzzed answer must be: never a 5xx (unless the operation documents it, e.g. 503 not
// ready), every 4xx an RFC 9457 problem (application/problem+json with its members), every 2xx
// body what the document says, and always an answer, in time.
import { z } from 'zod';
import type { JsonSchema, OpenApiOperation } from '../testkit/openapi-operations.js';
import { CLOSED_WITHOUT_ANSWER } from '../testkit/raw-http.js';
import type { FuzzAnswer, FuzzNoAnswer } from './send.js';

export type FindingKind = 'server-error' | 'not-problem' | 'bad-2xx' | 'timeout' | 'no-answer';

export interface Finding {
  readonly kind: FindingKind;
  readonly reason: string;
}

const PROBLEM_MEDIA_TYPE = /^application\/problem\+json(;|$)/i;
const JSON_MEDIA_TYPE = /^application\/json(;|$)/i;

const ProblemShape = z.looseObject({
  type: z.string().startsWith('urn:ingrain:problem:'),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.string().min(1),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
  correlationId: z.string(),
});

/** Response validators by `operationId status` (built once, from the document's JSON Schemas). */
const validators = new Map<string, z.ZodType | undefined>();

function validatorOf(operation: OpenApiOperation, status: number): z.ZodType | undefined {
  const key = `${operation.operationId} ${status}`;
  if (!validators.has(key)) {
    const schema = operation.responses[String(status)]?.schema;
    validators.set(key, schema === undefined ? undefined : z.fromJSONSchema(schema));
  }
  return validators.get(key);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function problemFinding(answer: FuzzAnswer, head: boolean): Finding | undefined {
  if (!PROBLEM_MEDIA_TYPE.test(answer.contentType)) {
    return { kind: 'not-problem', reason: `${answer.status} with Content-Type "${answer.contentType}"` };
  }
  // A HEAD answer has the GET's headers and no body.
  if (head && answer.body === '') return undefined;
  const parsed = ProblemShape.safeParse(parse(answer.body));
  if (!parsed.success) {
    return {
      kind: 'not-problem',
      reason: `${answer.status} body is not a problem: ${parsed.error.issues[0]?.message ?? ''}`,
    };
  }
  if (parsed.data.status !== answer.status) {
    return { kind: 'not-problem', reason: `problem status ${parsed.data.status} ≠ HTTP status ${answer.status}` };
  }
  return undefined;
}

function successFinding(
  answer: FuzzAnswer,
  operation: OpenApiOperation | undefined,
  head: boolean,
): Finding | undefined {
  if (operation === undefined)
    return { kind: 'bad-2xx', reason: `${answer.status} for a route the document does not have` };
  if (operation.responses[String(answer.status)] === undefined) {
    return { kind: 'bad-2xx', reason: `${answer.status} is not a documented answer of ${operation.operationId}` };
  }
  const validator = validatorOf(operation, answer.status);
  if (validator === undefined || answer.status === 204 || head) return undefined;
  if (!JSON_MEDIA_TYPE.test(answer.contentType)) return undefined;
  const result = validator.safeParse(parse(answer.body));
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  return {
    kind: 'bad-2xx',
    reason: `body fails the ${answer.status} schema at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
  };
}

/** The finding of one answer, or undefined when the answer is acceptable (`method`: HEAD has no body). */
export function judge(
  operation: OpenApiOperation | undefined,
  result: FuzzAnswer | FuzzNoAnswer,
  method = 'GET',
): Finding | undefined {
  if (!('status' in result)) {
    if (result.error.startsWith('timeout')) return { kind: 'timeout', reason: result.error };
    // The server read a whole request and hung up without a status: the client cannot tell why.
    // (A reset while sending a body past the limit, after the 413, is not this.)
    if (result.error === CLOSED_WITHOUT_ANSWER) return { kind: 'no-answer', reason: result.error };
    return undefined;
  }
  if (result.status >= 500) {
    // A documented 5xx (503 from /health/ready) is an answer like any other; any other is a defect.
    const documented = operation?.responses[String(result.status)] !== undefined;
    if (documented) return successFinding(result, operation, false);
    return { kind: 'server-error', reason: `${result.status} ${result.body.slice(0, 300)}` };
  }
  if (result.status >= 400) return problemFinding(result, method === 'HEAD');
  if (result.status >= 200 && result.status < 300) return successFinding(result, operation, method === 'HEAD');
  if (result.status >= 300) return undefined;
  return { kind: 'server-error', reason: `status ${result.status}` };
}

export type { JsonSchema };
