// One readable sentence per timeline entry, worded by the module the HTML and PDF reports use too
// (src/modules/incidents/event-text.ts). Everything is rendered as text: entry data is whatever
// people typed, and React escapes it. Notes alone are Markdown, through <Markdown>.
import type { TimelineEntry } from '../../api/incidents';
import { formatDate } from '../../components/common';
import { Markdown } from '../../components/Markdown';
import { describeEvent } from '../../../../src/modules/incidents/event-text';

type Label = (c: { class: string; type: string }) => string;

/** What happened, as a sentence after the actor's name ("ana moved the incident from triage to analysis"). */
export function describe(e: Pick<TimelineEntry, 'kind' | 'data'>, label: Label, nameOf: (userId: string) => string): string {
  return describeEvent(e, { date: (iso) => formatDate(iso), classLabel: label, userName: nameOf });
}

/** A note, rendered from Markdown (no raw HTML, safe links only, no images loaded). */
export function NoteBody({ body }: { body: string }) {
  return (
    <Markdown source={body} fz="sm" mt={6} p="sm" bg="dark.8" data-testid="note-text"
      style={{ borderRadius: 'var(--mantine-radius-sm)', borderLeft: '3px solid var(--mantine-color-dark-4)' }} />
  );
}
