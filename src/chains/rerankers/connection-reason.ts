import { oneLine } from '../../errors.js';

/** The innermost error code of a failed request: "ECONNREFUSED" says more than fetch's "fetch failed". */
export function connectionReason(err: unknown): string {
  let reason = oneLine(err);
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') reason = code;
  }
  return reason;
}
