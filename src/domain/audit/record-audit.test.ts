import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_AUDIT_TEXT } from './audit-entry.ts';
import { changeOf, changesBetween, secretChange } from './record-audit.ts';

describe('audit changes', () => {
  it('names a field only when its value changed, with before and after', () => {
    assert.deepEqual(changeOf('port', 587, 587), []);
    assert.deepEqual(changeOf('port', 587, 2525), [{ field: 'port', before: 587, after: 2525 }]);
    assert.deepEqual(changeOf('memberIds', [1, 2], [1, 2]), []);
    assert.deepEqual(changeOf('memberIds', [1], [1, 2]), [{ field: 'memberIds', before: [1], after: [1, 2] }]);
    assert.deepEqual(changeOf('name', undefined, 'Desk'), [{ field: 'name', after: 'Desk' }]);
    assert.deepEqual(changeOf('name', 'Desk', undefined), [{ field: 'name', before: 'Desk' }]);
  });

  it('names a long text as changed without copying it', () => {
    const long = 'x'.repeat(MAX_AUDIT_TEXT + 1);
    assert.deepEqual(changeOf('html', 'short', long), [{ field: 'html', withheld: 'long' }]);
    assert.deepEqual(changeOf('html', long, long), []);
  });

  it('compares the listed fields of two records, in their order', () => {
    assert.deepEqual(
      changesBetween({ name: 'A', role: 'technician', active: true }, { name: 'B', role: 'admin', active: true }, [
        'role',
        'name',
        'active',
      ]),
      [
        { field: 'role', before: 'technician', after: 'admin' },
        { field: 'name', before: 'A', after: 'B' },
      ],
    );
  });

  it('a secret carries no value, only its name', () => {
    assert.deepEqual(secretChange('password'), { field: 'password', withheld: 'secret' });
  });
});
