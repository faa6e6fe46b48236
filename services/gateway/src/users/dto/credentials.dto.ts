import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

/** Shape only; auth applies the full password policy (not the e-mail, not a common password, at most 72 bytes). */
class EmailDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254, description: 'Compared case-insensitively; stored in lower case.' })
  // Pasted addresses often carry stray spaces; auth normalises the rest (case, Unicode form).
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email!: string;
}

export class RegisterDto extends EmailDto {
  @ApiProperty({ example: 'correct horse battery staple', minLength: 12, maxLength: 72, format: 'password' })
  @IsString()
  @MinLength(12)
  @MaxLength(72)
  password!: string;
}

/** No length rule beyond the bound: an account made under an older, shorter minimum must still log in. */
export class LoginDto extends EmailDto {
  @ApiProperty({ example: 'correct horse battery staple', minLength: 1, maxLength: 72, format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(72)
  password!: string;
}
