// Small pieces the triage pages share: severity, kind and status badges, the arrivals counter and
// a relative time that keeps itself current.
import { useEffect, useState } from 'react';
import { Badge, Text, Tooltip, type BadgeProps } from '@mantine/core';
import { ago, SEVERITY_LABELS, type AlertStatus, type Severity } from '../../api/triage';
import { formatDate } from '../../components/common';

const SEVERITY_COLORS: Record<Severity, string> = { critical: 'red', high: 'orange', medium: 'yellow', low: 'blue', info: 'gray' };
const STATUS_COLORS: Record<AlertStatus, string> = { new: 'blue', acknowledged: 'cyan', escalated: 'teal', dismissed: 'gray' };

type Extra = Omit<BadgeProps, 'color' | 'variant' | 'children'> & { 'data-testid'?: string; title?: string };

export function SeverityBadge({ severity, ...rest }: { severity: Severity } & Extra) {
  return (
    <Badge size="sm" variant={severity === 'critical' || severity === 'high' ? 'filled' : 'light'} color={SEVERITY_COLORS[severity]}
      autoContrast miw="max-content" data-severity={severity} {...rest}>
      {SEVERITY_LABELS[severity]}
    </Badge>
  );
}

export function AlertStatusBadge({ status, ...rest }: { status: AlertStatus } & Extra) {
  return <Badge size="sm" variant={status === 'new' ? 'filled' : 'light'} color={STATUS_COLORS[status]} miw="max-content" {...rest}>{status}</Badge>;
}

export function KindBadge({ kind }: { kind: 'report' | 'alert' }) {
  return (
    <Badge size="xs" variant="outline" radius="xs" color={kind === 'alert' ? 'grape' : 'signal'} miw="max-content" data-testid="kind-badge">
      {kind}
    </Badge>
  );
}

export function ArrivalsBadge({ arrivals }: { arrivals: number }) {
  if (arrivals <= 1) return null;
  return (
    <Tooltip label={`Arrived ${arrivals} times (deduplicated)`}>
      <Badge size="xs" variant="light" color="gray" radius="xs" miw="max-content" data-testid="arrivals-badge" aria-label={`${arrivals} arrivals`}>
        ×{arrivals}
      </Badge>
    </Tooltip>
  );
}

/** The current time, renewed every `everyMs`, so relative times stay right on a page left open. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(t);
  }, [everyMs]);
  return now;
}

/** "3 min ago", with the exact time on hover. */
export function Ago({ value, now }: { value: string; now: number }) {
  return (
    <Text span size="sm" title={formatDate(value, true)} style={{ whiteSpace: 'nowrap' }}>
      <time dateTime={value}>{ago(value, now)}</time>
    </Text>
  );
}
