import { ApiProperty } from '@nestjs/swagger';

export class SessionTokensDto {
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'ES256-signed JWT; send as `Authorization: Bearer <token>`.', example: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImRldi0xIiwidHlwIjoiYXQrand0In0.eyJzaWQiOiIuLi4ifQ.c2ln' })
  accessToken!: string;

  @ApiProperty({ description: 'Seconds until the access token expires.', example: 300 })
  expiresIn!: number;

  @ApiProperty({ description: 'Opaque; keep it secret. Exchange it at /api/users/refresh; each one works once.', example: 'mJ3r0wq6m0XrZ8cVq6xF3b6m8Y1s8bq2n9l3Q0a7Kx4' })
  refreshToken!: string;

  @ApiProperty({ description: 'Seconds until the refresh token expires if unused.', example: 2592000 })
  refreshExpiresIn!: number;
}
