// How escalation reaches the other modules: seats and contacts (directory), rotas (on-call) and
// deliveries (notifications). Kept here so the escalation service itself names none of them.
import type { Executor } from '../../db/index.ts';
import type { Seat } from '../../db/schema.ts';
import { contactById, membersInSeat } from '../directory/index.ts';
import { channelEnabled, type NotificationOutbox } from '../notifications/index.ts';
import { onDutyAnyAt, onDutyAt, rotaById } from '../oncall/index.ts';
import type { EscalationDirectory, EscalationNotifier } from './service.ts';

export const escalationDirectory: EscalationDirectory = {
  membersInSeat: async (x, seat) => (await membersInSeat(x, seat as Seat)).map((m) => m.userId),
  onDutyAt,
  onDutyAnyAt: async (x, at) => [...new Set((await onDutyAnyAt(x, at)).flatMap((r) => r.userIds))],
  async contact(x, id) {
    const c = await contactById(x, id);
    return c ? { name: c.name, email: c.email, active: c.active } : null;
  },
  rotaExists: async (x, id) => !!(await rotaById(x, id)),
  channelExists: channelEnabled,
};

export function escalationNotifier(outbox: NotificationOutbox): EscalationNotifier {
  return {
    async enqueue(tx, n) {
      await outbox.enqueueLater(tx, {
        event: n.event, dedupeKey: n.dedupeKey, vars: n.vars, link: n.link ?? null, incident: n.incident,
        recipients: [...n.users.map((user) => ({ user })), ...n.emails.map((e) => ({ email: e.address })), ...n.channels.map((channel) => ({ channel }))],
      });
    },
  };
}

/**
 * Whoever is on duty in any rota at an instant, else the CSIRT managers: who hears of an unassigned
 * incident (SLA warnings and breaches), as unacknowledged alerts page.
 */
export async function onDutyOrManagers(x: Executor, at: Date): Promise<string[]> {
  const onDuty = await escalationDirectory.onDutyAnyAt(x, at);
  return onDuty.length ? onDuty : escalationDirectory.membersInSeat(x, 'csirt_manager');
}
