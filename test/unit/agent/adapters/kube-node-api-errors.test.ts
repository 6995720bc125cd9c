import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { translateError } from '../../../../agent/adapters/kube-node-api.ts';

describe('translateError', () => {
  it('keeps the status and the server message of an API error, and the error as cause', () => {
    const status = {
      kind: 'Status',
      message: 'nodes "node-a" is forbidden: User "system:serviceaccount:patchwindow:patchwindow-agent" cannot patch resource "nodes/status" in API group "" at the cluster scope',
      code: 403,
    };
    const cause = new ApiException(403, 'Unknown API Status Code!', JSON.stringify(status), { 'audit-id': 'x' });
    const error = translateError(cause, 'patch', 'nodes/status', 'node-a');
    expect(error).toMatchObject({ verb: 'patch', resource: 'nodes/status', status: 403 });
    expect(error.message).toBe(`patch nodes/status node-a: HTTP 403: ${status.message}`);
    expect(error.cause).toBe(cause);
  });

  it('handles bodies that are objects, plain text or missing', () => {
    expect(translateError(new ApiException(404, 'x', { message: 'nodes "node-a" not found' }, {}), 'get', 'nodes', 'node-a').message).toBe('get nodes node-a: HTTP 404: nodes "node-a" not found');
    expect(translateError(new ApiException(502, 'x', '<html>Bad Gateway</html>', {}), 'get', 'nodes', 'node-a').message).toBe('get nodes node-a: HTTP 502: <html>Bad Gateway</html>');
    expect(translateError(new ApiException(401, 'Unauthorized', undefined, {}), 'get', 'nodes', 'node-a').message).toBe('get nodes node-a: HTTP 401');
  });

  it('says when no answer came, with the transport error code', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }) });
    const error = translateError(refused, 'get', 'nodes', 'node-a');
    expect(error.status).toBeUndefined();
    expect(error.message).toBe('get nodes node-a: no answer from the API server: fetch failed (ECONNREFUSED)');
    const timeout = translateError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'patch', 'nodes', 'node-a');
    expect(timeout.message).toBe('patch nodes node-a: no answer from the API server: request timed out');
  });
});
