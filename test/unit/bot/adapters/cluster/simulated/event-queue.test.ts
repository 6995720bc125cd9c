import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../../../../bot/adapters/cluster/simulated/event-queue.ts';

function drain(queue: EventQueue, until: number): number[] {
  const times: number[] = [];
  for (let action = queue.takeDue(until); action !== undefined; action = queue.takeDue(until)) {
    times.push(action.at);
    action.run();
  }
  return times;
}

describe('EventQueue', () => {
  it('gives due actions in time order, equal times in scheduling order', () => {
    const queue = new EventQueue();
    const ran: string[] = [];
    queue.schedule(30, () => ran.push('c'));
    queue.schedule(10, () => ran.push('a1'));
    queue.schedule(20, () => ran.push('b'));
    queue.schedule(10, () => ran.push('a2'));
    expect(drain(queue, 25)).toEqual([10, 10, 20]);
    expect(ran).toEqual(['a1', 'a2', 'b']);
    expect(queue.size).toBe(1);
    expect(drain(queue, 30)).toEqual([30]);
  });

  it('runs actions scheduled while running when they fall due in time', () => {
    const queue = new EventQueue();
    queue.schedule(5, () => {
      queue.schedule(5, () => undefined);
      queue.schedule(50, () => undefined);
    });
    expect(drain(queue, 10)).toEqual([5, 5]);
    expect(queue.size).toBe(1);
  });

  it('forgets everything on clear', () => {
    const queue = new EventQueue();
    queue.schedule(1, () => undefined);
    queue.clear();
    expect(queue.takeDue(100)).toBeUndefined();
  });
});
