// One part of the screen that fails shows a message in its own place; the rest of the app, and what
// was typed there, stays as it was. Wrapped around each page and around each tab of the incident page.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Alert, Button, Group, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';

interface Props {
  /** What this part is, for people: "This page", "The timeline". */
  area: string;
  /** When this changes (another page, another incident), a failed part tries again by itself. */
  resetKey?: unknown;
  children: ReactNode;
}

interface BoundaryProps extends Props {
  /** Before trying again: forget what the failed part had loaded, so it loads afresh. */
  onRetry: () => void;
}

interface State {
  error: Error | null;
  resetKey: unknown;
}

class Boundary extends Component<BoundaryProps, State> {
  state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: BoundaryProps, state: State): Partial<State> | null {
    return Object.is(props.resetKey, state.resetKey) ? null : { error: null, resetKey: props.resetKey };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error(`${this.props.area} failed`, error, info.componentStack);
  }

  retry = () => {
    this.props.onRetry();
    this.setState({ error: null });
  };

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={`${this.props.area} could not be shown`}
        role="alert" data-testid="area-error" data-area={this.props.area}>
        <Text size="sm">
          Something went wrong in this part of the screen. The rest of the app still works, and what you typed elsewhere is kept.
          Try again; if it keeps failing, reload the page and tell your administrator what you were doing.
        </Text>
        <Text size="xs" c="dimmed" ff="monospace" mt={6} style={{ overflowWrap: 'anywhere' }}>{error.message}</Text>
        <Group gap="sm" mt="sm">
          <Button size="xs" variant="default" leftSection={<IconRefresh size={14} />} onClick={this.retry} data-testid="area-retry">
            Try again
          </Button>
          <Button size="xs" variant="subtle" onClick={() => window.location.reload()}>Reload the page</Button>
        </Group>
      </Alert>
    );
  }
}

/**
 * The boundary, with a retry that drops the data no mounted part is showing (the failed part's
 * among it: it never subscribed, or unsubscribed when it failed), so that part fetches afresh
 * rather than failing again on the same answer.
 */
export function ErrorBoundary(props: Props) {
  const client = useQueryClient();
  return <Boundary {...props} onRetry={() => client.removeQueries({ type: 'inactive' })} />;
}
