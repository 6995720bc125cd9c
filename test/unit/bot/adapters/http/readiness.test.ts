import { describe, expect, it } from 'vitest';
import { Readiness } from '../../../../../bot/adapters/http/readiness.ts';

describe('Readiness', () => {
  it('is ready when nothing is expected', () => {
    expect(new Readiness().report()).toEqual({ ready: true, reasons: [] });
  });

  it('is not ready until every expected part says so, and names the parts still waiting', () => {
    const readiness = new Readiness();
    readiness.expect('store', 'database not open yet');
    readiness.expect('http', 'not listening yet');
    expect(readiness.report()).toEqual({ ready: false, reasons: ['store: database not open yet', 'http: not listening yet'] });
    readiness.ready('store');
    expect(readiness.report()).toEqual({ ready: false, reasons: ['http: not listening yet'] });
    readiness.ready('http');
    expect(readiness.report().ready).toBe(true);
  });

  it('becomes not ready again when a part reports a problem', () => {
    const readiness = new Readiness();
    readiness.notReady('shutdown', 'shutting down');
    expect(readiness.report()).toEqual({ ready: false, reasons: ['shutdown: shutting down'] });
  });
});
