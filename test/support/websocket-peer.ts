// The server side of one WebSocket connection (RFC 6455), just enough for a fake Slack Socket
// Mode endpoint: the upgrade handshake, text frames both ways, ping → pong, close.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export class WebSocketPeer {
  readonly #socket: Duplex;
  readonly #listeners = new Set<(text: string) => void>();
  #buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #closed = false;

  private constructor(socket: Duplex) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#read();
    });
    socket.on('close', () => {
      this.#closed = true;
    });
    socket.on('error', () => {
      this.#closed = true;
    });
  }

  /** Completes the handshake of an HTTP upgrade request; undefined (and the socket closed) when it is not a WebSocket request. */
  static accept(request: IncomingMessage, socket: Duplex): WebSocketPeer | undefined {
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string' || (request.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return undefined;
    }
    const accept = createHash('sha1').update(`${key}${GUID}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    return new WebSocketPeer(socket);
  }

  get closed(): boolean {
    return this.#closed;
  }

  onMessage(listener: (text: string) => void): void {
    this.#listeners.add(listener);
  }

  send(text: string): void {
    this.#frame(0x1, Buffer.from(text, 'utf8'));
  }

  close(): void {
    if (this.#closed) return;
    this.#frame(0x8, Buffer.from([0x03, 0xe8]));
    this.#closed = true;
    this.#socket.end();
  }

  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #frame(opcode: number, payload: Buffer): void {
    if (this.#socket.destroyed) return;
    const length = payload.length;
    const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    if (length < 126) {
      header[1] = length;
    } else if (length < 65_536) {
      header[1] = 126;
      header.writeUInt16BE(length, 2);
    } else {
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    this.#socket.write(Buffer.concat([header, payload]));
  }

  #read(): void {
    for (;;) {
      const buffer = this.#buffer;
      if (buffer.length < 2) return;
      const first = buffer[0] ?? 0;
      const second = buffer[1] ?? 0;
      const masked = (second & 0x80) !== 0;
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskLength = masked ? 4 : 0;
      if (buffer.length < offset + maskLength + length) return;
      const mask = buffer.subarray(offset, offset + maskLength);
      const payload = Buffer.from(buffer.subarray(offset + maskLength, offset + maskLength + length));
      if (masked) for (let index = 0; index < payload.length; index++) payload[index] = (payload[index] ?? 0) ^ (mask[index % 4] ?? 0);
      this.#buffer = buffer.subarray(offset + maskLength + length);
      this.#handle(first & 0x0f, (first & 0x80) !== 0, payload);
    }
  }

  #handle(opcode: number, final: boolean, payload: Buffer): void {
    switch (opcode) {
      case 0x0:
      case 0x1:
        this.#fragments.push(payload);
        if (final) {
          const text = Buffer.concat(this.#fragments).toString('utf8');
          this.#fragments = [];
          for (const listener of this.#listeners) listener(text);
        }
        return;
      case 0x8:
        this.close();
        return;
      case 0x9:
        this.#frame(0xa, payload);
        return;
      default:
        return;
    }
  }
}
