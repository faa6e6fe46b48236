import type { ServiceErrorBody } from '@bvs/platform';

/** Paystack's refusal: `status: false` and a message; the HTTP status carries the kind. */
export interface ProcessorErrorBody {
  readonly status: false;
  readonly message: string;
}

const PROCESSOR_PATH = /^\/processor(\/|$)/;

/**
 * Whether a request is the processor's, whose errors leave in Paystack's shape rather than the
 * simulator's own. Decided by path, not by controller, so the refusals raised before any handler
 * runs (malformed JSON, an unknown /processor route) have the same shape as the rest.
 */
export function isProcessorPath(path: string): boolean {
  return PROCESSOR_PATH.test(path);
}

/**
 * A refusal in Paystack's shape. A validation failure names its fields in the message, since
 * Paystack's shape has no room for the details.
 */
export function processorErrorBody(error: ServiceErrorBody): ProcessorErrorBody {
  const fields = fieldMessages(error.details?.['errors']);
  return { status: false, message: fields.length > 0 ? fields.join('; ') : error.message };
}

/** The request-validation pipe's `{ field, messages }[]`, flattened; anything else yields nothing. */
function fieldMessages(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || !('messages' in entry) || !Array.isArray(entry.messages)) return [];
    return entry.messages.filter((message: unknown): message is string => typeof message === 'string');
  });
}
