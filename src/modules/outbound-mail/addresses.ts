import { randomUUID } from 'node:crypto';

/** The bare address of a From value: `CSIRT <csirt@example.org>` -> `csirt@example.org`. */
export function addressOf(from: string): string {
  const m = /<([^<>]+)>\s*$/.exec(from);
  return (m ? m[1]! : from).trim().toLowerCase();
}

/** The domain our Message-IDs carry: that of VIGIL_MAIL_FROM (a safe default when it has none). */
export function messageIdDomain(from: string): string {
  const address = addressOf(from);
  const domain = address.includes('@') ? address.slice(address.lastIndexOf('@') + 1) : '';
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain) ? domain : 'vigil.localhost';
}

export const newMessageId = (domain: string) => `<${randomUUID()}@${domain}>`;

/** A Message-ID in its header form, with angle brackets, whichever way it was written. */
export const bracketed = (id: string) => {
  const bare = id.trim().replace(/^<+/, '').replace(/>+$/, '');
  return `<${bare}>`;
};

const ADDRESS = /^[^\s@<>()[\],;:"\\]{1,64}@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
/**
 * Local parts that never want an automatic answer: bounces, daemons, no-reply senders, list
 * administration (RFC 2142 and common practice). Answering them is at best lost, at worst a loop.
 */
const MACHINE = /^(mailer-daemon|postmaster|daemon|bounces?([+.-].*)?|.*no-?reply.*|.*do-?not-?reply.*|owner-.+|.+-request|.+-bounces?)$/i;

/**
 * The addresses that are ours: the From address and those the SMTP listener accepts (an `@domain`
 * entry makes the whole domain ours). Mail to them would come straight back into intake.
 */
export function ownAddresses(from: string, accept: string): { addresses: Set<string>; domains: Set<string> } {
  const addresses = new Set([addressOf(from)]);
  const domains = new Set<string>();
  for (const raw of accept.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (raw.startsWith('@')) domains.add(raw.slice(1));
    else addresses.add(raw);
  }
  return { addresses, domains };
}

/** Why a reporter address gets no automatic mail, or null when it may. */
export function unanswerable(address: string, own: ReturnType<typeof ownAddresses>): string | null {
  const a = address.trim().toLowerCase();
  if (!ADDRESS.test(a)) return 'not a deliverable address';
  const [local, domain] = [a.slice(0, a.lastIndexOf('@')), a.slice(a.lastIndexOf('@') + 1)];
  if (MACHINE.test(local)) return 'a bounce, daemon or no-reply address';
  if (own.addresses.has(a) || own.domains.has(domain)) return 'one of our own addresses';
  return null;
}
