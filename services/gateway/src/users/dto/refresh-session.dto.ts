import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class RefreshSessionDto {
  @ApiProperty({ description: 'The refresh token from login or the previous refresh. Each one works once.', example: 'mJ3r0wq6m0XrZ8cVq6xF3b6m8Y1s8bq2n9l3Q0a7Kx4' })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken!: string;
}
