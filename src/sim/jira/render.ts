/** JSON representations, as Jira answers them (REST v3 = ADF rich text, REST v2 = plain/wiki text). */
import { adfToText, isAdfDoc, textToAdf } from './adf.js';
import type { CommentRec, HistoryRec, IssueRec, JiraStore, LinkRec, Project, UserRec } from './store.js';
import { LINK_TYPES, STATUS_CATEGORIES } from './store.js';
import { formatJiraDate } from './time.js';

export interface RenderCtx {
  store: JiraStore;
  /** Origin plus any gateway prefix, e.g. http://127.0.0.1:8082 or http://127.0.0.1:8082/ex/jira/sim-cloud. */
  base: string;
  api: 2 | 3;
  /** Dates are rendered in the viewer's time zone (Jira does the same). */
  tz: string;
}

const avatarUrls = (base: string, id: string) =>
  Object.fromEntries(['48x48', '24x24', '16x16', '32x32'].map((s) => [s, `${base}/secure/useravatar?size=${s}&ownerId=${encodeURIComponent(id)}`]));

/** Rich text for the API version: ADF in v3, a string in v2. */
export function richText(v: unknown, api: 2 | 3): unknown {
  if (v === null || v === undefined) return null;
  if (api === 2) return adfToText(v);
  return isAdfDoc(v) ? v : textToAdf(String(v));
}

export function renderUser(u: UserRec | undefined | null, ctx: RenderCtx, full = false): Record<string, unknown> | null {
  if (!u) return null;
  const api = `${ctx.base}/rest/api/${ctx.api}`;
  if (ctx.store.variant === 'datacenter') {
    return {
      self: `${api}/user?username=${encodeURIComponent(u.name)}`,
      key: u.key,
      name: u.name,
      ...(u.hideEmail ? {} : { emailAddress: u.email }),
      avatarUrls: avatarUrls(ctx.base, u.key),
      displayName: u.displayName,
      active: u.active,
      deleted: false,
      timeZone: u.timeZone,
      ...(full ? { locale: u.locale, groups: { size: 0, items: [] }, applicationRoles: { size: 1, items: [] }, expand: 'groups,applicationRoles' } : {}),
    };
  }
  return {
    self: `${api}/user?accountId=${encodeURIComponent(u.accountId)}`,
    accountId: u.accountId,
    accountType: 'atlassian',
    ...(u.hideEmail ? {} : { emailAddress: u.email }),
    avatarUrls: avatarUrls(ctx.base, u.accountId),
    displayName: u.displayName,
    active: u.active,
    timeZone: u.timeZone,
    ...(full ? { locale: u.locale, groups: { size: 0, items: [] }, applicationRoles: { size: 1, items: [] }, expand: 'groups,applicationRoles' } : {}),
  };
}

const userById = (id: string | null, ctx: RenderCtx) => (id ? renderUser(ctx.store.users.get(id), ctx) : null);

export function renderProject(p: Project, ctx: RenderCtx): Record<string, unknown> {
  return {
    self: `${ctx.base}/rest/api/${ctx.api}/project/${p.id}`,
    id: p.id,
    key: p.key,
    name: p.name,
    projectTypeKey: p.type,
    simplified: false,
    avatarUrls: avatarUrls(ctx.base, `project-${p.id}`),
  };
}

function renderStatus(issue: IssueRec, ctx: RenderCtx) {
  const s = ctx.store.statusById(issue.statusId);
  const c = STATUS_CATEGORIES[s.category];
  return {
    self: `${ctx.base}/rest/api/${ctx.api}/status/${s.id}`,
    description: '',
    iconUrl: `${ctx.base}/images/icons/statuses/generic.png`,
    name: s.name,
    id: s.id,
    statusCategory: { self: `${ctx.base}/rest/api/${ctx.api}/statuscategory/${c.id}`, id: c.id, key: c.key, colorName: c.colorName, name: c.name },
  };
}

function linkedIssue(i: IssueRec, ctx: RenderCtx) {
  const pr = i.priorityId ? ctx.store.priority(i.priorityId) : undefined;
  const t = ctx.store.issueType(i.issueTypeId);
  return {
    id: i.id,
    key: i.key,
    self: `${ctx.base}/rest/api/${ctx.api}/issue/${i.id}`,
    fields: {
      summary: i.summary,
      status: renderStatus(i, ctx),
      priority: pr ? { self: `${ctx.base}/rest/api/${ctx.api}/priority/${pr.id}`, iconUrl: `${ctx.base}/images/icons/priorities/${pr.name.toLowerCase()}.svg`, name: pr.name, id: pr.id } : null,
      issuetype: t ? { self: `${ctx.base}/rest/api/${ctx.api}/issuetype/${t.id}`, id: t.id, name: t.name, subtask: t.subtask } : null,
    },
  };
}

/** One issue's links as its issuelinks field shows them: the other issue, on the side it sits. */
export function renderIssueLinks(issue: IssueRec, ctx: RenderCtx): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const l of ctx.store.links) {
    if (l.inwardId !== issue.id && l.outwardId !== issue.id) continue;
    const type = LINK_TYPES.find((t) => t.id === l.typeId)!;
    const base = { id: l.id, self: `${ctx.base}/rest/api/${ctx.api}/issueLink/${l.id}`, type: { ...type, self: `${ctx.base}/rest/api/${ctx.api}/issueLinkType/${type.id}` } };
    const otherId = l.inwardId === issue.id ? l.outwardId : l.inwardId;
    const other = ctx.store.issues.get(otherId);
    if (!other) continue;
    out.push(l.inwardId === issue.id ? { ...base, outwardIssue: linkedIssue(other, ctx) } : { ...base, inwardIssue: linkedIssue(other, ctx) });
  }
  return out;
}

/** A link as stored, both sides named (the control API's view). */
export function renderLink(l: LinkRec, ctx: RenderCtx): Record<string, unknown> {
  const type = LINK_TYPES.find((t) => t.id === l.typeId)!;
  const side = (id: string) => {
    const i = ctx.store.issues.get(id);
    return { id, key: i?.key ?? null, self: `${ctx.base}/rest/api/${ctx.api}/issue/${id}` };
  };
  return { id: l.id, type: { id: type.id, name: type.name, inward: type.inward, outward: type.outward }, inwardIssue: side(l.inwardId), outwardIssue: side(l.outwardId) };
}

export function renderComment(c: CommentRec, issue: IssueRec, ctx: RenderCtx, expand: Set<string> = new Set()): Record<string, unknown> {
  const out: Record<string, unknown> = {
    self: `${ctx.base}/rest/api/${ctx.api}/issue/${issue.id}/comment/${c.id}`,
    id: c.id,
    author: userById(c.author, ctx),
    body: richText(c.body, ctx.api),
    updateAuthor: userById(c.author, ctx),
    created: formatJiraDate(c.created, ctx.tz),
    updated: formatJiraDate(c.updated, ctx.tz),
  };
  if (c.visibility) out.visibility = c.visibility;
  if (ctx.store.variant === 'cloud') out.jsdPublic = c.jsdPublic;
  if (expand.has('properties')) out.properties = c.properties.map((p) => ({ key: p.key, value: p.value }));
  if (expand.has('renderedBody')) out.renderedBody = `<p>${escapeHtml(adfToText(c.body) ?? '')}</p>`;
  return out;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function renderHistory(h: HistoryRec, ctx: RenderCtx): Record<string, unknown> {
  return { id: h.id, author: userById(h.author, ctx), created: formatJiraDate(h.created, ctx.tz), items: h.items.map((it) => ({ ...it })) };
}

// ---- fields -------------------------------------------------------------------------------------

type FieldRenderer = (i: IssueRec, ctx: RenderCtx) => unknown;

const FIELD_RENDERERS: Record<string, FieldRenderer> = {
  summary: (i) => i.summary,
  issuetype: (i, ctx) => {
    const t = ctx.store.issueType(i.issueTypeId);
    return t ? { self: `${ctx.base}/rest/api/${ctx.api}/issuetype/${t.id}`, id: t.id, description: '', iconUrl: `${ctx.base}/images/icons/issuetypes/${t.name.toLowerCase().replace(/\s+/g, '')}.svg`, name: t.name, subtask: t.subtask, hierarchyLevel: t.subtask ? -1 : 0 } : null;
  },
  project: (i, ctx) => {
    const p = ctx.store.projects.get(i.projectKey);
    return p ? renderProject(p, ctx) : null;
  },
  status: (i, ctx) => renderStatus(i, ctx),
  statuscategorychangedate: (i, ctx) => formatJiraDate(i.statusCategoryChanged, ctx.tz),
  resolution: (i, ctx) => {
    const r = i.resolutionId ? ctx.store.resolution(i.resolutionId) : undefined;
    return r ? { self: `${ctx.base}/rest/api/${ctx.api}/resolution/${r.id}`, id: r.id, description: r.description ?? '', name: r.name } : null;
  },
  resolutiondate: (i, ctx) => (i.resolutiondate === null ? null : formatJiraDate(i.resolutiondate, ctx.tz)),
  priority: (i, ctx) => {
    const p = i.priorityId ? ctx.store.priority(i.priorityId) : undefined;
    return p ? { self: `${ctx.base}/rest/api/${ctx.api}/priority/${p.id}`, iconUrl: `${ctx.base}/images/icons/priorities/${p.name.toLowerCase()}.svg`, name: p.name, id: p.id } : null;
  },
  labels: (i) => [...i.labels],
  components: (i, ctx) =>
    i.components.map((id) => ({ self: `${ctx.base}/rest/api/${ctx.api}/component/${id}`, id, name: ctx.store.componentById(id)?.name ?? id })),
  assignee: (i, ctx) => userById(i.assignee, ctx),
  reporter: (i, ctx) => userById(i.reporter, ctx),
  creator: (i, ctx) => userById(i.creator, ctx),
  created: (i, ctx) => formatJiraDate(i.created, ctx.tz),
  updated: (i, ctx) => formatJiraDate(i.updated, ctx.tz),
  lastViewed: () => null,
  duedate: (i) => i.duedate,
  description: (i, ctx) => richText(i.description, ctx.api),
  environment: (i, ctx) => richText(i.environment, ctx.api),
  issuelinks: (i, ctx) => renderIssueLinks(i, ctx),
  comment: (i, ctx) => ({
    comments: i.comments.map((c) => renderComment(c, i, ctx)),
    self: `${ctx.base}/rest/api/${ctx.api}/issue/${i.id}/comment`,
    maxResults: i.comments.length,
    total: i.comments.length,
    startAt: 0,
  }),
};
const NON_NAVIGABLE = new Set(['comment']);

export interface FieldSelection {
  idOnly: boolean;
  include(name: string): boolean;
  /** Field names asked for by name (custom fields included even when unset). */
  named: Set<string>;
}

/** Jira's `fields` parameter: comma lists, repeated params, `*all`, `*navigable`, `-field`, `id`. */
export function selectFields(params: string[] | undefined, dflt: string[]): FieldSelection {
  let tokens = (params ?? []).flatMap((p) => p.split(',')).map((t) => t.trim()).filter(Boolean);
  if (tokens.length === 0) tokens = dflt;
  let all = false;
  let nav = false;
  const inc = new Set<string>();
  const exc = new Set<string>();
  for (const t of tokens) {
    if (t === '*all') all = true;
    else if (t === '*navigable') nav = true;
    else if (t.startsWith('-')) exc.add(t.slice(1));
    else inc.add(t);
  }
  if (!all && !nav && inc.size === 0 && exc.size > 0) nav = true;
  const idOnly = !all && !nav && [...inc].every((t) => t === 'id');
  return {
    idOnly,
    named: inc,
    include: (name) => !exc.has(name) && (all || (nav && !NON_NAVIGABLE.has(name)) || inc.has(name)),
  };
}

export interface IssueRenderOptions {
  fields: FieldSelection;
  expand?: Set<string>;
  properties?: string[];
}

export function renderIssue(i: IssueRec, ctx: RenderCtx, o: IssueRenderOptions): Record<string, unknown> {
  if (o.fields.idOnly && !o.expand?.size && !o.properties?.length) return { id: i.id };
  const fields: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(FIELD_RENDERERS)) if (o.fields.include(name)) fields[name] = r(i, ctx);
  for (const [k, v] of Object.entries(i.custom)) if (o.fields.include(k)) fields[k] = v;
  for (const k of o.fields.named) if (/^customfield_\d+$/.test(k) && !(k in fields)) fields[k] = null;
  const out: Record<string, unknown> = {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: i.id,
    self: `${ctx.base}/rest/api/${ctx.api}/issue/${i.id}`,
    key: i.key,
    fields,
  };
  if (o.expand?.has('changelog')) {
    const histories = [...i.histories].reverse().map((h) => renderHistory(h, ctx));
    out.changelog = { startAt: 0, maxResults: histories.length, total: histories.length, histories };
  }
  if (o.properties?.length) {
    const props: Record<string, unknown> = {};
    for (const k of o.properties.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean)) {
      if (k in i.properties) props[k] = i.properties[k];
    }
    out.properties = props;
  }
  return out;
}

export const ALL_FIELDS = selectFields(['*all'], []);
export const NAVIGABLE_FIELDS = selectFields(['*navigable'], []);
