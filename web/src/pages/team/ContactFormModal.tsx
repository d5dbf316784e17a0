// Creating or changing an external contact (admins and managers). The server checks the PGP key
// and says why one is refused; each problem is shown at its field.
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Grid, Group, Modal, Select, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api, ApiError } from '../../api/client';
import type { Tlp } from '../../api/incidents';
import type { Body } from '../../api/schema';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { TLP_OPTIONS } from '../incidents/DeclareIncidentModal';
import { CONTACT_KINDS, CONTACTS_KEY, KIND_LABELS, TIME_ZONES, type Contact, type ContactKind } from './directoryApi';

type Draft = Omit<Contact, 'id' | 'pgpFingerprint' | 'createdBy' | 'createdAt' | 'updatedAt' | 'version'>;
const EMPTY: Draft = {
  kind: 'forensics', name: '', organisation: '', purpose: '', contractRef: '', email: '', phone: '', emergencyPhone: '', hours: '', timeZone: null,
  url: '', pgpKey: '', tlp: 'AMBER', notes: '', active: true,
};
const draftOf = (c: Contact): Draft => ({
  kind: c.kind, name: c.name, organisation: c.organisation, purpose: c.purpose, contractRef: c.contractRef, email: c.email ?? '', phone: c.phone ?? '',
  emergencyPhone: c.emergencyPhone ?? '', hours: c.hours, timeZone: c.timeZone, url: c.url ?? '', pgpKey: c.pgpKey ?? '', tlp: c.tlp, notes: c.notes, active: c.active,
});

export function ContactFormModal({ editing, onClose, onSaved }: { editing: Contact | 'new' | null; onClose: () => void; onSaved: (c: Contact) => void }) {
  const client = useQueryClient();
  const action = useAction();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  useEffect(() => {
    setDraft(editing && editing !== 'new' ? draftOf(editing) : EMPTY);
    action.setError(null);
  }, [editing]);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const errors = fieldErrors(action.error);
  const unreachable = action.error instanceof ApiError && action.error.code === 'VIG_CONTACT_UNREACHABLE';
  const reachError = unreachable ? 'Give an e-mail address or a phone number' : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const body: Body<'contacts.create'> = { ...draft, pgpKey: draft.pgpKey?.trim() ? draft.pgpKey : null, timeZone: draft.timeZone || null };
      const saved = editing && editing !== 'new'
        ? await api.patch<Contact>(`/contacts/${editing.id}`, { ...body, version: editing.version })
        : await api.post<Contact>('/contacts', body);
      await client.invalidateQueries({ queryKey: CONTACTS_KEY });
      notifications.show({ color: 'teal', message: `${saved.name} is saved.` });
      onSaved(saved);
    });
  };

  return (
    <Modal opened={editing !== null} onClose={onClose} size="xl" title={<Text fw={600}>{editing === 'new' ? 'New external contact' : `Edit ${draft.name}`}</Text>}>
      <Stack gap="sm" component="form" onSubmit={submit} data-testid="contact-form">
        <ErrorAlert error={action.error} />
        {action.error instanceof ApiError && action.error.code === 'VIG_CONTACT_VERSION_CONFLICT' && (
          <Text size="sm" c="yellow.8">Someone changed this contact meanwhile. Close the form and open the contact again to see their version.</Text>
        )}
        <Grid>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <Select label="Kind" required allowDeselect={false} data={CONTACT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))} value={draft.kind}
              onChange={(v) => v && set('kind', v as ContactKind)} data-testid="contact-kind" comboboxProps={{ withinPortal: true }} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <TextInput label="Name" required maxLength={200} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} error={errors.name} data-testid="contact-name" />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <TextInput label="Organisation" maxLength={200} value={draft.organisation} onChange={(e) => set('organisation', e.currentTarget.value)} />
          </Grid.Col>
          <Grid.Col span={12}>
            <Text fw={600} size="sm">How to reach them at any hour</Text>
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <TextInput label="24/7 phone" placeholder="+49 30 555 0199" value={draft.emergencyPhone ?? ''} onChange={(e) => set('emergencyPhone', e.currentTarget.value)}
              error={errors.emergencyPhone ?? reachError} data-testid="contact-emergency-phone" />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <TextInput label="Phone" value={draft.phone ?? ''} onChange={(e) => set('phone', e.currentTarget.value)} error={errors.phone ?? reachError} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <TextInput label="E-mail" type="email" value={draft.email ?? ''} onChange={(e) => set('email', e.currentTarget.value)} error={errors.email ?? reachError}
              data-testid="contact-email" />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput label="Hours" placeholder="Mon–Fri 08:00–18:00; hotline 24/7" maxLength={500} value={draft.hours} onChange={(e) => set('hours', e.currentTarget.value)} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 3 }}>
            <Select label="Time zone" searchable clearable data={TIME_ZONES} value={draft.timeZone} onChange={(v) => set('timeZone', v)} error={errors.timeZone}
              comboboxProps={{ withinPortal: true }} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 3 }}>
            <TextInput label="Web page" placeholder="https://" value={draft.url ?? ''} onChange={(e) => set('url', e.currentTarget.value)} error={errors.url} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Textarea label="What they are for" autosize minRows={2} maxLength={2000} value={draft.purpose} onChange={(e) => set('purpose', e.currentTarget.value)} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Textarea label="Contract / policy references" autosize minRows={2} maxLength={500} value={draft.contractRef} onChange={(e) => set('contractRef', e.currentTarget.value)} />
          </Grid.Col>
          <Grid.Col span={12}>
            <Textarea label="PGP public key" placeholder="-----BEGIN PGP PUBLIC KEY BLOCK-----" autosize minRows={2} maxRows={8} ff="monospace" value={draft.pgpKey ?? ''}
              onChange={(e) => set('pgpKey', e.currentTarget.value)} error={errors.pgpKey} data-testid="contact-pgp" styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 8 }}>
            <Textarea label="Notes" autosize minRows={2} maxLength={4000} value={draft.notes} onChange={(e) => set('notes', e.currentTarget.value)} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <Stack gap="sm">
              <Select label="TLP of this entry" allowDeselect={false} data={TLP_OPTIONS} value={draft.tlp} onChange={(v) => v && set('tlp', v as Tlp)} comboboxProps={{ withinPortal: true }} />
              <Switch label="Active" checked={draft.active} onChange={(e) => set('active', e.currentTarget.checked)} />
            </Stack>
          </Grid.Col>
        </Grid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button type="submit" loading={action.busy} data-testid="contact-save">Save</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
