import fs from 'node:fs';

/** Debian's util-linux: runs a program that the kernel signals when its parent dies. */
const SETPRIV = '/usr/bin/setpriv';

/**
 * The command line that runs `command` bound to this process's life: the kernel sends it `signal`
 * when this process dies, however it dies (SIGKILL, OOM) — no orphan holds a port or a lock after us.
 * Without setpriv, the command as it is.
 */
export function boundToThisProcess(
  command: string,
  args: string[],
  signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL',
): [string, string[]] {
  return fs.existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', signal, '--', command, ...args]] : [command, args];
}
