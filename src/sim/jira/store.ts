/** In-memory Jira data: projects, users, issues (with comments, properties, changelog) and issue links. */
import { createHash } from 'node:crypto';
import { isValidTimeZone } from './time.js';

export type Variant = 'cloud' | 'datacenter';
export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';
export type StatusName = 'To Do' | 'In Progress' | 'Done' | 'Closed' | 'Resolved';

export interface StatusDef {
  id: string;
  name: StatusName;
  category: StatusCategoryKey;
}
export const STATUSES: StatusDef[] = [
  { id: '10000', name: 'To Do', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '10001', name: 'Done', category: 'done' },
  { id: '6', name: 'Closed', category: 'done' },
  { id: '5', name: 'Resolved', category: 'done' },
];
export const STATUS_CATEGORIES: Record<StatusCategoryKey, { id: number; key: StatusCategoryKey; colorName: string; name: string }> = {
  new: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

export interface NamedDef {
  id: string;
  name: string;
  description?: string;
}
/** Jira Cloud's default priorities (ids 1..5, 1 = Highest). */
export const PRIORITIES: NamedDef[] = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
  { id: '5', name: 'Lowest' },
];
export const DEFAULT_PRIORITY_ID = '3';
export const RESOLUTIONS: NamedDef[] = [
  { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
  { id: '10001', name: "Won't Do", description: 'This issue won\'t be actioned.' },
  { id: '10002', name: 'Duplicate', description: 'The problem is a duplicate of an existing issue.' },
  { id: '10003', name: 'Cannot Reproduce', description: 'This issue could not be reproduced.' },
];
export interface LinkTypeDef {
  id: string;
  name: string;
  inward: string;
  outward: string;
}
export const LINK_TYPES: LinkTypeDef[] = [
  { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
  { id: '10001', name: 'Cloners', inward: 'is cloned by', outward: 'clones' },
  { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
  { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
];
export interface IssueTypeDef extends NamedDef {
  subtask: boolean;
}
const DEFAULT_ISSUE_TYPES: IssueTypeDef[] = [
  { id: '10000', name: 'Epic', subtask: false },
  { id: '10001', name: 'Task', subtask: false },
  { id: '10002', name: 'Bug', subtask: false },
  { id: '10003', name: 'Story', subtask: false },
  { id: '10004', name: 'Subtask', subtask: true },
  { id: '10005', name: 'Service Request', subtask: false },
  { id: '10006', name: 'Incident', subtask: false },
  { id: '10007', name: 'Problem', subtask: false },
  { id: '10008', name: 'Change', subtask: false },
];

export interface Project {
  id: string;
  key: string;
  name: string;
  type: 'service_desk' | 'software';
  components: NamedDef[];
  nextNumber: number;
}

export interface UserRec {
  accountId: string;
  /** Data Center: user key (JIRAUSER10000) and user name. */
  key: string;
  name: string;
  displayName: string;
  email: string;
  hideEmail: boolean;
  timeZone: string;
  locale: string;
  active: boolean;
}

export interface ChangeItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  fieldId: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}
export interface HistoryRec {
  id: string;
  author: string | null;
  created: number;
  items: ChangeItem[];
}
export interface CommentRec {
  id: string;
  author: string | null;
  body: unknown;
  created: number;
  updated: number;
  jsdPublic: boolean;
  properties: Array<{ key: string; value: unknown }>;
  visibility: unknown;
}
export interface IssueRec {
  id: string;
  key: string;
  projectKey: string;
  summary: string;
  description: unknown;
  environment: unknown;
  issueTypeId: string;
  priorityId: string | null;
  statusId: string;
  resolutionId: string | null;
  resolutiondate: number | null;
  created: number;
  updated: number;
  statusCategoryChanged: number;
  reporter: string | null;
  assignee: string | null;
  creator: string | null;
  labels: string[];
  components: string[];
  duedate: string | null;
  custom: Record<string, unknown>;
  comments: CommentRec[];
  properties: Record<string, unknown>;
  histories: HistoryRec[];
}
export interface LinkRec {
  id: string;
  typeId: string;
  inwardId: string;
  outwardId: string;
}

/** Field values of one create or edit, already resolved to ids (undefined = leave unchanged). */
export interface FieldChanges {
  summary?: string;
  description?: unknown;
  environment?: unknown;
  issueTypeId?: string;
  priorityId?: string | null;
  assignee?: string | null;
  reporter?: string | null;
  labels?: string[];
  components?: string[];
  duedate?: string | null;
  custom?: Record<string, unknown>;
}

const lc = (s: string) => s.toLowerCase();

export class JiraStore {
  readonly projects = new Map<string, Project>();
  readonly users = new Map<string, UserRec>();
  readonly issues = new Map<string, IssueRec>();
  links: LinkRec[] = [];
  readonly issueTypes: IssueTypeDef[] = DEFAULT_ISSUE_TYPES.map((t) => ({ ...t }));
  /** Search results lag behind writes by this much (eventual consistency); 0 = immediate. */
  searchLagMs = 0;
  private readonly shadows = new Map<string, { until: number; snapshot: IssueRec | null }>();
  private seq = { issue: 10000, comment: 10000, link: 10000, history: 10000, project: 10000, user: 10000, component: 10000, issueType: 10100 };

  constructor(readonly variant: Variant) {}

  // ---- lookups ------------------------------------------------------------------------------

  project(ref: string): Project | undefined {
    const byKey = this.projects.get(ref.toUpperCase());
    if (byKey) return byKey;
    return [...this.projects.values()].find((p) => p.id === ref || lc(p.name) === lc(ref));
  }

  /** accountId; Data Center also user name, user key; and the email address (Cloud JQL resolves it too). */
  findUser(ref: string): UserRec | undefined {
    const direct = this.users.get(ref);
    if (direct) return direct;
    const r = lc(ref);
    return [...this.users.values()].find((u) => lc(u.key) === r || lc(u.name) === r || lc(u.email) === r);
  }

  issue(keyOrId: string): IssueRec | undefined {
    const byId = this.issues.get(keyOrId);
    if (byId) return byId;
    const k = keyOrId.toUpperCase();
    for (const i of this.issues.values()) if (i.key === k) return i;
    return undefined;
  }

  status(ref: string): StatusDef | undefined {
    return STATUSES.find((s) => s.id === ref || lc(s.name) === lc(ref));
  }
  statusById(id: string): StatusDef {
    return STATUSES.find((s) => s.id === id) ?? STATUSES[0]!;
  }
  issueType(ref: string): IssueTypeDef | undefined {
    return this.issueTypes.find((t) => t.id === ref || lc(t.name) === lc(ref));
  }
  priority(ref: string): NamedDef | undefined {
    return PRIORITIES.find((p) => p.id === ref || lc(p.name) === lc(ref));
  }
  resolution(ref: string): NamedDef | undefined {
    return RESOLUTIONS.find((r) => r.id === ref || lc(r.name) === lc(ref));
  }
  linkType(ref: { id?: string; name?: string }): LinkTypeDef | undefined {
    return LINK_TYPES.find((t) => (ref.id !== undefined && t.id === ref.id) || (ref.name !== undefined && lc(t.name) === lc(ref.name)));
  }
  component(project: Project, ref: { id?: string; name?: string }): NamedDef | undefined {
    return project.components.find((c) => (ref.id !== undefined && c.id === ref.id) || (ref.name !== undefined && lc(c.name) === lc(ref.name)));
  }
  componentById(id: string): NamedDef | undefined {
    for (const p of this.projects.values()) {
      const c = p.components.find((x) => x.id === id);
      if (c) return c;
    }
    return undefined;
  }

  // ---- setup --------------------------------------------------------------------------------

  createProject(p: { key: string; name: string; type: 'service_desk' | 'software' }): Project {
    if (!/^[A-Z][A-Z0-9_]{0,9}$/.test(p.key)) throw new Error(`Invalid project key ${p.key}: upper-case letters, digits or _, starting with a letter, at most 10 characters`);
    if (this.projects.has(p.key)) throw new Error(`A project with key ${p.key} already exists`);
    const project: Project = { id: String(this.seq.project++), key: p.key, name: p.name, type: p.type, components: [], nextNumber: 1 };
    this.projects.set(p.key, project);
    return project;
  }

  ensureComponent(project: Project, name: string): NamedDef {
    const existing = this.component(project, { name });
    if (existing) return existing;
    const c = { id: String(this.seq.component++), name };
    project.components.push(c);
    return c;
  }

  ensureIssueType(name: string): IssueTypeDef {
    const existing = this.issueType(name);
    if (existing) return existing;
    const t = { id: String(this.seq.issueType++), name, subtask: false };
    this.issueTypes.push(t);
    return t;
  }

  createUser(u: { displayName: string; email: string; hideEmail?: boolean; timeZone?: string; locale?: string }): UserRec {
    const tz = u.timeZone ?? 'UTC';
    if (!isValidTimeZone(tz)) throw new Error(`Unknown time zone ${tz}`);
    const n = this.seq.user++;
    const accountId = createHash('sha256').update(`${n}:${u.email}`).digest('hex').slice(0, 24);
    let name = (u.email.split('@')[0] ?? '') || `user${n}`;
    if ([...this.users.values()].some((x) => lc(x.name) === lc(name))) name = `${name}${n}`;
    const rec: UserRec = {
      accountId: this.variant === 'datacenter' ? `JIRAUSER${n}` : accountId,
      key: `JIRAUSER${n}`,
      name,
      displayName: u.displayName,
      email: u.email,
      hideEmail: u.hideEmail ?? false,
      timeZone: tz,
      locale: u.locale ?? 'en_US',
      active: true,
    };
    this.users.set(rec.accountId, rec);
    return rec;
  }

  // ---- eventual consistency -----------------------------------------------------------------

  /** Call before changing `issue` (or with null before it exists): search keeps the old view for searchLagMs. */
  private beforeChange(id: string, current: IssueRec | null): void {
    if (this.searchLagMs <= 0) return;
    const now = Date.now();
    const s = this.shadows.get(id);
    if (s && now < s.until) return; // the index still shows an older version
    this.shadows.set(id, { until: now + this.searchLagMs, snapshot: current ? structuredClone(current) : null });
  }

  /** What the search index currently shows (lagging versions where searchLagMs > 0). */
  searchView(): IssueRec[] {
    const now = Date.now();
    const out: IssueRec[] = [];
    for (const issue of this.issues.values()) {
      const s = this.shadows.get(issue.id);
      if (s && now < s.until) {
        if (s.snapshot) out.push(s.snapshot);
      } else {
        if (s) this.shadows.delete(issue.id);
        out.push(issue);
      }
    }
    return out;
  }

  // ---- writes -------------------------------------------------------------------------------

  createIssue(projectKey: string, f: FieldChanges & { summary: string; issueTypeId: string; creator: string | null }, at: number): IssueRec {
    const project = this.projects.get(projectKey);
    if (!project) throw new Error(`No project ${projectKey}`);
    const id = String(this.seq.issue++);
    this.beforeChange(id, null);
    const issue: IssueRec = {
      id,
      key: `${project.key}-${project.nextNumber++}`,
      projectKey: project.key,
      summary: f.summary,
      description: f.description ?? null,
      environment: f.environment ?? null,
      issueTypeId: f.issueTypeId,
      priorityId: f.priorityId === undefined ? DEFAULT_PRIORITY_ID : f.priorityId,
      statusId: STATUSES[0]!.id,
      resolutionId: null,
      resolutiondate: null,
      created: at,
      updated: at,
      statusCategoryChanged: at,
      reporter: f.reporter ?? f.creator,
      assignee: f.assignee ?? null,
      creator: f.creator,
      labels: f.labels ? [...f.labels] : [],
      components: f.components ? [...f.components] : [],
      duedate: f.duedate ?? null,
      custom: { ...(f.custom ?? {}) },
      comments: [],
      properties: {},
      histories: [],
    };
    this.issues.set(id, issue);
    return issue;
  }

  private userString(id: string | null): string | null {
    if (!id) return null;
    return this.users.get(id)?.displayName ?? id;
  }

  /** Applies field changes, records one changelog history (if anything changed) and returns its items. */
  editIssue(issue: IssueRec, f: FieldChanges, author: string | null, at: number, textOf: (v: unknown) => string | null): ChangeItem[] {
    const items: ChangeItem[] = [];
    const item = (field: string, fieldId: string, from: string | null, fromString: string | null, to: string | null, toString: string | null, fieldtype: 'jira' | 'custom' = 'jira') =>
      items.push({ field, fieldtype, fieldId, from, fromString, to, toString });
    this.beforeChange(issue.id, issue);
    if (f.summary !== undefined && f.summary !== issue.summary) {
      item('summary', 'summary', null, issue.summary, null, f.summary);
      issue.summary = f.summary;
    }
    for (const k of ['description', 'environment'] as const) {
      const v = f[k];
      if (v !== undefined && JSON.stringify(v) !== JSON.stringify(issue[k])) {
        item(k, k, null, textOf(issue[k]), null, textOf(v));
        issue[k] = v;
      }
    }
    if (f.issueTypeId !== undefined && f.issueTypeId !== issue.issueTypeId) {
      item('issuetype', 'issuetype', issue.issueTypeId, this.issueType(issue.issueTypeId)?.name ?? null, f.issueTypeId, this.issueType(f.issueTypeId)?.name ?? null);
      issue.issueTypeId = f.issueTypeId;
    }
    if (f.priorityId !== undefined && f.priorityId !== issue.priorityId) {
      item('priority', 'priority', issue.priorityId, issue.priorityId ? (this.priority(issue.priorityId)?.name ?? null) : null, f.priorityId, f.priorityId ? (this.priority(f.priorityId)?.name ?? null) : null);
      issue.priorityId = f.priorityId;
    }
    for (const k of ['assignee', 'reporter'] as const) {
      const v = f[k];
      if (v !== undefined && v !== issue[k]) {
        item(k, k, issue[k], this.userString(issue[k]), v, this.userString(v));
        issue[k] = v;
      }
    }
    if (f.labels !== undefined && f.labels.join(' ') !== issue.labels.join(' ')) {
      item('labels', 'labels', null, issue.labels.join(' ') || null, null, f.labels.join(' ') || null);
      issue.labels = [...f.labels];
    }
    if (f.components !== undefined && f.components.join(',') !== issue.components.join(',')) {
      const names = (ids: string[]) => ids.map((id) => this.componentById(id)?.name ?? id).join(', ') || null;
      item('Component', 'components', issue.components.join(',') || null, names(issue.components), f.components.join(',') || null, names(f.components));
      issue.components = [...f.components];
    }
    if (f.duedate !== undefined && f.duedate !== issue.duedate) {
      item('duedate', 'duedate', issue.duedate, issue.duedate ? `${issue.duedate} 00:00:00.0` : null, f.duedate, f.duedate ? `${f.duedate} 00:00:00.0` : null);
      issue.duedate = f.duedate;
    }
    for (const [k, v] of Object.entries(f.custom ?? {})) {
      if (JSON.stringify(v) === JSON.stringify(issue.custom[k] ?? null)) continue;
      const str = (x: unknown) => (x === null || x === undefined ? null : typeof x === 'string' ? x : JSON.stringify(x));
      item(k, k, null, str(issue.custom[k]), null, str(v), 'custom');
      if (v === null) delete issue.custom[k];
      else issue.custom[k] = v;
    }
    if (items.length === 0) return [];
    issue.updated = at;
    issue.histories.push({ id: String(this.seq.history++), author, created: at, items });
    return items;
  }

  /** Moves the issue to a status; the done category sets resolution Done + resolutiondate, leaving it clears them. */
  transition(issue: IssueRec, statusName: string, author: string | null, at: number): HistoryRec | null {
    const to = this.status(statusName);
    if (!to) throw new Error(`Unknown status ${statusName}`);
    const from = this.statusById(issue.statusId);
    if (from.id === to.id) return null;
    this.beforeChange(issue.id, issue);
    const items: ChangeItem[] = [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: from.id, fromString: from.name, to: to.id, toString: to.name }];
    const done = this.resolution('Done')!;
    if (to.category === 'done' && !issue.resolutionId) {
      items.push({ field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: null, fromString: null, to: done.id, toString: done.name });
      issue.resolutionId = done.id;
      issue.resolutiondate = at;
    } else if (to.category !== 'done' && issue.resolutionId) {
      const old = this.resolution(issue.resolutionId);
      items.push({ field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: issue.resolutionId, fromString: old?.name ?? null, to: null, toString: null });
      issue.resolutionId = null;
      issue.resolutiondate = null;
    }
    if (from.category !== to.category) issue.statusCategoryChanged = at;
    issue.statusId = to.id;
    issue.updated = at;
    const h: HistoryRec = { id: String(this.seq.history++), author, created: at, items };
    issue.histories.push(h);
    return h;
  }

  addComment(
    issue: IssueRec,
    c: { author: string | null; body: unknown; jsdPublic: boolean; properties?: Array<{ key: string; value: unknown }>; visibility?: unknown },
    at: number,
  ): CommentRec {
    this.beforeChange(issue.id, issue);
    const rec: CommentRec = {
      id: String(this.seq.comment++),
      author: c.author,
      body: c.body,
      created: at,
      updated: at,
      jsdPublic: c.jsdPublic,
      properties: c.properties ? structuredClone(c.properties) : [],
      visibility: c.visibility ?? null,
    };
    issue.comments.push(rec);
    issue.updated = Math.max(issue.updated, at);
    return rec;
  }

  setProperty(issue: IssueRec, key: string, value: unknown): 'created' | 'updated' {
    const existed = Object.prototype.hasOwnProperty.call(issue.properties, key);
    issue.properties[key] = structuredClone(value);
    return existed ? 'updated' : 'created';
  }

  /** Links two issues (idempotent: the same type and direction is stored once). Records a "Link" history on both. */
  addLink(type: LinkTypeDef, inward: IssueRec, outward: IssueRec, author: string | null, at: number): LinkRec {
    const existing = this.links.find((l) => l.typeId === type.id && l.inwardId === inward.id && l.outwardId === outward.id);
    if (existing) return existing;
    const link: LinkRec = { id: String(this.seq.link++), typeId: type.id, inwardId: inward.id, outwardId: outward.id };
    this.links.push(link);
    for (const [issue, other, text] of [
      [inward, outward, type.outward],
      [outward, inward, type.inward],
    ] as const) {
      this.beforeChange(issue.id, issue);
      issue.histories.push({
        id: String(this.seq.history++),
        author,
        created: at,
        items: [{ field: 'Link', fieldtype: 'jira', fieldId: 'issuelinks', from: null, fromString: null, to: other.key, toString: `This issue ${text} ${other.key}` }],
      });
      issue.updated = Math.max(issue.updated, at);
    }
    return link;
  }
}
