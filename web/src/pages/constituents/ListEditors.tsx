// Editing a constituent's contacts and agreements as rows: add, change, remove.
import { ActionIcon, Button, Grid, Group, Paper, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { CONTACT_KINDS, type Agreement, type ContactDraft, type ContactKind } from './constituentsApi';

const NEW_CONTACT: ContactDraft = { kind: 'security', name: '', email: '', phone: '', pgpKey: '', language: '', hours: '' };
const NEW_AGREEMENT: Agreement = { kind: 'mou', reference: '', startsOn: null, endsOn: null, notes: '' };

function replace<T>(xs: T[], i: number, patch: Partial<T>): T[] {
  return xs.map((x, k) => (k === i ? { ...x, ...patch } : x));
}

export function ContactsEditor({ value, onChange }: { value: ContactDraft[]; onChange: (v: ContactDraft[]) => void }) {
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text fw={600} size="sm">Contacts</Text>
        <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => onChange([...value, { ...NEW_CONTACT }])} data-testid="cf-add-contact">Add contact</Button>
      </Group>
      {value.map((c, i) => (
        <Paper key={i} withBorder p="xs" data-testid="cf-contact">
          <Grid gap="xs">
            <Grid.Col span={{ base: 6, sm: 2 }}>
              <Select size="xs" label="Kind" data={CONTACT_KINDS} value={c.kind} allowDeselect={false} onChange={(v) => v && onChange(replace(value, i, { kind: v as ContactKind }))} />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}><TextInput size="xs" label="Name" maxLength={200} value={c.name} onChange={(e) => onChange(replace(value, i, { name: e.currentTarget.value }))} /></Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}><TextInput size="xs" label="E-mail" type="email" maxLength={320} value={c.email ?? ''} onChange={(e) => onChange(replace(value, i, { email: e.currentTarget.value }))} data-testid="cf-contact-email" /></Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}><TextInput size="xs" label="Phone" maxLength={40} value={c.phone ?? ''} onChange={(e) => onChange(replace(value, i, { phone: e.currentTarget.value }))} /></Grid.Col>
            <Grid.Col span={{ base: 12, sm: 1 }}>
              <ActionIcon mt={{ sm: 22 }} variant="subtle" color="red" aria-label="Remove contact" onClick={() => onChange(value.filter((_, k) => k !== i))}><IconTrash size={16} /></ActionIcon>
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 2 }}><TextInput size="xs" label="Language" maxLength={50} value={c.language} onChange={(e) => onChange(replace(value, i, { language: e.currentTarget.value }))} /></Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}><TextInput size="xs" label="Hours" placeholder="Mon-Fri 08-18 CET, 24/7" maxLength={200} value={c.hours} onChange={(e) => onChange(replace(value, i, { hours: e.currentTarget.value }))} /></Grid.Col>
            <Grid.Col span={{ base: 12, sm: 7 }}>
              <Textarea size="xs" label="PGP public key" placeholder="-----BEGIN PGP PUBLIC KEY BLOCK-----" autosize minRows={1} maxRows={4} value={c.pgpKey ?? ''}
                onChange={(e) => onChange(replace(value, i, { pgpKey: e.currentTarget.value }))} styles={{ input: { fontFamily: 'monospace', fontSize: 11 } }} data-testid="cf-contact-pgp" />
            </Grid.Col>
          </Grid>
        </Paper>
      ))}
    </Stack>
  );
}

export function AgreementsEditor({ value, onChange }: { value: Agreement[]; onChange: (v: Agreement[]) => void }) {
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text fw={600} size="sm">Agreements</Text>
        <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => onChange([...value, { ...NEW_AGREEMENT }])} data-testid="cf-add-agreement">Add agreement</Button>
      </Group>
      {value.map((a, i) => (
        <Paper key={i} withBorder p="xs" data-testid="cf-agreement">
          <Grid gap="xs">
            <Grid.Col span={{ base: 6, sm: 2 }}>
              <Select size="xs" label="Kind" data={[{ value: 'mou', label: 'MoU' }, { value: 'sla', label: 'SLA' }]} value={a.kind} allowDeselect={false}
                onChange={(v) => v && onChange(replace(value, i, { kind: v as Agreement['kind'] }))} />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}><TextInput size="xs" label="Reference" maxLength={200} value={a.reference} onChange={(e) => onChange(replace(value, i, { reference: e.currentTarget.value }))} /></Grid.Col>
            <Grid.Col span={{ base: 6, sm: 2 }}><TextInput size="xs" label="Starts" type="date" value={a.startsOn ?? ''} onChange={(e) => onChange(replace(value, i, { startsOn: e.currentTarget.value || null }))} /></Grid.Col>
            <Grid.Col span={{ base: 6, sm: 2 }}><TextInput size="xs" label="Ends" type="date" value={a.endsOn ?? ''} onChange={(e) => onChange(replace(value, i, { endsOn: e.currentTarget.value || null }))} /></Grid.Col>
            <Grid.Col span={{ base: 10, sm: 2 }}><TextInput size="xs" label="Notes" maxLength={2000} value={a.notes} onChange={(e) => onChange(replace(value, i, { notes: e.currentTarget.value }))} /></Grid.Col>
            <Grid.Col span={{ base: 2, sm: 1 }}>
              <ActionIcon mt={22} variant="subtle" color="red" aria-label="Remove agreement" onClick={() => onChange(value.filter((_, k) => k !== i))}><IconTrash size={16} /></ActionIcon>
            </Grid.Col>
          </Grid>
        </Paper>
      ))}
    </Stack>
  );
}
