import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

/** Every tag in the output with its attribute names, read the way a browser would. */
function tags(html: string): { name: string; attrs: string[] }[] {
  const out: { name: string; attrs: string[] }[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    out.push({ name: m[1]!.toLowerCase(), attrs: [...m[2]!.matchAll(/\s+([^\s=>]+)(?:="[^"]*")?/g)].map((a) => a[1]!.toLowerCase()) });
  }
  // Anything that opens a tag but was not read above would be a parse we did not foresee.
  expect(html.match(/<[a-zA-Z]/g)?.length ?? 0).toBe(out.length);
  return out;
}

const ALLOWED_TAGS = new Set(['p', 'br', 'strong', 'em', 's', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);
const ALLOWED_ATTRS = new Set(['href', 'title', 'target', 'rel', 'class', 'start', 'style']);

/** What an attacker could try in a note. */
const HOSTILE = [
  '<script>alert(1)</script>',
  'Suspicious mail:\n<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="https://ok.example" onclick="alert(1)">x</a>',
  '<div onmouseover="alert(1)">hover</div>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;avascript&#58;alert(1))',
  '[x](java&#09;script:alert(1))',
  '[x](%6Aavascript:alert(1))',
  '[x]( javascript:alert(1) )',
  '[x](<javascript:alert(1)>)',
  '<javascript:alert(1)>',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](file:///etc/passwd)',
  '[x][r]\n\n[r]: javascript:alert(1)',
  '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")',
  '![x](javascript:alert(1))',
  '![x" onerror="alert(1)](https://img.example/a.png)',
  '[![inner](https://img.example/a.png)](https://ok.example)',
  '```html\n<script>alert(1)</script>\n```',
  '`<svg onload=alert(1)>`',
  '<svg><script>alert(1)</script></svg>',
  '<!-- comment --><style>body{}</style>',
];

describe('renderMarkdown', () => {
  it('shows raw HTML as text', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
    expect(renderMarkdown('<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>\n');
    expect(renderMarkdown('```\n<b>x</b>\n```')).toBe('<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n');
  });

  it('renders no script, no element outside the list and no on* or src attribute, whatever the input', () => {
    for (const src of HOSTILE) {
      const html = renderMarkdown(src);
      for (const t of tags(html)) {
        expect(ALLOWED_TAGS.has(t.name), `${src} → <${t.name}>`).toBe(true);
        for (const a of t.attrs) expect(ALLOWED_ATTRS.has(a) && !a.startsWith('on'), `${src} → ${t.name} ${a}`).toBe(true);
      }
    }
  });

  it('links only to http, https and mailto, and leaves anything else as plain text', () => {
    for (const src of HOSTILE) {
      const html = renderMarkdown(src);
      for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1], src).toMatch(/^(https?:\/\/|mailto:)/);
      expect(html, src).not.toMatch(/href="\s*(javascript|vbscript|data|file):/i);
    }
    expect(renderMarkdown('[x](JaVaScRiPt:alert(1))')).toBe('<p>[x](JaVaScRiPt:alert(1))</p>\n');
    expect(renderMarkdown('[x](&#106;avascript:alert(1))')).not.toContain('<a');
    expect(renderMarkdown('<javascript:alert(1)>')).toBe('<p>&lt;javascript:alert(1)&gt;</p>\n');
    expect(renderMarkdown('[x](/relative)')).toBe('<p>[x](/relative)</p>\n');
  });

  it('opens links in a new tab with no referrer, no opener and no endorsement', () => {
    const rel = 'target="_blank" rel="noopener noreferrer nofollow"';
    expect(renderMarkdown('[the report](https://cert.example/r?id=1&x=2)')).toBe(`<p><a href="https://cert.example/r?id=1&amp;x=2" ${rel}>the report</a></p>\n`);
    expect(renderMarkdown('mail soc@cert.example')).toBe(`<p>mail <a href="mailto:soc@cert.example" ${rel}>soc@cert.example</a></p>\n`);
    expect(renderMarkdown('see https://cert.example/a')).toBe(`<p>see <a href="https://cert.example/a" ${rel}>https://cert.example/a</a></p>\n`);
    // A bare domain is usually an indicator: it stays text, as do defanged forms.
    expect(renderMarkdown('C2 at evil.example and hxxp://evil[.]example')).toBe('<p>C2 at evil.example and hxxp://evil[.]example</p>\n');
  });

  it('turns images into links, so showing a note loads nothing from elsewhere', () => {
    const html = renderMarkdown('![screenshot](https://img.example/a.png)');
    expect(html).toBe('<p><a href="https://img.example/a.png" target="_blank" rel="noopener noreferrer nofollow">image: screenshot</a></p>\n');
    for (const src of HOSTILE) expect(renderMarkdown(src), src).not.toMatch(/<img|<svg|<iframe|<object|<embed|<video|<audio|<source|<link|<meta|<style|<script/i);
    // An image inside a link would nest links: it becomes the link's text.
    expect(renderMarkdown('[![inner](https://img.example/a.png)](https://ok.example)')).toBe(
      '<p><a href="https://ok.example" target="_blank" rel="noopener noreferrer nofollow">inner</a></p>\n',
    );
  });

  it('renders ordinary formatting', () => {
    expect(renderMarkdown('**bold** _it_ `code` ~~gone~~')).toBe('<p><strong>bold</strong> <em>it</em> <code>code</code> <s>gone</s></p>\n');
    expect(renderMarkdown('# Title\n\n- one\n- two\n\n1. a\n2. b\n\n> quoted')).toBe(
      '<h1>Title</h1>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n',
    );
    expect(renderMarkdown('line one\nline two')).toBe('<p>line one<br>\nline two</p>\n');
    expect(renderMarkdown('| a | b |\n|---|---|\n| 1 | 2 |')).toContain('<td>1</td>');
    expect(renderMarkdown('Ωμέγα — кириллица')).toBe('<p>Ωμέγα — кириллица</p>\n');
  });
});
