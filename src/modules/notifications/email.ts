import type { Transporter } from 'nodemailer';
import MimeNode from 'nodemailer/lib/mime-node';
import * as openpgp from 'openpgp';
import { addressOf, messageIdDomain } from '../outbound-mail/index.ts';

/** A notification as an e-mail. */
export interface Letter {
  to: string;
  subject: string;
  /** Plain text, the link already in it. */
  text: string;
  /** The delivery's id: its Message-ID is made from it, so a message sent again after a crash is recognisably the same one. */
  deliveryId: string;
}

export interface Mailer {
  send(l: Letter): Promise<{ response: string }>;
}

/**
 * Sends notification e-mail through the delivery layer's relay (VIGIL_SMTP_RELAY_URL). With a team
 * key, each message is PGP/MIME-signed (RFC 3156 multipart/signed): the text part is built first,
 * its exact bytes signed, then wrapped with the detached signature.
 */
export function createNotificationMailer(o: { transport: Transporter; from: string; signingKey: () => Promise<openpgp.PrivateKey | null> }): Mailer {
  const { transport } = o;
  const domain = messageIdDomain(o.from);
  const headers = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };
  return {
    async send(l) {
      const key = await o.signingKey();
      const envelope = { from: addressOf(o.from), to: [l.to] };
      const messageId = `<notification-${l.deliveryId}@${domain}>`;
      if (!key) {
        const info = await transport.sendMail({ from: o.from, to: l.to, envelope, subject: l.subject, text: l.text, messageId, headers, disableFileAccess: true, disableUrlAccess: true });
        return { response: info.response ?? '' };
      }
      const raw = await signedMessage(key, { from: o.from, to: l.to, subject: l.subject, text: l.text, messageId, headers });
      const info = await transport.sendMail({ envelope, raw });
      return { response: info.response ?? '' };
    },
  };
}

const build = (n: MimeNode) => new Promise<Buffer>((resolve, reject) => n.build((err, buf) => (err ? reject(err) : resolve(buf))));

/** A complete PGP/MIME-signed message. */
export async function signedMessage(
  key: openpgp.PrivateKey,
  m: { from: string; to: string; subject: string; text: string; messageId: string; headers: Record<string, string> },
): Promise<Buffer> {
  // The signed part: built as a child (no top-level headers), canonical CRLF, quoted-printable so
  // no relay rewraps or re-encodes it on the way (which would break the signature).
  const holder = new MimeNode('multipart/mixed', { newline: '\r\n' });
  const part = holder.createChild('text/plain; charset=utf-8', { newline: '\r\n' });
  part.setHeader('Content-Transfer-Encoding', 'quoted-printable');
  part.setContent(m.text.replace(/\r?\n/g, '\r\n'));
  const signed = (await build(part)).toString('binary').replace(/(\r\n)+$/, '');
  const bytes = Buffer.from(signed, 'binary');
  const armored = await openpgp.sign({ message: await openpgp.createMessage({ binary: bytes }), signingKeys: key, detached: true, format: 'armored' });
  const sig = await openpgp.readSignature({ armoredSignature: armored });
  const hash = String((openpgp.enums.read as (t: object, v: number) => string)(openpgp.enums.hash, Number(sig.packets[0]!.hashAlgorithm))).toLowerCase();

  const root = new MimeNode(`multipart/signed; micalg=pgp-${hash}; protocol="application/pgp-signature"`, { newline: '\r\n' });
  root.setHeader({ From: m.from, To: m.to, Subject: m.subject, 'Message-ID': m.messageId, Date: new Date().toUTCString(), ...m.headers });
  root.createChild('text/plain').setRaw(bytes);
  const sigPart = root.createChild('application/pgp-signature; name="signature.asc"');
  sigPart.setHeader('Content-Description', 'OpenPGP digital signature');
  sigPart.setHeader('Content-Transfer-Encoding', '7bit');
  sigPart.setHeader('Content-Disposition', 'attachment; filename="signature.asc"');
  sigPart.setContent(armored);
  return build(root);
}
