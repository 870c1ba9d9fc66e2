import { SseParser } from '../../web/src/sse';

/** The dashboard's live-tail reader splits Server-Sent Events wherever the network cuts the stream. */
describe('SseParser (web/src/sse.ts)', () => {
  function parse(chunks: string[]): string[] {
    const out: string[] = [];
    const p = new SseParser((d) => out.push(d));
    for (const c of chunks) p.push(c);
    return out;
  }

  const stream = 'retry: 3000\n: connected\n\nid: 1\nevent: log\ndata: {"id":"1"}\n\n: heartbeat 2026-01-01T00:00:00Z\n\nid: 2\nevent: log\ndata: {"id":"2"}\n\n';

  it('yields one data payload per event and skips comments and other fields', () => {
    expect(parse([stream])).toEqual(['{"id":"1"}', '{"id":"2"}']);
  });

  it('gives the same events however the stream is cut, one character at a time included', () => {
    for (let cut = 1; cut < stream.length; cut++) expect(parse([stream.slice(0, cut), stream.slice(cut)])).toEqual(['{"id":"1"}', '{"id":"2"}']);
    expect(parse([...stream])).toEqual(['{"id":"1"}', '{"id":"2"}']);
  });

  it('handles CRLF and CR line ends, a CRLF split across chunks, multi-line data and data without a space', () => {
    expect(parse(['data: a\r', '\ndata:b\r\n\r\n', 'data: c\r\rdata: d\n\n'])).toEqual(['a\nb', 'c', 'd']);
  });

  it('gives each payload its event name (message when none is given)', () => {
    const out: [string, string][] = [];
    const p = new SseParser((d, e) => out.push([d, e]));
    p.push('event: dropped\ndata: {"count":3}\n\ndata: plain\n\nevent: log\ndata: {"id":"1"}\n\n');
    expect(out).toEqual([
      ['{"count":3}', 'dropped'],
      ['plain', 'message'],
      ['{"id":"1"}', 'log'],
    ]);
  });

  it('does not dispatch an event that has not ended yet', () => {
    expect(parse(['data: {"id":"1"}\n'])).toEqual([]);
  });
});
