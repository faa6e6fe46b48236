import { STATUS_CODES } from 'node:http';
import {
  BadGatewayException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  Logger,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
  UnprocessableEntityException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { AUTH_ERROR_CODES, BILLING_ERROR_CODES, WALLET_ERROR_CODES } from '@bvs/contracts';
import { CallAbandonedError, grpcStatusForHttp, RemoteServiceError, ServiceErrorBody, ServiceTimeoutError, ServiceUnavailableError } from '@bvs/platform';
import { RETRY_AFTER_SECONDS } from '../src/http/problem-details.filter';
import { ProblemError } from '../src/http/problem-error';
import { problemAnswerTo } from './support/problem-answer';

/**
 * The gateway's edge (issue 12, point 6): every error leaves as RFC 9457 problem+json with a stable
 * code and the request id. A service's refusal keeps its code and status; a backend that is slow or
 * away is 504 or 503 with Retry-After; anything else is 500 and says nothing of what went wrong.
 */

/** A service's refusal as the gateway's gRPC client hands it over (see GrpcServiceClient.translate). */
const refusal = (body: ServiceErrorBody) => new RemoteServiceError('bvs.billing.v1.BillingService/ValidateMeter', body, grpcStatusForHttp(body.status));

/** Each code a service answers with, and the status it answers it with (the services' own tables and throw sites). */
const SERVICE_REFUSALS: readonly (readonly [code: string, status: number])[] = [
  [AUTH_ERROR_CODES.passwordPolicy, 400],
  [AUTH_ERROR_CODES.invalidEmail, 400],
  [AUTH_ERROR_CODES.invalidCredentials, 401],
  [AUTH_ERROR_CODES.refreshTokenInvalid, 401],
  [AUTH_ERROR_CODES.refreshTokenReused, 401],
  [AUTH_ERROR_CODES.unauthenticated, 401],
  [AUTH_ERROR_CODES.userNotFound, 404],
  [WALLET_ERROR_CODES.invalidAmount, 400],
  [WALLET_ERROR_CODES.amountOverLimit, 400],
  [WALLET_ERROR_CODES.invalidCursor, 400],
  [WALLET_ERROR_CODES.webhookMalformed, 400],
  [WALLET_ERROR_CODES.webhookSignatureInvalid, 401],
  [WALLET_ERROR_CODES.fundingDisabled, 403],
  [WALLET_ERROR_CODES.transactionNotFound, 404],
  [WALLET_ERROR_CODES.paymentNotFound, 404],
  [WALLET_ERROR_CODES.concurrentUpdate, 409],
  [WALLET_ERROR_CODES.idempotencyConflict, 409],
  [WALLET_ERROR_CODES.insufficientFunds, 422],
  [BILLING_ERROR_CODES.unknownProvider, 400],
  [BILLING_ERROR_CODES.invalidCursor, 400],
  [BILLING_ERROR_CODES.billNotFound, 404],
  [BILLING_ERROR_CODES.meterNotFound, 422],
  [BILLING_ERROR_CODES.meterBlocked, 422],
  [BILLING_ERROR_CODES.amountOutOfRange, 422],
  ['REQUEST.INVALID', 400],
  ['INTERNAL.UNEXPECTED', 500],
];

/** Codes whose status says "not now, try again": the answer tells the client when. */
const RETRY_LATER_REFUSALS: readonly (readonly [code: string, status: number])[] = [
  [BILLING_ERROR_CODES.providerUnavailable, 503],
  [WALLET_ERROR_CODES.processorUnavailable, 503],
  ['SERVICE.UNAVAILABLE', 503],
];

describe('the gateway answering errors as problem details', () => {
  let loggedErrors: jest.SpyInstance;
  let loggedWarnings: jest.SpyInstance;

  beforeEach(() => {
    loggedErrors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    loggedWarnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    loggedErrors.mockRestore();
    loggedWarnings.mockRestore();
  });

  describe('a service refusal', () => {
    it.each(SERVICE_REFUSALS)('given a service refuses with %s (%i), then the client gets that status and code as problem+json', (code, status) => {
      const answer = problemAnswerTo(refusal({ code, status, message: `Refused: ${code}.` }), { id: 'req-7', originalUrl: '/api/bills/validate?provider=x' });

      expect(answer.status).toBe(status);
      expect(answer.contentType).toBe('application/problem+json');
      expect(answer.body).toEqual({
        type: `urn:bvs:problem:${code}`,
        title: STATUS_CODES[status],
        status,
        detail: `Refused: ${code}.`,
        instance: '/api/bills/validate',
        code,
        requestId: 'req-7',
      });
      expect(answer.headers['retry-after']).toBeUndefined();
    });

    it.each(RETRY_LATER_REFUSALS)('given a service refuses with %s (%i), then the client also gets Retry-After', (code, status) => {
      const answer = problemAnswerTo(refusal({ code, status, message: 'Try again shortly.' }));

      expect(answer).toMatchObject({ status, body: { code, status, title: 'Service Unavailable', type: `urn:bvs:problem:${code}` } });
      expect(answer.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    });

    it.each(RETRY_LATER_REFUSALS)('given a service refuses with %s (%i), then its cause is logged as a warning, not an error', (code, status) => {
      const thrown = refusal({ code, status, message: 'Try again shortly.' });

      problemAnswerTo(thrown);

      expect(loggedWarnings).toHaveBeenCalledTimes(1);
      expect(loggedWarnings.mock.calls[0]?.[0]).toEqual({ err: thrown });
      expect(loggedErrors).not.toHaveBeenCalled();
    });

    it("given the gateway's own 503 (a store it needs did not answer), then its cause is logged as a warning, not an error", () => {
      const thrown = new ProblemError(503, 'SERVICE.UNAVAILABLE', 'Service Unavailable', 'A store this request needs is unavailable. Try again shortly.', { 'Retry-After': '1' });

      expect(problemAnswerTo(thrown).status).toBe(503);
      expect(loggedWarnings.mock.calls).toEqual([[{ err: thrown }, 'Request refused for now']]);
      expect(loggedErrors).not.toHaveBeenCalled();
    });

    it('given a service fails on its side (500), then the failure is logged as an error', () => {
      const thrown = refusal({ code: 'INTERNAL.UNEXPECTED', status: 500, message: 'The request failed on our side.' });

      expect(problemAnswerTo(thrown).status).toBe(500);
      expect(loggedErrors.mock.calls).toEqual([[{ err: thrown }, 'Request failed']]);
      expect(loggedWarnings).not.toHaveBeenCalled();
    });

    it('given a refusal that names a field, then the problem lists the field with the message', () => {
      const answer = problemAnswerTo(
        refusal({ code: BILLING_ERROR_CODES.amountOutOfRange, status: 422, message: 'The amount must be between 100 and 200.', details: { field: 'amount', minimum: '100', maximum: '200' } }),
      );

      expect(answer.body['errors']).toEqual([{ field: 'amount', messages: ['The amount must be between 100 and 200.'] }]);
    });

    it('given refusal details without a text field name, then the problem has no errors list', () => {
      expect(problemAnswerTo(refusal({ code: 'REQUEST.INVALID', status: 400, message: 'Bad.', details: { fields: ['a'] } })).body).not.toHaveProperty('errors');
      expect(problemAnswerTo(refusal({ code: 'REQUEST.INVALID', status: 400, message: 'Bad.', details: { field: 7 } })).body).not.toHaveProperty('errors');
    });

    it.each([200, 302, 0, 600])('given a refusal carrying status %i, which is no error status, then the client gets 502 with the code', (status) => {
      const answer = problemAnswerTo(new RemoteServiceError('bvs.wallet.v1.WalletService/GetBalance', { code: 'WALLET.ODD', status, message: 'odd' }, 2));

      expect(answer).toMatchObject({ status: 502, body: { status: 502, title: 'Bad Gateway', code: 'WALLET.ODD' } });
    });
  });

  describe('a backend that is slow or away', () => {
    it('given a call ran past its deadline (DEADLINE_EXCEEDED), then 504 SERVICE.TIMEOUT with Retry-After, naming neither the method nor the deadline', () => {
      const answer = problemAnswerTo(new ServiceTimeoutError('bvs.wallet.v1.WalletService/InitiatePayment', 5_000));

      expect(answer.status).toBe(504);
      expect(answer.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(answer.body).toMatchObject({ type: 'urn:bvs:problem:SERVICE.TIMEOUT', title: 'Gateway Timeout', status: 504, code: 'SERVICE.TIMEOUT', requestId: 'req-0001' });
      expect(answer.text).not.toMatch(/WalletService|InitiatePayment|5000/);
      expect(loggedErrors).not.toHaveBeenCalled();
    });

    it('given no instance answered (UNAVAILABLE), then 503 SERVICE.UNAVAILABLE with Retry-After, without the connection error', () => {
      const answer = problemAnswerTo(
        new ServiceUnavailableError('bvs.billing.v1.BillingService/ListProviders', 'No connection established. Last error: connect ECONNREFUSED 10.42.0.17:5003'),
      );

      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(answer.body).toMatchObject({ type: 'urn:bvs:problem:SERVICE.UNAVAILABLE', title: 'Service Unavailable', status: 503, code: 'SERVICE.UNAVAILABLE' });
      expect(answer.text).not.toMatch(/ECONNREFUSED|10\.42\.0\.17|BillingService/);
      expect(loggedErrors).not.toHaveBeenCalled();
    });

    it('given a call cancelled because the client hung up, then 499 REQUEST.CLIENT_CLOSED, logged neither as an error nor as a warning', () => {
      const answer = problemAnswerTo(new CallAbandonedError('bvs.wallet.v1.WalletService/InitiatePayment'));

      expect(answer.status).toBe(499);
      expect(answer.body).toMatchObject({ type: 'urn:bvs:problem:REQUEST.CLIENT_CLOSED', status: 499, code: 'REQUEST.CLIENT_CLOSED' });
      expect(answer.text).not.toMatch(/WalletService|InitiatePayment/);
      expect(loggedErrors).not.toHaveBeenCalled();
      expect(loggedWarnings).not.toHaveBeenCalled();
    });
  });

  describe('an error nobody meant to answer with', () => {
    const secret = 'password authentication failed for user "billing" at 10.42.0.9:5432';

    it.each([
      ['an Error', new Error(secret)],
      ['a TypeError', new TypeError(`Cannot read properties of undefined (reading '${secret}')`)],
      ['a thrown string', secret],
      ['a thrown plain object', { message: secret, stack: `Error: ${secret}\n    at Object.<anonymous> (/app/dist/main.js:1:1)` }],
      ['undefined', undefined],
    ])('given %s, then 500 INTERNAL.UNEXPECTED without its message or stack, and it is logged', (_, thrown) => {
      const answer = problemAnswerTo(thrown);

      expect(answer.status).toBe(500);
      expect(answer.contentType).toBe('application/problem+json');
      expect(answer.body).toEqual({
        type: 'urn:bvs:problem:INTERNAL.UNEXPECTED',
        title: 'Internal Server Error',
        status: 500,
        detail: 'The request failed on our side; the failure is logged with the request id.',
        instance: '/api/bills/validate',
        code: 'INTERNAL.UNEXPECTED',
        requestId: 'req-0001',
      });
      expect(answer.text).not.toMatch(/password|10\.42|main\.js|\bat /);
      expect(loggedErrors).toHaveBeenCalledTimes(1);
      expect(loggedErrors.mock.calls[0]?.[0]).toEqual({ err: thrown });
    });

    it.each([
      ['InternalServerErrorException', new InternalServerErrorException(secret)],
      ['BadGatewayException', new BadGatewayException(secret)],
    ])("given Nest's %s, then 500-class INTERNAL.UNEXPECTED without its message", (_, thrown) => {
      const answer = problemAnswerTo(thrown);

      expect(answer.body).toMatchObject({ status: thrown.getStatus(), code: 'INTERNAL.UNEXPECTED', detail: 'The request failed on our side.' });
      expect(answer.text).not.toMatch(/password|10\.42/);
      expect(loggedErrors).toHaveBeenCalledTimes(1);
    });
  });

  describe("the framework's own refusals", () => {
    it.each([
      ['NotFoundException', 404, 'ROUTE.NOT_FOUND', new NotFoundException('Cannot GET /api/nope')],
      ['MethodNotAllowedException', 405, 'ROUTE.METHOD_NOT_ALLOWED', new MethodNotAllowedException()],
      ['UnauthorizedException', 401, 'AUTH.UNAUTHENTICATED', new UnauthorizedException()],
      ['ForbiddenException', 403, 'AUTH.FORBIDDEN', new ForbiddenException()],
      ['PayloadTooLargeException', 413, 'REQUEST.TOO_LARGE', new PayloadTooLargeException()],
      ['UnsupportedMediaTypeException', 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', new UnsupportedMediaTypeException()],
      ['HttpException 429', 429, 'RATE_LIMITED', new HttpException('Too Many Requests', 429)],
      ['UnprocessableEntityException', 422, 'REQUEST.INVALID', new UnprocessableEntityException()],
      ['HttpException 418', 418, 'REQUEST.INVALID', new HttpException("I'm a teapot", 418)],
    ])('given %s, then %i %s', (_, status, code, thrown) => {
      const answer = problemAnswerTo(thrown);

      expect(answer).toMatchObject({ status, body: { status, code, type: `urn:bvs:problem:${code}`, title: STATUS_CODES[status], detail: thrown.message } });
      expect(loggedErrors).not.toHaveBeenCalled();
    });

    it("given the gateway's own ProblemError with field errors and headers, then it is written as it is", () => {
      const answer = problemAnswerTo(
        new ProblemError(400, 'VALIDATION.FAILED', 'Bad Request', 'The request does not match the expected shape.', { 'X-Extra': 'yes' }, [
          { field: 'meterNumber', messages: ['meterNumber must be 6 to 20 digits'] },
        ]),
      );

      expect(answer.status).toBe(400);
      expect(answer.headers['x-extra']).toBe('yes');
      expect(answer.body).toEqual({
        type: 'urn:bvs:problem:VALIDATION.FAILED',
        title: 'Bad Request',
        status: 400,
        detail: 'The request does not match the expected shape.',
        instance: '/api/bills/validate',
        code: 'VALIDATION.FAILED',
        requestId: 'req-0001',
        errors: [{ field: 'meterNumber', messages: ['meterNumber must be 6 to 20 digits'] }],
      });
    });
  });

  describe('the request id and the instance', () => {
    const notFound = () => refusal({ code: BILLING_ERROR_CODES.billNotFound, status: 404, message: 'No such bill payment.' });

    it("given the request logger's id, then it is the problem's requestId", () => {
      expect(problemAnswerTo(notFound(), { id: '4b1d0c2e-7e0f-4d8e-9a61-2f5d3c1e8a40', originalUrl: '/api/bills/x' }).body['requestId']).toBe('4b1d0c2e-7e0f-4d8e-9a61-2f5d3c1e8a40');
    });

    it('given no id on the request but X-Request-Id already on the response, then that is the requestId', () => {
      expect(problemAnswerTo(notFound(), { originalUrl: '/api/bills/x', responseHeaders: { 'X-Request-Id': 'from-header' } }).body['requestId']).toBe('from-header');
    });

    it('given no id anywhere, then the requestId is empty rather than missing', () => {
      expect(problemAnswerTo(notFound(), { originalUrl: '/api/bills/x' }).body).toHaveProperty('requestId', '');
    });

    it('given a query string, then the instance is the path alone (a query may carry what should not be echoed)', () => {
      expect(problemAnswerTo(notFound(), { id: 'r', originalUrl: '/api/bills?cursor=abc&meterNumber=45067891239' }).body['instance']).toBe('/api/bills');
    });
  });
});
