import type { PlaybookTask, Priority } from '../../db/schema.ts';

export interface PlaybookDef {
  key: string;
  name: string;
  description: string;
  matchRsit: string[];
  priorities: Priority[];
  tasks: PlaybookTask[];
}

const t = (key: string, phase: PlaybookTask['phase'], title: string, description = '', checklist: string[] = []): PlaybookTask => ({
  key, phase, title, description, checklist,
});

/**
 * Playbooks Vigil ships with. The intrusion playbook follows the ENISA guide's Table 3 ("Example
 * guidelines for intrusion incident handling"): its containment, mitigation (here: eradication)
 * and recovery guidelines, task by task. Installed at start when missing; admins edit them.
 */
export const BUILTIN_PLAYBOOKS: PlaybookDef[] = [
  {
    key: 'system-account-compromise',
    name: 'System or account compromise (intrusion)',
    description: 'ENISA guide, Table 3: advise and coordinate the constituency, find and fix the root cause while preserving evidence, support the return to normal operations.',
    matchRsit: ['intrusions/*', 'intrusion-attempts/exploit', 'intrusion-attempts/brute-force'],
    priorities: [],
    tasks: [
      t('triage-scope', 'triage', 'Confirm the intrusion and its scope', 'Which systems and accounts, since when, which constituent.', ['Affected systems and accounts listed', 'Constituent and its contacts identified', 'Criticality set']),
      t('law-enforcement', 'containment', 'Advise the constituency to involve law enforcement', 'Table 3, containment 1.'),
      t('onsite-or-logs', 'containment', 'For high criticality: investigate on site, or obtain the logs and investigate at the CSIRT', 'Table 3, containment 2. Share the findings with the constituency.'),
      t('advise-constituency', 'containment', 'Advise the constituency on immediate measures', 'Table 3, containment 3.', [
        'Analyse logs', 'Find out the incident root cause', 'Assess for damage', 'Block malicious IP and DNS addresses', 'Implement quick workarounds',
      ]),
      t('risk-others', 'containment', 'Evaluate the risk to other infrastructures and share anonymised incident details with the constituency', 'Table 3, containment 4.'),
      t('similar-incidents', 'containment', 'Look for recent similar incidents; raise the criticality if needed and inform management of repeated intrusions', 'Table 3, containment 5.'),
      t('root-cause-fix', 'eradication', 'Help the constituency find and fix the root cause, preserving forensic evidence', 'Table 3, mitigation.', [
        'Apply patches', 'Replace outdated and unsupported systems', 'Implement permanent workarounds', 'Implement security best practices',
      ]),
      t('investigation-report', 'eradication', 'For high criticality: request a detailed investigation report, or offer resources for the analysis', 'Table 3, mitigation 2.'),
      t('credentials', 'eradication', 'Reset compromised credentials and revoke sessions and keys', '', ['Passwords reset', 'Sessions and tokens revoked', 'MFA enforced on the affected accounts']),
      t('security-assessment', 'recovery', 'For high criticality: assess whether the mitigation measures work', 'Table 3, recovery 1.'),
      t('lift-measures', 'recovery', 'Lift temporary preventive measures and confirm normal operation with the constituency'),
      t('seminar', 'post_incident', 'Hold a seminar for security staff on the intrusion method and its mitigation', 'Table 3, recovery 2.'),
      t('exercise', 'post_incident', 'Plan the yearly technical exercise or training in a real-life environment', 'Table 3, recovery 3.'),
    ],
  },
  {
    key: 'phishing',
    name: 'Phishing',
    description: 'Credential phishing or a masquerading campaign against the constituency.',
    matchRsit: ['fraud/phishing', 'fraud/masquerade', 'information-gathering/social-engineering'],
    priorities: [],
    tasks: [
      t('collect-sample', 'triage', 'Collect the message with full headers and the landing URLs', '', ['Original .eml kept', 'URLs and sender domains extracted']),
      t('who-clicked', 'analysis', 'Find who received, clicked and entered credentials', 'Mail logs, proxy logs, identity-provider sign-ins.'),
      t('block', 'containment', 'Block the sender, URLs and domains', '', ['Mail gateway rule', 'Web proxy / DNS block', 'Pull delivered copies from mailboxes']),
      t('takedown', 'containment', 'Request takedown of the phishing site from the hoster and registrar'),
      t('reset', 'eradication', 'Reset the credentials that were entered and revoke their sessions'),
      t('warn-users', 'recovery', 'Warn the constituency with a short awareness notice showing the lure'),
      t('share-iocs', 'post_incident', 'Share the indicators with partner CSIRTs under the right TLP'),
    ],
  },
  {
    key: 'malware-infection',
    name: 'Malware infection',
    description: 'A system infected with malware, a C2 contact or a malware-distribution site.',
    matchRsit: ['malicious-code/*'],
    priorities: [],
    tasks: [
      t('identify', 'triage', 'Identify the infected hosts and the malware family', '', ['Hosts listed', 'Sample or hash obtained', 'Family identified (sandbox, AV, YARA)']),
      t('c2', 'analysis', 'Find the C2 and distribution infrastructure and other hosts talking to it'),
      t('isolate', 'containment', 'Isolate infected hosts and block the C2 addresses and domains'),
      t('persistence', 'eradication', 'Remove the malware and its persistence, or reimage the hosts'),
      t('restore', 'recovery', 'Restore the hosts and watch for reinfection'),
      t('share', 'post_incident', 'Share hashes and C2 indicators under the right TLP'),
    ],
  },
  {
    key: 'ransomware',
    name: 'Ransomware',
    description: 'Encrypted systems, extortion, possible data theft before encryption.',
    matchRsit: ['malicious-code/infected-system', 'availability/sabotage', 'information-content-security/data-loss'],
    priorities: ['P1', 'P2'],
    tasks: [
      t('declare', 'triage', 'Notify management through the escalation chain before technical work starts', 'Management is told first, before any technical work.'),
      t('isolate', 'containment', 'Disconnect affected networks and stop the spread', '', ['Affected segments isolated', 'Shared drives taken offline', 'Remote access suspended']),
      t('preserve', 'containment', 'Preserve evidence: memory, ransom note, encrypted samples, logs'),
      t('backups', 'containment', 'Secure the backups: take them offline and check their integrity'),
      t('exfiltration', 'analysis', 'Establish whether data was stolen before encryption'),
      t('legal', 'analysis', 'Involve legal, insurer and law enforcement; assess notification duties (e.g. GDPR, NIS2)'),
      t('eradicate', 'eradication', 'Remove the attacker: initial access, accounts created, tools left behind'),
      t('restore', 'recovery', 'Restore from clean backups in priority order and monitor closely'),
      t('review', 'post_incident', 'Review backup and segmentation practice with the constituency'),
    ],
  },
  {
    key: 'ddos',
    name: 'Denial of service (DDoS)',
    description: 'A service made unavailable by a (distributed) denial-of-service attack.',
    matchRsit: ['availability/dos', 'availability/ddos'],
    priorities: [],
    tasks: [
      t('characterise', 'triage', 'Characterise the attack: target, vector, volume, start time'),
      t('upstream', 'containment', 'Engage the ISP or scrubbing service and apply filtering or rate limits'),
      t('communicate', 'containment', 'Tell the constituency and users what is happening and the expected impact'),
      t('sources', 'analysis', 'Identify sources and amplifiers; notify their networks\' abuse contacts'),
      t('restore', 'recovery', 'Confirm the service is back and remove emergency filters that are no longer needed'),
      t('capacity', 'post_incident', 'Review DDoS protection and runbooks with the constituency'),
    ],
  },
  {
    key: 'data-leak',
    name: 'Data leak',
    description: 'Confidential data disclosed or accessed without authorisation.',
    matchRsit: ['information-content-security/data-leak', 'information-content-security/unauthorised-information-access'],
    priorities: [],
    tasks: [
      t('what-leaked', 'triage', 'Establish what data leaked, whose, and where it is exposed'),
      t('stop', 'containment', 'Stop the leak: close the exposure, revoke access, request removal of published copies'),
      t('path', 'analysis', 'Find how the data left: the account, system or person involved'),
      t('notify', 'analysis', 'Assess notification duties with legal (data protection authority, data subjects)'),
      t('fix', 'eradication', 'Fix the cause (permissions, misconfiguration, compromised account)'),
      t('monitor', 'recovery', 'Monitor for further publication or misuse of the data'),
    ],
  },
  {
    key: 'vulnerable-system',
    name: 'Vulnerable system',
    description: 'A constituent system found vulnerable or exposed (open service, weak crypto, known CVE).',
    matchRsit: ['vulnerable/*'],
    priorities: [],
    tasks: [
      t('verify', 'triage', 'Verify the finding without exploiting it and identify the owner'),
      t('notify-owner', 'containment', 'Notify the system owner with the finding and a remediation deadline'),
      t('exploited', 'analysis', 'Check for signs that the weakness was already exploited'),
      t('remediate', 'eradication', 'Confirm the patch, configuration change or decommissioning'),
      t('rescan', 'recovery', 'Rescan to confirm the system is no longer vulnerable'),
    ],
  },
];
