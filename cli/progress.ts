/** A bar on a terminal; on a log (CI, a pipe), one line every tenth of the way. */
export function progressBar(
  out: NodeJS.WriteStream,
  label: string,
): (done: number, total: number, detail?: string) => void {
  let lastTenth = -1;
  return (done, total, detail = '') => {
    const ratio = total ? Math.min(1, done / total) : 1;
    if (out.isTTY) {
      const width = 30;
      out.write(
        `\r${label} [${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ${Math.round(ratio * 100)}% ${detail}`,
      );
      if (ratio === 1) out.write('\n');
    } else if (Math.floor(ratio * 10) > lastTenth) {
      lastTenth = Math.floor(ratio * 10);
      out.write(`${label} ${lastTenth * 10}% ${detail}\n`);
    }
  };
}
