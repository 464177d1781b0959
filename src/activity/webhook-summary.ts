/**
 * A short description of what a webhook delivery was about, as the sender named it: the ServiceNow
 * record (number or sys_id, state) or the Jira issue and event, plus Jira's delivery identifier.
 * Only short identifiers are taken (never descriptions or comments); stored and shown as text.
 */
export function webhookSummary(body: unknown, headers: Record<string, string | string[] | undefined>): string | null {
  const parts: string[] = [];
  const o = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 60) : null);
  if (o) {
    const issue = o.issue && typeof o.issue === 'object' ? (o.issue as Record<string, unknown>) : null;
    const ticket = str(o.number) ?? str(o.sys_id) ?? str(issue?.key) ?? str(issue?.id);
    if (ticket) parts.push(ticket);
    const event = str(o.issue_event_type_name) ?? str(o.webhookEvent);
    if (event) parts.push(event);
    if (str(o.state)) parts.push(`state ${str(o.state)}`);
  }
  const id = headers['x-atlassian-webhook-identifier'];
  if (typeof id === 'string' && id) parts.push(`delivery ${id.slice(0, 60)}`);
  const retry = headers['x-atlassian-webhook-retry'];
  if (typeof retry === 'string' && retry) parts.push(`retry ${retry.slice(0, 4)}`);
  return parts.length ? parts.join(' · ') : null;
}
