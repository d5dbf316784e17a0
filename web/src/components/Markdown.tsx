// Markdown that people typed, rendered under the server's rules (src/lib/markdown.ts, shared with the HTML export): raw HTML
// shows as text, links go only to http(s) or mailto and open in a new tab, images become links.
import { useMemo } from 'react';
import { Typography, type BoxProps } from '@mantine/core';
import { renderMarkdown } from '../../../src/lib/markdown';
import classes from './Markdown.module.css';

export function Markdown({ source, className, ...box }: BoxProps & { source: string; 'data-testid'?: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return (
    <Typography {...box} className={className ? `${classes.root} ${className}` : classes.root}
      // The HTML comes from renderMarkdown only, which escapes everything people typed.
      dangerouslySetInnerHTML={{ __html: html }} />
  );
}
