/**
 * How many forms with files may be arriving at once: per person (a runaway tab, a script with a
 * stolen session) and for the whole process (the disk). A form holds its place from its first byte
 * until its answer is sent (its files are removed then).
 */
export class UploadQuota {
  private readonly byPerson = new Map<string, number>();
  private total = 0;

  constructor(
    readonly perPerson: number,
    readonly atOnce: number,
  ) {}

  /** A place for a person's form: its release, or which limit is reached. */
  take(person: string): { release: () => void } | { refused: 'person' | 'process' } {
    const mine = this.byPerson.get(person) ?? 0;
    if (mine >= this.perPerson) return { refused: 'person' };
    if (this.total >= this.atOnce) return { refused: 'process' };
    this.byPerson.set(person, mine + 1);
    this.total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.byPerson.get(person) ?? 1) - 1;
        if (left) this.byPerson.set(person, left);
        else this.byPerson.delete(person);
      },
    };
  }
}
