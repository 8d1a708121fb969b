import { z } from 'zod';
import { UnitTypeSchema, type UnitType } from './units';

/**
 * The reporting form as data. The office can add, drop or reword questions for a new version without
 * a code change; a submission keeps the version it answered, so an old answer never loses its meaning.
 */

export const QUESTION_TYPES = ['count', 'money', 'text'] as const;

const keyPattern = /^[a-z][a-z0-9_]{0,47}$/;

export const QuestionSchema = z
  .object({
    key: z.string().regex(keyPattern, 'key: chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ'),
    label: z.string().trim().min(1).max(200),
    type: z.enum(QUESTION_TYPES),
    /** Unit of measure shown to the contact and in the report ("tin, bài", "lượt", "đồng"). */
    unit: z.string().trim().max(40).optional(),
    required: z.boolean().default(true),
    /** For numbers the smallest accepted value; for texts the fewest characters. */
    min: z.number().int().nonnegative().optional(),
    /** For numbers the largest plausible value; for texts the most characters. */
    max: z.number().int().positive().optional(),
    help: z.string().trim().max(500).optional(),
    /** Unit types the question applies to (XLSForm's `relevant`); absent = every unit. Not asked elsewhere. */
    relevant: z.array(UnitTypeSchema).min(1).optional(),
    /** Slowly changing (the unit profile): offered as one "keep all of last period's figures" question. */
    stable: z.boolean().optional(),
    /** Smallest change from last period's figure worth a question back (overrides the form's default). */
    minDifference: z.number().int().nonnegative().optional(),
  })
  .refine((q) => q.min === undefined || q.max === undefined || q.min <= q.max, {
    message: 'min phải nhỏ hơn hoặc bằng max',
  });

export const SectionSchema = z.object({
  key: z.string().regex(keyPattern),
  title: z.string().trim().min(1).max(200),
  /** Unit types the whole section applies to; a question's own list narrows it further. */
  relevant: z.array(UnitTypeSchema).min(1).optional(),
  questions: z.array(QuestionSchema).min(1),
});

/**
 * A figure that contradicts another one of the same report, e.g. interactions with no views: when
 * `key` is above 0 while every question of `needs` is answered 0, the contact is asked once whether
 * that is right. `message` is said to the contact and shown to the office with the flag.
 */
export const PlausibilityRuleSchema = z.object({
  key: z.string().regex(keyPattern),
  needs: z.array(z.string().regex(keyPattern)).min(1),
  message: z.string().trim().min(1).max(200),
});

/** A figure at least `factor` times (or at most 1/`factor` of) last period's, and off by at least `minDifference`, is asked back. */
export const PlausibilitySchema = z.object({
  factor: z.number().gt(1).max(1000).default(3),
  minDifference: z.number().int().nonnegative().default(10),
});

export const FormDefinitionSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    sections: z.array(SectionSchema).min(1),
    /** Absent in forms written before plausibility checks existed: such forms ask nothing back. */
    plausibility: PlausibilitySchema.optional(),
    rules: z.array(PlausibilityRuleSchema).optional(),
  })
  .superRefine((form, ctx) => {
    const seen = new Map<string, Question['type']>();
    for (const section of form.sections) {
      for (const q of section.questions) {
        if (seen.has(q.key)) {
          ctx.addIssue({ code: 'custom', message: `Mã câu hỏi "${q.key}" bị trùng`, path: ['sections'] });
        }
        seen.set(q.key, q.type);
      }
    }
    (form.rules ?? []).forEach((rule, i) => {
      for (const key of [rule.key, ...rule.needs]) {
        const type = seen.get(key);
        if (type === undefined || type === 'text') {
          ctx.addIssue({ code: 'custom', message: `Quy tắc kiểm tra nhắc đến "${key}", không phải câu hỏi số của biểu mẫu`, path: ['rules', i] });
        }
      }
    });
  });

export type QuestionType = (typeof QUESTION_TYPES)[number];
export type Question = z.infer<typeof QuestionSchema>;
export type Section = z.infer<typeof SectionSchema>;
export type FormDefinition = z.infer<typeof FormDefinitionSchema>;
export type FormDefinitionInput = z.input<typeof FormDefinitionSchema>;
export type PlausibilityRule = z.infer<typeof PlausibilityRuleSchema>;

/** A question together with its section and its 1-based position in the whole form. */
export interface FlatQuestion extends Question {
  sectionKey: string;
  sectionTitle: string;
  /** 1-based number shown in the review and used by /sua N (among the questions that apply to the unit). */
  number: number;
}

/**
 * Every question of the form, numbered in form order; `relevant` is the section's and question's lists
 * combined. A form version never changes once stored, and every message needs this list, so it is built
 * once per form object and shared (frozen: a caller that changed it would change it for everyone).
 */
export function flattenForm(form: FormDefinition): FlatQuestion[] {
  let out = flattened.get(form);
  if (!out) {
    out = [];
    for (const section of form.sections) {
      for (const q of section.questions) {
        const relevant = combineRelevant(section.relevant, q.relevant);
        const flat: FlatQuestion = { ...q, sectionKey: section.key, sectionTitle: section.title, number: out.length + 1 };
        if (relevant) flat.relevant = relevant;
        else delete flat.relevant;
        out.push(Object.freeze(flat));
      }
    }
    Object.freeze(out);
    flattened.set(form, out);
  }
  return out;
}

const flattened = new WeakMap<FormDefinition, FlatQuestion[]>();

function combineRelevant(section: readonly UnitType[] | undefined, question: readonly UnitType[] | undefined): UnitType[] | undefined {
  if (!section) return question ? [...question] : undefined;
  if (!question) return [...section];
  return question.filter((t) => section.includes(t));
}

/**
 * Whether a question is asked of a unit of this type. A unit type the code does not know (null,
 * undefined) is asked everything: a question is never hidden by a missing fact.
 */
export function appliesTo(q: Pick<FlatQuestion, 'relevant'>, unitType: string | null | undefined): boolean {
  if (!q.relevant || unitType === null || unitType === undefined) return true;
  return (q.relevant as readonly string[]).includes(unitType);
}

/**
 * The questions a unit of this type answers, numbered 1..N in form order (what the contact sees). Built
 * once per form and unit type, shared and frozen like flattenForm's list.
 */
export function applicableQuestions(form: FormDefinition, unitType: string | null | undefined): FlatQuestion[] {
  let perType = applicable.get(form);
  if (!perType) applicable.set(form, (perType = new Map()));
  const key = unitType ?? null;
  let list = perType.get(key);
  if (!list) {
    list = Object.freeze(
      flattenForm(form)
        .filter((q) => appliesTo(q, unitType))
        .map((q, i) => Object.freeze({ ...q, number: i + 1 })),
    ) as FlatQuestion[];
    perType.set(key, list);
  }
  return list;
}

/** What a question list gives that every message asks for: built once for the shared, frozen lists. */
function derivedOnce<T>(cache: WeakMap<readonly FlatQuestion[], T>, list: readonly FlatQuestion[], build: (list: readonly FlatQuestion[]) => T): T {
  let value = cache.get(list);
  if (value === undefined) {
    value = build(list);
    if (Object.isFrozen(list)) cache.set(list, value);
  }
  return value;
}

const indexes = new WeakMap<readonly FlatQuestion[], ReadonlyMap<string, FlatQuestion>>();
const runs = new WeakMap<readonly FlatQuestion[], ReadonlyMap<string, readonly FlatQuestion[]>>();
const requiredLists = new WeakMap<readonly FlatQuestion[], readonly FlatQuestion[]>();

/**
 * The questions of a list by key. Every message looks questions up by key; for the shared, frozen lists of
 * applicableQuestions the index is built once, any other list gets its own.
 */
export function questionsByKey(list: readonly FlatQuestion[]): ReadonlyMap<string, FlatQuestion> {
  return derivedOnce(indexes, list, (l) => new Map(l.map((q) => [q.key, q])));
}

/** The questions of `q`'s section that take a figure: the run a contact may answer in one pasted message. */
export function figureRunOf(list: readonly FlatQuestion[], q: FlatQuestion): readonly FlatQuestion[] {
  const bySection = derivedOnce(runs, list, (l) => {
    const m = new Map<string, FlatQuestion[]>();
    for (const x of l) {
      if (x.type === 'text') continue;
      let run = m.get(x.sectionKey);
      if (!run) m.set(x.sectionKey, (run = []));
      run.push(x);
    }
    for (const run of m.values()) Object.freeze(run);
    return m;
  });
  return bySection.get(q.sectionKey) ?? [];
}

/** The required questions of a list, in order. */
export function requiredQuestions(list: readonly FlatQuestion[]): readonly FlatQuestion[] {
  return derivedOnce(requiredLists, list, (l) => Object.freeze(l.filter((q) => q.required)));
}

const applicable = new WeakMap<FormDefinition, Map<string | null, FlatQuestion[]>>();

/** Answer values: integers for counts and money, strings for texts. */
export type AnswerValue = number | string;
export type Answers = Readonly<Record<string, AnswerValue>>;

/**
 * What goes with an answer besides its value: the words typed after a number ("2 đoàn (Hàn Quốc và Nhật
 * Bản)" keeps "Hàn Quốc và Nhật Bản"), an explicit "không có" (distinct from a skipped question), and a
 * figure the contact confirmed although it looked unlikely.
 */
export interface AnswerMeta {
  note?: string;
  /** "không có": nothing to report (a number is then 0, a text null). */
  none?: boolean;
  flag?: AnswerFlag;
}

/** Why a figure was asked back and then confirmed by the contact; the office sees it in the export and appendix. */
export type AnswerFlag =
  | { kind: 'change'; previous: number; periodId: string }
  | { kind: 'rule'; message: string };

/** Default bounds: texts must stay readable in a compiled report; numbers must stay plausible per unit. */
export const TEXT_MAX_LENGTH = 2000;
const COUNT_MAX = 100_000;

const count = (key: string, label: string, unit: string, extra: Partial<Question> = {}): FormDefinitionInput['sections'][number]['questions'][number] => ({
  key,
  label,
  type: 'count',
  unit,
  required: true,
  min: 0,
  max: COUNT_MAX,
  ...extra,
});

const text = (key: string, label: string, extra: Partial<Question> = {}): FormDefinitionInput['sections'][number]['questions'][number] => ({
  key,
  label,
  type: 'text',
  required: false,
  max: TEXT_MAX_LENGTH,
  ...extra,
});

/** The default form of ../shared/domain.md: exactly the figures and texts the compiled report needs. */
export const DEFAULT_FORM: FormDefinition = FormDefinitionSchema.parse({
  title: 'Báo cáo công tác thông tin đối ngoại',
  sections: [
    {
      key: 'profile',
      title: 'Thông tin chung về đơn vị',
      questions: [
        // A school is one institution; only a district office (Phòng GD&ĐT) counts the schools under it.
        count('profile_institutions', 'Số cơ sở giáo dục trực thuộc (tính cả đơn vị mình)', 'cơ sở', { max: 5_000, relevant: ['phong-gddt'], stable: true }),
        count('profile_pupils', 'Số học sinh', 'học sinh', { max: 2_000_000, relevant: ['phong-gddt', 'thpt', 'gdnn-gdtx', 'truc-thuoc'], stable: true, minDifference: 200 }),
        count('profile_classes', 'Số lớp học', 'lớp', { max: 100_000, relevant: ['phong-gddt', 'thpt', 'gdnn-gdtx', 'truc-thuoc'], stable: true }),
        count('profile_staff', 'Số cán bộ quản lý, giáo viên, nhân viên', 'người', { max: 200_000, stable: true, minDifference: 20 }),
      ],
    },
    {
      key: 'portal',
      title: 'Tin, bài trên Cổng/Trang thông tin điện tử của đơn vị',
      questions: [
        count('portal_news_events', 'Tin tức - Sự kiện', 'tin, bài'),
        count('portal_party_ideology', 'Bảo vệ nền tảng tư tưởng của Đảng', 'tin, bài'),
        count('portal_role_models', 'Gương điển hình', 'tin, bài'),
        count('portal_admin_reform', 'Cải cách hành chính', 'tin, bài'),
        count('portal_grassroots', 'Tin hoạt động của đơn vị cơ sở', 'tin, bài'),
        count('portal_legal_education', 'Tuyên truyền, phổ biến giáo dục pháp luật', 'tin, bài'),
        count('portal_education_reform', 'Đổi mới giáo dục và đào tạo', 'tin, bài'),
        count('portal_exams', 'Thông tin các kỳ thi', 'tin, bài'),
        count('portal_other', 'Các chuyên mục khác', 'tin, bài'),
      ],
    },
    {
      key: 'digital',
      title: 'Nền tảng truyền thông số (fanpage, Zalo OA, TikTok, YouTube...)',
      questions: [
        count('digital_posts', 'Số tin, bài, hình ảnh, video đã đăng', 'tin, bài, hình ảnh', { max: 1_000_000 }),
        count('digital_views', 'Tổng số lượt xem', 'lượt xem', { max: 1_000_000_000, minDifference: 1_000 }),
        count('digital_interactions', 'Tổng số lượt tương tác (thích, bình luận, chia sẻ)', 'lượt tương tác', {
          max: 1_000_000_000,
          minDifference: 500,
        }),
      ],
    },
    {
      key: 'press',
      title: 'Báo chí và phát ngôn',
      questions: [
        count('press_info_provided', 'Số lần cung cấp thông tin cho báo chí', 'lần', { max: 10_000 }),
        count('press_articles', 'Số tin, bài báo chí viết về đơn vị', 'tin, bài', { max: 10_000 }),
        count('press_false_info_handled', 'Số thông tin sai lệch, tiêu cực được phát hiện và xử lý', 'thông tin', {
          max: 10_000,
        }),
      ],
    },
    {
      key: 'training',
      title: 'Đào tạo, bồi dưỡng nghiệp vụ',
      questions: [
        count('training_sessions', 'Số lớp tập huấn, bồi dưỡng đã tổ chức hoặc tham gia', 'lớp', { max: 10_000 }),
        count('training_participants', 'Số lượt người tham gia tập huấn', 'lượt người', { max: 1_000_000 }),
      ],
    },
    {
      key: 'international',
      title: 'Hợp tác quốc tế',
      questions: [
        count('intl_delegations_received', 'Số đoàn nước ngoài đến làm việc', 'đoàn', { max: 1_000 }),
        count('intl_delegations_sent', 'Số đoàn của đơn vị đi nước ngoài', 'đoàn', { max: 1_000 }),
        count('intl_agreements', 'Số thỏa thuận, biên bản ghi nhớ hợp tác đã ký', 'văn bản', { max: 1_000 }),
        count('intl_foreign_students', 'Số lưu học sinh nước ngoài (Lào, Campuchia...) đang học tập', 'lưu học sinh', {
          max: 100_000,
        }),
        {
          key: 'intl_support_money',
          label: 'Kinh phí hỗ trợ lưu học sinh',
          type: 'money',
          unit: 'đồng',
          required: true,
          min: 0,
          max: 1_000_000_000_000,
          minDifference: 5_000_000,
        },
        text('intl_activities_text', 'Hoạt động hợp tác quốc tế nổi bật (tóm tắt)'),
      ],
    },
    {
      key: 'campaigns',
      title: 'Tuyên truyền theo chủ đề (biển đảo, ASEAN, quyền con người, ngày lễ lớn)',
      questions: [
        count('campaign_activities', 'Số hoạt động tuyên truyền theo chủ đề', 'hoạt động', { max: 10_000 }),
        text('campaign_text', 'Hoạt động tuyên truyền theo chủ đề nổi bật (tóm tắt)'),
      ],
    },
    {
      key: 'assessment',
      title: 'Đánh giá và kiến nghị',
      questions: [
        // No text is required: the report's body is written by the office from the figures, and the units'
        // texts only feed the annex it copies from; a unit with nothing notable to say skips them.
        text('assess_results_text', 'Kết quả nổi bật'),
        text('assess_shortcomings_text', 'Tồn tại, hạn chế'),
        text('assess_causes_text', 'Nguyên nhân của tồn tại, hạn chế'),
        text('assess_proposals_text', 'Kiến nghị, đề xuất với Sở'),
      ],
    },
  ],
  plausibility: { factor: 3, minDifference: 10 },
  rules: [
    { key: 'digital_interactions', needs: ['digital_views'], message: 'Có lượt tương tác nhưng không có lượt xem nào.' },
    { key: 'digital_views', needs: ['digital_posts'], message: 'Có lượt xem nhưng không có tin, bài, hình ảnh, video nào được đăng.' },
    { key: 'training_participants', needs: ['training_sessions'], message: 'Có người tham gia tập huấn nhưng không có lớp tập huấn nào.' },
  ],
});
