// Outgoing chat operations, stored in the same transaction as the state change that caused
// them, delivered later in order, once, across retries and restarts.
import type { ChatMessage, MessageRef } from './chat-port.ts';

export type OutboxOperation =
  /** Post `message` as a new top-level message known as `key`. */
  | { readonly kind: 'post'; readonly key: string; readonly message: ChatMessage }
  /** Replace the content of the message known as `key` (coalescible: only the newest matters). */
  | { readonly kind: 'update'; readonly key: string; readonly message: ChatMessage }
  /** Reply in the thread of the message known as `threadKey`. */
  | { readonly kind: 'reply'; readonly threadKey: string; readonly message: ChatMessage };

export interface OutboxEntry {
  readonly id: number;
  readonly operation: OutboxOperation;
  readonly createdAt: Date;
  readonly attempts: number;
  readonly notBefore: Date | undefined;
}

export interface OutboxRepository {
  enqueue(operation: OutboxOperation, at: Date): Promise<void>;
  /** Undelivered entries, oldest first. */
  pending(limit: number): Promise<OutboxEntry[]>;
  markDelivered(id: number, at: Date): Promise<void>;
  /** Records a failed attempt; the entry is tried again at `retryAt`. */
  markAttemptFailed(id: number, error: string, retryAt: Date): Promise<void>;
  /** Entries given up on (permanent errors) stay for inspection but leave the queue. */
  markAbandoned(id: number, error: string, at: Date): Promise<void>;
  countPending(): Promise<number>;
  refFor(key: string): Promise<MessageRef | undefined>;
  saveRef(key: string, ref: MessageRef): Promise<void>;
}
