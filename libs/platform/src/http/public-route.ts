import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'bvs:public-route';

/**
 * Marks a controller or handler that answers without an access token (health probes, register,
 * login). Everything else at the gateway requires one: the default is closed.
 */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);
