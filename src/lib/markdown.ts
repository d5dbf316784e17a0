// Markdown for text people type (notes): one module for the web app (which bundles this file) and
// the HTML report, so both render with the same rules.
import MarkdownIt, { type MarkdownIt as Md } from 'markdown-it';

/** Links may go only to the web or to a mail client; the URL has been entity-decoded by now. */
const SAFE_URL = /^(?:https?:\/\/|mailto:)/i;
const REL = 'noopener noreferrer nofollow';

function create(): Md {
  // html: false shows raw HTML as text; breaks: true keeps the line breaks people typed.
  const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
  // Only links written with a scheme: a bare domain in a note is usually an indicator, not a link.
  md.linkify.set({ fuzzyLink: false, fuzzyIP: false });
  // A link or image that fails this stays as the text it was written as.
  md.validateLink = (url) => SAFE_URL.test(url.trim());

  const renderLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    token.attrSet('target', '_blank');
    token.attrSet('rel', REL);
    return renderLinkOpen(tokens, idx, options, env, self);
  };
  // An image becomes a link to it: nothing is fetched from elsewhere when a note is shown.
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const src = String(token.attrGet('src') ?? '');
    const alt = self.renderInlineAsText(token.children ?? [], options, env).trim();
    const esc = md.utils.escapeHtml;
    if (insideLink(tokens, idx)) return esc(alt || src);
    return `<a href="${esc(src)}" target="_blank" rel="${REL}">${esc(alt ? `image: ${alt}` : src)}</a>`;
  };
  return md;
}

/** Whether an inline token sits between a link's open and close (links must not nest). */
function insideLink(tokens: { type: string }[], idx: number): boolean {
  for (let i = idx - 1; i >= 0; i--) {
    if (tokens[i]!.type === 'link_close') return false;
    if (tokens[i]!.type === 'link_open') return true;
  }
  return false;
}

let instance: Md | undefined;

/** Markdown to HTML that is safe to insert: no raw HTML, only http(s) and mailto links, no images. */
export function renderMarkdown(src: string): string {
  instance ??= create();
  return instance.render(src);
}
