-- Up Migration

-- A company renamed keeps its earlier names, each with the day it took effect, so a page or mail
-- about a day names the board as it was named then; null: it always had `name`.
ALTER TABLE organisations ADD COLUMN names jsonb;

-- A housing company with a greater responsibility in local development (it owns much housing in
-- the priority areas): its verksamhetsplan must state nämndmål or aktiviteter for every area.
ALTER TABLE organisations ADD COLUMN greater_local_responsibility boolean NOT NULL DEFAULT false;

-- A group parent (Stockholms Stadshus AB) that also reports as a company in the cycle.
ALTER TABLE organisations ADD COLUMN reports_as_company boolean NOT NULL DEFAULT false;

-- A district's head is its stadsdelsdirektör: the stored contacts take the title the registry now
-- uses (the registry reads the old one as the new anyway; this keeps the rows as they are read).
UPDATE organisations
   SET contacts = (
     SELECT coalesce(jsonb_agg(
              CASE WHEN c->>'role' = 'forvaltningschef' THEN jsonb_set(c, '{role}', '"stadsdelsdirektor"') ELSE c END
              ORDER BY ord), '[]'::jsonb)
       FROM jsonb_array_elements(contacts) WITH ORDINALITY AS e(c, ord))
 WHERE kind = 'stadsdelsnamnd';

-- Down Migration
UPDATE organisations
   SET contacts = (
     SELECT coalesce(jsonb_agg(
              CASE WHEN c->>'role' = 'stadsdelsdirektor' THEN jsonb_set(c, '{role}', '"forvaltningschef"') ELSE c END
              ORDER BY ord), '[]'::jsonb)
       FROM jsonb_array_elements(contacts) WITH ORDINALITY AS e(c, ord))
 WHERE kind = 'stadsdelsnamnd';
ALTER TABLE organisations DROP COLUMN reports_as_company;
ALTER TABLE organisations DROP COLUMN greater_local_responsibility;
ALTER TABLE organisations DROP COLUMN names;
