/** Dictionary of the tables the simulator knows: fields, references, choices, display fields. */

export interface TableDef {
  name: string;
  /** Fields in the order they are returned when no sysparm_fields is given. */
  fields: string[];
  /** Reference field -> target table. */
  references: Record<string, string>;
  /** Choice field -> value -> label (used for sysparm_display_value=true|all). */
  choices: Record<string, Record<string, string>>;
  /** Field whose value is the record's display value (shown for references pointing at it). */
  displayField: string;
  /** `INC` -> INC0010001, INC0010002, ... */
  numberPrefix?: string;
  /** Whether inserts get sys_updated_on / sys_updated_by / sys_mod_count (sys_journal_field does not). */
  updateFields: boolean;
  /** Tables created on demand accept any field; dictionary tables accept known fields and `u_*` ones. */
  open: boolean;
}

export const SYS_FIELDS = ['sys_id', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count'];
/** Fields a client cannot write; the platform maintains them. */
export const READONLY_FIELDS = new Set(['sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count', 'sys_class_name']);
/** Journal fields: writes append to sys_journal_field, the field itself reads back as "". */
export const JOURNAL_FIELDS = new Set(['work_notes', 'comments']);
export const JOURNAL_LABELS: Record<string, string> = { work_notes: 'Work notes', comments: 'Additional comments' };

const INCIDENT_STATES: Record<string, string> = {
  '1': 'New',
  '2': 'In Progress',
  '3': 'On Hold',
  '6': 'Resolved',
  '7': 'Closed',
  '8': 'Canceled',
};
const TASK_STATES: Record<string, string> = {
  '-5': 'Pending',
  '1': 'Open',
  '2': 'Work in Progress',
  '3': 'Closed Complete',
  '4': 'Closed Incomplete',
  '7': 'Closed Skipped',
};
/** Problem states since the Utah release (problem_state / state on the problem table). */
const PROBLEM_STATES: Record<string, string> = {
  '101': 'New',
  '102': 'Assess',
  '103': 'Root Cause Analysis',
  '104': 'Fix in Progress',
  '106': 'Resolved',
  '107': 'Closed',
};
const PRIORITIES: Record<string, string> = {
  '1': '1 - Critical',
  '2': '2 - High',
  '3': '3 - Moderate',
  '4': '4 - Low',
  '5': '5 - Planning',
};
const IMPACT_URGENCY: Record<string, string> = { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' };

/** Task-ish references that tables created on demand (e.g. sn_customerservice_task) also get. */
export const GENERIC_REFERENCES: Record<string, string> = {
  assignment_group: 'sys_user_group',
  assigned_to: 'sys_user',
  opened_by: 'sys_user',
  closed_by: 'sys_user',
  caller_id: 'sys_user',
  incident: 'incident',
};

export const BUILTIN_TABLES: TableDef[] = [
  {
    name: 'sys_user',
    fields: [
      'sys_id', 'user_name', 'name', 'first_name', 'last_name', 'email', 'preferred_language', 'time_zone', 'active',
      'manager', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count',
    ],
    references: { manager: 'sys_user' },
    choices: {},
    displayField: 'name',
    updateFields: true,
    open: false,
  },
  {
    name: 'sys_user_group',
    fields: ['sys_id', 'name', 'description', 'email', 'manager', 'active', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count'],
    references: { manager: 'sys_user' },
    choices: {},
    displayField: 'name',
    updateFields: true,
    open: false,
  },
  {
    name: 'incident',
    fields: [
      'sys_id', 'number', 'state', 'incident_state', 'active', 'short_description', 'description', 'caller_id', 'opened_by',
      'opened_at', 'category', 'subcategory', 'impact', 'urgency', 'priority', 'assignment_group', 'assigned_to',
      'resolved_at', 'resolved_by', 'closed_at', 'closed_by', 'close_code', 'close_notes', 'contact_type',
      'work_notes', 'comments', 'sys_class_name',
      'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count',
    ],
    references: {
      caller_id: 'sys_user',
      opened_by: 'sys_user',
      assigned_to: 'sys_user',
      resolved_by: 'sys_user',
      closed_by: 'sys_user',
      assignment_group: 'sys_user_group',
    },
    choices: { state: INCIDENT_STATES, incident_state: INCIDENT_STATES, priority: PRIORITIES, impact: IMPACT_URGENCY, urgency: IMPACT_URGENCY },
    displayField: 'number',
    numberPrefix: 'INC',
    updateFields: true,
    open: false,
  },
  {
    name: 'incident_task',
    fields: [
      'sys_id', 'number', 'incident', 'state', 'active', 'short_description', 'description', 'assignment_group',
      'assigned_to', 'due_date', 'priority', 'opened_by', 'opened_at', 'closed_at', 'closed_by', 'close_notes',
      'work_notes', 'comments', 'sys_class_name',
      'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count',
    ],
    references: {
      incident: 'incident',
      assignment_group: 'sys_user_group',
      assigned_to: 'sys_user',
      opened_by: 'sys_user',
      closed_by: 'sys_user',
    },
    choices: { state: TASK_STATES, priority: PRIORITIES },
    displayField: 'number',
    numberPrefix: 'TASK',
    updateFields: true,
    open: false,
  },
  {
    name: 'sys_user_role',
    fields: ['sys_id', 'name', 'description', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count'],
    references: {},
    choices: {},
    displayField: 'name',
    updateFields: true,
    open: false,
  },
  {
    // Which roles a user has (the connection check reads the integration user's roles).
    name: 'sys_user_has_role',
    fields: ['sys_id', 'user', 'role', 'state', 'inherited', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count'],
    references: { user: 'sys_user', role: 'sys_user_role' },
    choices: {},
    displayField: 'role',
    updateFields: true,
    open: false,
  },
  {
    // A task table: it has correlation_id / correlation_display for an external system's id.
    name: 'problem',
    fields: [
      'sys_id', 'number', 'state', 'problem_state', 'active', 'short_description', 'description', 'category', 'impact', 'urgency',
      'priority', 'assignment_group', 'assigned_to', 'opened_by', 'opened_at', 'resolved_at', 'closed_at', 'correlation_id',
      'correlation_display', 'work_notes', 'comments', 'sys_class_name',
      'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count',
    ],
    references: { assignment_group: 'sys_user_group', assigned_to: 'sys_user', opened_by: 'sys_user' },
    choices: { state: PROBLEM_STATES, problem_state: PROBLEM_STATES, priority: PRIORITIES, impact: IMPACT_URGENCY, urgency: IMPACT_URGENCY },
    displayField: 'number',
    numberPrefix: 'PRB',
    updateFields: true,
    open: false,
  },
  {
    name: 'sys_journal_field',
    fields: ['sys_id', 'element_id', 'element', 'name', 'value', 'sys_created_on', 'sys_created_by'],
    references: {},
    choices: {},
    displayField: 'value',
    updateFields: false,
    open: false,
  },
];

export function genericTableDef(name: string): TableDef {
  return {
    name,
    fields: [...SYS_FIELDS],
    references: { ...GENERIC_REFERENCES },
    choices: { priority: PRIORITIES },
    displayField: 'number',
    updateFields: true,
    open: true,
  };
}
