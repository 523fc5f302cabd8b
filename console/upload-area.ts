import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'sons-uploads-';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it lives, as another user's process
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The folder where this process keeps the files forms send while their request lasts (0700, named
 * after the process): made when the console mounts, removed when it closes; the areas of processes
 * that died without removing theirs (SIGKILL, OOM) are removed then too.
 */
export class UploadArea {
  private constructor(readonly dir: string) {}

  static async open(parent = os.tmpdir()): Promise<UploadArea> {
    for (const name of await fs.promises.readdir(parent)) {
      const pid = Number(/^sons-uploads-(\d+)-/.exec(name)?.[1]);
      if (pid && pid !== process.pid && !alive(pid))
        await fs.promises.rm(path.join(parent, name), { recursive: true, force: true });
    }
    return new UploadArea(await fs.promises.mkdtemp(path.join(parent, `${PREFIX}${process.pid}-`)));
  }

  /** a new file's path in the area */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  close(): Promise<void> {
    return fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}
