/** The site schema's building blocks: ids, ranges and texts with the installer's wording of each problem. */
import { z } from 'zod';

export const range = (min: number, max: number, what = 'an integer') =>
  z
    .number({ error: `must be ${what} ${min}..${max}` })
    .int({ error: `must be ${what} ${min}..${max}` })
    .min(min, { error: `must be ${min}..${max}` })
    .max(max, { error: `must be ${min}..${max}` });

export const ms = (min: number, max: number) => range(min, max, 'a whole number of ms');
export const id = z
  .string({ error: 'must be an id (letters, digits, . _ -)' })
  .regex(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/, { error: 'must be an id: a letter, then letters, digits, . _ - (at most 64)' });
export const text = z.string({ error: 'must be text' }).min(1, { error: 'must not be empty' });
export const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });
export const num = z.number({ error: 'must be a number' }).refine(Number.isFinite, { error: 'must be a finite number' });

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
