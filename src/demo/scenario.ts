/** Who raises tickets in the demo, chosen to show each anti-spam rule at work. */
export const DEMO_PEOPLE = [
  { user_name: 'alice', name: 'Alice Frequent', email: 'alice@example.com', preferred_language: 'en', time_zone: 'Europe/London' },
  { user_name: 'bruno', name: 'Bruno Berlin', email: 'bruno@example.com', preferred_language: 'de', time_zone: 'Europe/Berlin' },
  { user_name: 'chen', name: 'Chen Occasional', email: 'chen@example.com', preferred_language: 'en', time_zone: 'Asia/Singapore' },
  { user_name: 'dana', name: 'Dana Contractor', email: 'dana@contractor.example', preferred_language: 'en', time_zone: 'America/New_York' },
  { user_name: 'vip', name: 'Victoria CEO', email: 'vip.ceo@example.com', preferred_language: 'en', time_zone: 'Europe/Paris' },
  { user_name: 'ed', name: 'Ed Newcomer', email: 'ed@example.com', preferred_language: 'en', time_zone: 'America/Los_Angeles' },
] as const;

const TITLES = ['Laptop will not boot', 'VPN drops every hour', 'Printer on 3rd floor jammed', 'Password reset', 'Outlook keeps asking for password', 'New monitor request'];

type Rec = Record<string, string>;

/** The n-th demo ticket: mostly Alice (a frequent requester), sometimes a duplicate or self-resolved. */
export function demoTicket(n: number, users: Rec[], agent: Rec, groups: Rec[]) {
  const caller = n % 3 === 0 ? users[0]! : users[(n * 7) % users.length]!;
  const selfResolved = n % 11 === 5;
  return {
    incident: {
      caller_id: caller.sys_id!,
      short_description: TITLES[n % TITLES.length]!,
      category: n % 4 === 0 ? 'network' : 'hardware',
      assignment_group: groups[n % groups.length]!.sys_id!,
      assigned_to: agent.sys_id!,
    },
    close: {
      close_code: n % 9 === 4 ? 'Duplicate' : 'Solved (Permanently)',
      close_notes: 'Fixed.',
      resolved_by: selfResolved ? caller.sys_id! : agent.sys_id!,
    },
  };
}

/**
 * Who raises issues in the demo's Jira project. Anti-spam is per person across connectors, so Alice
 * (the same address as in ServiceNow) is held back by her ServiceNow survey's cooldown, and Mo, whose
 * Jira profile hides the email address, cannot be surveyed at all. The others get one survey each.
 */
export const DEMO_JIRA_REPORTERS = [
  { displayName: 'Kai Developer', email: 'kai@example.com', locale: 'en_US', timeZone: 'Europe/Amsterdam' },
  { displayName: 'Lena Lang', email: 'lena@example.com', locale: 'de_DE', timeZone: 'Europe/Vienna' },
  { displayName: 'Alice Frequent', email: 'alice@example.com', locale: 'en_GB', timeZone: 'Europe/London' },
  { displayName: 'Mo Private', email: 'mo@example.com', hideEmail: true, locale: 'en_US', timeZone: 'America/Chicago' },
  { displayName: 'Nora Night', email: 'nora@example.com', locale: 'en_AU', timeZone: 'Australia/Sydney' },
  { displayName: 'Omar Ops', email: 'omar@example.com', locale: 'en_US', timeZone: 'Asia/Dubai' },
] as const;

/** Components are the teams on the Jira side (the connector's default `teamFrom: component`). */
export const DEMO_JIRA_COMPONENTS = ['Access', 'Laptops', 'Network'] as const;

const JIRA_TITLES = ['Cannot log in to the build server', 'Request access to the Finance space', 'Laptop fan is very loud', 'Wi-Fi drops in meeting room B', 'Need a second monitor', 'SSO login loops in Safari'];

/** The n-th demo Jira issue (project, summary, reporter, assignee, component), by account ids. */
export function demoJiraIssue(n: number, project: string, reporters: readonly string[], agent: string) {
  return {
    project,
    summary: JIRA_TITLES[n % JIRA_TITLES.length]!,
    reporter: reporters[n % reporters.length]!,
    assignee: agent,
    components: [DEMO_JIRA_COMPONENTS[n % DEMO_JIRA_COMPONENTS.length]!],
  };
}
