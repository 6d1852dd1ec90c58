/**
 * The operator page's model, composed from the plant, the buffer's trends, the destinations'
 * status and the Modbus devices' health. The plant knows nothing of the page; this is where the
 * two meet (app.ts builds it; the page's tests build it the same way).
 */
import type { DeviceStats } from './acquisition/device-stats.js';
import type { Clock } from './core/clock.js';
import type { TicketLoop } from './tickets/ticket-loop.js';
import { isLive } from './tickets/ticket.js';
import { ticketHtml } from './tickets/ticket-print.js';
import type { BriefingView, TicketBoard, TicketDesk, CleaningBoard, DispositionBoard, HazardBoard, HazardDesk, HazardView, PhotoShelf, PlantModel, PlantSnapshot, PointView, UplinkView } from './hmi/model.js';
import type { Plant } from './plant/plant.js';
import { isOverdue, type HazardRecord } from './records/hazard-machine.js';
import type { HazardLoop } from './records/hazard-loop.js';
import { MANUAL_RULE } from './records/hazard-records.js';
import type { DispositionRecords } from './records/disposition-records.js';
import type { Digest } from './digests/digest.js';
import type { DigestLoop } from './digests/digest-loop.js';
import { DISPOSITION_ACTIONS, DISPOSITION_CAUSES } from './records/disposition-presets.js';

export interface PageSources {
  plant: Plant;
  clock: Clock;
  uplinks?: () => UplinkView[];
  devices?: () => DeviceStats[];
  /** samples of one point from the buffer, oldest first */
  trend?: (pointId: string, fromMs: number, toMs: number) => Promise<{ t: number; v: number | null }[]>;
  /** the hidden-hazard records and the rules behind them */
  hazards?: HazardLoop;
  /** where their photos are kept */
  photos?: PhotoShelf;
  /** the risk digests, where the site file asks for them */
  digests?: DigestLoop;
  /** alarm handling feedback, where the site file asks for it (alarms.disposition) */
  dispositions?: { records: DispositionRecords; withinMin: number };
  /** the work tickets and the ledger, where the site has confined spaces or hot work */
  tickets?: TicketLoop;
}

export function pageModel(s: PageSources): PlantModel {
  const { plant, clock } = s;
  const config = plant.config;
  const view = (role: 'analog' | 'contact'): PointView[] =>
    [...plant.points.info.values()]
      .filter((i) => i.role === role)
      .map((i) => {
        const cur = plant.points.get(i.id);
        return {
          id: i.id,
          name: i.name,
          kind: i.kind,
          unit: i.unit,
          v: cur?.v ?? null,
          q: cur?.q ?? 'stale',
          t: cur?.t ?? 0,
          ...(i.limits ? { limits: i.limits } : {}),
        };
      });
  return {
    snapshot(): PlantSnapshot {
      const flood = plant.alarms.flood();
      return {
        site: { name: config.site.name, gateway: config.site.gateway, enterprise: config.site.enterprise },
        t: clock.now(),
        points: view('analog'),
        contacts: view('contact'),
        outputs: plant.outputs.list(),
        permits: plant.interlocks.permits(),
        alarms: plant.alarms.views(),
        lockouts: plant.interlocks.lockoutViews(),
        uplinks: s.uplinks?.() ?? [],
        devices: s.devices?.() ?? [],
        ...(flood ? { flood } : {}),
        ...(s.hazards ? { hazards: hazardBoard(s.hazards, clock.now()) } : {}),
        ...(s.dispositions ? { dispositions: dispositionBoard(s.dispositions) } : {}),
        ...(s.digests ? { digests: true as const } : {}),
        ...cleaningBoard(s.hazards),
        ...(s.tickets ? { tickets: ticketBoard(s.tickets) } : {}),
      };
    },
    onChange: (listener) => {
      const off = [plant.onChange(listener), s.hazards?.records.onChange(listener), s.hazards?.cleaning.onChange(listener), s.dispositions?.records.onChange(listener), s.tickets?.onChange(listener)];
      return () => off.forEach((f) => f?.());
    },
    acknowledge: async (alarmId, user) => plant.alarms.acknowledge(alarmId, user),
    reset: async (interlockId, user) => plant.interlocks.reset(interlockId, user),
    shelve: async (alarmId, user, reason, untilMs) => plant.alarms.shelve(alarmId, user, reason, untilMs),
    trend: async (pointId, fromMs, toMs) => (plant.points.info.has(pointId) && s.trend ? s.trend(pointId, fromMs, toMs) : []),
    ...(s.hazards ? { hazards: hazardDesk(s.hazards, clock, s.photos) } : {}),
    ...(s.dispositions
      ? {
          dispositions: {
            record: (id, f) => s.dispositions!.records.record(id, f),
            history: (limit) => s.dispositions!.records.history({ limit }),
            causes: DISPOSITION_CAUSES,
            actions: DISPOSITION_ACTIONS,
          },
        }
      : {}),
    ...(s.digests ? { digests: digestDesk(s.digests, s.hazards, s.tickets) } : {}),
    ...(s.tickets ? { tickets: ticketDesk(s.tickets, plant, clock) } : {}),
    ...(s.hazards?.cleaning.hasAreas()
      ? {
          cleaning: {
            checkIn: (area, c) => s.hazards!.cleaning.checkIn(area, c),
            history: async (area) => (s.hazards!.cleaning.has(area) ? s.hazards!.cleaning.history(area) : undefined),
          },
        }
      : {}),
  };
}

function ticketBoard(loop: TicketLoop): TicketBoard {
  const all = loop.list();
  const live = all.filter(isLive);
  const tickets = [...live, ...all.filter((t) => !isLive(t))].map((ticket) => {
    const next = isLive(ticket) ? loop.nextStep(ticket) : undefined;
    return { ticket, checks: isLive(ticket) ? loop.checks(ticket) : [], ...(next ? { next } : {}) };
  });
  return { tickets, live: live.length, evacuate: live.filter((t) => t.state === 'evacuate').length, places: loop.places() };
}

function ticketDesk(loop: TicketLoop, plant: Plant, clock: Clock): TicketDesk {
  const timeZone = plant.config.site.timezone;
  return {
    openEntry: (req, by) => loop.openEntry(req, by),
    openHotWork: (req, by) => loop.openHotWork(req, by),
    act: (id, step, by) => loop.act(id, step, by),
    ticket: (id) => loop.ticket(id),
    history: (id) => loop.history(id),
    print: async (id) => {
      const t = await loop.ticket(id);
      if (!t) return undefined;
      const places = loop.places();
      const place = [...places.spaces, ...places.hotWork].find((p) => p.id === t.space)?.name ?? t.space;
      return ticketHtml(t, (await loop.history(id)) ?? [], { place, timeZone, pointName: (p) => plant.points.name(p) });
    },
    readings: (space) => loop.readingsNow(space),
    people: {
      views: () => loop.ledger.views(clock.now()),
      add: (name, certs, by) => loop.ledger.add(name, certs, by, clock.now()),
      remove: (name) => loop.ledger.remove(name),
      csv: () => loop.ledger.csv(clock.now(), timeZone),
    },
  };
}

const head = ({ id, period, name, from, to, risk, reasons }: Digest) => ({ id, period, name, from, to, risk, reasons });

function digestDesk(loop: DigestLoop, hazards: HazardLoop | undefined, tickets: TicketLoop | undefined): NonNullable<PlantModel['digests']> {
  return {
    briefing: async () => {
      const [{ lastShift, forecasts }, current] = await Promise.all([loop.briefing(), loop.current()]);
      return {
        lastShift: head(lastShift),
        current: head(current),
        forecasts: forecasts.map((f) => ({ point: f.point, limit: f.limit, limitValue: f.limitValue, ...(f.hours !== undefined ? { hours: f.hours } : {}) })),
        ...(hazards ? { hazards: (({ openMajor, open, overdue }) => ({ openMajor, open, overdue }))(hazards.records.summary()) } : {}),
        ...(tickets ? { tickets: briefingTickets(tickets) } : {}),
      };
    },
    sign: (id, user) => loop.signBriefing(id, user),
    report: (kind, at) => loop.report(kind, at),
    forecast: (pointId) => {
      const f = loop.warnings?.forecasts().find((x) => x.point === pointId && x.hours !== undefined);
      return f ? { origin: f.origin, intercept: f.fit.intercept, slope: f.fit.slope, hours: f.hours!, limitValue: f.limitValue } : undefined;
    },
  };
}

/** The tickets not yet closed, as the briefing lists them. */
function briefingTickets(loop: TicketLoop): NonNullable<BriefingView['tickets']> {
  const places = loop.places();
  const name = (id: string) => [...places.spaces, ...places.hotWork].find((p) => p.id === id)?.name ?? id;
  return loop.list().filter(isLive).map((t) => ({ id: t.id, kind: t.kind, place: name(t.space), state: t.state, inside: t.kind === 'confined_space' ? t.inside.length : 0 }));
}

function dispositionBoard(d: { records: DispositionRecords; withinMin: number }): DispositionBoard {
  return { pending: d.records.pending(), overdue: d.records.counts().overdue, withinMin: d.withinMin };
}

/** The cleaning areas, where the site has any: `{cleaning}` to spread into the snapshot, else nothing. */
function cleaningBoard(loop: HazardLoop | undefined): { cleaning?: CleaningBoard } {
  const areas = loop?.cleaning.list() ?? [];
  if (!areas.length) return {};
  return { cleaning: { areas, due: areas.filter((a) => a.state === 'due').length, overdue: areas.filter((a) => a.state === 'overdue').length } };
}

function hazardView(loop: HazardLoop, r: HazardRecord, now: number): HazardView {
  return { ...r, overdue: isOverdue(r, now), conditionPresent: r.state !== 'closed' && loop.present(r.rule), rectifyWithinH: loop.rectifyWithinH(r.rule) };
}

/** The board as the page shows it; the oldest record's time, not its age, so a quiet board does not change every second. */
function hazardBoard(loop: HazardLoop, now: number): HazardBoard {
  const { oldestOpenMajorMs, ...counts } = loop.records.summary();
  return {
    ...counts,
    ...(oldestOpenMajorMs !== undefined ? { oldestOpenMajorSince: now - oldestOpenMajorMs } : {}),
    records: loop.records
      .list()
      .filter((r) => r.state !== 'closed' || (r.closedAt ?? 0) >= loop.records.startOfDay(now))
      .map((r) => hazardView(loop, r, now)),
  };
}

function hazardDesk(loop: HazardLoop, clock: Clock, photos: PhotoShelf | undefined): HazardDesk {
  return {
    ...(photos ? { photos } : {}),
    history: async (id) => (loop.records.get(id) ? loop.records.changes(id) : undefined),
    find: async (f, user) => {
      const { record } = await loop.records.find({
        rule: MANUAL_RULE,
        clause: f.clause,
        grade: f.grade,
        title: f.title,
        ...(f.description ? { description: f.description } : {}),
        by: user,
        rectifyWithinH: f.rectifyWithinH ?? loop.rectifyWithinH(MANUAL_RULE),
        ...(f.photos?.length ? { photos: f.photos } : {}),
      });
      return hazardView(loop, record, clock.now());
    },
    act: (id, action) => loop.records.act(id, action),
    rectifyWithinH: (id) => {
      const r = loop.records.get(id);
      return r ? loop.rectifyWithinH(r.rule) : undefined;
    },
  };
}
