/** One HTTP(S) POST of a JSON body, with a deadline. The network comes in from outside: tests may pass their own. */
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  body: string;
}

export type HttpPost = (url: string, body: string, o: { timeoutMs: number; signal: AbortSignal }) => Promise<HttpAnswer>;

/** a platform's answer is a short JSON object; anything longer is not an acknowledgement */
const MAX_ANSWER_BYTES = 64 * 1024;

export const httpPost: HttpPost = (url, body, o) =>
  new Promise<HttpAnswer>((resolve, reject) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? https.request : http.request;
    const req = request(
      u,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body) },
        signal: o.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => {
          clearTimeout(deadline);
          reject(err);
        });
      },
    );
    // a platform that accepts the connection and never answers must not hold the lane forever
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.end(body);
  });
