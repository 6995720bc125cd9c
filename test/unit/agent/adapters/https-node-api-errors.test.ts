import { describe, expect, it } from 'vitest';
import { CredentialError } from '../../../../agent/adapters/api-server-connection.ts';
import { ApiResponseTooLargeError, ApiTimeoutError } from '../../../../agent/adapters/api-server-request.ts';
import { responseError, transportError } from '../../../../agent/adapters/https-node-api.ts';

describe('responseError', () => {
  it('keeps the status and the message of the server\'s Status', () => {
    const status = {
      kind: 'Status',
      message: 'nodes "node-a" is forbidden: User "system:serviceaccount:patchwindow:patchwindow-agent" cannot patch resource "nodes/status" in API group "" at the cluster scope',
      code: 403,
    };
    const error = responseError({ status: 403, body: JSON.stringify(status) }, 'patch', 'nodes/status', 'node-a');
    expect(error).toMatchObject({ verb: 'patch', resource: 'nodes/status', status: 403 });
    expect(error.message).toBe(`patch nodes/status node-a: HTTP 403: ${status.message}`);
  });

  it('handles bodies that are plain text, empty or long', () => {
    expect(responseError({ status: 502, body: '<html>Bad\n  Gateway</html>' }, 'get', 'nodes', 'node-a').message).toBe('get nodes node-a: HTTP 502: <html>Bad Gateway</html>');
    expect(responseError({ status: 401, body: '' }, 'get', 'nodes', 'node-a').message).toBe('get nodes node-a: HTTP 401');
    expect(responseError({ status: 500, body: '{"kind":"Status"}' }, 'get', 'nodes', 'node-a').message).toBe('get nodes node-a: HTTP 500');
    const long = responseError({ status: 500, body: JSON.stringify({ message: 'x'.repeat(1000) }) }, 'get', 'nodes', 'node-a').message;
    expect(long).toBe(`get nodes node-a: HTTP 500: ${'x'.repeat(299)}…`);
  });
});

describe('transportError', () => {
  it('says when no answer came, with the error code, keeping the error as cause', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    const error = transportError(refused, 'get', 'nodes', 'node-a');
    expect(error).toMatchObject({ status: undefined, message: 'get nodes node-a: no answer from the API server: connect ECONNREFUSED 127.0.0.1:6443', cause: refused });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(transportError(reset, 'get', 'nodes', 'node-a').message).toBe('get nodes node-a: no answer from the API server: socket hang up (ECONNRESET)');
    expect(transportError(new ApiTimeoutError('no answer within 30000 ms'), 'patch', 'nodes', 'node-a').message).toBe('patch nodes node-a: no answer from the API server: request timed out');
  });

  it('tells missing credentials and an oversized answer from a missing answer', () => {
    const credentials = new CredentialError('cannot read the token file /var/run/secrets/kubernetes.io/serviceaccount/token: ENOENT');
    expect(transportError(credentials, 'get', 'nodes', 'node-a')).toMatchObject({
      status: undefined,
      message: 'get nodes node-a: no credentials for the API server: cannot read the token file /var/run/secrets/kubernetes.io/serviceaccount/token: ENOENT',
      cause: credentials,
    });
    expect(transportError(new ApiResponseTooLargeError(200, 1024), 'get', 'nodes', 'node-a')).toMatchObject({ status: 200, message: 'get nodes node-a: HTTP 200: the answer is larger than 1024 bytes; refused' });
  });
});
