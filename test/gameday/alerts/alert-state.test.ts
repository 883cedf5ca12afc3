import { describe, expect, it } from 'vitest';
import { createAlertStateMachine } from '../../../src/gameday/alerts/alert-state.js';

/** Feeds one evaluation a second, `true` where the alert expression has a result. */
function run(forMs: number, active: readonly boolean[]) {
  const machine = createAlertStateMachine(forMs);
  const states = active.map((a, second) => machine.evaluate(a, second * 1000));
  return { machine, states };
}

describe('the alert state machine, as Prometheus rule manager runs it', () => {
  it('goes pending at the first true evaluation, fires once active for `for`, resolves at the first false one', () => {
    const { machine, states } = run(2000, [false, true, true, true, true, false, false]);
    expect(states).toEqual(['inactive', 'pending', 'pending', 'firing', 'firing', 'inactive', 'inactive']);
    expect(machine.transitions).toEqual([
      { atMs: 1000, state: 'pending' },
      { atMs: 3000, state: 'firing' },
      { atMs: 5000, state: 'inactive' },
    ]);
    expect(machine.firstActiveMs).toBe(1000);
    expect(machine.firstFiringMs).toBe(3000);
  });

  it('fires at the first true evaluation when there is no `for`, recording one transition', () => {
    const { machine, states } = run(0, [false, true, false]);
    expect(states).toEqual(['inactive', 'firing', 'inactive']);
    expect(machine.transitions).toEqual([
      { atMs: 1000, state: 'firing' },
      { atMs: 2000, state: 'inactive' },
    ]);
    expect(machine.firstActiveMs).toBe(1000);
  });

  it('drops a pending alert whose condition stops holding, and counts `for` again from the next activation', () => {
    const { machine, states } = run(2000, [true, true, false, true, true, true]);
    expect(states).toEqual(['pending', 'pending', 'inactive', 'pending', 'pending', 'firing']);
    expect(machine.firstActiveMs).toBe(0);
    expect(machine.firstFiringMs).toBe(5000);
  });

  it('counts `for` in evaluation time: an alert active for 1.5 intervals with `for` of 1.5 s fires at the second evaluation after', () => {
    const { states } = run(1500, [true, true, true]);
    expect(states).toEqual(['pending', 'pending', 'firing']);
  });
});
