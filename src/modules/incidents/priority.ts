import type { Level, Priority, PriorityMatrix } from '../../db/schema.ts';

export const LEVELS: readonly Level[] = ['low', 'medium', 'high', 'critical'];
export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];

/**
 * The default impact x urgency matrix (rows: impact, columns: urgency). Both critical or one
 * critical and one high is P1; both high, or critical with medium, is P2; and so on down.
 */
export const DEFAULT_PRIORITY_MATRIX: PriorityMatrix = {
  critical: { critical: 'P1', high: 'P1', medium: 'P2', low: 'P3' },
  high: { critical: 'P1', high: 'P2', medium: 'P2', low: 'P3' },
  medium: { critical: 'P2', high: 'P2', medium: 'P3', low: 'P4' },
  low: { critical: 'P3', high: 'P3', medium: 'P4', low: 'P4' },
};

export function priorityOf(matrix: PriorityMatrix | null | undefined, impact: Level, urgency: Level): Priority {
  return (matrix ?? DEFAULT_PRIORITY_MATRIX)[impact][urgency];
}
