-- Up Migration

-- A programme the board adopted before Årshjul, registered afterwards (lup-programme-registered):
-- projected like an adoption, with the day it was registered so the record tells the two apart,
-- and the period the board set, when it set one.
ALTER TABLE lup_programmes
  ADD COLUMN registered_on date,
  ADD COLUMN period_from   date,
  ADD COLUMN period_to     date;

-- Down Migration
ALTER TABLE lup_programmes
  DROP COLUMN period_to,
  DROP COLUMN period_from,
  DROP COLUMN registered_on;
