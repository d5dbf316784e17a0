import { Badge, type BadgeProps } from '@mantine/core';
import { humanize, type Pap, type Priority, type Status, type Tlp } from '../api/incidents';

const STATUS_COLORS: Record<Status, string> = {
  new: 'blue',
  triage: 'cyan',
  analysis: 'violet',
  containment: 'orange',
  eradication: 'yellow',
  recovery: 'teal',
  closed: 'gray',
};

const PRIORITY_COLORS: Record<Priority, string> = { P1: 'red', P2: 'orange', P3: 'yellow', P4: 'gray' };

// TLP 2.0 (FIRST): the label in its colour on black (RED #FF2B2B, AMBER #FFC000, GREEN #33FF00,
// CLEAR white), upper case. Every one of them reads at 5.6:1 or better on black.
const TLP_COLORS: Record<Tlp | Pap, string> = {
  RED: '#FF2B2B',
  'AMBER+STRICT': '#FFC000',
  AMBER: '#FFC000',
  GREEN: '#33FF00',
  CLEAR: '#FFFFFF',
};

type Extra = Omit<BadgeProps, 'color' | 'variant' | 'children'> & { 'data-testid'?: string };

export function StatusBadge({ status, ...rest }: { status: Status } & Extra) {
  return (
    <Badge size="sm" variant="light" color={STATUS_COLORS[status]} miw="max-content" {...rest}>
      {humanize(status)}
    </Badge>
  );
}

export function PriorityBadge({ priority, ...rest }: { priority: Priority } & Extra) {
  return (
    <Badge size="sm" variant="filled" color={PRIORITY_COLORS[priority]} autoContrast miw="max-content" {...rest}>
      {priority}
    </Badge>
  );
}

/** A TLP (or, with prefix "PAP", a PAP) label in the protocol's colours. */
export function TlpBadge({ tlp, prefix = 'TLP', ...rest }: { tlp: Tlp | Pap; prefix?: 'TLP' | 'PAP' } & Extra) {
  const color = TLP_COLORS[tlp];
  const label = `${prefix}:${tlp}`;
  return (
    <Badge size="sm" variant="outline" color={color} bg="#000" radius="xs" miw="max-content" {...rest}>
      {label}
    </Badge>
  );
}

export function ExerciseBadge(props: Extra) {
  return <Badge size="sm" variant="outline" color="grape.3" miw="max-content" {...props}>Exercise</Badge>;
}
