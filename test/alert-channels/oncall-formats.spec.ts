import { alertmanagerAlertsUrl } from '../../src/alert-channels/senders/alertmanager.sender';
import { PAGERDUTY_SEVERITY } from '../../src/alert-channels/senders/pagerduty.sender';
import { standardWebhookHeaders } from '../../src/alert-channels/senders/webhook.sender';
import { SEVERITIES } from '../../src/common/alert-vocabulary';

describe('on-call wire formats', () => {
  it('signs the published Standard Webhooks test vector exactly as the reference libraries do', () => {
    const headers = standardWebhookHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('refuses a secret that is not whsec_ and a base64 key of 24 to 64 bytes', () => {
    expect(() => standardWebhookHeaders('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'id', 1, '{}')).toThrow('whsec_');
    expect(() => standardWebhookHeaders(`whsec_${Buffer.alloc(16).toString('base64')}`, 'id', 1, '{}')).toThrow('whsec_');
  });

  it('maps every Tracer severity onto one of PagerDuty’s four, in the same order', () => {
    const pd = ['info', 'warning', 'error', 'critical'];
    expect(SEVERITIES.map((s) => PAGERDUTY_SEVERITY[s])).toEqual(pd);
  });

  it('takes an Alertmanager base URL or its full alerts URL', () => {
    expect(alertmanagerAlertsUrl('http://am.internal:9093')).toBe('http://am.internal:9093/api/v2/alerts');
    expect(alertmanagerAlertsUrl('https://ops.example.com/alertmanager/')).toBe('https://ops.example.com/alertmanager/api/v2/alerts');
    expect(alertmanagerAlertsUrl('https://ops.example.com/alertmanager/api/v2/alerts')).toBe('https://ops.example.com/alertmanager/api/v2/alerts');
  });
});
