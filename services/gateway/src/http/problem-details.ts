import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export class FieldErrorDto {
  @ApiProperty({ example: 'password' })
  field!: string;

  @ApiProperty({ type: [String], example: ['password must be longer than or equal to 12 characters'] })
  messages!: string[];
}

/** RFC 9457 problem details, the body of every error this API returns. */
export class ProblemDetails {
  @ApiProperty({ description: 'URI naming the problem type; one per code.', example: 'urn:bvs:problem:AUTH.PASSWORD_POLICY' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The password is one of the most common passwords; choose another.' })
  detail!: string;

  @ApiProperty({ description: 'The request path.', example: '/api/users/register' })
  instance!: string;

  @ApiProperty({ description: 'Stable machine-readable code, `<AREA>.<REASON>`.', example: 'AUTH.PASSWORD_POLICY' })
  code!: string;

  @ApiProperty({ description: 'Echoed in the X-Request-Id header; quote it when reporting a problem.', example: '9f1c2a7e-3d0b-4b8e-9d61-2f5d3c1e8a40' })
  requestId!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Per-field reasons, for VALIDATION.FAILED.' })
  errors?: FieldErrorDto[];
}

export function problemTypeOf(code: string): string {
  return `urn:bvs:problem:${code}`;
}
