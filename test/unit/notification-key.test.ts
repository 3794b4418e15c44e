import { notificationKey } from '../../src/activities';

describe('notificationKey', () => {
  it('is the same for the same planned action however the instant is written', () => {
    expect(notificationKey('w', 'reminder', '2027-04-02T08:00:00+02:00')).toBe(
      notificationKey('w', 'reminder', '2027-04-02T06:00:00.000Z'),
    );
    expect(notificationKey('w', 'reminder', '2027-04-02T08:00:00+02:00')).not.toBe(
      notificationKey('w', 'reminder', '2027-04-03T08:00:00+02:00'),
    );
  });
});
