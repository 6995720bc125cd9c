// Awaits a promise that must reject and returns what it rejected with, so a test can check the
// error's class, exact message, code and cause one by one.
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Same as rejectionOf, for a function that must throw synchronously. */
export function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the function to throw, but it returned');
}
