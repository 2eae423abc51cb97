import { useRef, useState } from 'react';
import { ApiError } from '../api.ts';
import { useI18n, type Translate } from '../i18n/i18n.tsx';
import { ATTACHMENT_LIMITS, formatSize } from './attachment-limits.ts';

/** A file as the API takes it in a JSON body. */
export interface UploadBody {
  name: string;
  contentType?: string;
  content: string;
}

/**
 * Base64 of the bytes (standard alphabet, padded). Encoded in slices of a multiple of 3 bytes, so each slice's
 * base64 joins the next without padding in between, and no call gets 10 MB of arguments (which would overflow the stack).
 */
export function toBase64(bytes: Uint8Array): string {
  const SLICE = 3 * 8192;
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += SLICE) {
    const slice = bytes.subarray(start, Math.min(start + SLICE, bytes.length));
    let binary = '';
    for (let i = 0; i < slice.length; i += 4096)
      binary += String.fromCharCode(...slice.subarray(i, Math.min(i + 4096, slice.length)));
    parts.push(btoa(binary));
  }
  return parts.join('');
}

export async function readFile(file: File): Promise<UploadBody> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { name: file.name, ...(file.type ? { contentType: file.type } : {}), content: toBase64(bytes) };
}

export interface Chosen {
  key: number;
  file: File;
}

export interface Attachments {
  files: File[];
  /** The same files, each with a key of its own (for lists). */
  items: Chosen[];
  /** Why a chosen file was not taken (in the user's language), or null. */
  problem: string | null;
  add(list: FileList | File[]): void;
  remove(index: number): void;
  clear(): void;
  /** The files as the API takes them (read now). */
  encode(): Promise<UploadBody[]>;
  /** Names the file an API error about attachments points at (details.index), so the error can say which one. */
  explain(error: unknown): unknown;
}

/**
 * The files chosen for one form. A file that would break a limit is not taken, and `problem` says which file and
 * which limit; the others are.
 */
export function useAttachments(): Attachments {
  const { t, locale } = useI18n();
  const [chosen, setChosen] = useState<Chosen[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const nextKey = useRef(1);
  const files = chosen.map((c) => c.file);

  return {
    files,
    items: chosen,
    problem,
    add(list) {
      const taken = [...chosen];
      const refused: string[] = [];
      let total = taken.reduce((sum, c) => sum + c.file.size, 0);
      for (const file of Array.from(list)) {
        const why = refusal(t, locale, file, taken.length, total);
        if (why) {
          refused.push(why);
          continue;
        }
        taken.push({ key: nextKey.current++, file });
        total += file.size;
      }
      setChosen(taken);
      setProblem(refused.length > 0 ? refused.join(' ') : null);
    },
    remove(index) {
      setChosen(chosen.filter((_, i) => i !== index));
      setProblem(null);
    },
    clear() {
      setChosen([]);
      setProblem(null);
    },
    encode: () => Promise.all(files.map(readFile)),
    explain(error) {
      if (!(error instanceof ApiError) || !error.code.startsWith('ATTACHMENT_')) return error;
      const index = error.details?.index;
      const file = typeof index === 'number' ? files[index] : undefined;
      return file
        ? new ApiError(error.status, error.code, error.message, { ...error.details, name: file.name })
        : error;
    },
  };
}

function refusal(t: Translate, locale: string, file: File, count: number, total: number): string | null {
  const L = ATTACHMENT_LIMITS;
  const max = formatSize(L.maxBytes, locale);
  if (count >= L.maxCount) return t('attach.tooMany', { name: file.name, max: L.maxCount });
  if (file.size === 0) return t('attach.empty', { name: file.name });
  if (file.size > L.maxBytes)
    return t('attach.tooLarge', { name: file.name, size: formatSize(file.size, locale), max });
  if (total + file.size > L.maxTotalBytes)
    return t('attach.totalTooLarge', { name: file.name, max: formatSize(L.maxTotalBytes, locale) });
  return null;
}
