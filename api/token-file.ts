import fs from 'node:fs';
import { tokensSchema, type TokenEntry } from './auth';

/**
 * The tokens file (API_TOKENS_FILE), read again whenever it changes: a token added (`sons token new
 * --append`), removed or given another role takes effect at the next request, without a restart. A
 * file that no longer reads (a half-written edit, a typo) keeps the tokens last read, and says why.
 */
export class TokenFile {
  private seen = '';
  private entries: TokenEntry[] = [];

  constructor(
    readonly path: string,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {
    // at start-up a file that does not read stops the process, saying why (as any configuration)
    this.seen = versionOf(path);
    this.entries = parse(path);
  }

  /** the tokens as the file says now (a stat per call; the file is read again only once it changed) */
  current(): TokenEntry[] {
    this.read();
    return this.entries;
  }

  private read(): void {
    let version: string;
    try {
      version = versionOf(this.path);
    } catch (err) {
      return this.failed(`missing:${this.path}`, err as Error);
    }
    if (version === this.seen) return;
    try {
      this.entries = parse(this.path);
      this.seen = version;
    } catch (err) {
      this.failed(version, err as Error);
    }
  }

  /** said once per version of the file, not at every request */
  private failedOn = '';
  private failed(version: string, err: Error): void {
    if (this.failedOn === version) return;
    this.failedOn = version;
    this.onError(new Error(`${this.path}: ${err.message.split('\n')[0]}; the tokens last read stay in force`));
  }
}

/** what tells one state of the file from another: its inode (an editor's rename), size and time */
function versionOf(path: string): string {
  const s = fs.statSync(path);
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

const parse = (path: string): TokenEntry[] => tokensSchema.parse(JSON.parse(fs.readFileSync(path, 'utf8')));
