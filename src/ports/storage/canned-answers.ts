import type { CannedAnswer, CannedAnswerRow } from '../../domain/canned-answers/canned-answer.ts';

/** Which answers a listing shows: one person's personal answers and/or the answers of some teams (or every team). */
export interface CannedAnswerFilter {
  ownerId?: number;
  groupIds?: readonly number[] | 'all';
}

/** Canned answers with their language variants; each write of an answer and its variants is atomic. */
export interface CannedAnswerRepository {
  createCannedAnswer(row: CannedAnswerRow, at: string): Promise<CannedAnswer>;
  /** Replaces the name and every variant; the scope never changes. Undefined when there is no such answer. */
  updateCannedAnswer(id: number, row: Omit<CannedAnswerRow, 'scope'>, at: string): Promise<CannedAnswer | undefined>;
  findCannedAnswer(id: number): Promise<CannedAnswer | undefined>;
  /** By name (then id); an empty filter lists nothing. */
  listCannedAnswers(filter: CannedAnswerFilter): Promise<CannedAnswer[]>;
  deleteCannedAnswer(id: number): Promise<boolean>;
  /** Erasure: every personal answer of this person (a former technician's texts may name them); how many. */
  deleteCannedAnswersOf(ownerId: number): Promise<number>;
}
