import { z } from 'zod';

/** Kinds of reporting unit, as the office names them in its unit list (import files use these codes). */
export const UNIT_TYPES = ['phong-gddt', 'thpt', 'gdnn-gdtx', 'truc-thuoc', 'phong-so'] as const;
export const UnitTypeSchema = z.enum(UNIT_TYPES);
export type UnitType = z.infer<typeof UnitTypeSchema>;

/** Vietnamese group names used in progress lists and the report appendix. */
export const UNIT_TYPE_LABELS: Record<UnitType, string> = {
  'phong-gddt': 'Phòng Giáo dục và Đào tạo',
  thpt: 'Trường trung học phổ thông',
  'gdnn-gdtx': 'Trung tâm GDNN-GDTX',
  'truc-thuoc': 'Đơn vị trực thuộc Sở',
  'phong-so': 'Phòng thuộc Sở',
};

export interface UnitRef {
  id: number;
  code: string;
  name: string;
  type: UnitType;
  district?: string | null;
}
