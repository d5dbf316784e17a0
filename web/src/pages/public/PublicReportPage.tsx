// The public web form: anyone reports an incident without an account, and gets a reference and a
// private status link. Sent as multipart/form-data, which the server keeps byte for byte.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, FileInput, Group, Radio, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconCircleCheck, IconPaperclip, IconSend } from '@tabler/icons-react';
import type { Tlp } from '../../api/incidents';
import { formatDate, SecretValue } from '../../components/common';
import { ErrorAlert, fieldErrors, useRetryCountdown } from '../../components/errors';
import { useAction } from '../../components/useAction';
import { Link } from '../../router';
import { PublicLayout } from './PublicLayout';
import { fileProblem, formatBytes, publicApi, TLP_CHOICES, type Receipt, type ReportCreated } from './publicApi';

interface Draft {
  name: string;
  email: string;
  organisation: string;
  phone: string;
  what: string;
  when: string;
  systems: string;
  tlp: Tlp;
  updates: boolean;
}

const EMPTY: Draft = { name: '', email: '', organisation: '', phone: '', what: '', when: '', systems: '', tlp: 'AMBER', updates: true };
const REQUIRED = ['name', 'email', 'organisation', 'what'] as const;
const ONE_LINE = /[\r\n]/;
// Off-screen rather than display:none, which some bots check for.
const TRAP_STYLE = { position: 'absolute', left: '-10000px', top: 'auto', width: 1, height: 1, overflow: 'hidden' } as const;

/** The datetime-local value as an instant with its offset, as the server wants it. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : '');
const nowLocal = () => {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function PublicReportPage() {
  const [done, setDone] = useState<{ created?: ReportCreated; queued?: Receipt } | null>(null);
  return (
    <PublicLayout title="Report an incident">
      {done ? <Confirmation {...done} onAnother={() => setDone(null)} /> : <ReportForm onDone={setDone} />}
    </PublicLayout>
  );
}

function ReportForm({ onDone }: { onDone: (r: { created?: ReportCreated; queued?: Receipt }) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [files, setFiles] = useState<File[]>([]);
  const [trap, setTrap] = useState('');
  const [tried, setTried] = useState(false);
  const { busy, error, run } = useAction();
  const retryLeft = useRetryCountdown(error);
  const limits = useQuery({ queryKey: ['public-form-limits'], queryFn: publicApi.limits, staleTime: 300_000 });
  const server = fieldErrors(error);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const local: Record<string, string> = {};
  for (const k of REQUIRED) if (!draft[k].trim()) local[k] = k === 'what' ? 'Tell us what happened' : 'Required';
  for (const k of ['name', 'email', 'organisation', 'phone'] as const) if (ONE_LINE.test(draft[k])) local[k] = 'One line only';
  if (draft.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(draft.email.trim())) local.email = 'An e-mail address, like name@example.org';
  const filesWrong = fileProblem(files, limits.data);
  const errs = { ...server, ...(tried ? local : {}) };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(local).length > 0 || filesWrong) return;
    await run(async () => {
      const fd = new FormData();
      fd.append('name', draft.name.trim());
      fd.append('email', draft.email.trim());
      fd.append('organisation', draft.organisation.trim());
      if (draft.phone.trim()) fd.append('phone', draft.phone.trim());
      fd.append('what', draft.what);
      if (draft.when) fd.append('when', isoOf(draft.when));
      if (draft.systems.trim()) fd.append('systems', draft.systems);
      fd.append('tlp', draft.tlp);
      if (draft.updates) fd.append('updates', 'on');
      if (trap) fd.append('homepage', trap);
      for (const f of files) fd.append('attachment', f, f.name);
      onDone(await publicApi.report(fd));
    });
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="report-heading" data-testid="public-report-form">
      <Stack gap="md">
        <div>
          <Title id="report-heading" order={1} fz={{ base: 22, sm: 26 }}>Report an incident</Title>
          <Text size="sm" c="dimmed" mt={4}>
            Tell the team what happened. You do not need an account. You will get a reference and a private link to follow
            your report and add to it.
          </Text>
        </div>
        <ErrorAlert error={error} retryLeft={retryLeft} />

        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput label="Your name" name="name" autoComplete="name" required maxLength={200} value={draft.name} error={errs.name}
            onChange={(e) => set('name', e.currentTarget.value)} data-testid="public-name" />
          <TextInput label="E-mail" name="email" type="email" autoComplete="email" inputMode="email" required maxLength={254} value={draft.email}
            error={errs.email} onChange={(e) => set('email', e.currentTarget.value)} data-testid="public-email" />
          <TextInput label="Organisation" name="organisation" autoComplete="organization" required maxLength={200} value={draft.organisation}
            error={errs.organisation} onChange={(e) => set('organisation', e.currentTarget.value)} data-testid="public-organisation" />
          <TextInput label="Phone (optional, to call you back)" name="phone" type="tel" autoComplete="tel" maxLength={60} value={draft.phone} error={errs.phone}
            onChange={(e) => set('phone', e.currentTarget.value)} data-testid="public-phone" />
        </SimpleGrid>

        <Textarea label="What happened?" name="what" required autosize minRows={5} maxRows={16} maxLength={50_000} value={draft.what} error={errs.what}
          description="What you saw, who and what is affected, what you have done so far. The first line becomes the title."
          onChange={(e) => set('what', e.currentTarget.value)} data-testid="public-what" />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput label="When did it happen? (optional)" name="when" type="datetime-local" max={nowLocal()} value={draft.when} error={errs.when}
            description="Your local time; a best guess is fine" onChange={(e) => set('when', e.currentTarget.value)} data-testid="public-when" />
          <Textarea label="Affected systems (optional)" name="systems" autosize minRows={1} maxRows={6} maxLength={5000} value={draft.systems}
            error={errs.systems} description="Names, addresses, locations" onChange={(e) => set('systems', e.currentTarget.value)} data-testid="public-systems" />
        </SimpleGrid>

        <Radio.Group label="Who may the team share this with?" name="tlp" value={draft.tlp} onChange={(v) => set('tlp', v as Tlp)} error={errs.tlp}
          description="The Traffic Light Protocol (TLP). If unsure, keep AMBER." data-testid="public-tlp">
          <Stack gap="xs" mt="xs">
            {TLP_CHOICES.map((c) => (
              <Radio key={c.value} value={c.value} label={c.label} description={c.description} data-testid={`public-tlp-${c.value}`} />
            ))}
          </Stack>
        </Radio.Group>

        <FileInput label="Files (optional)" multiple clearable value={files} onChange={setFiles} leftSection={<IconPaperclip size={16} />}
          placeholder="Screenshots, mails (.eml), logs…" error={(tried && filesWrong) || undefined}
          description={limits.data ? `Up to ${limits.data.maxFiles} files, each at most ${formatBytes(limits.data.attachmentMaxBytes)}. Archives are kept as they are, never opened automatically.` : undefined}
          data-testid="public-files" />

        <Checkbox label="Keep me updated by e-mail" description="We write to you when the handling of your report changes."
          checked={draft.updates} onChange={(e) => set('updates', e.currentTarget.checked)} data-testid="public-updates" />

        {/* Only software fills this in: people never see it, screen readers skip it. */}
        <div aria-hidden="true" style={TRAP_STYLE}>
          <label htmlFor="public-homepage">Leave this field empty</label>
          <input id="public-homepage" name="homepage" type="text" tabIndex={-1} autoComplete="off" value={trap}
            onChange={(e) => setTrap(e.currentTarget.value)} />
        </div>

        <Button type="submit" size="md" leftSection={<IconSend size={18} />} loading={busy} disabled={retryLeft > 0} fullWidth data-testid="public-submit">
          Send report
        </Button>
        <Text size="xs" c="dimmed">
          What you send is kept exactly as sent, with your address and browser, to handle your report and to keep this form free of abuse.
        </Text>
      </Stack>
    </form>
  );
}

function Confirmation({ created, queued, onAnother }: { created?: ReportCreated; queued?: Receipt; onAnother: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  if (!created) {
    return (
      <Stack gap="md" data-testid="public-report-queued">
        <Title ref={heading} tabIndex={-1} order={1} fz={{ base: 22, sm: 26 }}>Your report is in</Title>
        <Alert color="yellow" variant="light" title="It will be filed by hand">
          We kept everything you sent, but could not file it automatically. The team will do it; no status link is available for it.
        </Alert>
        <Text size="sm">Your receipt, to quote if you contact the team:</Text>
        <SecretValue value={queued?.receipt ?? ''} label="Receipt" testId="public-receipt" />
        <Button variant="default" onClick={onAnother}>Report something else</Button>
      </Stack>
    );
  }
  const url = new URL(created.statusUrl, window.location.origin);
  const sameSite = url.origin === window.location.origin;
  return (
    <Stack gap="md" data-testid="public-report-done">
      <Group gap="xs" wrap="nowrap" align="center">
        <IconCircleCheck size={28} color="var(--mantine-color-teal-5)" aria-hidden />
        <Title ref={heading} tabIndex={-1} order={1} fz={{ base: 22, sm: 26 }}>Thank you, your report is in</Title>
      </Group>
      <div>
        <Text size="sm" mb={4}>Your reference, to quote when you contact the team:</Text>
        <SecretValue value={created.reference} label="Reference" testId="public-reference" />
      </div>
      <div>
        <Text size="sm" mb={4}>
          Your private status link. Keep it: with it you can follow your report and add information. Anyone who has it can do the same,
          so share it only with people you trust. It works until {formatDate(created.expiresAt)}.
        </Text>
        <SecretValue value={url.href} label="Status link" testId="public-status-link" />
      </div>
      <Stack gap="xs">
        {sameSite ? (
          <Button component={Link} href={url.pathname} data-testid="public-open-status">Open the status page</Button>
        ) : (
          <Button component="a" href={url.href} data-testid="public-open-status">Open the status page</Button>
        )}
        <Button variant="default" onClick={onAnother}>Report something else</Button>
      </Stack>
    </Stack>
  );
}
