/**
 * A minimal Server-Sent Events parser (the WHATWG rules that matter here): lines end in \n, \r\n or \r;
 * `data:` lines accumulate, a blank line dispatches them with the event's name (`event:`, default `message`);
 * comments (`:`, heartbeats) and other fields are ignored.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = 'message';

  constructor(private readonly onData: (data: string, event: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) return;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onData(this.data.join('\n'), this.event);
      this.data = [];
      this.event = 'message';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value || 'message';
  }
}
