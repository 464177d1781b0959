import { fileURLToPath } from 'node:url';
/**
 * Contract validator for what a client sends to Jira, used by the simulator and by contract tests.
 *
 * - Cloud REST v3 operations: the `requestBody` → `application/json` schema of the operation in Atlassian's
 *   official OpenAPI file (ajv, refs resolved against the whole file, OpenAPI 3.0 `nullable` honoured).
 * - The file's gaps: `Comment.body` and `description` carry no type there, so ADF bodies are also checked
 *   against the ADF JSON schema (@atlaskit/adf-schema) and a plain string fails, as Jira Cloud answers
 *   "Comment body is not valid!". Field shapes Jira enforces beyond the schema (duedate as yyyy-MM-dd,
 *   labels without spaces, users by accountId, required create fields) are checked as well.
 * - `PUT …/properties/{propertyKey}`: any JSON value up to 32,768 characters once serialised.
 * - JSM `POST /rest/servicedeskapi/request/{issueIdOrKey}/comment` (not in the platform file): `{body, public}`.
 * - Data Center / REST v2 (`/rest/api/2/…`): the v3 schema of the same operation, with plain-text bodies.
 *
 * The OpenAPI file is the repository's own copy (contracts/jira/, see the README there), or $JIRA_OPENAPI_FILE
 * to test against another version.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import { adfIsBlank, isAdfDoc } from './adf.js';

export const OPENAPI_FILE_NAME = 'jira-cloud-platform-v3.openapi.json';
export const PROPERTY_VALUE_MAX_CHARS = 32_768;
const SCHEMA_ID = 'jira-platform-v3.json';

/** Jira's error body. `details` flattens everything (and ajv's paths) into one list of strings. */
export interface JiraRequestCheck {
  errorMessages: string[];
  errors: Record<string, string>;
  details: string[];
}

// ---------------------------------------------------------------------------------------------
// Loading (lazy, cached)

type Json = Record<string, any>;
interface Loaded {
  ajv: Ajv;
  doc: Json;
  adf: ValidateFunction;
}
let loaded: Loaded | undefined;
const compiled = new Map<string, ValidateFunction | null>();

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function openApiFilePath(): string {
  const candidates = [
    process.env.JIRA_OPENAPI_FILE,
    path.join(REPO_ROOT, 'contracts', 'jira', OPENAPI_FILE_NAME),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`Jira OpenAPI file not found (tried ${candidates.join(', ')}); set JIRA_OPENAPI_FILE`);
  return found;
}

/** OpenAPI 3.0 `nullable: true` next to a `type` is handled by ajv itself; without one, make it an anyOf. */
function fixNullable(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(fixNullable);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  for (const v of Object.values(o)) fixNullable(v);
  if (o.nullable === true && o.type === undefined) {
    const copy: Json = { ...o };
    delete copy.nullable;
    for (const k of Object.keys(o)) delete o[k];
    o.anyOf = [copy, { type: 'null' }];
  }
}

function load(): Loaded {
  if (loaded) return loaded;
  const doc = JSON.parse(readFileSync(openApiFilePath(), 'utf8')) as Json;
  fixNullable(doc.components);
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  const addFormats = ((ajvFormats as unknown as { default?: FormatsPlugin }).default ?? ajvFormats) as unknown as FormatsPlugin;
  addFormats(ajv);
  ajv.addSchema(doc, SCHEMA_ID);
  const require = createRequire(import.meta.url);
  const adfSchema = JSON.parse(readFileSync(require.resolve('@atlaskit/adf-schema/dist/json-schema/v1/full.json'), 'utf8')) as Json;
  delete adfSchema.$schema; // draft-04 meta URI; the keywords it uses mean the same in ajv's draft-07
  const adf = ajv.compile(adfSchema);
  loaded = { ajv, doc, adf };
  return loaded;
}

function operation(method: string, template: string): Json | undefined {
  const p = load().doc.paths?.[template] as Json | undefined;
  return p?.[method.toLowerCase()] as Json | undefined;
}

/** The compiled requestBody validator of an operation; null when the operation declares no JSON body schema. */
function bodyValidator(method: string, template: string): ValidateFunction | null {
  const key = `${method.toUpperCase()} ${template}`;
  if (compiled.has(key)) return compiled.get(key)!;
  const { ajv } = load();
  const op = operation(method, template);
  const schema = op?.requestBody?.content?.['application/json']?.schema as Json | undefined;
  let v: ValidateFunction | null = null;
  if (schema && Object.keys(schema).length > 0) {
    const pointer = `/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/requestBody/content/application~1json/schema`;
    v = ajv.compile({ $ref: `${SCHEMA_ID}#${typeof schema.$ref === 'string' ? schema.$ref.slice(1) : pointer}` });
  }
  compiled.set(key, v);
  return v;
}

/** True when the operation exists in the OpenAPI file (or is one of the JSM / v2 operations handled here). */
export function hasJiraOperation(method: string, template: string): boolean {
  if (isJsmComment(method, template)) return true;
  const v3 = toV3(template);
  return v3 !== undefined && !!operation(method, v3);
}

// ---------------------------------------------------------------------------------------------
// Helpers

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Collector {
  errorMessages: string[] = [];
  errors: Record<string, string> = {};
  details: string[] = [];
  field(name: string, message: string, detail?: string): void {
    if (!(name in this.errors)) this.errors[name] = message;
    this.details.push(`${name}: ${detail ?? message}`);
  }
  message(message: string, detail?: string): void {
    if (!this.errorMessages.includes(message)) this.errorMessages.push(message);
    this.details.push(detail ?? message);
  }
  result(): JiraRequestCheck {
    return { errorMessages: this.errorMessages, errors: this.errors, details: [...new Set(this.details)] };
  }
}

function ajvDetails(errors: ErrorObject[] | null | undefined): string[] {
  const out = (errors ?? []).map((e) => {
    const at = e.instancePath || '/';
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
    return `${at} ${e.message ?? e.keyword}${extra}`;
  });
  return [...new Set(out)].slice(0, 12);
}

/** ADF document check: [] when `doc` is a valid ADF document. */
export function validateAdf(doc: unknown): string[] {
  if (!isAdfDoc(doc)) {
    return [typeof doc === 'string' ? 'expected an ADF document ({type:"doc",version:1,content:[…]}), got a plain string' : 'expected an ADF document ({type:"doc",version:1,content:[…]})'];
  }
  const { adf } = load();
  if (adf(doc)) return [];
  // anyOf failures list every alternative: keep the errors at the deepest paths, which point at the culprit.
  const errs = adf.errors ?? [];
  const depth = (e: ErrorObject) => e.instancePath.split('/').length;
  const deepest = Math.max(...errs.map(depth));
  const focused = errs.filter((e) => depth(e) === deepest && e.keyword !== 'anyOf');
  return ajvDetails(focused.length ? focused : errs);
}

/** `/rest/api/2/...` → `/rest/api/3/...` (Data Center / v2 share the operation shapes). */
function toV3(template: string): string | undefined {
  if (template.startsWith('/rest/api/3/')) return template;
  if (template.startsWith('/rest/api/2/')) return `/rest/api/3/${template.slice('/rest/api/2/'.length)}`;
  return undefined;
}

function isJsmComment(method: string, template: string): boolean {
  return method.toUpperCase() === 'POST' && template === '/rest/servicedeskapi/request/{issueIdOrKey}/comment';
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
export function isValidDateOnly(s: string): boolean {
  const m = DATE_ONLY.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export const ADF_FIELD_MESSAGE = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
export const COMMENT_INVALID = 'Comment body is not valid!';
export const COMMENT_EMPTY = 'Comment body can not be empty!';

type Api = 2 | 3;

/** A rich-text value: ADF in v3, a string in v2. */
function checkText(c: Collector, api: Api, field: string, value: unknown, kind: 'field' | 'comment'): void {
  if (value === null || value === undefined) return;
  if (api === 2) {
    if (typeof value !== 'string') {
      if (kind === 'comment') c.message('Can not deserialize instance of java.lang.String out of START_OBJECT token', `${field}: must be a string (REST v2 / Data Center bodies are wiki-markup text)`);
      else c.field(field, 'Operation value must be a string', 'must be a string (REST v2 / Data Center text is wiki markup, not ADF)');
    }
    return;
  }
  const errs = validateAdf(value);
  if (errs.length) {
    if (kind === 'comment') c.field('comment', COMMENT_INVALID, `${field}: ${errs.join('; ')}`);
    else c.field(field, ADF_FIELD_MESSAGE, errs.join('; '));
  }
}

function checkUserRef(c: Collector, api: Api, field: string, v: unknown): void {
  if (v === null) return;
  if (!isObj(v)) {
    c.field(field, `Specify a valid value for ${field}`, 'must be an object such as {"accountId": "…"} or null');
    return;
  }
  if (api === 3) {
    if (typeof v.accountId !== 'string' && typeof v.id !== 'string') {
      const legacy = 'name' in v || 'key' in v || 'emailAddress' in v;
      c.field(field, legacy ? `Specify the user's accountId: 'name', 'key' and 'emailAddress' are not supported for ${field} in Jira Cloud (GDPR)` : `Specify a valid value for ${field}`, 'needs accountId');
    }
  } else if (typeof v.name !== 'string' && typeof v.key !== 'string' && typeof v.accountId !== 'string' && typeof v.id !== 'string') {
    c.field(field, `Specify a valid value for ${field}`, 'needs name (username) or key');
  }
}

function checkIdOrName(c: Collector, field: string, v: unknown, keys: string[], message: string): void {
  if (!isObj(v) || !keys.some((k) => typeof v[k] === 'string' || (k === 'id' && typeof v[k] === 'number'))) {
    c.field(field, message, `must be an object with ${keys.join(' or ')}`);
  }
}

function checkLabel(c: Collector, label: unknown): void {
  if (typeof label !== 'string') c.field('labels', 'Operation value must be a string', 'labels must be strings');
  else if (/\s/.test(label)) c.field('labels', `The label '${label}' contains spaces which is invalid.`);
  else if (label.length > 255) c.field('labels', 'The label must not exceed 255 characters.');
  else if (label === '') c.field('labels', 'The label must not be empty.');
}

/** `fields` of IssueUpdateDetails (create and edit). */
function checkIssueFields(c: Collector, api: Api, fields: Json, creating: boolean): void {
  if (creating) {
    if (!('project' in fields)) c.field('project', 'Specify a valid project ID or key');
    if (!('issuetype' in fields)) c.field('issuetype', 'Specify an issue type');
    if (!('summary' in fields)) c.field('summary', 'You must specify a summary of the issue.');
  }
  for (const [name, v] of Object.entries(fields)) {
    switch (name) {
      case 'summary':
        if (typeof v !== 'string' || v.trim() === '') c.field('summary', 'You must specify a summary of the issue.');
        else if (v.length > 255) c.field('summary', 'Summary must be less than 255 characters.');
        else if (/[\r\n]/.test(v)) c.field('summary', 'The summary is invalid because it contains newline characters.');
        break;
      case 'description':
      case 'environment':
        checkText(c, api, name, v, 'field');
        break;
      case 'project':
        checkIdOrName(c, 'project', v, ['id', 'key'], 'Specify a valid project ID or key');
        break;
      case 'issuetype':
        checkIdOrName(c, 'issuetype', v, ['id', 'name'], 'Specify an issue type');
        break;
      case 'priority':
        if (v !== null) checkIdOrName(c, 'priority', v, ['id', 'name'], 'Specify the Priority (id or name) in the string format');
        break;
      case 'assignee':
      case 'reporter':
        checkUserRef(c, api, name, v);
        break;
      case 'duedate':
        if (v !== null && (typeof v !== 'string' || !isValidDateOnly(v))) c.field('duedate', `Error parsing date string: ${typeof v === 'string' ? v : JSON.stringify(v)}`, 'must be "yyyy-MM-dd" (a date only)');
        break;
      case 'labels':
        if (!Array.isArray(v)) c.field('labels', 'Operation value must be an array of strings');
        else v.forEach((l) => checkLabel(c, l));
        break;
      case 'components':
        if (!Array.isArray(v)) c.field('components', 'Operation value must be an array');
        else v.forEach((x) => checkIdOrName(c, 'components', x, ['id', 'name'], 'Specify a valid component (id or name)'));
        break;
      default:
        break; // other fields: the instance decides (the simulator knows its fields)
    }
  }
}

/** `update` of IssueUpdateDetails: {field: [{add|set|remove|edit: value}]}. */
function checkIssueUpdate(c: Collector, api: Api, update: Json): void {
  for (const [name, ops] of Object.entries(update)) {
    if (!Array.isArray(ops)) continue; // the schema reports it
    for (const op of ops as unknown[]) {
      if (!isObj(op)) continue;
      for (const [verb, value] of Object.entries(op)) {
        if (name === 'comment' && verb === 'add') {
          if (!isObj(value)) c.field('comment', COMMENT_INVALID, 'update.comment[].add must be {body}');
          else checkCommentBody(c, api, value.body, 'update.comment[].add.body');
        } else if ((name === 'description' || name === 'environment') && verb === 'set') {
          checkText(c, api, name, value, 'field');
        } else if (name === 'labels' && (verb === 'add' || verb === 'remove')) {
          checkLabel(c, value);
        } else if (name === 'labels' && verb === 'set') {
          if (!Array.isArray(value)) c.field('labels', 'Operation value must be an array of strings');
          else value.forEach((l) => checkLabel(c, l));
        } else if (name === 'summary' && verb === 'set') {
          checkIssueFields(c, api, { summary: value }, false);
        } else if (name === 'duedate' && verb === 'set') {
          checkIssueFields(c, api, { duedate: value }, false);
        }
      }
    }
  }
}

function checkCommentBody(c: Collector, api: Api, body: unknown, where: string): void {
  if (body === undefined || body === null || (typeof body === 'string' && body.trim() === '')) {
    c.field('comment', COMMENT_EMPTY, `${where}: missing or empty`);
    return;
  }
  checkText(c, api, where, body, 'comment');
  if ((api === 3 && isAdfDoc(body) && validateAdf(body).length === 0 && adfIsBlank(body)) || (api === 2 && typeof body === 'string' && body.trim() === '')) {
    c.field('comment', COMMENT_EMPTY, `${where}: no text`);
  }
}

function checkEntityProperties(c: Collector, props: unknown, where: string): void {
  if (!Array.isArray(props)) return;
  props.forEach((p, i) => {
    if (!isObj(p)) return;
    if (typeof p.key !== 'string' || p.key === '') c.message('Property key cannot be empty.', `${where}[${i}].key: required`);
    else if (p.key.length > 255) c.message('The property key must not exceed 255 characters.', `${where}[${i}].key: too long`);
    if (!('value' in p) || p.value === undefined) c.message('The property value cannot be empty.', `${where}[${i}].value: required`);
    else if (JSON.stringify(p.value).length > PROPERTY_VALUE_MAX_CHARS) c.message(`The property value must not exceed ${PROPERTY_VALUE_MAX_CHARS} characters.`, `${where}[${i}].value: too long`);
    if (p.key === 'sd.public.comment' && !(isObj(p.value) && typeof p.value.internal === 'boolean')) {
      c.message('The value of sd.public.comment must be {"internal": true|false}.', `${where}[${i}].value: must be {"internal": boolean}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Public API

/** JSM `POST /rest/servicedeskapi/request/{issueIdOrKey}/comment` body: {body: non-empty string, public: boolean}. */
function checkJsmComment(c: Collector, body: unknown): void {
  if (!isObj(body)) {
    c.message('The request body must be a JSON object {"body": "…", "public": true|false}.');
    return;
  }
  if (typeof body.body !== 'string' || body.body.trim() === '') c.field('body', 'The comment body must be a non-empty string.');
  if (typeof body.public !== 'boolean') c.field('public', 'public must be true (visible to the customer) or false (internal).');
  for (const k of Object.keys(body)) if (k !== 'body' && k !== 'public') c.message(`Unrecognized field "${k}"`);
}

/**
 * Full check with Jira's error shape. `pathTemplate` exactly as in the OpenAPI file
 * (e.g. `/rest/api/3/issue/{issueIdOrKey}/comment`); `/rest/api/2/…` validates as REST v2 (Data Center).
 */
export function checkJiraRequest(method: string, pathTemplate: string, body: unknown): JiraRequestCheck {
  const c = new Collector();
  const m = method.toUpperCase();
  if (isJsmComment(m, pathTemplate)) {
    checkJsmComment(c, body);
    return c.result();
  }
  const v3 = toV3(pathTemplate);
  const api: Api = pathTemplate.startsWith('/rest/api/2/') ? 2 : 3;
  if (api === 2 && m === 'POST' && pathTemplate === '/rest/api/2/search') {
    checkV2Search(c, body);
    return c.result();
  }
  const op = v3 ? operation(m, v3) : undefined;
  if (!v3 || !op) {
    c.message(`No operation ${m} ${pathTemplate} in the Jira REST API (OpenAPI file ${OPENAPI_FILE_NAME})`);
    return c.result();
  }
  if (op.deprecated === true && api === 3) {
    c.message(`${m} ${pathTemplate} is deprecated and being removed: ${String(op.summary ?? '')}`.trim());
    return c.result();
  }
  const hasBody = body !== undefined;
  if (!op.requestBody) {
    if (hasBody && body !== null && body !== '') c.message(`${m} ${pathTemplate} takes no request body`);
    return c.result();
  }
  if (!hasBody) {
    if (v3 === '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}') c.message('The property value cannot be empty.');
    else if (op.requestBody.required) c.message('The request body is required.');
    return c.result();
  }

  if (v3 === '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}' && m === 'PUT') {
    const s = JSON.stringify(body);
    if (s === undefined) c.message('The property value must be valid JSON.');
    else if (s.length > PROPERTY_VALUE_MAX_CHARS) c.message(`The property value must not exceed ${PROPERTY_VALUE_MAX_CHARS} characters.`, `property value is ${s.length} characters long (max ${PROPERTY_VALUE_MAX_CHARS})`);
    return c.result();
  }

  const validate = bodyValidator(m, v3);
  if (validate && !validate(body)) {
    for (const e of validate.errors ?? []) {
      const seg = e.instancePath.split('/').filter(Boolean);
      const field = seg[0] === 'fields' && seg[1] ? seg[1] : seg[0];
      const detail = ajvDetails([e])[0]!;
      if (e.keyword === 'additionalProperties' && e.instancePath === '') {
        c.message(`Unrecognized field "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`, detail);
      } else if (field) {
        c.field(field, e.message ?? 'invalid value', detail);
      } else {
        c.message(`Invalid request payload: ${e.message ?? e.keyword}`, detail);
      }
    }
  }
  if (!isObj(body)) return c.result();

  switch (v3) {
    case '/rest/api/3/issue':
    case '/rest/api/3/issue/{issueIdOrKey}': {
      const creating = v3 === '/rest/api/3/issue' && m === 'POST';
      if (isObj(body.fields)) checkIssueFields(c, api, body.fields, creating);
      else if (creating && !isObj(body.update)) c.message('Issue fields are required (fields.project, fields.issuetype, fields.summary).');
      if (creating && !isObj(body.fields) && isObj(body.update)) checkIssueFields(c, api, {}, true);
      if (isObj(body.update)) checkIssueUpdate(c, api, body.update);
      checkEntityProperties(c, body.properties, 'properties');
      break;
    }
    case '/rest/api/3/issue/{issueIdOrKey}/comment':
    case '/rest/api/3/issue/{issueIdOrKey}/comment/{id}':
      checkCommentBody(c, api, body.body, 'body');
      checkEntityProperties(c, body.properties, 'properties');
      break;
    case '/rest/api/3/issueLink':
      if (isObj(body.type) && typeof body.type.name !== 'string' && typeof body.type.id !== 'string') c.field('type', 'Specify the issue link type by name or id', 'type needs name or id');
      for (const side of ['inwardIssue', 'outwardIssue'] as const) {
        const s = body[side];
        if (isObj(s) && typeof s.key !== 'string' && typeof s.id !== 'string') c.field(side, `Specify the ${side} by key or id`, `${side} needs key or id`);
      }
      if (isObj(body.comment)) checkCommentBody(c, api, body.comment.body, 'comment.body');
      break;
    default:
      break;
  }
  return c.result();
}

/** DC `POST /rest/api/2/search` (the v3 file has no such operation any more). */
function checkV2Search(c: Collector, body: unknown): void {
  if (!isObj(body)) {
    c.message('The request body must be a JSON object.');
    return;
  }
  const allowed: Record<string, (v: unknown) => boolean> = {
    jql: (v) => typeof v === 'string',
    startAt: (v) => Number.isInteger(v) && (v as number) >= 0,
    maxResults: (v) => Number.isInteger(v) && (v as number) >= 0,
    fields: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
    expand: (v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')),
    properties: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
    fieldsByKeys: (v) => typeof v === 'boolean',
    validateQuery: (v) => typeof v === 'string' || typeof v === 'boolean',
  };
  for (const [k, v] of Object.entries(body)) {
    const ok = allowed[k];
    if (!ok) c.message(`Unrecognized field "${k}"`);
    else if (!ok(v)) c.field(k, `Invalid value for ${k}`);
  }
}

/** [] = valid. */
export function validateJiraRequest(method: string, pathTemplate: string, body: unknown): string[] {
  return checkJiraRequest(method, pathTemplate, body).details;
}
