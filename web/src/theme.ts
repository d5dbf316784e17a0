import { alpha, createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

// Navy/slate surfaces: Mantine's dark mode reads dark[0] as text, dark[7] as the page.
const dark: MantineColorsTuple = [
  '#d5dce6',
  '#b3bfcf',
  '#8a98ad',
  '#64738c',
  '#3b4861',
  '#2c3850',
  '#222d43',
  '#1a2337',
  '#131b2c',
  '#0d1422',
];

// The accent: a calm signal teal.
const signal: MantineColorsTuple = [
  '#e2fbfd',
  '#c4f2f7',
  '#93e4ee',
  '#5dd3e3',
  '#36c3d6',
  '#1fb3c8',
  '#159fb3',
  '#0e8799',
  '#0a6e7d',
  '#075561',
];

const system =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif';
const mono = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';

export const theme = createTheme({
  colors: { dark, signal },
  primaryColor: 'signal',
  primaryShade: { light: 7, dark: 7 },
  fontFamily: system,
  fontFamilyMonospace: mono,
  headings: { fontFamily: system, fontWeight: '600' },
  defaultRadius: 'sm',
  cursorType: 'pointer',
  components: {
    Table: { defaultProps: { verticalSpacing: 6, horizontalSpacing: 'sm', fz: 'sm' } },
    Badge: { defaultProps: { radius: 'sm' } },
    Paper: { defaultProps: { radius: 'md' } },
    Modal: { defaultProps: { centered: true, overlayProps: { backgroundOpacity: 0.6, blur: 2 } } },
    Tooltip: { defaultProps: { withArrow: true } },
  },
});

/**
 * Mantine's dark "light" variant is an opaque, darkened shade, which makes alerts and badges
 * loud on navy. Use a translucent tint of the colour instead, with a readable pale text.
 */
export const cssVariablesResolver: CSSVariablesResolver = (t) => {
  const dark: Record<string, string> = {};
  for (const [name, shades] of Object.entries(t.colors)) {
    if (name === 'dark') continue;
    dark[`--mantine-color-${name}-light`] = alpha(shades[6], 0.14);
    dark[`--mantine-color-${name}-light-hover`] = alpha(shades[6], 0.22);
    dark[`--mantine-color-${name}-light-color`] = shades[3];
  }
  return { variables: {}, light: {}, dark };
};
