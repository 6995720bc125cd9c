// A ChatPort that keeps what it was sent, like a channel would, and can be told to fail.
import { ChatDeliveryError } from '../../bot/core/ports/chat-port.ts';
import type { ChatMessage, ChatPort, MessageRef } from '../../bot/core/ports/chat-port.ts';

export interface RecordedMessage {
  readonly id: string;
  readonly thread: string | undefined;
  message: ChatMessage;
  updates: number;
}

export class RecordingChat implements ChatPort {
  readonly platform = 'console' as const;
  readonly messages: RecordedMessage[] = [];
  readonly operations: string[] = [];
  /** Fail the next n calls with a retryable error. */
  failNext = 0;
  #next = 1;

  post(message: ChatMessage): Promise<MessageRef> {
    return this.#call('post', () => this.#store(message, undefined));
  }

  update(ref: MessageRef, message: ChatMessage): Promise<void> {
    return this.#call('update', () => {
      const found = this.messages.find((candidate) => candidate.id === ref.id);
      if (found === undefined) throw new ChatDeliveryError(`no message ${ref.id}`, { retryable: false });
      found.message = message;
      found.updates++;
    });
  }

  reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
    return this.#call('reply', () => this.#store(message, thread.id));
  }

  /** Top-level messages' texts (every block), newest content. */
  topLevel(): RecordedMessage[] {
    return this.messages.filter((message) => message.thread === undefined);
  }

  repliesTo(id: string): string[] {
    return this.messages.filter((message) => message.thread === id).map((message) => message.message.fallbackText);
  }

  #store(message: ChatMessage, thread: string | undefined): MessageRef {
    const id = `m${this.#next++}`;
    this.messages.push({ id, thread, message, updates: 0 });
    return { id };
  }

  #call<T>(name: string, work: () => T): Promise<T> {
    if (this.failNext > 0) {
      this.failNext--;
      this.operations.push(`${name}:failed`);
      return Promise.reject(new ChatDeliveryError('simulated outage', { retryable: true, retryAfterMs: 1000 }));
    }
    this.operations.push(name);
    try {
      return Promise.resolve(work());
    } catch (error: unknown) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

export function messageText(message: ChatMessage): string {
  return message.blocks
    .map((block) => {
      switch (block.kind) {
        case 'lines':
          return block.lines.join('\n');
        case 'actions':
          return block.actions.map((action) => `[${action.label}]`).join(' ');
        default:
          return block.text;
      }
    })
    .join('\n');
}
