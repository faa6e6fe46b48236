import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

/** Shape only; auth applies the full password policy (not the e-mail, at most 72 bytes). */
export class CredentialsDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254, description: 'Compared case-insensitively; stored in lower case.' })
  // Pasted addresses often carry stray spaces; auth normalises the rest (case, Unicode form).
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 72, format: 'password' })
  @IsString()
  @MinLength(8)
  @MaxLength(72)
  password!: string;
}
