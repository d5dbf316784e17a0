import { Badge, Text, type BadgeProps } from '@mantine/core';
import { CHANNEL_LABELS, PUBLIC_STATUS_LABELS, type Channel, type PublicStatus, type ReportStatus } from '../../api/reports';

const STATUS_COLORS: Record<ReportStatus, string> = { new: 'blue', linked: 'teal', merged: 'grape', rejected: 'gray' };
const PUBLIC_COLORS: Record<PublicStatus, string> = { received: 'blue', in_progress: 'orange', closed: 'teal', not_pursued: 'gray' };

type Extra = Omit<BadgeProps, 'color' | 'variant' | 'children'> & { 'data-testid'?: string; 'data-value'?: string };

export function ReportStatusBadge({ status, ...rest }: { status: ReportStatus } & Extra) {
  return (
    <Badge size="sm" variant={status === 'new' ? 'filled' : 'light'} color={STATUS_COLORS[status]} miw="max-content" {...rest}>
      {status}
    </Badge>
  );
}

export function PublicStatusBadge({ status, ...rest }: { status: PublicStatus } & Extra) {
  return (
    <Badge size="sm" variant="light" color={PUBLIC_COLORS[status]} miw="max-content" {...rest}>
      {PUBLIC_STATUS_LABELS[status]}
    </Badge>
  );
}

export function ChannelText({ channel }: { channel: Channel }) {
  return <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>{CHANNEL_LABELS[channel]}</Text>;
}
