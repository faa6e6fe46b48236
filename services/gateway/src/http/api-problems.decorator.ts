import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem-details';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request (VALIDATION.FAILED, REQUEST.MALFORMED_JSON, REQUEST.TOO_DEEP, or a service rule).',
  401: 'Missing, invalid or expired credentials or token.',
  404: 'Not found.',
  409: 'Conflicts with the current state.',
  413: 'Body larger than the limit (REQUEST.TOO_LARGE).',
  415: 'Body not sent as application/json.',
  429: 'Rate limited (RATE_LIMITED); see Retry-After.',
  503: 'A service is unavailable (SERVICE.UNAVAILABLE); see Retry-After.',
  504: 'A service did not answer in time (SERVICE.TIMEOUT); see Retry-After.',
};

/** Documents error responses as problem+json, each with an example of its stable code. */
export function ApiProblems(examples: Readonly<Record<number, string>>) {
  return applyDecorators(
    ApiExtraModels(ProblemDetails),
    ...Object.entries({ ...examples, 503: 'SERVICE.UNAVAILABLE', 504: 'SERVICE.TIMEOUT' }).map(([status, code]) =>
      ApiResponse({
        status: Number(status),
        description: DESCRIPTIONS[Number(status)] ?? code,
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: getSchemaPath(ProblemDetails) },
            example: { type: `urn:bvs:problem:${code}`, title: 'Error', status: Number(status), detail: '…', instance: '/api/…', code, requestId: '9f1c2a7e-3d0b-4b8e-9d61-2f5d3c1e8a40' },
          },
        },
      }),
    ),
  );
}
