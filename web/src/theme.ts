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
  // Filled buttons and badges take shade 8 and the text colour with the better contrast: white up
  // to a luminance of 0.183, black above it, so every filled label meets WCAG AA (4.5:1).
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  luminanceThreshold: 0.183,
  fontFamily: system,
  fontFamilyMonospace: mono,
  headings: { fontFamily: system, fontWeight: '600' },
  defaultRadius: 'sm',
  cursorType: 'pointer',
  components: {
    Table: { defaultProps: { verticalSpacing: 6, horizontalSpacing: 'sm', fz: 'sm' } },
    Badge: { defaultProps: { radius: 'sm' } },
    // Links inside text are told apart by more than their colour (WCAG 1.4.1).
    Anchor: { defaultProps: { underline: 'always' } },
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
    // Outlined labels and buttons in a pale shade: readable on the navy surfaces.
    dark[`--mantine-color-${name}-outline`] = shades[4];
    dark[`--mantine-color-${name}-outline-hover`] = alpha(shades[4], 0.1);
  }
  return { variables: {}, light: {}, dark };
};
