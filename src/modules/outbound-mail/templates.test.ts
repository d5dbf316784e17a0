import { describe, expect, it } from 'vitest';
import { addressOf, bracketed, messageIdDomain, ownAddresses, unanswerable } from './addresses.ts';
import { DEFAULT_TEMPLATES, fillStatusUrl, headerSafe, render, templateIssues, type Vars } from './templates.ts';
import { backoffMs } from '../delivery/index.ts';

const vars: Vars = {
  reference: 'VIG-R-2026-000042', title: 'Phishing wave', teamName: 'CERT-X', statusUrl: '',
  publicStatus: 'received', incidentReference: '',
};

describe('mail templates', () => {
  it('renders variables, with or without spaces inside the braces', () => {
    const r = render({ subject: '[{{reference}}] {{ title }}', body: 'Team: {{teamName}}' }, vars);
    expect(r).toEqual({ subject: '[VIG-R-2026-000042] Phishing wave', body: 'Team: CERT-X' });
  });

  it('leaves out a body line whose variables are all empty, and keeps the others', () => {
    const r = render({ subject: 's', body: 'a\nFollow: {{statusUrl}}\nIncident: {{incidentReference}} of {{teamName}}\nb' }, vars);
    expect(r.body).toBe('a\nIncident:  of CERT-X\nb');
  });

  it('keeps a slot for a value filled in when sending, and fills it', () => {
    const r = render(DEFAULT_TEMPLATES.receipt, { ...vars, statusUrl: 'https://v.example/status/abc' }, ['statusUrl']);
    expect(r.body).toContain('Follow your report: {{statusUrl}}');
    expect(r.body).not.toContain('abc');
    expect(fillStatusUrl(r.body, 'https://v.example/status/abc')).toContain('Follow your report: https://v.example/status/abc');
  });

  it('keeps subjects on one line whatever the values hold', () => {
    const r = render({ subject: 'Re: {{title}}', body: '{{title}}' }, { ...vars, title: 'x\r\nBcc: victim@example.org\r\n\r\nbody\u2028more\u0000' });
    expect(r.subject).toBe('Re: x Bcc: victim@example.org body more');
    expect(r.subject).not.toMatch(/[\r\n]/);
    expect(r.body).toBe('x\nBcc: victim@example.org\n\nbody\nmore');
    expect(headerSafe('\ta\n\n b\t')).toBe('a b');
  });

  it('never lets a value bring placeholders of its own', () => {
    const r = render({ subject: '{{title}}', body: '{{title}}' }, { ...vars, title: 'see {{statusUrl}} and {{teamName}}' });
    expect(fillStatusUrl(r.body, 'https://secret')).not.toContain('https://secret');
    expect(r.body).not.toContain('CERT-X');
  });

  it('names unknown variables, unclosed braces and multi-line subjects', () => {
    expect(templateIssues(DEFAULT_TEMPLATES.receipt, 'body.receipt')).toEqual([]);
    expect(templateIssues(DEFAULT_TEMPLATES.update, 'body.update')).toEqual([]);
    const issues = templateIssues({ subject: 'Hi {{name}}\n', body: 'x {{reference} y {{ secret }}' }, 'body.receipt');
    expect(issues.map((i) => i.path)).toEqual(['body.receipt.subject', 'body.receipt.body', 'body.receipt.body', 'body.receipt.subject']);
    expect(issues[0]!.message).toMatch(/unknown variable \{\{name\}\}/);
  });
});

describe('mail addresses', () => {
  const own = ownAddresses('CSIRT <CSIRT@csirt.example>', 'reports@csirt.example, @intake.example');

  it('takes the domain of Message-IDs from the From address', () => {
    expect(addressOf('CSIRT <csirt@csirt.example>')).toBe('csirt@csirt.example');
    expect(messageIdDomain('CSIRT <csirt@csirt.example>')).toBe('csirt.example');
    expect(messageIdDomain('nonsense')).toBe('vigil.localhost');
    expect(bracketed('abc@x')).toBe('<abc@x>');
    expect(bracketed(' <abc@x> ')).toBe('<abc@x>');
  });

  it('refuses to answer bounces, daemons, no-reply senders and our own addresses', () => {
    for (const a of ['MAILER-DAEMON@mx.example.org', 'postmaster@example.org', 'noreply@example.org', 'no-reply@example.org',
      'do-not-reply@bank.example', 'alerts-noreply@siem.example', 'bounces+123@lists.example', 'list-request@lists.example', 'owner-list@lists.example']) {
      expect(unanswerable(a, own), a).toMatch(/bounce|no-reply/);
    }
    expect(unanswerable('csirt@csirt.example', own)).toMatch(/own/);
    expect(unanswerable('reports@csirt.example', own)).toMatch(/own/);
    expect(unanswerable('anyone@intake.example', own)).toMatch(/own/);
    expect(unanswerable('a@b@c', own)).toMatch(/deliverable/);
    expect(unanswerable('alice@example.org\r\nBcc: x@y.z', own)).toMatch(/deliverable/);
    expect(unanswerable('alice@example.org', own)).toBeNull();
    expect(unanswerable('replies.team@example.org', own)).toBeNull();
  });

  it('waits 1, 2, 4 … minutes between attempts, at most an hour', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => backoffMs(n) / 60_000)).toEqual([1, 2, 4, 8, 60, 60, 60]);
  });
});
