/**
 * The event kinds Vigil notifies about, each with the variables its templates may use and the
 * default template shipped. This is the one list: the API, the preferences and the UI read it.
 */
export const EVENTS = ['incident.declared', 'incident.assigned', 'alert.unacknowledged', 'escalation.level', 'sla.warning', 'sla.breached', 'test'] as const;
export type NotificationEvent = (typeof EVENTS)[number];
export const isEvent = (s: string): s is NotificationEvent => (EVENTS as readonly string[]).includes(s);

/** Variables every event has: filled in by Vigil itself. */
const COMMON = ['teamName', 'link'] as const;
const INCIDENT = ['incidentReference', 'incidentTitle', 'priority', 'tlp', 'actor'] as const;

export interface Template {
  subject: string;
  body: string;
}

export interface EventSpec {
  label: string;
  variables: readonly string[];
  template: Template;
}

export const EVENT_SPECS: Record<NotificationEvent, EventSpec> = {
  'incident.declared': {
    label: 'Incident declared',
    variables: [...COMMON, ...INCIDENT],
    template: {
      subject: '[{{incidentReference}}] {{priority}} incident declared: {{incidentTitle}}',
      body: '{{actor}} declared {{incidentReference}} "{{incidentTitle}}" as {{priority}} (TLP:{{tlp}}).\nOpen it: {{link}}',
    },
  },
  'incident.assigned': {
    label: 'Incident assigned to you',
    variables: [...COMMON, ...INCIDENT, 'assignee'],
    template: {
      subject: '[{{incidentReference}}] Assigned to {{assignee}}: {{incidentTitle}}',
      body: '{{actor}} assigned {{incidentReference}} "{{incidentTitle}}" ({{priority}}) to {{assignee}}.\nOpen it: {{link}}',
    },
  },
  'alert.unacknowledged': {
    label: 'Alert not acknowledged',
    variables: [...COMMON, 'alertTitle', 'alertSeverity', 'source', 'waitingMinutes'],
    template: {
      subject: 'Alert waiting for {{waitingMinutes}} min: {{alertTitle}}',
      body: 'The {{alertSeverity}} alert "{{alertTitle}}" from {{source}} has not been acknowledged for {{waitingMinutes}} minutes.\nOpen it: {{link}}',
    },
  },
  'escalation.level': {
    label: 'Escalation',
    variables: [...COMMON, ...INCIDENT, 'level', 'round', 'policy'],
    template: {
      subject: '[{{incidentReference}}] Escalation level {{level}}: {{incidentTitle}}',
      body: '{{incidentReference}} "{{incidentTitle}}" ({{priority}}) is escalated to level {{level}} of {{policy}} (round {{round}}).\nAcknowledge it: {{link}}',
    },
  },
  'sla.warning': {
    label: 'SLA deadline near',
    variables: [...COMMON, ...INCIDENT, 'metric', 'deadline', 'targetMinutes'],
    template: {
      subject: '[{{incidentReference}}] SLA {{metric}} due {{deadline}}: {{incidentTitle}}',
      body: 'The {{metric}} target ({{targetMinutes}} working minutes) of {{incidentReference}} "{{incidentTitle}}" ({{priority}}) runs out at {{deadline}}.\nOpen it: {{link}}',
    },
  },
  'sla.breached': {
    label: 'SLA breached',
    variables: [...COMMON, ...INCIDENT, 'metric', 'deadline', 'targetMinutes'],
    template: {
      subject: '[{{incidentReference}}] SLA {{metric}} breached: {{incidentTitle}}',
      body: 'The {{metric}} target ({{targetMinutes}} working minutes) of {{incidentReference}} "{{incidentTitle}}" ({{priority}}) ran out at {{deadline}}.\nOpen it: {{link}}',
    },
  },
  test: {
    label: 'Test message',
    variables: [...COMMON, 'actor', 'channel'],
    template: {
      subject: 'Vigil test notification from {{teamName}}',
      body: '{{actor}} sent this test to check that {{channel}} receives notifications from {{teamName}}.',
    },
  },
};
