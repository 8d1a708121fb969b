import { z } from 'zod';
import { applicableQuestions, type AnswerValue, type FormDefinition } from './form';

/**
 * What the form conversation remembers between two messages, and what a contact can send it: pure data,
 * stored as JSON by storage/repositories/conversations.ts. The engine that reads these and writes the
 * texts lives in handlers/conversation.ts, since it speaks (templates/); domain/ stays free of wording.
 */

const PendingSchema = z.object({
  raw: z.string(),
  candidates: z.array(z.number()),
  /** 'pick': choose one reading of an ambiguous figure; 'unlikely': "Đúng không? 1. Đúng 2. Nhập lại". */
  kind: z.enum(['pick', 'unlikely']).optional(),
  note: z.string().nullable().optional(),
  none: z.boolean().optional(),
});

export const ConversationStateSchema = z.object({
  mode: z.enum(['idle', 'question', 'review', 'pick_edit']),
  periodId: z.string().optional(),
  /** In 'question' the question asked; elsewhere the question to resume at. */
  key: z.string().optional(),
  /** Set by /sua N: after the answer, show the changed line and the way back instead of the next question. */
  returnToReview: z.boolean().optional(),
  /** A figure waiting for the contact to pick a reading or to confirm it. */
  pending: PendingSchema.optional(),
  /** The unit profile is offered as one "keep all of last period's figures" question. */
  block: z.literal('stable').optional(),
  /**
   * The contact answered "2" (enter again) to that offer in this period: it is not made again, even after a
   * pause. Scoped to the period because a state of another period is reset (a new period offers it anew).
   */
  blockDeclined: z.literal(true).optional(),
  /** The contact chose to answer the optional questions left instead of confirming. */
  more: z.boolean().optional(),
  /** When a text answer long enough to have been split by Telegram was refused (ms). */
  tooLongAt: z.number().optional(),
});
export type ConversationState = z.infer<typeof ConversationStateSchema>;

export const IDLE: ConversationState = { mode: 'idle' };

/** Reads a stored state; anything unreadable (an old shape, a corrupt row) becomes idle, never a crash. */
export function readState(json: string | null | undefined): ConversationState {
  if (!json) return IDLE;
  try {
    const parsed = ConversationStateSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : IDLE;
  } catch {
    return IDLE;
  }
}

export const FLOW_COMMANDS = ['nhap', 'xem', 'sua', 'boqua', 'quaylai', 'xacnhan', 'huy'] as const;
export type FlowCommand = (typeof FLOW_COMMANDS)[number];

export type FlowInput =
  | { kind: 'text'; text: string }
  | { kind: 'command'; name: FlowCommand; arg: string };

/** null = the question was skipped on purpose (or "không có" for a text); a missing key = not answered yet. */
export type CurrentAnswers = Readonly<Record<string, AnswerValue | null>>;

/** Questions with no answer yet among those that apply to the unit (a skipped question counts as answered). */
export function countRemaining(form: FormDefinition, answers: CurrentAnswers, unitType?: string | null): number {
  return applicableQuestions(form, unitType).filter((q) => !(q.key in answers)).length;
}
