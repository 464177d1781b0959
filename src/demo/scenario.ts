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
