import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCodes } from 'fastify';
import { ApiError, toApiError } from '../../src/api/errors.js';
import { InvalidCursorError } from '../../src/store/cursor.js';

function body(error: unknown) {
  const apiError = toApiError(error);
  return { status: apiError.status, ...apiError.toBody().error };
}

describe('the API error shape', () => {
  it('keeps our own messages as written', () => {
    const own = new ApiError(400, 'invalid_query', 'limit: given more than once');
    assert.equal(toApiError(own), own);
    assert.deepEqual(body(new InvalidCursorError()), {
      status: 400,
      code: 'invalid_cursor',
      message: 'cursor is not one this store issued; pass nextCursor from the previous page',
    });
  });

  it("gives Fastify's errors a snake_case code and lower-cases only their first letter", () => {
    assert.deepEqual(body(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE()), {
      status: 413,
      code: 'body_too_large',
      message: 'request body is too large',
    });
    assert.deepEqual(body(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE()), {
      status: 415,
      code: 'unsupported_media_type',
      message: 'unsupported Media Type',
    });
    assert.deepEqual(body(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY()), {
      status: 400,
      code: 'invalid_body',
      message: "body is not valid JSON but content-type is set to 'application/json'",
    });
  });

  it('names the bad path of a bad URL, cut to 64 characters', () => {
    const path = `/api/v1/events/%ZZ${'a'.repeat(100)}`;
    const { status, code, message } = body(new errorCodes.FST_ERR_BAD_URL(path));
    assert.deepEqual([status, code], [400, 'bad_url']);
    assert.equal(message, `path: not valid percent-encoding, got '${path.slice(0, 64)}…'`);
  });

  it('answers other errors by their status, and hides what failed on our side', () => {
    const teapot = Object.assign(new Error('Short and stout'), { statusCode: 418 });
    assert.deepEqual(body(teapot), {
      status: 418,
      code: 'im_a_teapot',
      message: 'short and stout',
    });
    assert.deepEqual(body(new RangeError('Secret detail at /var/lib')), {
      status: 500,
      code: 'internal_error',
      message: 'internal error',
    });
  });
});
