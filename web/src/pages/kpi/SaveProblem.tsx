// A refused save of an activity or a KPI definition, spelled out: the server's list of problems, a
// version conflict (with a button to load the stored version), a clash, or any other error.
import { Alert, Button, List, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ErrorAlert, errorTitle } from '../../components/errors';
import { isConflict, kpiProblems, saveProblemText } from './kpiAdminApi';

export function SaveProblem({ error, what, onLoadTheirs, testId }: {
  error: unknown;
  what: 'activity' | 'KPI definition';
  onLoadTheirs: (() => void) | null;
  testId: string;
}) {
  if (!error) return null;
  const problems = kpiProblems(error);
  const text = saveProblemText(error, what);
  if (!problems && !text) return <ErrorAlert error={error} />;
  return (
    <Alert color={isConflict(error) ? 'yellow' : 'red'} variant="light" icon={<IconAlertTriangle size={18} />} title={errorTitle(error)} role="alert" data-testid="error-alert">
      {text && <Text size="sm" data-testid={`${testId}-problem-text`}>{text}</Text>}
      {problems && <List size="sm" data-testid={`${testId}-problems`}>{problems.map((p, i) => <List.Item key={i}>{p}</List.Item>)}</List>}
      {onLoadTheirs && (
        <Button mt="xs" size="compact-sm" variant="light" color="yellow" onClick={onLoadTheirs} data-testid={`${testId}-load-theirs`}>Load their version</Button>
      )}
    </Alert>
  );
}
