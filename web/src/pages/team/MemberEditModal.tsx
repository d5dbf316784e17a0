// Editing a member's seats, skills, phone, time zone, languages and notes (admins and managers),
// with the version read: when someone else saved first, the form shows theirs and says so.
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Group, Modal, MultiSelect, Select, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api, ApiError } from '../../api/client';
import { ErrorAlert, fieldErrors } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { SEAT_LABELS, SEATS, TEAM_KEY, TIME_ZONES, type Member, type Seat } from './directoryApi';

interface Draft {
  seats: Seat[];
  skills: string[];
  phone: string;
  timeZone: string | null;
  languages: string[];
  notes: string;
  version: number;
}

const draftOf = (m: Member): Draft => ({ seats: m.seats, skills: m.skills, phone: m.phone, timeZone: m.timeZone, languages: m.languages, notes: m.notes, version: m.version });

export function MemberEditModal({ member, skills, onClose }: { member: Member | null; skills: string[]; onClose: () => void }) {
  const client = useQueryClient();
  const action = useAction();
  const [draft, setDraft] = useState<Draft | null>(null);
  // The name stays in the title while the dialog fades out.
  const [name, setName] = useState('');
  useEffect(() => {
    if (member) {
      setDraft(draftOf(member));
      setName(member.displayName);
    }
    action.setError(null);
  }, [member]);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => (d ? { ...d, [k]: v } : d));
  const errors = fieldErrors(action.error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!member || !draft) return;
    void action.run(async () => {
      try {
        await api.patch<Member>(`/team/members/${member.userId}`, draft);
      } catch (err) {
        // A stale version: keep the user's form but take the version now stored, and say so.
        if (err instanceof ApiError && err.code === 'VIG_DIRECTORY_MEMBER_VERSION_CONFLICT') {
          const current = err.problem.current as Member | undefined;
          if (current) setDraft(draftOf(current));
        }
        throw err;
      }
      await client.invalidateQueries({ queryKey: TEAM_KEY });
      notifications.show({ color: 'teal', message: `${member.displayName}'s profile is saved.` });
      onClose();
    });
  };

  return (
    <Modal opened={member !== null} onClose={onClose} title={<Text fw={600}>{name}: seats and skills</Text>} size="lg">
      {draft && (
        <Stack gap="sm" component="form" onSubmit={submit} data-testid="member-form">
          <ErrorAlert error={action.error} />
          {action.error instanceof ApiError && action.error.code === 'VIG_DIRECTORY_MEMBER_VERSION_CONFLICT' && (
            <Text size="sm" c="yellow.8">Someone saved this profile meanwhile: the form now shows their version. Review it and save again.</Text>
          )}
          <MultiSelect label="Seats" placeholder="Choose seats" data={SEATS.map((s) => ({ value: s, label: SEAT_LABELS[s] }))} value={draft.seats}
            onChange={(v) => set('seats', v as Seat[])} error={errors.seats} data-testid="member-seats" comboboxProps={{ withinPortal: true }} />
          <TagsInput label="Skills" description="Free tags; stored in lower case (e.g. windows-forensics, malware, ot)" data={skills} value={draft.skills}
            onChange={(v) => set('skills', v)} error={errors.skills} maxTags={50} data-testid="member-skills" />
          <Group grow align="flex-start">
            <TextInput label="Phone" placeholder="+49 30 1234567" value={draft.phone} onChange={(e) => set('phone', e.currentTarget.value)} error={errors.phone}
              data-testid="member-phone" />
            <Select label="Time zone" placeholder="The team's" searchable clearable data={TIME_ZONES} value={draft.timeZone} onChange={(v) => set('timeZone', v)}
              error={errors.timeZone} data-testid="member-tz" comboboxProps={{ withinPortal: true }} />
          </Group>
          <TagsInput label="Languages" description="Language tags: en, de, fr, pt-BR" value={draft.languages} onChange={(v) => set('languages', v)}
            error={errors.languages ?? Object.entries(errors).find(([k]) => /^\d+$/.test(k))?.[1]} data-testid="member-languages" />
          <Textarea label="Notes" autosize minRows={2} maxRows={6} maxLength={4000} value={draft.notes} onChange={(e) => set('notes', e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={action.busy} data-testid="member-save">Save</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
