import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { webhookUrlIssues } from './webhook-url.js';

describe('webhook URL rules', () => {
  test('https anywhere, http on loopback', () => {
    for (const url of [
      'https://mes.example/hooks/ingrain',
      'https://10.0.0.5:8443/x?line=1',
      'http://127.0.0.1:9000/hook',
      'http://localhost/hook',
      'http://[::1]:8080/hook',
    ]) {
      assert.deepEqual(webhookUrlIssues(url, false), [], url);
    }
  });

  test('http to another host only when allowed', () => {
    const issues = webhookUrlIssues('http://mes.example/hook', false);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.path, 'body.url');
    assert.match(issues[0]?.message ?? '', /loopback/);
    assert.deepEqual(webhookUrlIssues('http://mes.example/hook', true), []);
  });

  test('refused: not a URL, other schemes, credentials, fragments, too long; never echoing the URL', () => {
    const cases: [string, RegExp][] = [
      ['mes.example/hook', /absolute URL/],
      ['ftp://mes.example/hook', /https/],
      ['file:///etc/passwd', /https/],
      ['https://user:hunter2@mes.example/hook', /credentials/],
      ['https://mes.example/hook#frag', /fragment/],
      [`https://mes.example/${'a'.repeat(2048)}`, /2048/],
    ];
    for (const [url, message] of cases) {
      const issues = webhookUrlIssues(url, true);
      assert.equal(issues.length, 1, url);
      assert.match(issues[0]?.message ?? '', message, url);
      assert.ok(!JSON.stringify(issues).includes('hunter2'), 'no credential echoed');
    }
  });
});
