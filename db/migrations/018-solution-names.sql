-- Solutions named by their éditeur
-- Issue 22 (item 5): people know a solution by its name, not by the id a BDC registered it under.
-- The éditeur names its own solutions (it knows them first: a solution exists from its first BDC,
-- months before the ANS decides); the console shows the name wherever the id was. A name is a fact of
-- its own (journaled as `solution.name`), beside the registry's row, which keeps its journaled shape.
CREATE TABLE solution_names (
  solution_id text PRIMARY KEY REFERENCES solutions (solution_id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  named_by text NOT NULL,
  named_at timestamptz NOT NULL DEFAULT now()
);
