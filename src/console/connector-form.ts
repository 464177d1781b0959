import { MASK } from '../connectors/definition-secrets.js';
import { availableLocales } from '../render/locales.js';

/**
 * The connector form: which fields it shows for each kind, how a submitted form becomes the JSON the
 * admin API takes (POST to create, a merge PATCH to edit), and how the API's field issues come back
 * next to their fields. Field names are the definition's dotted paths, so an issue's path names its field.
 */
export type Kind = 'servicenow' | 'jira';
type FieldType = 'text' | 'number' | 'select' | 'checkbox' | 'password' | 'list' | 'textarea';

export interface FieldSpec {
  path: string;
  label: string;
  type: FieldType;
  hint?: string;
  options?: Array<{ value: string; label: string }>;
  required?: boolean;
  createOnly?: boolean;
  /** Only sent when auth.type is one of these. */
  authTypes?: string[];
  /** An empty value removes the setting on edit (null in the merge patch). */
  nullable?: boolean;
  group: string;
}

const opts = (...vs: Array<string | [string, string]>) => vs.map((v) => (Array.isArray(v) ? { value: v[0], label: v[1] } : { value: v, label: v }));

const COMMON_TOP: FieldSpec[] = [
  { group: 'Connector', path: 'id', label: 'Id', type: 'text', required: true, createOnly: true, hint: 'Lowercase letters, digits and dashes; part of the webhook URL. Cannot change later.' },
  { group: 'Connector', path: 'name', label: 'Name', type: 'text', required: true },
  { group: 'Connector', path: 'enabled', label: 'Enabled', type: 'checkbox', hint: 'A disabled connector is neither polled nor accepts webhooks; its history stays.' },
];

const SNOW: FieldSpec[] = [
  { group: 'Instance', path: 'baseUrl', label: 'Instance URL', type: 'text', required: true, hint: 'e.g. https://acme.service-now.com' },
  { group: 'Authentication', path: 'auth.type', label: 'Authentication', type: 'select', options: opts(['basic', 'Basic (user + password)'], ['oauth_password', 'OAuth 2.0, password grant'], ['oauth_client_credentials', 'OAuth 2.0, client credentials']) },
  { group: 'Authentication', path: 'auth.username', label: 'Integration user name', type: 'text', authTypes: ['basic', 'oauth_password'], hint: 'Basic and OAuth password grant. Give this user the itil role and the UTC time zone.' },
  { group: 'Authentication', path: 'auth.password', label: 'Password', type: 'password', authTypes: ['basic', 'oauth_password'], hint: 'Basic and OAuth password grant.' },
  { group: 'Authentication', path: 'auth.clientId', label: 'OAuth client id', type: 'text', authTypes: ['oauth_password', 'oauth_client_credentials'], hint: 'OAuth only (System OAuth → Application Registry).' },
  { group: 'Authentication', path: 'auth.clientSecret', label: 'OAuth client secret', type: 'password', authTypes: ['oauth_password', 'oauth_client_credentials'], hint: 'OAuth only.' },
  { group: 'Tickets', path: 'servicenow.table', label: 'Table', type: 'text', hint: 'incident, or a CSM / custom task table.' },
  { group: 'Tickets', path: 'servicenow.closedStates', label: 'Closed states', type: 'list', hint: 'State values that count as closed, comma separated (7 = Closed, 6 = Resolved).' },
  { group: 'Tickets', path: 'servicenow.taskTable', label: 'Follow-up task table', type: 'text', hint: 'incident_task; sn_customerservice_task for CSM.' },
  { group: 'Push', path: 'servicenow.webhookHeader', label: 'Secret header', type: 'text', hint: 'The header the Business Rule sends the secret in.' },
];

const JIRA: FieldSpec[] = [
  { group: 'Site', path: 'baseUrl', label: 'Site URL', type: 'text', required: true, hint: 'e.g. https://acme.atlassian.net' },
  { group: 'Site', path: 'jira.variant', label: 'Variant', type: 'select', options: opts(['cloud', 'Jira Cloud / JSM'], ['datacenter', 'Jira Data Center / Server']) },
  { group: 'Authentication', path: 'auth.type', label: 'Authentication', type: 'select', options: opts(['basic', 'Email + API token (Cloud)'], ['oauth', 'OAuth 2.0 app (Cloud)'], ['pat', 'Personal access token (Data Center)']) },
  { group: 'Authentication', path: 'auth.email', label: 'Integration account email', type: 'text', authTypes: ['basic'], hint: 'Email + API token only.' },
  { group: 'Authentication', path: 'auth.apiToken', label: 'API token', type: 'password', authTypes: ['basic'], hint: 'id.atlassian.com → Security → API tokens.' },
  { group: 'Authentication', path: 'auth.cloudId', label: 'Cloud id', type: 'text', authTypes: ['oauth'], hint: 'OAuth only: the site id from accessible-resources.' },
  { group: 'Authentication', path: 'auth.clientId', label: 'OAuth client id', type: 'text', authTypes: ['oauth'], hint: 'OAuth only.' },
  { group: 'Authentication', path: 'auth.clientSecret', label: 'OAuth client secret', type: 'password', authTypes: ['oauth'], hint: 'OAuth only.' },
  { group: 'Authentication', path: 'auth.refreshToken', label: 'OAuth refresh token', type: 'password', authTypes: ['oauth'], hint: 'OAuth only. After re-authorising the app, enter the new one here.' },
  { group: 'Authentication', path: 'auth.token', label: 'Personal access token', type: 'password', authTypes: ['pat'], hint: 'Data Center only.' },
  { group: 'Issues', path: 'jira.projects', label: 'Projects', type: 'list', required: true, hint: 'Project keys whose closures are surveyed, comma separated (e.g. SUP, IT).' },
  { group: 'Issues', path: 'jira.doneStatuses', label: 'Done statuses', type: 'list', hint: 'Empty: any status in the done category.' },
  { group: 'Issues', path: 'jira.teamFrom', label: 'Team from', type: 'select', options: opts(['component', 'First component'], ['project', 'Project']) },
  { group: 'Issues', path: 'jira.followUpProject', label: 'Follow-up project', type: 'text', nullable: true, hint: "Empty: the follow-up goes in the ticket's own project." },
  { group: 'Issues', path: 'jira.followUpIssueType', label: 'Follow-up issue type', type: 'text' },
];

function commonBottom(): FieldSpec[] {
  return [
    { group: 'Intake', path: 'intake.mode', label: 'Intake', type: 'select', options: opts(['both', 'Push and polling'], ['push', 'Push (webhooks) only'], ['poll', 'Polling only']) },
    { group: 'Intake', path: 'intake.pollIntervalSeconds', label: 'Poll every (seconds)', type: 'number' },
    { group: 'Push', path: 'webhookSecret', label: 'Webhook secret', type: 'password', hint: 'At least 16 characters. Or generate one on the push set-up page (shown once).' },
    { group: 'Survey', path: 'survey.scale', label: 'Scale', type: 'select', options: opts(['csat', 'CSAT 1–5'], ['nps', 'NPS 0–10'], ['ces', 'CES 1–7']) },
    { group: 'Survey', path: 'survey.defaultLocale', label: 'Default language', type: 'select', options: opts(...availableLocales()) },
    { group: 'Survey', path: 'survey.fromName', label: 'Sender name', type: 'text', nullable: true },
    { group: 'Survey', path: 'survey.branding.organisationName', label: 'Organisation name', type: 'text' },
    { group: 'Survey', path: 'survey.branding.primaryColor', label: 'Brand colour', type: 'text', hint: 'Like #0b5cad.' },
    { group: 'Closing the loop', path: 'writeBack.target', label: 'Write answers back as', type: 'select', options: opts(['internal', 'Internal note (agents only)'], ['public', 'Customer-visible comment'], ['none', 'Fields only']) },
    { group: 'Closing the loop', path: 'followUp.enabled', label: 'Follow-up task for every unhappy customer', type: 'checkbox' },
    { group: 'Closing the loop', path: 'rateLimitPerSecond', label: 'Calls per second to the ITSM', type: 'number', hint: 'Across all processes; 0 = no limit of our own.' },
  ];
}

export const fieldsFor = (kind: Kind): FieldSpec[] => [...COMMON_TOP, ...(kind === 'servicenow' ? SNOW : JIRA), ...commonBottom()];

type Obj = Record<string, unknown>;
const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((a, k) => (a && typeof a === 'object' ? (a as Obj)[k] : undefined), o);
function set(o: Obj, path: string, v: unknown) {
  const keys = path.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Obj;
  cur[keys[keys.length - 1]!] = v;
}
const str = (v: unknown) => (Array.isArray(v) ? String(v[v.length - 1] ?? '') : typeof v === 'string' ? v : '');

export interface FormError {
  path: string;
  message: string;
}

/**
 * Submitted form → API body. On create, empty optional fields are left out (defaults apply); on edit the
 * body is a merge patch: an empty secret keeps the stored one, an empty nullable field removes its
 * setting, and the auth fields of the other auth types are removed (so switching auth type works).
 * Numbers that are not numbers are reported here, field by field, the API's way.
 */
export function formToBody(kind: Kind, form: Obj, mode: 'create' | 'edit'): { body: Obj; errors: FormError[] } {
  const body: Obj = mode === 'create' ? { kind } : {};
  const errors: FormError[] = [];
  const authType = str(form['auth.type']);
  for (const f of fieldsFor(kind)) {
    if (mode === 'edit' && f.createOnly) continue;
    if (f.authTypes && !f.authTypes.includes(authType)) {
      if (mode === 'edit') set(body, f.path, null);
      continue;
    }
    const raw = str(form[f.path]).trim();
    switch (f.type) {
      case 'checkbox':
        set(body, f.path, raw === 'true');
        break;
      case 'number':
        if (raw === '') break;
        if (!/^-?\d+(\.\d+)?$/.test(raw)) errors.push({ path: f.path, message: 'must be a number' });
        else set(body, f.path, Number(raw));
        break;
      case 'list':
        set(body, f.path, raw === '' ? [] : raw.split(/[,\n]/).map((s) => s.trim()).filter(Boolean));
        break;
      case 'password':
        if (raw !== '') set(body, f.path, raw);
        break;
      default:
        if (raw !== '') set(body, f.path, raw);
        else if (mode === 'edit' && f.nullable) set(body, f.path, null);
    }
  }
  return { body, errors };
}

export interface FieldView {
  id: string;
  name: string;
  label: string;
  type: string;
  hint: string;
  value: string;
  checked: boolean;
  options?: Array<{ value: string; label: string }>;
  required: boolean;
  readonly: boolean;
  secretSet: boolean;
  error: string | null;
  authTypes: string;
}

/**
 * The form's fields with their values: from the stored (masked) definition, or from what was just
 * submitted when the API refused it. A secret is never put back into the page: only whether it is set.
 */
export function formView(kind: Kind, mode: 'create' | 'edit', values: { def?: Obj; submitted?: Obj }, errors: FormError[]): { groups: Array<{ legend: string; fields: FieldView[] }>; otherErrors: FormError[] } {
  const specs = fieldsFor(kind);
  const byField = new Map<string, string>();
  const otherErrors: FormError[] = [];
  for (const e of errors) {
    // The longest field path that is the issue's path or a prefix of it (jira.projects.0 → jira.projects).
    const f = specs.filter((s) => e.path === s.path || e.path.startsWith(`${s.path}.`)).sort((a, b) => b.path.length - a.path.length)[0];
    if (f && !(mode === 'edit' && f.createOnly)) byField.set(f.path, byField.has(f.path) ? `${byField.get(f.path)}; ${e.message}` : e.message);
    else otherErrors.push(e);
  }
  const groups: Array<{ legend: string; fields: FieldView[] }> = [];
  for (const s of specs) {
    const stored = get(values.def, s.path);
    const submitted = values.submitted ? values.submitted[s.path] : undefined;
    let value = '';
    if (s.type !== 'password') {
      if (values.submitted) value = str(submitted);
      else if (Array.isArray(stored)) value = stored.join(', ');
      else if (stored !== undefined && stored !== null) value = String(stored);
    }
    if (s.type === 'select' && !value) value = s.options?.[0]?.value ?? '';
    const checked = values.submitted ? str(submitted) === 'true' : s.type === 'checkbox' ? stored !== false : false;
    const view: FieldView = {
      id: s.path.replace(/\./g, '-'),
      name: s.path,
      label: s.label,
      type: s.type === 'list' ? 'text' : s.type,
      hint: s.hint ?? '',
      value,
      checked,
      options: s.options,
      required: !!s.required,
      readonly: mode === 'edit' && !!s.createOnly,
      secretSet: s.type === 'password' && stored === MASK,
      error: byField.get(s.path) ?? null,
      authTypes: s.authTypes?.join(' ') ?? '',
    };
    let g = groups.find((x) => x.legend === s.group);
    if (!g) groups.push((g = { legend: s.group, fields: [] }));
    g.fields.push(view);
  }
  return { groups, otherErrors };
}

/** Create-form defaults (what the schema would fill in), so the form starts out valid but for names and URLs. */
export function createDefaults(kind: Kind): Obj {
  return kind === 'servicenow'
    ? { enabled: true, auth: { type: 'basic' }, servicenow: { table: 'incident', closedStates: ['7'], taskTable: 'incident_task', webhookHeader: 'X-Feedback-Secret' }, intake: { mode: 'both', pollIntervalSeconds: 60 }, survey: { scale: 'csat', defaultLocale: 'en', branding: { organisationName: 'IT Service Desk', primaryColor: '#0b5cad' } }, writeBack: { target: 'internal' }, followUp: { enabled: true }, rateLimitPerSecond: 20 }
    : { enabled: true, auth: { type: 'basic' }, jira: { variant: 'cloud', projects: [], teamFrom: 'component', followUpIssueType: 'Task' }, intake: { mode: 'both', pollIntervalSeconds: 60 }, survey: { scale: 'csat', defaultLocale: 'en', branding: { organisationName: 'IT Service Desk', primaryColor: '#0b5cad' } }, writeBack: { target: 'internal' }, followUp: { enabled: true }, rateLimitPerSecond: 20 };
}
