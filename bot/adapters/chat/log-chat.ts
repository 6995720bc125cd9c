// The chat port when no chat surface is enabled (console off, no platform): messages go to the
// log, so a headless bot still says what it does.
import type { ChatMessage, ChatPort, MessageRef } from '../../core/ports/chat-port.ts';
import type { Logger } from '../logging/create-logger.ts';

export class LogChat implements ChatPort {
  readonly platform = 'console' as const;
  readonly #logger: Logger;
  #next = 1;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  post(message: ChatMessage): Promise<MessageRef> {
    const id = `log-${this.#next++}`;
    this.#logger.info({ chat: 'post', id, text: message.fallbackText }, 'chat message');
    return Promise.resolve({ id });
  }

  update(ref: MessageRef, message: ChatMessage): Promise<void> {
    this.#logger.info({ chat: 'update', id: ref.id, text: message.fallbackText }, 'chat message');
    return Promise.resolve();
  }

  reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
    const id = `log-${this.#next++}`;
    this.#logger.info({ chat: 'reply', id, thread: thread.id, text: message.fallbackText }, 'chat message');
    return Promise.resolve({ id });
  }
}
