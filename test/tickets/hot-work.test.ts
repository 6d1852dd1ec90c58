/** Hot-work permits: a certificate expired yesterday is refused; cleaning, conditions and lapse. */
import { describe, expect, it } from 'vitest';
import { hotWorkLapsed, permitHotWork, type HotWorkFacts } from '../../agent/tickets/hot-work.js';

const H = 3_600_000;
const now = 100 * 24 * H;
const sup = { user: '王主管', role: 'supervisor' as const };
const rules = { id: 'weld', cleaning: 'bag-room', cleanedWithinH: 2, validH: 8, certificate: '焊接与热切割作业' };
const cert = (expires: number) => ({ type: '焊接与热切割作业', number: 'T1', authority: '应急管理局', expires });
const facts = (expires: number, over: Partial<HotWorkFacts> = {}): HotWorkFacts => ({ lastCleanedAt: () => now - H, failing: [], certificates: () => [cert(expires)], ...over });

describe('hot work', () => {
  it('refuses a worker whose certificate expired yesterday', () => {
    expect(permitHotWork('HW1', rules, '张三', sup, now, facts(now - 24 * H))).toMatchObject({ ok: false, refusal: 'certificate-expired' });
  });
  it('refuses an area not cleaned within cleanedWithinH, failing conditions, an unknown person', () => {
    expect(permitHotWork('HW1', rules, '张三', sup, now, facts(now + H, { lastCleanedAt: () => now - 3 * H }))).toMatchObject({ ok: false, refusal: 'not-cleaned' });
    expect(permitHotWork('HW1', rules, '张三', sup, now, facts(now + H, { failing: ['粉尘浓度'] }))).toMatchObject({ ok: false, refusal: 'conditions' });
    expect(permitHotWork('HW1', rules, '张三', sup, now, facts(now + H, { certificates: () => undefined }))).toMatchObject({ ok: false, refusal: 'unknown-person' });
  });
  it('permits and lapses after validH', () => {
    const r = permitHotWork('HW1', rules, '张三', sup, now, facts(now + H));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(hotWorkLapsed(r.permit, now + 8 * H - 1)).toBe(false);
      expect(hotWorkLapsed(r.permit, now + 8 * H)).toBe(true);
    }
  });
});
