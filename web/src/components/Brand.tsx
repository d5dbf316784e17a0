// The product mark, in a file of its own: the sign-in page shows it, and importing it from
// common.tsx would bring that file's tooltips and their positioning library into the first page.
import { Group, Text } from '@mantine/core';
import { IconShieldHalfFilled } from '@tabler/icons-react';

export function Brand({ size = 'md' }: { size?: 'md' | 'lg' }) {
  const icon = size === 'lg' ? 34 : 24;
  return (
    <Group gap={8} wrap="nowrap">
      <IconShieldHalfFilled size={icon} color="var(--mantine-color-signal-4)" aria-hidden />
      <Text fw={700} fz={size === 'lg' ? 26 : 18} style={{ letterSpacing: '0.02em' }}>
        Vigil
      </Text>
    </Group>
  );
}
