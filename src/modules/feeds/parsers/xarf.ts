import { z } from 'zod';
import { canonicalIp, looseNetwork } from '../../../lib/ip.ts';
import { isXarf, rsitOfXarf, type XarfReport } from '../../intake/index.ts';
import type { InputLine } from '../decode.ts';
import { BaseSettings, finish, head, observationOf, overlong, type ParseResult } from './common.ts';

/** Settings of the X-ARF parser: the common ones. */
export const XarfSettings = BaseSettings.strict();
export type XarfSettings = z.infer<typeof XarfSettings>;

const TRANSPORTS = new Set(['tcp', 'udp', 'icmp', 'sctp']);
/** Report fields that become event fields (below) rather than `extra.xarf_*`. */
const MAPPED = new Set([
  'xarf_version', 'category', 'type', 'source_identifier', 'source_port', 'destination_ip', 'destination_port', 'protocol', 'timestamp',
  'first_seen', 'url', 'domain', 'malware_family', 'malware_name', 'file_hashes', 'description', 'reporter', 'sender', 'smtp_from', 'confidence', 'evidence',
]);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined);

/** Where an X-ARF source identifier goes: an address, a network, a URL or a domain name. */
function sourceOf(id: string): Record<string, string> {
  if (canonicalIp(id)) return { 'source.ip': id };
  if (/^[0-9a-f:.]+\/\d+$/i.test(id) && looseNetwork(id)) return { 'source.network': id };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(id)) return { 'source.url': id };
  return { 'source.fqdn': id };
}

/**
 * The event fields of an X-ARF v4 report: the source identifier, ports, destination, protocol
 * (tcp/udp/icmp/sctp as transport, others as application), the time (`timestamp`, else
 * `first_seen`), the RSIT class from intake's X-ARF table (`classification.identifier` the X-ARF
 * `category/type`), URL, domain, malware and hashes, description, the reporter as feed provider,
 * confidence (0–1) as feed accuracy (0–100); other fields as `extra.xarf_<name>` (evidence only
 * counted).
 */
export function xarfEvent(r: XarfReport): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const id = str(r.source_identifier);
  if (id) Object.assign(out, sourceOf(id));
  out['source.port'] = r.source_port;
  out['destination.ip'] = r.destination_ip;
  out['destination.port'] = r.destination_port;
  const proto = str(r.protocol)?.toLowerCase();
  if (proto) out[TRANSPORTS.has(proto) ? 'protocol.transport' : 'protocol.application'] = proto;
  out['time.source'] = str(r.timestamp) ?? str(r.first_seen);
  const rsit = rsitOfXarf(r.category, r.type);
  if (rsit) out['classification.type'] = rsit.type;
  out['classification.identifier'] = `${r.category}/${r.type}`.toLowerCase();
  if (str(r.url)) out['source.url'] = str(r.url);
  if (str(r.domain) && !out['source.fqdn']) out['source.fqdn'] = str(r.domain);
  out['malware.name'] = str(r.malware_family) ?? str(r.malware_name);
  if (r.file_hashes && typeof r.file_hashes === 'object') {
    const h = r.file_hashes as Record<string, unknown>;
    for (const k of ['md5', 'sha1', 'sha256']) out[`malware.hash.${k}`] = h[k];
  }
  out['event_description.text'] = str(r.description);
  const org = (v: unknown) => (v && typeof v === 'object' ? str((v as Record<string, unknown>).org) : undefined);
  out['feed.provider'] = org(r.reporter);
  if (str(r.smtp_from)) out['source.account'] = str(r.smtp_from);
  if (typeof r.confidence === 'number' && r.confidence >= 0 && r.confidence <= 1) out['feed.accuracy'] = Math.round(r.confidence * 1000) / 10;
  out['extra.xarf_version'] = r.xarf_version;
  if (r.reporter && typeof r.reporter === 'object') out['extra.xarf_reporter'] = r.reporter;
  if (r.sender && typeof r.sender === 'object') out['extra.xarf_sender'] = r.sender;
  if (Array.isArray(r.evidence)) out['extra.xarf_evidence_items'] = r.evidence.length;
  for (const [k, v] of Object.entries(r)) {
    if (!MAPPED.has(k) && /^[A-Za-z0-9_]{1,100}$/.test(k)) out[`extra.xarf_${k}`] = v;
  }
  return out;
}

/**
 * X-ARF v4 reports: one JSON report a line, or one whole JSON document (a report or an array of
 * them, pretty-printed over many lines). The first non-blank line decides: when it parses as JSON
 * the input is JSON lines, otherwise the lines are gathered (up to the line-length cap in all) into
 * one document, whose events all carry the document's first line number. A JSON value that is not
 * an X-ARF v4 report is an error.
 */
export async function* parseXarf(lines: AsyncIterable<InputLine>, settings: XarfSettings): AsyncGenerator<ParseResult> {
  const observed = observationOf(settings);
  const max = settings.maxLineLength;
  let mode: 'lines' | 'document' | null = null;
  let n = 0;
  let start = 0;
  const doc: string[] = [];
  let docSize = 0;
  const reports = function* (value: unknown, line: number, text: string): Generator<ParseResult> {
    const all = Array.isArray(value) ? value : [value];
    if (!all.length) { yield { line, error: 'an empty array: no report', raw: head(text) }; return; }
    for (const r of all) {
      if (!isXarf(r)) { yield { line, error: 'not an X-ARF v4 report (xarf_version 4.x, category and type are required)', raw: head(JSON.stringify(r) ?? text) }; continue; }
      yield finish(line, xarfEvent(r), all.length > 1 ? JSON.stringify(r) : text, settings, observed);
    }
  };
  for await (const line of lines) {
    n++;
    const long = overlong(line, n, max);
    if (long) {
      yield long;
      if (mode === 'document') return;
      continue;
    }
    const text = line as string;
    if (mode === null) {
      if (!text.trim()) continue;
      start = n;
      try {
        const value: unknown = JSON.parse(text);
        mode = 'lines';
        yield* reports(value, n, text);
        continue;
      } catch (e) {
        // A line that looks like a whole object is a bad JSON line; anything else starts a document.
        if (/^\s*\{.*\}\s*$/.test(text)) {
          mode = 'lines';
          yield { line: n, error: `not JSON: ${(e as Error).message}`, raw: head(text) };
          continue;
        }
        mode = 'document';
      }
    }
    if (mode === 'lines') {
      if (!text.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        yield { line: n, error: `not JSON: ${(e as Error).message}`, raw: head(text) };
        continue;
      }
      yield* reports(value, n, text);
      continue;
    }
    docSize += text.length + 1;
    if (docSize > max) {
      yield { line: start, error: `the X-ARF document starting on line ${start} is longer than the ${max}-character limit: refused`, raw: head(doc.join('\n')) };
      return;
    }
    doc.push(text);
  }
  if (mode === 'document') {
    const text = doc.join('\n');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      yield { line: start, error: `not JSON: ${(e as Error).message}`, raw: head(text) };
      return;
    }
    yield* reports(value, start, text);
  }
}
