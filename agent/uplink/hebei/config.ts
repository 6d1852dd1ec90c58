/**
 * `uplink.hebei` in the site file: what the Hebei platform issues when a gateway is provisioned
 * (qybm, wgbm, one tnm per point, the DES key) and how often values go up. The site schema
 * (agent/config/schema.ts) embeds this and checks that every mapped point is declared.
 */
import { z } from 'zod';
import { DEFAULT_IV } from './cipher.js';

const digits = (n: number, what: string) => z.string({ error: `must be ${what}: ${n} digits, in quotes` }).regex(new RegExp(`^\\d{${n}}$`), { error: `must be ${what}: ${n} digits` });
const scdCode = z.number({ error: 'must be an integer 0..99' }).int({ error: 'must be an integer 0..99' }).min(0, { error: 'must be 0..99' }).max(99, { error: 'must be 0..99' });

/** V1.1 states `4` = above high-high and `0` = cleared; 1, 2, 3 follow the usual pattern (unconfirmed: ask the platform). */
export const HEBEI_SCD_DEFAULTS = { highHigh: 4, high: 1, low: 2, lowLow: 3, clear: 0 } as const;

export const HebeiScd = z
  .strictObject({
    highHigh: scdCode.default(HEBEI_SCD_DEFAULTS.highHigh).describe('scd for above high-high (超上上限); V1.1 says 4'),
    high: scdCode.default(HEBEI_SCD_DEFAULTS.high).describe('scd for above high (超上限); 1 is a guess, confirm with the platform'),
    low: scdCode.default(HEBEI_SCD_DEFAULTS.low).describe('scd for below low (低于下限); 2 is a guess, confirm with the platform'),
    lowLow: scdCode.default(HEBEI_SCD_DEFAULTS.lowLow).describe('scd for below low-low (低于下下限); 3 is a guess, confirm with the platform'),
    clear: scdCode.default(HEBEI_SCD_DEFAULTS.clear).describe('scd for an alarm cleared; V1.1 says 0'),
  })
  .describe('Alarm state codes (scd) by limit kind');

export const Hebei = z
  .strictObject({
    baseUrl: z
      .string({ error: 'must be the platform URL, e.g. http://host:6030/rabbitmqfcsb' })
      .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { error: 'must be http://host:port/path or https://host:port/path, e.g. http://host:6030/rabbitmqfcsb' })
      .describe('Platform base URL; the gateway POSTs to {baseUrl}/api/rtsData and {baseUrl}/api/eventsData'),
    qybm: digits(12, 'the enterprise code (qybm) issued by the platform').describe('Enterprise code (企业编码), 12 digits'),
    wgbm: digits(14, 'the gateway code (wgbm): qybm and 2 more digits').describe('Gateway code (网关编码), 14 digits = qybm + 2'),
    keyFile: z.string({ error: 'must be a file path' }).min(1, { error: 'must be a file path' }).describe('File holding the 8-character DES key issued by the province'),
    iv: z
      .string({ error: 'must be 8 ASCII characters' })
      .regex(/^[\x20-\x7e]{8}$/, { error: 'must be 8 printable ASCII characters' })
      .default(DEFAULT_IV)
      .describe('DES-CBC IV; every known implementation uses 12345678'),
    periodSeconds: z
      .number({ error: 'must be a whole number of seconds 5..300' })
      .int({ error: 'must be a whole number of seconds 5..300' })
      .min(5, { error: 'must be 5..300 (the platform wants values at least every 5 minutes)' })
      .max(300, { error: 'must be 5..300 (the platform wants values at least every 5 minutes)' })
      .default(30)
      .describe('rtsData period: every mapped point at each period boundary'),
    points: z
      .record(z.string(), digits(19, 'the point code (tnm): qybm and 7 more digits'), { error: 'must map point ids to 19-digit tnm codes' })
      .refine((p) => Object.keys(p).length > 0, { error: 'must map at least one point to its tnm' })
      .describe('Point id → 19-digit point code (tnm) issued by the platform'),
    scd: HebeiScd.default({ ...HEBEI_SCD_DEFAULTS }),
  })
  .superRefine((h, ctx) => {
    if (/^\d{14}$/.test(h.wgbm) && /^\d{12}$/.test(h.qybm) && !h.wgbm.startsWith(h.qybm))
      ctx.addIssue({ code: 'custom', path: ['wgbm'], message: `must start with qybm (${h.qybm})`, input: h.wgbm });
    const seen = new Map<string, string>();
    for (const [point, tnm] of Object.entries(h.points)) {
      if (!/^\d{19}$/.test(tnm)) continue;
      if (/^\d{12}$/.test(h.qybm) && !tnm.startsWith(h.qybm)) ctx.addIssue({ code: 'custom', path: ['points', point], message: `must start with qybm (${h.qybm})`, input: tnm });
      const other = seen.get(tnm);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['points', point], message: `is already the tnm of ${other}`, input: tnm });
      seen.set(tnm, point);
    }
  })
  .describe('Hebei dust-explosion monitoring platform, interface V1.1 (HTTP POST, DES-encrypted JSON)');

export type HebeiConfig = z.output<typeof Hebei>;
export type HebeiScdConfig = z.output<typeof HebeiScd>;
