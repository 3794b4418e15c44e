-- Up Migration

-- The committee's overview reads every deliverable of a cycle in (phase, board) order: with the
-- columns it shows in the cycle index, it is read from the index in that order (an index-only
-- scan where the heap pages are all-visible) instead of a bitmap scan of the heap and a sort,
-- about half of PostgreSQL's time for a cycle of 3,000 (bench/benchmarks/overview-query.ts).
-- Replaced rather than added: a snapshot's update seldom stays on its heap page (HOT) in a full
-- table (550 of 193,000 updates in the benchmark's read model), so the cycle index takes an
-- entry per update already; the stage counts per phase can be read from it too.
DROP INDEX deliverable_status_cycle_idx;
CREATE INDEX deliverable_status_cycle_idx ON deliverable_status (municipality, budget_year, phase_id, board_id)
  INCLUDE (workflow_id, answering_board_id, stage, late, escalation_level, deadline, deadline_at, updated_at);

-- A board's own view of a cycle (the same query with its answering board): the board index with
-- the cycle and the order in its key finds the board's few rows of that year, rather than the
-- planner filtering the whole cycle out of the index above. Its users by municipality and board
-- (a board's page across cycles, feeds, digests) read the same prefix.
DROP INDEX deliverable_status_answering_board_idx;
CREATE INDEX deliverable_status_answering_board_idx
  ON deliverable_status (municipality, answering_board_id, budget_year, phase_id, board_id);

-- Down Migration
DROP INDEX deliverable_status_answering_board_idx;
CREATE INDEX deliverable_status_answering_board_idx ON deliverable_status (municipality, answering_board_id);
DROP INDEX deliverable_status_cycle_idx;
CREATE INDEX deliverable_status_cycle_idx ON deliverable_status (municipality, budget_year, phase_id, board_id);
