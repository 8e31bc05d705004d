import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';

/** Checks the bearer token of an API request against the admin token. */
export function createTokenCheck(adminToken: string): (authorization: string | undefined) => void {
  const expected = digest(adminToken);
  return function checkToken(authorization) {
    const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
    if (!match?.[1]) {
      throw new ApiError(401, 'unauthorized', 'a bearer token is required');
    }
    // Comparing digests keeps the comparison constant-time whatever the lengths.
    if (!timingSafeEqual(digest(match[1].trim()), expected)) {
      throw new ApiError(401, 'unauthorized', 'the bearer token is not valid');
    }
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
