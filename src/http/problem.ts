/** Every error leaves as RFC 9457 problem+json with a stable code and zh-CN + en messages; never PI, never a stack. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isAppError } from '../core/errors.js';
import { KeyfileError } from '../crypto/keyfile.js';
import { CryptoOpenError } from '../crypto/suites.js';

function send(reply: FastifyReply, status: number, body: Record<string, unknown>, headers?: Record<string, string>) {
  if (headers) reply.headers(headers);
  return reply.status(status).type('application/problem+json').send({ type: 'about:blank', status, ...body });
}

/** Node socket codes, SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, crash, starting up), 53300 (too many connections). */
const DB_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '53300']);
/** pg's own messages for a connection that died (the ROLLBACK after a lost connection fails with "not queryable"). */
const DB_DOWN_TEXT = /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|is not queryable|terminating connection/i;
const isDbDown = (code: string, message: string) => DB_DOWN.has(code) || /^08[0-9A-Z]{3}$/.test(code) || DB_DOWN_TEXT.test(message);

export function problemHandler(err: FastifyError & { code?: string }, req: FastifyRequest, reply: FastifyReply) {
  if (isAppError(err)) {
    return send(reply, err.status, { title: err.en, code: err.code, detail: err.en, detail_zh: err.zh, ...(err.details ? { errors: err.details } : {}) }, err.headers);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => {
      const where = v.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
      const params = v.params as { issue?: { code?: string; keys?: string[] } };
      const extra = params?.issue?.code === 'unrecognized_keys' && params.issue.keys ? params.issue.keys.join(', ') : '';
      // body fields by their path (guardian.name); query and path parameters under their part (querystring.sort)
      const path = [where, extra].filter(Boolean).join('.');
      const field = err.validationContext === 'body' || !err.validationContext ? path || 'body' : [err.validationContext, path].filter(Boolean).join('.');
      return { field, reason: v.message };
    });
    const first = errors[0];
    return send(reply, 400, { title: 'Invalid request', code: 'validation.invalid', detail: `${first.field}: ${first.reason}`, detail_zh: `请求无效：${first.field}：${first.reason}`, errors });
  }
  const code = err.code ?? '';
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return send(reply, 400, { title: 'Invalid JSON', code: 'request.invalid_json', detail: 'The body is not valid JSON', detail_zh: '请求体不是有效的 JSON' });
  }
  if (code === 'FST_ERR_BAD_URL') return send(reply, 400, { title: 'Invalid URL', code: 'request.bad_url', detail: 'The URL is not validly percent-encoded UTF-8', detail_zh: '网址编码无效（须为 UTF-8 百分号编码）' });
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return send(reply, 414, { title: 'URL too long', code: 'request.uri_too_long', detail: 'A path parameter is too long', detail_zh: '路径参数过长' });
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, { title: 'Body too large', code: 'request.too_large', detail: 'The body exceeds the size limit', detail_zh: '请求体超过大小上限' });
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(reply, 415, { title: 'Unsupported media type', code: 'request.media_type', detail: 'Send application/json', detail_zh: '请使用 application/json' });
  if (code === 'FST_ERR_RATE_LIMITED' || err.statusCode === 429) return send(reply, 429, { title: 'Too many requests', code: 'request.rate_limited', detail: 'Too many requests; retry later', detail_zh: '请求过于频繁，请稍后再试' });
  if (code === '53100' || code === 'ENOSPC' || code === 'EDQUOT' || /No space left on device|Disk quota exceeded/i.test(err.message ?? '')) {
    // The transaction was rolled back whole (reads too: their audit event cannot be written). Operators must hear of
    // it; clients may retry once space is freed.
    req.log.error({ code: 'store.disk_full' }, 'the store is out of disk space');
    return send(reply, 507, { title: 'Storage full', code: 'store.disk_full', detail: 'The store has no disk space left; nothing was written. Retry after space is freed', detail_zh: '存储空间已满，本次未写入任何数据；释放空间后请重试' }, { 'retry-after': '60' });
  }
  if (code === 'EROFS' || /read-only file system/i.test(err.message ?? '')) {
    req.log.error({ code: 'store.read_only' }, 'the store folder is read-only');
    return send(reply, 503, { title: 'Store read-only', code: 'store.read_only', detail: 'The data folder is read-only; nothing was written', detail_zh: '数据目录为只读，本次未写入任何数据' }, { 'retry-after': '60' });
  }
  if (isDbDown(code, err.message ?? '')) {
    return send(reply, 503, { title: 'Store unavailable', code: 'store.unavailable', detail: 'The database is not reachable; retry shortly', detail_zh: '数据库暂不可用，请稍后重试' }, { 'retry-after': '5' });
  }
  if (err instanceof CryptoOpenError) {
    req.log.error({ code: 'crypto.integrity' }, 'a stored ciphertext failed authentication');
    return send(reply, 500, { title: 'Integrity failure', code: 'crypto.integrity', detail: 'Stored data failed its integrity check; it was not returned', detail_zh: '存储的数据未通过完整性校验，未返回' });
  }
  if (err instanceof KeyfileError) return send(reply, 500, { title: 'Key error', code: 'crypto.key_error', detail: 'A key could not be opened', detail_zh: '密钥无法打开' });
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return send(reply, err.statusCode, { title: 'Bad request', code: `request.${code || 'invalid'}`.toLowerCase(), detail: 'The request was refused', detail_zh: '请求被拒绝' });
  }
  req.log.error({ err }, 'unexpected error');
  return send(reply, 500, { title: 'Internal error', code: 'internal', detail: 'An unexpected error occurred; it was logged', detail_zh: '发生内部错误，已记录' });
}
