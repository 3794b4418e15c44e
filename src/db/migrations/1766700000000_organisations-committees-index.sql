-- Up Migration

-- Every notification reads its board, the board's group parent and the municipality's
-- committees (utskott, SLK) when it is sent: the board and its parent by the primary key, the
-- committees, a handful among thousands of boards, by this index instead of a scan of the
-- municipality's registry per mail of a burst (issue 16).
CREATE INDEX organisations_committees_idx ON organisations (municipality) WHERE kind IN ('utskott', 'slk');

-- Down Migration
DROP INDEX organisations_committees_idx;
