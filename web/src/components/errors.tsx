import { useEffect, useState } from 'react';
import { Alert, List, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiError } from '../api/client';

/** The last segment of a problem+json error path ("/body/newPassword" -> "newPassword"). */
function fieldName(path: string): string {
  const parts = path.split(/[/.[\]]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** Field errors of a failed request, keyed by field name, for the inputs' `error` prop. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (error instanceof ApiError && error.errors) {
    for (const e of error.errors) out[fieldName(e.path)] ??= e.message;
  }
  return out;
}

/** Seconds left before a throttled request may be retried, counting down live. */
export function useRetryCountdown(error: unknown): number {
  const retryAfter = error instanceof ApiError && error.status === 429 ? (error.retryAfter ?? 0) : 0;
  const [left, setLeft] = useState(retryAfter);
  useEffect(() => {
    setLeft(retryAfter);
    if (retryAfter <= 0) return;
    const started = Date.now();
    const timer = window.setInterval(() => {
      const remaining = Math.max(0, Math.ceil(retryAfter - (Date.now() - started) / 1000));
      setLeft(remaining);
      if (remaining === 0) window.clearInterval(timer);
    }, 500);
    return () => window.clearInterval(timer);
  }, [error, retryAfter]);
  return left;
}

export function errorTitle(error: unknown, retryLeft?: number): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const n = retryLeft ?? error.retryAfter;
      return n && n > 0 ? `Too many attempts, try again in ${n} s` : 'Too many attempts, try again shortly';
    }
    return error.title;
  }
  return error instanceof Error ? error.message : 'Something went wrong';
}

/** Shows a failed request: the problem title and, when present, each field error. */
export function ErrorAlert({ error, retryLeft, title }: { error: unknown; retryLeft?: number; title?: string }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? (error.errors ?? []) : [];
  const message = errorTitle(error, retryLeft);
  const list = fields.length > 0 && (
    <List size="sm" mt={4}>
      {fields.map((f, i) => (
        <List.Item key={i}>
          {f.path ? <strong>{fieldName(f.path)}: </strong> : null}
          {f.message}
        </List.Item>
      ))}
    </List>
  );
  const heading = title ?? (list ? message : undefined);
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={heading} role="alert" data-testid="error-alert">
      {title ? message : list ? null : <Text size="sm" fw={500}>{message}</Text>}
      {list}
    </Alert>
  );
}
