// The triage queue's keyboard: one table of shortcuts feeds the key handler, the hint line under
// the filters and the `?` help overlay, so the three never disagree.
import { useEffect, useRef } from 'react';
import { Group, Kbd, Modal, Table, Text } from '@mantine/core';

export type ShortcutId = 'next' | 'previous' | 'toggle' | 'open' | 'acknowledge' | 'declare' | 'link' | 'dismiss' | 'search' | 'clear' | 'help';

interface Shortcut {
  id: ShortcutId;
  keys: string[];
  /** For aria-keyshortcuts: the keys as KeyboardEvent.key values. */
  aria: string;
  what: string;
  /** Needs the right to triage. */
  triage?: boolean;
  hint?: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'next', keys: ['j', '↓'], aria: 'j ArrowDown', what: 'Move to the next item', hint: 'next' },
  { id: 'previous', keys: ['k', '↑'], aria: 'k ArrowUp', what: 'Move to the previous item', hint: 'previous' },
  { id: 'toggle', keys: ['x'], aria: 'x', what: 'Select or unselect the current item', hint: 'select', triage: true },
  { id: 'open', keys: ['Enter'], aria: 'Enter', what: 'Open the current item', hint: 'open' },
  { id: 'acknowledge', keys: ['a'], aria: 'a', what: 'Acknowledge the selected alerts (someone is on them)', hint: 'acknowledge', triage: true },
  { id: 'declare', keys: ['d'], aria: 'd', what: 'Declare an incident from the selected items', hint: 'declare', triage: true },
  { id: 'link', keys: ['l'], aria: 'l', what: 'Link the selected items to an incident', hint: 'link', triage: true },
  { id: 'dismiss', keys: ['r'], aria: 'r', what: 'Reject reports / dismiss alerts, with a reason', hint: 'reject/dismiss', triage: true },
  { id: 'search', keys: ['/'], aria: '/', what: 'Search', hint: 'search' },
  { id: 'clear', keys: ['Esc'], aria: 'Escape', what: 'Clear the selection' },
  { id: 'help', keys: ['?'], aria: '?', what: 'Show this help', hint: 'help' },
];

export const ariaKeys = (id: ShortcutId): string => SHORTCUTS.find((s) => s.id === id)?.aria ?? '';

const KEY_TO_ID = new Map<string, ShortcutId>(
  SHORTCUTS.flatMap((s) => s.aria.split(' ').map((k) => [k, s.id] as [string, ShortcutId])),
);

/** True when a key press belongs to a form field or an open dialog, not to the queue. */
export function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t || !(t instanceof HTMLElement)) return false;
  if (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) return true;
  if (t.closest('[role="dialog"], [role="listbox"], [role="menu"]') !== null) return true;
  return document.querySelector('[role="dialog"]') !== null;
}

/**
 * Calls `on(id)` for the queue's shortcuts while `enabled`; a handler returning false lets the
 * key through (no preventDefault). The handler may change on every render.
 */
export function useShortcuts(on: (id: ShortcutId) => boolean | void, enabled: boolean): void {
  const latest = useRef(on);
  latest.current = on;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || typing(e)) return;
      const id = KEY_TO_ID.get(e.key);
      if (!id) return;
      // Enter on a focused button or link is that control's own.
      if (id === 'open' && e.target instanceof Element && e.target.closest('button, a, [role="button"], [role="tab"]')) return;
      if (latest.current(id) === false) return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}

/** The one-line reminder under the filters. */
export function HintLine({ canTriage }: { canTriage: boolean }) {
  return (
    <Group gap="md" wrap="wrap" data-testid="shortcut-hints" aria-label="Keyboard shortcuts">
      {SHORTCUTS.filter((s) => s.hint && (canTriage || !s.triage)).map((s) => (
        <Group key={s.id} gap={4} wrap="nowrap">
          <Kbd size="xs">{s.keys[0]}</Kbd>
          <Text span size="xs" c="dimmed">{s.hint}</Text>
        </Group>
      ))}
    </Group>
  );
}

/** The `?` overlay: every shortcut with what it does. */
export function ShortcutHelp({ opened, onClose, canTriage }: { opened: boolean; onClose: () => void; canTriage: boolean }) {
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>Keyboard shortcuts</Text>} size="md">
      <Table verticalSpacing={6} data-testid="shortcut-help">
        <Table.Tbody>
          {SHORTCUTS.filter((s) => canTriage || !s.triage).map((s) => (
            <Table.Tr key={s.id}>
              <Table.Td w={110}>
                <Group gap={4} wrap="nowrap">{s.keys.map((k) => <Kbd key={k} size="sm">{k}</Kbd>)}</Group>
              </Table.Td>
              <Table.Td><Text size="sm">{s.what}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt="sm">
        Shortcuts do nothing while you type in a field. Actions work on the selected items, or on the current one when none is selected.
        {!canTriage && ' Your role reads the queue only.'}
      </Text>
    </Modal>
  );
}
