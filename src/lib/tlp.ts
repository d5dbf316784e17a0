import type { Tlp } from '../db/schema.ts';

/**
 * TLP 2.0 (FIRST): the only place Vigil lists the labels and their order. Everything that sorts,
 * compares, validates or restricts by TLP uses these.
 */

/** The labels from the least to the most restricted. */
export const TLP_ORDER = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const satisfies readonly Tlp[];

/** The labels whose records only those with a need to know may read (role holders, the assignee, managers, admins). */
export const RESTRICTED_TLP = ['RED', 'AMBER+STRICT'] as const satisfies readonly Tlp[];

/** What each label means, in FIRST's words, shortened. */
export const TLP_LABELS: Record<Tlp, string> = {
  CLEAR: 'TLP:CLEAR — may be shared without restriction',
  GREEN: 'TLP:GREEN — within the community',
  AMBER: "TLP:AMBER — the recipient's organisation and its clients, need to know",
  'AMBER+STRICT': "TLP:AMBER+STRICT — the recipient's organisation only, need to know",
  RED: 'TLP:RED — named recipients only',
};

export const tlpRank = (t: Tlp): number => TLP_ORDER.indexOf(t);

/** Whether a label is one of the restricted (need-to-know) ones. */
export const isRestrictedTlp = (t: Tlp | string | null | undefined): boolean => (RESTRICTED_TLP as readonly string[]).includes(t ?? '');

/** The stricter of two labels (a missing one counts as none). */
export function strictest(a: Tlp, b: Tlp | null | undefined): Tlp {
  return b && tlpRank(b) > tlpRank(a) ? b : a;
}

/** The labels at or below `t`, in order. */
export const atOrBelow = (t: Tlp): Tlp[] => TLP_ORDER.filter((x) => tlpRank(x) <= tlpRank(t));

/** FIRST TLP 2.0 colours: the label is printed in this colour on black. */
export const TLP_COLOUR: Record<Tlp, string> = {
  RED: '#FF2B2B', 'AMBER+STRICT': '#FFC000', AMBER: '#FFC000', GREEN: '#33FF00', CLEAR: '#FFFFFF',
};
