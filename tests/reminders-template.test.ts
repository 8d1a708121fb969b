import { describe, expect, test } from 'vitest';
import { periodInfo } from '../domain/periods';
import { buildDigest, daysToDeadline } from '../domain/reminder-digest';
import { DIGEST_MAX_NAMES, digestText, outsideWorkingHours, periodListText, reminderReply } from '../templates/reminders';

const TZ = 'Asia/Ho_Chi_Minh';
const H1 = periodInfo('2026-H1');
const Q1 = periodInfo('2026-Q1');
const local = (iso: string) => new Date(`${iso}+07:00`);

describe('reminder text', () => {
  const base = { unitName: 'Trường THPT Bùi Thị Xuân', periodTitle: H1.title, deadline: H1.deadline, timeZone: TZ, total: 33 };

  test('before the deadline: the date, the days left, what is left to answer, the command', () => {
    const r = reminderReply({ ...base, now: local('2026-04-28T07:30:00'), remaining: 12 });
    expect(r.text).toBe(
      [
        '🔔 Kính gửi Trường THPT Bùi Thị Xuân,',
        'Báo cáo công tác thông tin đối ngoại 6 tháng đầu năm 2026 có hạn nộp 05/5/2026 (còn 7 ngày).',
        'Đơn vị còn 12/33 câu hỏi chưa trả lời.',
        'Vui lòng gõ /nhap để tiếp tục nhập; câu trả lời được lưu ngay, có thể dừng và làm tiếp bất cứ lúc nào.',
        'Trân trọng cảm ơn!',
      ].join('\n'),
    );
    expect(r.actions).toEqual([{ label: 'Nhập báo cáo', command: '/nhap' }]);
  });

  test('tomorrow, today, not started, everything answered', () => {
    expect(reminderReply({ ...base, now: local('2026-05-04T07:30:00'), remaining: 33 }).text).toContain(
      'có hạn nộp ngày mai, 05/5/2026.\nĐơn vị chưa nhập câu nào (báo cáo gồm 33 câu hỏi).',
    );
    expect(reminderReply({ ...base, now: local('2026-05-05T19:59:00'), remaining: 0 }).text).toContain(
      'có hạn nộp hôm nay, 05/5/2026.\nĐơn vị đã trả lời đủ các câu hỏi, chỉ còn bước kiểm tra lại và xác nhận.',
    );

    // The command's purpose follows where /nhap takes the unit: the first question, the next one, the review.
    expect(reminderReply({ ...base, now: local('2026-05-04T07:30:00'), remaining: 33 }).text).toContain('Vui lòng gõ /nhap để bắt đầu nhập;');
    expect(reminderReply({ ...base, now: local('2026-05-05T19:59:00'), remaining: 0 }).text).toContain('Vui lòng gõ /nhap để kiểm tra lại và xác nhận;');
    expect(reminderReply({ ...base, now: local('2026-05-07T07:30:00'), remaining: 33 }).text).toContain('Vui lòng gõ /nhap để bắt đầu nhập.');
  });

  test('every reminder: correct diacritics, no unaccented Vietnamese, the date written the official ways', () => {
    const texts = [
      reminderReply({ ...base, now: local('2026-04-28T07:30:00'), remaining: 12 }).text,
      reminderReply({ ...base, now: local('2026-05-07T07:30:00'), remaining: 12 }).text,
    ];
    for (const text of texts) {
      expect(text.normalize('NFC')).toBe(text);
      expect(text).toMatch(/^🔔 Kính gửi /);
      expect(text).toContain('Trân trọng cảm ơn!');
      // Words a keyboard without Telex would leave bare.
      expect(text).not.toMatch(/\b(Kinh gui|bao cao|han nop|don vi|cau hoi|Van phong)\b/i);
    }
    expect(texts[0]).toMatch(/05\/5\/2026/);
    expect(texts[1]).toContain('ngày 05 tháng 5 năm 2026');
  });

  test('after the deadline: worded as overdue, with the official date', () => {
    const text = reminderReply({ ...base, now: local('2026-05-07T07:30:00'), remaining: 1 }).text;
    expect(text).toContain('6 tháng đầu năm 2026 đã quá hạn nộp (hạn ngày 05 tháng 5 năm 2026).');
    expect(text).toContain('Đơn vị còn 1/33 câu hỏi chưa trả lời.');
    expect(text).toContain('Văn phòng Sở kính đề nghị đơn vị hoàn thành và xác nhận báo cáo trong thời gian sớm nhất. Vui lòng gõ /nhap để tiếp tục nhập.');
    expect(text).not.toContain('còn 7 ngày');
  });

  test('a quarter reads in lower case inside the sentence; a Sunday deadline reminded on Monday is overdue', () => {
    const text = reminderReply({ ...base, periodTitle: Q1.title, deadline: Q1.deadline, now: local('2026-04-06T07:30:00'), remaining: 5 }).text;
    expect(text).toContain('thông tin đối ngoại quý I năm 2026 đã quá hạn nộp (hạn ngày 05 tháng 4 năm 2026).');
  });
});

describe('daysToDeadline', () => {
  test('counts local calendar days, whatever the hour', () => {
    expect(daysToDeadline(local('2026-05-04T23:59:00'), H1.deadline, TZ)).toBe(1);
    expect(daysToDeadline(local('2026-05-05T00:00:00'), H1.deadline, TZ)).toBe(0);
    expect(daysToDeadline(local('2026-05-07T08:00:00'), H1.deadline, TZ)).toBe(-2);
    expect(daysToDeadline(new Date('2026-04-27T17:00:00Z'), H1.deadline, TZ)).toBe(7); // 00:00 on 28/4 in Hà Nội
  });
});

describe('digest', () => {
  const units = Array.from({ length: 130 }, (_, i) => ({ id: i + 1, name: `Trường số ${String(i + 1).padStart(3, '0')}` }));

  test('confirmed x of y, the units still missing (flagged when nobody can be reached), the blocked accounts', () => {
    const d = buildDigest({
      periodTitle: H1.title,
      deadline: H1.deadline,
      now: local('2026-05-07T07:45:00'),
      units: units.slice(0, 4),
      confirmedUnitIds: new Set([1]),
      reachableUnitIds: new Set([2, 3]),
      unreachable: [{ displayName: 'Nguyễn Thị Hoa', unitName: 'Trường số 004', channel: 'zalo' }],
      round: { kind: 'scheduled', sent: 1_250, failed: 2, unreachable: 1 },
    });
    expect(digestText(d, TZ)).toBe(
      [
        '📋 TỔNG HỢP NHẮC BÁO CÁO 6 THÁNG ĐẦU NĂM 2026',
        'Hạn nộp: 05/5/2026, đã quá hạn 2 ngày.',
        'Đã xác nhận: 1/4 đơn vị.',
        'Lượt nhắc tự động lúc 07:45 ngày 07/5/2026: đã gửi 1.250 tin, 2 tin chưa gửi được (sẽ thử lại), 1 tài khoản đã chặn bot.',
        '',
        'Đơn vị chưa xác nhận (3):',
        '1. Trường số 002',
        '2. Trường số 003',
        '3. Trường số 004 (chưa có tài khoản nhận được tin nhắc)',
        '',
        'Tài khoản đã chặn bot, không nhận được tin (1):',
        '- Nguyễn Thị Hoa — Trường số 004 (Zalo)',
        'Đề nghị liên hệ trực tiếp các đơn vị này; khi người dùng nhắn lại cho bot, bot sẽ nhắc bình thường.',
      ].join('\n'),
    );
  });

  test('long lists are cut with a count; all confirmed is said plainly', () => {
    const many = buildDigest({
      periodTitle: H1.title,
      deadline: H1.deadline,
      now: local('2026-05-02T10:00:00'),
      units,
      confirmedUnitIds: new Set(),
      reachableUnitIds: new Set(units.map((u) => u.id)),
      unreachable: [],
      round: { kind: 'manual', sent: 130, failed: 0, unreachable: 0 },
    });
    const text = digestText(many, TZ);
    expect(text).toContain('Hạn nộp: 05/5/2026, còn 3 ngày.');
    expect(text).toContain('Lượt nhắc theo yêu cầu lúc 10:00 ngày 02/5/2026: đã gửi 130 tin.');
    expect(text).toContain(`${DIGEST_MAX_NAMES}. Trường số 100\n… và 30 đơn vị khác (xem /tiendo).`);
    const none = buildDigest({
      periodTitle: H1.title,
      deadline: H1.deadline,
      now: many.now,
      units,
      confirmedUnitIds: new Set(units.map((u) => u.id)),
      reachableUnitIds: new Set(),
      unreachable: [],
      round: many.round,
    });
    expect(digestText(none, TZ)).toContain('Đã xác nhận: 130/130 đơn vị.\nLượt nhắc theo yêu cầu');
    expect(digestText(none, TZ)).toContain('\n\nTất cả các đơn vị đã xác nhận báo cáo.');
  });

  test('a round cut short by the end of working hours says how many reminders wait for the next day', () => {
    const d = buildDigest({
      periodTitle: H1.title,
      deadline: H1.deadline,
      now: local('2026-05-04T19:59:00'),
      units: units.slice(0, 2),
      confirmedUnitIds: new Set(),
      reachableUnitIds: new Set([1, 2]),
      unreachable: [],
      round: { kind: 'scheduled', sent: 40, failed: 0, unreachable: 0, deferred: 12 },
    });
    expect(digestText(d, TZ)).toContain('Lượt nhắc tự động lúc 19:59 ngày 04/5/2026: đã gửi 40 tin, 12 tin chưa gửi vì đã hết giờ làm việc.');
  });
});

describe('/ky list', () => {
  test('one line per period with state, who steered it, and confirmed x of y', () => {
    const text = periodListText(
      [
        { id: '2026-Q1', title: 'Quý I năm 2026', deadline: Q1.deadline, state: 'closed', override: 'closed', confirmed: 1_200, expected: 1_593 },
        { id: '2026-H1', title: H1.title, deadline: H1.deadline, state: 'open', override: 'calendar', confirmed: 3, expected: 10 },
      ],
      TZ,
    );
    expect(text.split('\n').slice(0, 3)).toEqual([
      'CÁC KỲ BÁO CÁO',
      '• 2026-Q1 — Quý I năm 2026: hạn 05/4/2026, đã đóng (Văn phòng Sở đóng), đã xác nhận 1.200/1.593 đơn vị',
      '• 2026-H1 — 6 tháng đầu năm 2026: hạn 05/5/2026, đang mở, đã xác nhận 3/10 đơn vị',
    ]);
  });
});

describe('/nhacnho outside working hours', () => {
  test('names the hours and Sunday, and what to do', () => {
    expect(outsideWorkingHours('07:30', '20:00', true)).toBe(
      'Bây giờ ngoài giờ gửi tin nhắc (07:30–20:00, trừ Chủ nhật), nên bot không nhắn cho các đơn vị lúc này. Vui lòng gửi lại lệnh /nhacnho trong giờ làm việc.',
    );
    expect(outsideWorkingHours('08:00', '17:00', false)).toContain('(08:00–17:00)');
  });
});
