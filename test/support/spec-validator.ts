/**
 * Validation of JSON against Kalshi's official specs (../shared/specs): the OpenAPI 3.0 REST spec
 * and the AsyncAPI 3.0 WebSocket spec, both loaded once per test process.
 *
 * Both documents are rewritten into plain JSON Schema for ajv:
 * - OpenAPI 3.0 `nullable: true` becomes a type union with "null" (or `anyOf [schema, null]` when the
 *   schema has no `type`, e.g. a `$ref` or `allOf` with `nullable` beside it);
 * - every local `$ref: '#/…'` becomes `<doc id>#/…`, so any sub-schema (an operation's inline
 *   response schema, say) compiles on its own against the whole document;
 * - OpenAPI-only formats (int32, int64, float, double) are accepted as annotations.
 * `uuid`, `date-time` and friends are checked by ajv-formats.
 *
 * Every function returns ajv's messages as `instancePath message` strings; empty means valid.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

const SPECS_DIR = process.env.KALSHI_SPECS_DIR ?? fileURLToPath(new URL('../../../shared/specs/', import.meta.url));
const OPENAPI_ID = 'kalshi-openapi';
const ASYNCAPI_ID = 'kalshi-asyncapi';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Specs {
  ajv: Ajv;
  openapi: JsonObject;
  asyncapi: JsonObject;
  cache: Map<string, ValidateFunction>;
}

let specs: Specs | undefined;

function load(): Specs {
  if (specs) return specs;
  const openapi = parseYaml(readFileSync(resolveSpec('kalshi-openapi.yaml'), 'utf8')) as JsonObject;
  const asyncapi = parseYaml(readFileSync(resolveSpec('kalshi-asyncapi.yaml'), 'utf8')) as JsonObject;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormatsModule.default(ajv);
  for (const f of ['int32', 'int64', 'float', 'double']) ajv.addFormat(f, true);
  ajv.addSchema({ $id: OPENAPI_ID, components: toJsonSchema(openapi.components, OPENAPI_ID) } as object);
  ajv.addSchema({ $id: ASYNCAPI_ID, components: toJsonSchema(asyncapi.components, ASYNCAPI_ID) } as object);
  specs = { ajv, openapi, asyncapi, cache: new Map() };
  return specs;
}

function resolveSpec(name: string): string {
  return SPECS_DIR.endsWith('/') ? SPECS_DIR + name : `${SPECS_DIR}/${name}`;
}

/** A deep copy with `nullable` turned into JSON Schema and local `$ref`s made absolute. */
function toJsonSchema(node: Json | undefined, docId: string): Json {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, docId));
  if (node === null || typeof node !== 'object') return node ?? null;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) out[key] = docId + value;
    else if (key === 'nullable') continue;
    else out[key] = toJsonSchema(value, docId);
  }
  if (node.nullable !== true) return out;
  const type = out.type;
  if (typeof type === 'string' || Array.isArray(type)) {
    const types = Array.isArray(type) ? type : [type];
    if (!types.includes('null')) out.type = [...types, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  // No `type` of its own ($ref, allOf, …): either the schema holds or the value is null.
  return { anyOf: [out, { type: 'null' }] };
}

function compiled(key: string, schema: () => object): ValidateFunction {
  const s = load();
  let fn = s.cache.get(key);
  if (!fn) {
    fn = s.ajv.compile(schema());
    s.cache.set(key, fn);
  }
  return fn;
}

function run(fn: ValidateFunction, value: unknown): string[] {
  if (fn(value)) return [];
  return (fn.errors ?? []).map((e) => {
    const extra = e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
    return `${e.instancePath || '/'} ${e.message ?? 'invalid'}${extra}`;
  });
}

/** Validates against `components.schemas[schemaName]` of the OpenAPI spec. */
export function validateRestSchema(schemaName: string, value: unknown): string[] {
  const s = load();
  const schemas = (s.openapi.components as JsonObject).schemas as JsonObject;
  if (!(schemaName in schemas)) throw new Error(`OpenAPI spec has no schema ${JSON.stringify(schemaName)}`);
  return run(compiled(`rest-schema:${schemaName}`, () => ({ $ref: `${OPENAPI_ID}#/components/schemas/${schemaName}` })), value);
}

/**
 * Validates a response body against the schema the OpenAPI spec gives operation `operationId` for
 * `status` (falling back to the `default` response). Throws when the spec has no such response or
 * the response has no JSON body.
 */
export function validateRestResponse(operationId: string, status: number, body: unknown): string[] {
  const s = load();
  const op = findOperation(s.openapi, operationId);
  const responses = op.responses as JsonObject | undefined;
  let response = responses?.[String(status)] ?? responses?.default;
  if (response === undefined) throw new Error(`${operationId} documents no ${status} response`);
  response = derefResponse(s.openapi, response);
  const schema = ((response.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined)?.schema;
  if (schema === undefined) throw new Error(`${operationId} ${status} response has no application/json schema`);
  return run(compiled(`rest-response:${operationId}:${status}`, () => toJsonSchema(schema, OPENAPI_ID) as object), body);
}

function findOperation(openapi: JsonObject, operationId: string): JsonObject {
  for (const item of Object.values(openapi.paths as JsonObject)) {
    for (const op of Object.values(item as JsonObject)) {
      if (op !== null && typeof op === 'object' && !Array.isArray(op) && op.operationId === operationId) return op;
    }
  }
  throw new Error(`OpenAPI spec has no operation ${JSON.stringify(operationId)}`);
}

function derefResponse(openapi: JsonObject, response: Json): JsonObject {
  const r = response as JsonObject;
  const ref = r.$ref;
  if (typeof ref !== 'string') return r;
  const prefix = '#/components/responses/';
  if (!ref.startsWith(prefix)) throw new Error(`unsupported response $ref ${ref}`);
  const target = ((openapi.components as JsonObject).responses as JsonObject)[ref.slice(prefix.length)];
  if (target === undefined) throw new Error(`dangling response $ref ${ref}`);
  return derefResponse(openapi, target);
}

/**
 * Validates a WebSocket frame (already parsed) against the payload of AsyncAPI
 * `components.messages[messageKey]`, e.g. 'orderbookDelta', 'subscribedResponse'.
 */
export function validateWsMessage(messageKey: string, value: unknown): string[] {
  const s = load();
  const messages = (s.asyncapi.components as JsonObject).messages as JsonObject;
  const message = messages[messageKey] as JsonObject | undefined;
  if (message === undefined) throw new Error(`AsyncAPI spec has no message ${JSON.stringify(messageKey)}`);
  return run(
    compiled(`ws-message:${messageKey}`, () => ({ $ref: `${ASYNCAPI_ID}#/components/messages/${messageKey}/payload` })),
    value,
  );
}

/** The `examples[].payload` of an AsyncAPI message, for tests that start from the spec's own frames. */
export function wsMessageExamples(messageKey: string): unknown[] {
  const messages = (load().asyncapi.components as JsonObject).messages as JsonObject;
  const examples = (messages[messageKey] as JsonObject | undefined)?.examples;
  return Array.isArray(examples) ? examples.map((e) => (e as JsonObject).payload) : [];
}

/** The keys of AsyncAPI `components.messages`. */
export function wsMessageKeys(): string[] {
  return Object.keys((load().asyncapi.components as JsonObject).messages as JsonObject);
}
