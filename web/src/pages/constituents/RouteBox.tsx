// "Whose is this address or domain?": routes whatever is typed (IP address, domain, URL, e-mail
// address, AS number) through the API and says which constituent and rule matched.
import { useState, type FormEvent } from 'react';
import { Anchor, Badge, Button, Group, Paper, Text, TextInput } from '@mantine/core';
import { IconRoute } from '@tabler/icons-react';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/errors';
import { Link } from '../../router';
import { LEVEL_COLORS, routeQuery, RULE_LABELS, type RouteAnswer } from './constituentsApi';

export function RouteBox() {
  const [text, setText] = useState('');
  const [answer, setAnswer] = useState<{ asked: string; result: RouteAnswer } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const q = routeQuery(text);
    if (!q) return;
    setBusy(true);
    setError(null);
    try {
      setAnswer({ asked: text.trim(), result: await api.get<RouteAnswer>(`/constituents/route?${q}`) });
    } catch (err) {
      setAnswer(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const m = answer?.result.match;
  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={(e) => void submit(e)}>
        <Group align="flex-end" gap="sm">
          <TextInput label="Whose is this address or domain?" placeholder="192.0.2.7, 2001:db8::1, www.example.org, https://…, soc@example.org, AS64500"
            value={text} onChange={(e) => setText(e.currentTarget.value)} style={{ flex: 1 }} maxLength={320} data-testid="route-input" />
          <Button type="submit" leftSection={<IconRoute size={16} />} loading={busy} data-testid="route-submit">Route</Button>
        </Group>
      </form>
      <ErrorAlert error={error} />
      {answer && (
        <Text size="sm" mt="sm" data-testid="route-answer">
          {m ? (
            <>
              <b>{answer.asked}</b> belongs to{' '}
              <Anchor component={Link} href={`/constituents/${m.constituent.id}`} fw={600}>{m.constituent.name}</Anchor>{' '}
              <Badge size="xs" color={LEVEL_COLORS[m.constituent.criticality]} variant="light">{m.constituent.criticality}</Badge>{' '}
              by its {RULE_LABELS[m.rule]} <code>{m.matched}</code>.
            </>
          ) : <><b>{answer.asked}</b> belongs to no constituent.</>}
        </Text>
      )}
    </Paper>
  );
}
