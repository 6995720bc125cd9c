// An HTTP request body read whole, but never more than a limit: what every route that parses a
// body (the console's JSON, Slack's signed requests) needs before it trusts any of it.
import type { IncomingMessage } from 'node:http';

/**
 * The whole body; 'too-large' as soon as it grows past `limit` bytes (the rest is read and
 * dropped, so the client can finish sending and read the answer); 'aborted' when the client went away.
 */
export function readBoundedBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      resolve(Buffer.concat(chunks));
    });
    request.once('error', () => {
      resolve('aborted');
    });
  });
}
