/**
 * The condition language of interlocks, alarms, hazard rules and work-ticket steps: a contact
 * ({input, is}), an analog value ({point, between|above|below}) or a count of contact events
 * ({events, fewerThan, withinMs}), each optionally held for forMs.
 */
import { z } from 'zod';
import { id, ms, num, range } from './primitives.js';

export const forMs = ms(0, 86_400_000).optional();
export const InputCondition = z.strictObject({ input: id, is: z.boolean({ error: 'must be true or false' }), forMs });
export const AnalogCondition = z
  .strictObject({
    point: id,
    between: z.tuple([num, num], { error: 'must be [low, high]' }).optional(),
    above: num.optional(),
    below: num.optional(),
    forMs,
  })
  .superRefine((c, ctx) => {
    const n = [c.between, c.above, c.below].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', message: 'must have exactly one of between, above, below' });
    if (c.between && c.between[0] >= c.between[1])
      ctx.addIssue({ code: 'custom', path: ['between'], message: 'must be [low, high] with low < high', input: c.between });
  });
export const EventCountCondition = z.strictObject({
  events: id,
  fewerThan: range(1, 1000),
  withinMs: ms(1, 86_400_000),
});
export const Condition = z.union([InputCondition, AnalogCondition, EventCountCondition], {
  error: 'must be one of {input, is}, {point, between|above|below}, {events, fewerThan, withinMs}',
});

/** One contact or analog condition (a ventilation fan, an attendant, a hatch): no event counts. */
export const StateCondition = z.union([InputCondition, AnalogCondition], {
  error: 'must be one of {input, is}, {point, between|above|below}',
});

export type ConditionConfig = z.output<typeof Condition>;
