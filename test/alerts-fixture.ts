// A monitoring source as the alert tests set it up: a Wazuh-like alert and the mapping that reads it.

/** A Wazuh-like alert, as a SIEM would post it. */
export const wazuh = (over: Record<string, unknown> = {}) => ({
  id: '1700000000.1234',
  timestamp: '2026-11-29T10:00:00Z',
  rule: { id: '5712', level: 10, description: 'sshd: brute force trying to get access to the system', groups: ['authentication_failures'] },
  agent: { name: 'web-01' },
  data: { srcip: '203.0.113.7', dstuser: 'root' },
  full_log: 'Failed password for root from 203.0.113.7 port 22; see hxxp://evil[.]example/x',
  ...over,
});

export const MAPPING = {
  title: '{{rule.description}} on {{agent.name}}',
  description: '$.full_log',
  severity: { from: '$.rule.level', map: { '>=12': 'critical', '>=8': 'high', '>=4': 'medium', '<4': 'low' } },
  sourceRef: '$.id',
  observedAt: '$.timestamp',
  fingerprint: ['$.rule.id', '$.agent.name', '$.data.srcip'],
  classification: { from: '$.rule.groups[0]', map: { authentication_failures: 'intrusion-attempts:brute-force' } },
  observables: [{ type: 'ipv4', from: '$.data.srcip' }, { type: 'user-account', from: '$.data.dstuser' }],
  extract: ['$.full_log'],
  keep: { rule: '$.rule.id', agent: '$.agent.name' },
};
