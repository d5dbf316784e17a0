/**
 * A one-line progress bar for long CLI jobs: bytes done of the total, items, rate and time left.
 * It redraws at most every `everyMs` and writes only to a terminal; `finish` clears the line.
 */
export function progressBar(total: number, out: NodeJS.WriteStream = process.stderr, everyMs = 150, unit = 'messages', rateUnit = 'msg') {
  const enabled = !!out.isTTY;
  const started = performance.now();
  let last = 0;
  let drawn = false;

  const draw = (bytes: number, items: number) => {
    const seconds = (performance.now() - started) / 1000;
    const share = total > 0 ? Math.min(1, bytes / total) : 0;
    const width = 24;
    const filled = Math.round(share * width);
    const rate = seconds > 0 ? items / seconds : 0;
    const eta = share > 0 && share < 1 ? formatDuration((seconds / share) * (1 - share)) : '–';
    const line =
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ` +
      `${items.toLocaleString('en-US')} ${unit}  ${formatBytes(bytes)} / ${formatBytes(total)}  ${rate.toFixed(0)} ${rateUnit}/s  ETA ${eta}`;
    out.write(`\r\x1b[K${line}`);
    drawn = true;
  };

  return {
    update(bytes: number, items: number) {
      if (!enabled) return;
      const now = performance.now();
      if (now - last < everyMs) return;
      last = now;
      draw(bytes, items);
    },
    finish() {
      if (enabled && drawn) out.write('\r\x1b[K');
    },
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '–';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
