import { templateHash, templateOf } from '../../src/metrics/templates/templater';
import { TEMPLATE_CASES } from '../fixtures/template-cases';


describe('message templates', () => {
  it.each(TEMPLATE_CASES)('%s', (message, template) => {
    expect(templateOf(message)).toBe(template);
  });

  it('gives the same template, and key, to messages that differ only in their variable parts', () => {
    const a = templateOf('payment gateway timeout after 5012 ms (order 123, user bob@example.com)');
    const b = templateOf('payment gateway timeout after 77 ms (order 98765, user alice@example.org)');
    expect(a).toBe(b);
    expect(templateHash(a)).toBe(templateHash(b));
    expect(templateHash(a)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('templates only the first 300 characters of a long message', () => {
    expect(templateOf(`boom ${'x'.repeat(1000)}`)).toHaveLength(300);
  });
});
