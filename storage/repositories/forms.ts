import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { formVersions } from '../schema';
import { DEFAULT_FORM, FormDefinitionSchema, type FormDefinition } from '../../domain/form';

export interface FormVersion {
  id: number;
  form: FormDefinition;
}

// Form versions are immutable once written, so a parsed copy can be kept for the life of the process.
const cache = new WeakMap<Db, Map<number, FormDefinition>>();

function parse(db: Db, id: number, json: string): FormDefinition {
  let perDb = cache.get(db);
  if (!perDb) cache.set(db, (perDb = new Map()));
  let form = perDb.get(id);
  if (!form) {
    form = FormDefinitionSchema.parse(JSON.parse(json));
    perDb.set(id, form);
  }
  return form;
}

export function addFormVersion(db: Db, form: FormDefinition, note: string | null, now = new Date()): FormVersion {
  const valid = FormDefinitionSchema.parse(form);
  const row = db.insert(formVersions).values({ definition: JSON.stringify(valid), note, createdAt: now }).returning().get();
  return { id: row.id, form: parse(db, row.id, row.definition) };
}

/** The note of the versions the bot installs itself; an office import has its own note (`Nhập từ …`). */
export const DEFAULT_FORM_NOTE = 'Mẫu mặc định';
let defaultJson: string | undefined;

/**
 * The version new periods use. The default form is installed the first time; when a newer bot brings a
 * different default form and the latest version is still a default the bot installed (never a form the
 * office imported), the new default is added as the next version, so periods that start from now on use
 * it and started periods keep theirs, exactly as after `form import`.
 */
export function latestFormVersion(db: Db): FormVersion {
  const row = db.select().from(formVersions).orderBy(desc(formVersions.id)).limit(1).get();
  if (!row) return addFormVersion(db, DEFAULT_FORM, DEFAULT_FORM_NOTE);
  if (row.note?.startsWith(DEFAULT_FORM_NOTE)) {
    defaultJson ??= JSON.stringify(FormDefinitionSchema.parse(DEFAULT_FORM));
    if (row.definition !== defaultJson) return addFormVersion(db, DEFAULT_FORM, `${DEFAULT_FORM_NOTE} (bản cập nhật)`);
  }
  return { id: row.id, form: parse(db, row.id, row.definition) };
}

/** A stored version, read, validated and parsed once per process (versions are never changed once written). */
export function formVersion(db: Db, id: number): FormVersion {
  const known = cache.get(db)?.get(id);
  if (known) return { id, form: known };
  const row = db.select().from(formVersions).where(eq(formVersions.id, id)).get();
  if (!row) throw new Error(`form version ${id} not found`);
  return { id: row.id, form: parse(db, row.id, row.definition) };
}
