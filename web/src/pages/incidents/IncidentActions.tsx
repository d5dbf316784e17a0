import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Menu, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconArrowRight, IconChevronDown, IconCircleCheck, IconPencil, IconRotate } from '@tabler/icons-react';
import { api, ApiError } from '../../api/client';
import { humanize, nextStatuses, RESOLUTIONS, type Incident, type Resolution } from '../../api/incidents';
import { useIncident, useIncidentWrite } from './useIncidentWrite';
import { EditIncidentModal } from './EditIncidentModal';

const base = (i: Incident) => `/incidents/${encodeURIComponent(i.id)}`;

const RESOLUTION_HELP: Record<Resolution, string> = {
  resolved: 'Handled and finished.',
  false_positive: 'Turned out not to be an incident.',
  duplicate: 'Already handled as another incident.',
  outside_mandate: 'Not ours to handle (another team or no constituent).',
  no_action_possible: 'Nothing more can be done.',
};

function CloseModal({ opened, onClose, onLessons }: { opened: boolean; onClose: () => void; onLessons: () => void }) {
  const { incident } = useIncident();
  const [resolution, setResolution] = useState<Resolution | null>(null);
  const [duplicateOf, setDuplicateOf] = useState('');
  const write = useIncidentWrite(() => onClose());
  const needsLessons = write.error instanceof ApiError && write.error.code === 'VIG_INCIDENT_LESSONS_REQUIRED';
  const valid = resolution && (resolution !== 'duplicate' || duplicateOf.trim());

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!resolution || !valid) return;
    const dup = duplicateOf.trim().toUpperCase();
    void write.run(incident.version, (version) =>
      api.post<Incident>(`${base(incident)}/close`, { version, resolution, ...(resolution === 'duplicate' ? { duplicateOf: dup } : {}) }));
  };

  return (
    <Modal opened={opened} onClose={() => !write.busy && onClose()} title={<Text fw={600}>Close {incident.reference}</Text>}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {needsLessons ? (
            <Alert color="orange" variant="light" title={write.error instanceof ApiError ? write.error.title : ''} data-testid="close-needs-lessons">
              <Text size="sm">Record the lessons-learned review of this {incident.priority} incident first, then close it.</Text>
              <Button size="xs" mt="sm" variant="light" color="orange" onClick={() => { onClose(); onLessons(); }}>Go to lessons learned</Button>
            </Alert>
          ) : write.alert}
          <Select label="Resolution" required data={RESOLUTIONS.map((r) => ({ value: r, label: humanize(r) }))} value={resolution}
            onChange={(v) => setResolution(v as Resolution | null)} description={resolution ? RESOLUTION_HELP[resolution] : undefined}
            data-testid="close-resolution" comboboxProps={{ withinPortal: true }} />
          {resolution === 'duplicate' && (
            <TextInput label="Duplicate of" required placeholder="VIG-2026-00001" value={duplicateOf}
              description="The reference of the incident this one duplicates." onChange={(e) => setDuplicateOf(e.currentTarget.value)}
              data-testid="close-duplicate-of" />
          )}
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose} disabled={write.busy}>Cancel</Button>
            <Button type="submit" color="red" loading={write.busy} disabled={!valid} data-testid="close-submit">Close incident</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ReopenModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { incident } = useIncident();
  const [reason, setReason] = useState('');
  const write = useIncidentWrite(() => onClose());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = reason.trim();
    if (!r) return;
    void write.run(incident.version, (version) => api.post<Incident>(`${base(incident)}/reopen`, { version, reason: r }));
  };
  return (
    <Modal opened={opened} onClose={() => !write.busy && onClose()} title={<Text fw={600}>Reopen {incident.reference}</Text>}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">The incident goes back to analysis and its resolution is cleared.</Text>
          {write.alert}
          <Textarea label="Reason" required autosize minRows={2} maxLength={2000} value={reason}
            onChange={(e) => setReason(e.currentTarget.value)} data-testid="reopen-reason" />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose} disabled={write.busy}>Cancel</Button>
            <Button type="submit" loading={write.busy} disabled={!reason.trim()} data-testid="reopen-submit">Reopen</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The write buttons of the incident header, each shown as the incident's `allowed` says. */
export function IncidentActions({ onLessons, move }: { onLessons: () => void; move: ReturnType<typeof useIncidentWrite> }) {
  const { incident } = useIncident();
  const [modal, setModal] = useState<'close' | 'reopen' | 'edit' | null>(null);
  const { allowed } = incident;
  const targets = nextStatuses(incident.status);

  return (
    <>
      <Group gap="xs">
        {allowed.update && (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button variant="light" rightSection={<IconChevronDown size={14} />} loading={move.busy} disabled={targets.length === 0}
                data-testid="incident-move">
                Move to…
              </Button>
            </Menu.Target>
            <Menu.Dropdown data-testid="incident-move-menu">
              <Menu.Label>Next phase</Menu.Label>
              {targets.map((s) => (
                <Menu.Item key={s} leftSection={<IconArrowRight size={14} />} data-status={s}
                  onClick={() => void move.run(incident.version, (version) => api.post<Incident>(`${base(incident)}/status`, { version, status: s }))}>
                  {humanize(s)}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
        )}
        {allowed.update && (
          <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => setModal('edit')} data-testid="incident-edit">Edit</Button>
        )}
        {allowed.reopen && (
          <Button variant="light" leftSection={<IconRotate size={16} />} onClick={() => setModal('reopen')} data-testid="incident-reopen">Reopen</Button>
        )}
        {allowed.close && (
          <Button color="red" variant="light" leftSection={<IconCircleCheck size={16} />} onClick={() => setModal('close')} data-testid="incident-close">
            Close
          </Button>
        )}
      </Group>
      {/* Mounted only while open, so each opening starts from the incident as it is now. */}
      {modal === 'close' && <CloseModal opened onClose={() => setModal(null)} onLessons={onLessons} />}
      {modal === 'reopen' && <ReopenModal opened onClose={() => setModal(null)} />}
      {modal === 'edit' && <EditIncidentModal opened onClose={() => setModal(null)} />}
    </>
  );
}
