// The NodeApiError a call to the agent's API client ends with (failing the test if it succeeds
// or ends otherwise).
import { expect } from 'vitest';
import { NodeApiError } from '../../../../agent/ports/node-api.ts';

export async function nodeApiFailure(call: Promise<unknown>): Promise<NodeApiError> {
  const error: unknown = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(NodeApiError);
  return error as NodeApiError;
}
