/** Strict checks of the hidden-hazard forms' JSON bodies: exact keys, bounded text, known photo names. */
import { GRADES } from '../config/closed-loop.js';
import type { Grade } from '../records/hazard-machine.js';
import { PHOTO_NAME } from '../records/hazard-photos.js';
import { HttpError } from './http.js';
import type { ManualFinding } from './model.js';
import { integer, objectWith, text } from './validate.js';

/** the longest deadline the site file allows a rule (rectifyWithinH), 90 days */
export const MAX_WITHIN_H = 24 * 90;
/** photos one change may name: a finding, or a rectification's before and after */
export const MAX_PHOTOS = 4;
const NOTE_MAX = 500;

function invalid(message: string): HttpError {
  return new HttpError(400, 'invalid', message);
}

function optionalText(r: Record<string, unknown>, key: string, max: number): string | undefined {
  if (r[key] === undefined) return undefined;
  const v = text(r, key, 0, max);
  return v || undefined;
}

/** The `photos` of a body: names the photo upload gave, at most MAX_PHOTOS (hazard steps and cleaning check-ins). */
export function photoNames(r: Record<string, unknown>): string[] | undefined {
  const v = r['photos'];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > MAX_PHOTOS || !v.every((p) => typeof p === 'string' && PHOTO_NAME.test(p))) {
    throw invalid(`photos: must be at most ${MAX_PHOTOS} names the photo upload gave`);
  }
  return v as string[];
}

function grade(r: Record<string, unknown>): Grade {
  const v = r['grade'];
  if (typeof v !== 'string' || !(GRADES as readonly string[]).includes(v)) throw invalid(`grade: must be one of ${GRADES.join(', ')}`);
  return v as Grade;
}

export function findingBody(body: unknown): ManualFinding {
  const r = objectWith(body, ['clause', 'grade', 'title', 'description', 'rectifyWithinH', 'photos']);
  const description = optionalText(r, 'description', NOTE_MAX);
  const p = photoNames(r);
  return {
    clause: text(r, 'clause', 1, 32),
    grade: grade(r),
    title: text(r, 'title', 1, 100),
    ...(description ? { description } : {}),
    ...(r['rectifyWithinH'] !== undefined ? { rectifyWithinH: integer(r, 'rectifyWithinH', 1, MAX_WITHIN_H) } : {}),
    ...(p?.length ? { photos: p } : {}),
  };
}

export function assignBody(body: unknown): { assignee: string; withinH?: number } {
  const r = objectWith(body, ['assignee', 'withinH']);
  return { assignee: text(r, 'assignee', 1, 64), ...(r['withinH'] !== undefined ? { withinH: integer(r, 'withinH', 1, MAX_WITHIN_H) } : {}) };
}

export function rectifyBody(body: unknown): { note: string; photos?: string[] } {
  const r = objectWith(body, ['note', 'photos']);
  const p = photoNames(r);
  return { note: text(r, 'note', 1, NOTE_MAX), ...(p?.length ? { photos: p } : {}) };
}

export function closeBody(body: unknown): { note?: string } {
  const note = optionalText(objectWith(body, ['note']), 'note', NOTE_MAX);
  return note ? { note } : {};
}

export function rejectBody(body: unknown): { note: string } {
  return { note: text(objectWith(body, ['note']), 'note', 1, NOTE_MAX) };
}
