// kured's reboot lock (the weave.works/kured-node-lock annotation on its DaemonSet): at most
// maxOwners holders, each a node that is cordoning, draining or rebooting. The bot pauses a window
// by holding the free slots itself; while a hold is in place it also takes every slot a finishing
// node gives back, so a pause really stops new reboots and not just the next one.

interface NodeHolder {
  readonly kind: 'node';
  readonly holder: string;
  /** Simulated instant (ms) the slot was taken. */
  readonly since: number;
  /** Whether the node was already cordoned when it took the lock: kured then leaves it cordoned afterwards. */
  readonly wasUnschedulable: boolean;
}

interface HoldMarker {
  readonly kind: 'hold';
  readonly holder: string;
  readonly since: number;
  readonly owner: string;
}

type LockEntry = NodeHolder | HoldMarker;

export class KuredLock {
  readonly maxOwners: number;
  readonly #entries: LockEntry[] = [];
  /** Owners whose hold is in place, in the order they took it. */
  readonly #holdOwners: string[] = [];
  readonly #now: () => number;

  /** `now`: the simulated instant (ms), stamped on every slot taken. */
  constructor(maxOwners: number, now: () => number = () => 0) {
    this.maxOwners = maxOwners;
    this.#now = now;
  }

  holders(): string[] {
    return this.#entries.map((entry) => entry.holder);
  }

  /** Each holder with the simulated instant (ms) it took its slot. */
  holdings(): { readonly holder: string; readonly since: number }[] {
    return this.#entries.map((entry) => ({ holder: entry.holder, since: entry.since }));
  }

  holds(nodeName: string): boolean {
    return this.#nodeEntry(nodeName) !== undefined;
  }

  /** undefined when the node does not hold the lock. */
  wasUnschedulable(nodeName: string): boolean | undefined {
    return this.#nodeEntry(nodeName)?.wasUnschedulable;
  }

  /** Takes a free slot for the node; false when every slot is taken. */
  tryAcquire(nodeName: string, wasUnschedulable: boolean): boolean {
    if (this.holds(nodeName)) return true;
    if (this.#entries.length >= this.maxOwners) return false;
    this.#entries.push({ kind: 'node', holder: nodeName, since: this.#now(), wasUnschedulable });
    return true;
  }

  release(nodeName: string): void {
    const index = this.#entries.findIndex((entry) => entry.kind === 'node' && entry.holder === nodeName);
    if (index >= 0) this.#entries.splice(index, 1);
    this.#fillHolds();
  }

  /**
   * Frees whatever slot `holder` has (an operator releasing a stuck lock), if it took it at
   * `since` when that is given; false when it holds none. A pause in place takes the slot.
   */
  releaseHolder(holder: string, since?: number): boolean {
    const index = this.#entries.findIndex((entry) => entry.holder === holder && (since === undefined || entry.since === since));
    if (index < 0) return false;
    this.#entries.splice(index, 1);
    this.#fillHolds();
    return true;
  }

  /** Idempotent: holding again takes only slots freed since. */
  hold(owner: string): void {
    if (!this.#holdOwners.includes(owner)) this.#holdOwners.push(owner);
    this.#fillHolds();
  }

  /** Idempotent: releasing an owner that holds nothing changes nothing. */
  releaseHold(owner: string): void {
    const ownerIndex = this.#holdOwners.indexOf(owner);
    if (ownerIndex >= 0) this.#holdOwners.splice(ownerIndex, 1);
    for (let index = this.#entries.length - 1; index >= 0; index--) {
      const entry = this.#entries[index];
      if (entry?.kind === 'hold' && entry.owner === owner) this.#entries.splice(index, 1);
    }
    this.#fillHolds();
  }

  #nodeEntry(nodeName: string): NodeHolder | undefined {
    return this.#entries.find((entry): entry is NodeHolder => entry.kind === 'node' && entry.holder === nodeName);
  }

  #fillHolds(): void {
    const owner = this.#holdOwners[0];
    if (owner === undefined) return;
    while (this.#entries.length < this.maxOwners) {
      // Markers are `${owner}/1`, `${owner}/2`, …: the lowest number not in use.
      let number = 1;
      while (this.#entries.some((entry) => entry.holder === `${owner}/${number}`)) number++;
      this.#entries.push({ kind: 'hold', holder: `${owner}/${number}`, since: this.#now(), owner });
    }
  }
}
