import { ApiProperty } from '@nestjs/swagger';

/**
 * The same words for every accepted registration, whether it created the account or the address
 * already had one: the answer must not tell which (ADR 0009).
 */
export const REGISTRATION_ACCEPTED_MESSAGE =
  'Registration accepted. Log in with this e-mail address and password to get your tokens; GET /api/users/me then shows your account.';

/** What register answers, for a new address and for a taken one alike. No account id: log in for it. */
export class RegistrationAcceptedDto {
  @ApiProperty({ description: 'The address as it will be compared: trimmed, Unicode-normalised (NFKC), lower case.', example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ description: 'Always the same text.', example: REGISTRATION_ACCEPTED_MESSAGE })
  message!: string;
}
