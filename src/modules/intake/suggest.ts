import type { AlertSeverity, Level } from '../../db/schema.ts';

export interface Suggestion {
  classifications: { class: string; type: string; reason: string }[];
  impact: Level;
  urgency: Level;
}

interface Rule {
  /** Whole words or phrases, matched case-insensitively. */
  words: RegExp;
  class: string;
  type: string;
  urgency?: Level;
  impact?: Level;
}

/**
 * Keyword rules from the ENISA RSIT taxonomy's own descriptions: what a report's words most
 * likely mean. They only ever suggest; the handler decides.
 */
const RULES: Rule[] = [
  { words: /\b(ransomware|encrypted (all |our )?files|ransom note|lockbit|ryuk|conti)\b/i, class: 'malicious-code', type: 'infected-system', urgency: 'critical', impact: 'high' },
  { words: /\b(phishing|phish|credential harvest\w*|fake login|spoofed (e-?mail|sender))\b/i, class: 'fraud', type: 'phishing', urgency: 'high' },
  { words: /\b(ddos|denial[- ]of[- ]service|flood(ed|ing)?|syn flood|amplification attack)\b/i, class: 'availability', type: 'ddos', urgency: 'high' },
  { words: /\b(malware|trojan|virus|worm|infected|botnet|backdoor|emotet|qakbot)\b/i, class: 'malicious-code', type: 'infected-system', urgency: 'high' },
  { words: /\b(c2|command[- ]and[- ]control|c&c)\b/i, class: 'malicious-code', type: 'c2-server' },
  { words: /\b(brute[- ]?force|password spray\w*|failed logins?|credential stuffing)\b/i, class: 'intrusion-attempts', type: 'brute-force' },
  { words: /\b(exploit(ed|ation)?|cve-\d{4}-\d{4,}|rce|remote code execution)\b/i, class: 'intrusion-attempts', type: 'exploit', urgency: 'high' },
  { words: /\b(port ?scan\w*|scanning|nmap|masscan)\b/i, class: 'information-gathering', type: 'scanner', urgency: 'low', impact: 'low' },
  { words: /\b(data (leak|breach)|leaked|exfiltrat\w+|dump(ed)? (online|on pastebin)|paste ?site)\b/i, class: 'information-content-security', type: 'data-leak', urgency: 'high', impact: 'high' },
  { words: /\b(account (takeover|compromise[d]?)|compromised (account|mailbox)|hacked (account|mailbox))\b/i, class: 'intrusions', type: 'unprivileged-account-compromise', urgency: 'high' },
  { words: /\b(domain admin|administrator account|root (access|compromise))\b/i, class: 'intrusions', type: 'privileged-account-compromise', urgency: 'critical', impact: 'high' },
  { words: /\b(defac(ed|ement)|web ?shell)\b/i, class: 'intrusions', type: 'application-compromise', urgency: 'high' },
  { words: /\b(spam|unsolicited (bulk )?e-?mail)\b/i, class: 'abusive-content', type: 'spam', urgency: 'low', impact: 'low' },
  { words: /\b(vulnerab(le|ility)|unpatched|outdated (version|software)|open (resolver|memcached|ntp))\b/i, class: 'vulnerable', type: 'vulnerable-system', urgency: 'medium' },
  { words: /\b(ceo fraud|invoice fraud|bec|business e-?mail compromise|impersonat\w+)\b/i, class: 'fraud', type: 'masquerade', urgency: 'high' },
  { words: /\b(social engineering|vishing|pretext\w*)\b/i, class: 'information-gathering', type: 'social-engineering' },
  { words: /\b(outage|service (is )?down|unavailable)\b/i, class: 'availability', type: 'outage' },
];

const LEVELS: Level[] = ['low', 'medium', 'high', 'critical'];
const max = (a: Level, b: Level): Level => (LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b);

/** Suggested classifications and impact/urgency (for the priority matrix) from a report's text. */
export function suggestFromText(text: string): Suggestion {
  const out: Suggestion = { classifications: [], impact: 'medium', urgency: 'medium' };
  let hit = false;
  for (const r of RULES) {
    const m = r.words.exec(text);
    if (!m) continue;
    if (!out.classifications.some((c) => c.class === r.class && c.type === r.type)) {
      out.classifications.push({ class: r.class, type: r.type, reason: `mentions "${m[0].slice(0, 60)}"` });
    }
    out.urgency = hit ? max(out.urgency, r.urgency ?? 'medium') : (r.urgency ?? 'medium');
    out.impact = hit ? max(out.impact, r.impact ?? 'medium') : (r.impact ?? 'medium');
    hit = true;
  }
  out.classifications = out.classifications.slice(0, 5);
  return out;
}

/**
 * The suggestion once ARF / X-ARF reports are read: the classes their kinds name come first (a
 * machine-readable report says what it is), then what the words suggest.
 */
export function withAbuseReports(s: Suggestion, reports: { format: string; kind: string; classification: { class: string; type: string } | null }[]): Suggestion {
  const first: Suggestion['classifications'] = [];
  for (const r of reports) {
    const c = r.classification;
    if (!c || first.some((f) => f.class === c.class && f.type === c.type)) continue;
    first.push({ ...c, reason: r.format === 'arf' ? `ARF Feedback-Type: ${r.kind}` : `X-ARF ${r.kind}` });
  }
  if (!first.length) return s;
  const rest = s.classifications.filter((c) => !first.some((f) => f.class === c.class && f.type === c.type));
  return { ...s, classifications: [...first, ...rest].slice(0, 5) };
}

/** Observables without repeats, the first of each kept (so typed report fields win over words). */
export function uniqueObservables<T extends { type: string; value: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((o) => {
    const k = `${o.type}:${o.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const BY_SEVERITY: Record<AlertSeverity, Level> = { info: 'low', low: 'low', medium: 'medium', high: 'high', critical: 'critical' };

/** An alert's suggestion: the source mapping's classification, impact and urgency from its severity. */
export function suggestFromAlert(a: { severity: AlertSeverity; classification: { class: string; type: string } | null; sourceName: string }): Suggestion {
  return {
    classifications: a.classification ? [{ ...a.classification, reason: `the ${a.sourceName} source mapping` }] : [],
    impact: BY_SEVERITY[a.severity],
    urgency: BY_SEVERITY[a.severity],
  };
}

/** A constituent an item was routed to (from the reporter's address or the item's observables). */
export interface RoutedConstituent {
  constituent: { id: string; name: string; criticality: Level; sector: string };
  rule: 'netblock' | 'domain' | 'email_domain' | 'asn';
  matched: string;
  /** The value that was routed: the reporter's e-mail address or an observable. */
  from: string;
}

/**
 * The suggestion once the constituents are known: the impact is raised to the highest
 * criticality among them (never lowered), and the reason is added to the list.
 */
export function withConstituents(s: Suggestion, routed: RoutedConstituent[]): Suggestion & { constituents: RoutedConstituent[]; impactReason: string | null } {
  let impact = s.impact;
  let reason: string | null = null;
  for (const r of routed) {
    if (LEVELS.indexOf(r.constituent.criticality) > LEVELS.indexOf(impact)) {
      impact = r.constituent.criticality;
      reason = `${r.constituent.name} is of ${r.constituent.criticality} criticality`;
    }
  }
  return { ...s, impact, constituents: routed, impactReason: reason };
}

/** What to route for an item: the reporter's e-mail address, then addresses, domains, e-mail addresses and URL hosts. */
export function routingQueries(reporterEmail: string | null, observables: { type: string; value: string }[]): ({ address: string } | { domain: string } | { email: string } | { asn: string })[] {
  const out: ({ address: string } | { domain: string } | { email: string } | { asn: string })[] = [];
  if (reporterEmail) out.push({ email: reporterEmail });
  for (const o of observables.slice(0, 200)) {
    if (o.type === 'ipv4' || o.type === 'ipv6') out.push({ address: o.value });
    else if (o.type === 'domain') out.push({ domain: o.value });
    else if (o.type === 'email') out.push({ email: o.value });
    else if (o.type === 'asn') out.push({ asn: o.value });
    else if (o.type === 'url') {
      try {
        const host = new URL(o.value).hostname.replace(/^\[|\]$/g, '');
        if (host) out.push(/^[\d.]+$/.test(host) || host.includes(':') ? { address: host } : { domain: host });
      } catch {
        /* not a URL after all */
      }
    }
  }
  return out;
}
