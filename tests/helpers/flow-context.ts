import { DEFAULT_FORM } from '../../domain/form';
import type { FlowContext } from '../../handlers/conversation';

/** The engine's context for a school answering the default form in the first half of 2026; `over` changes what a case needs. */
export function schoolFlowContext(over: Partial<FlowContext> = {}): FlowContext {
  return {
    form: DEFAULT_FORM,
    unitType: 'thpt',
    timeZone: 'Asia/Ho_Chi_Minh',
    period: { id: '2026-H1', title: '6 tháng đầu năm 2026', deadline: new Date('2026-05-05T16:59:59.999Z'), open: true },
    unitName: 'Trường THPT Bùi Thị Xuân',
    submission: { status: 'draft', revision: 0, confirmedAt: null },
    answers: {},
    previous: null,
    ...over,
  };
}
